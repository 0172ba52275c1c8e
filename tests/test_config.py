"""Settings come from the environment, with defaults that work on one laptop."""

import pytest

from portal import create_app
from portal.config import ConfigError, load_config, validate


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "STORAGE_BACKEND", "S3_BUCKET", "REDIS_URL",
                 "PUBLIC_BASE_URL", "SESSION_COOKIE_SECURE", "COURSE_CONTENT_ORIGIN",
                 "TRUSTED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_are_embedded_and_the_secret_key_is_made_once(clean_env, tmp_path):
    first = load_config(tmp_path)
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.db'}"
    assert first["STORAGE_BACKEND"] == "local"
    assert first["REDIS_URL"] is None and first["RATELIMIT_STORAGE_URI"] == "memory://"
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(first["SECRET_KEY"]) >= 32
    assert load_config(tmp_path)["SECRET_KEY"] == first["SECRET_KEY"]  # kept, not remade


def test_the_environment_chooses_postgresql_redis_and_https(clean_env, tmp_path):
    clean_env.setenv("DATABASE_URL", "postgres://app:pw@db.internal/portal")
    clean_env.setenv("REDIS_URL", "redis://cache:6379/0")
    clean_env.setenv("PUBLIC_BASE_URL", "https://careers.example.com")
    clean_env.setenv("SECRET_KEY", "a-secret-from-the-environment")
    config = load_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app:pw@db.internal/portal"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SECRET_KEY"] == "a-secret-from-the-environment"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("env, message", [
    ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND must be"),
    ({"STORAGE_BACKEND": "s3"}, "needs S3_BUCKET"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY is too short"),
    ({"COURSE_CONTENT_ORIGIN": "content.example.com"}, "COURSE_CONTENT_ORIGIN must be"),
    ({"COURSE_CONTENT_ORIGIN": "ftp://content.example.com"}, "COURSE_CONTENT_ORIGIN must be"),
    ({"COURSE_CONTENT_ORIGIN": "https://content.example.com/scorm"},
     "COURSE_CONTENT_ORIGIN must be"),
    ({"COURSE_CONTENT_ORIGIN": "https://content.example.com?x=1"},
     "COURSE_CONTENT_ORIGIN must be"),
    ({"COURSE_CONTENT_ORIGIN": "https://user@content.example.com"},
     "COURSE_CONTENT_ORIGIN must be"),
    ({"COURSE_CONTENT_ORIGIN": "https://content.example.com:99999"},
     "COURSE_CONTENT_ORIGIN must be"),
])
def test_settings_that_cannot_work_stop_the_start(clean_env, tmp_path, env, message):
    for name, value in env.items():
        clean_env.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_the_content_origin_is_off_by_default_and_trusted_when_set(clean_env, tmp_path):
    assert load_config(tmp_path)["COURSE_CONTENT_ORIGIN"] == ""
    clean_env.setenv("PUBLIC_BASE_URL", "https://careers.example.com")
    clean_env.setenv("COURSE_CONTENT_ORIGIN", "https://content.example.com:8443/")
    config = load_config(tmp_path)
    assert config["COURSE_CONTENT_ORIGIN"] == "https://content.example.com:8443"
    assert "content.example.com" in config["TRUSTED_HOSTS"]
    validate(config)  # accepted (no app made here: its extensions are shared by every test)
