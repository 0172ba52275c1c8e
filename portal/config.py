"""Every setting comes from the environment, with an embedded default that works on one laptop.

`load_config(instance_path, overrides)` returns a plain dict; `create_app` applies it and
`validate()` refuses settings that cannot work, so a misconfigured server fails at start-up
instead of on the first request.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

TRUE_WORDS = {"1", "true", "yes", "on"}


class ConfigError(RuntimeError):
    """A setting is missing or contradictory."""


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in TRUE_WORDS


def _database_uri(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance_path / 'portal.db'}"
    # Heroku-style and plain "postgresql://" URLs mean the psycopg 3 driver we install.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        tmp = key_file.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        os.replace(tmp, key_file)  # atomic: two workers starting together agree on one key
    return key_file.read_text().strip()


def _trusted_hosts(public_base_url: str, content_origin: str) -> list[str]:
    """Host names the portal answers to: TRUSTED_HOSTS (comma-separated; a leading dot allows
    subdomains), else the host of PUBLIC_BASE_URL and of COURSE_CONTENT_ORIGIN plus the
    loopback names for local checks."""
    configured = os.environ.get("TRUSTED_HOSTS")
    if configured:
        return [host.strip() for host in configured.split(",") if host.strip()]
    public_host = urlsplit(public_base_url).hostname or "127.0.0.1"
    hosts = [public_host, "localhost", "127.0.0.1", "::1"]
    try:
        content_host = urlsplit(content_origin).hostname
    except ValueError:
        content_host = None  # validate() says why
    return list(dict.fromkeys(hosts + ([content_host] if content_host else [])))


def load_config(instance_path: str | Path, overrides: dict | None = None) -> dict:
    instance_path = Path(instance_path)
    redis_url = os.environ.get("REDIS_URL") or None
    public_base_url = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    content_origin = os.environ.get("COURSE_CONTENT_ORIGIN", "").strip().rstrip("/")
    # Cookies are Secure whenever the portal is served over HTTPS, which production must be.
    secure_cookies = _flag("SESSION_COOKIE_SECURE", public_base_url.startswith("https://"))
    config = {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_uri(instance_path),
        # Storage: a local folder by default, S3 (or any S3-compatible endpoint) when chosen.
        "STORAGE_BACKEND": os.environ.get("STORAGE_BACKEND", "local"),
        "STORAGE_LOCAL_ROOT": os.environ.get("STORAGE_LOCAL_ROOT", str(instance_path / "files")),
        "S3_BUCKET": os.environ.get("S3_BUCKET"),
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL") or None,
        "S3_REGION": os.environ.get("S3_REGION", "us-east-1"),
        "S3_ACCESS_KEY_ID": os.environ.get("S3_ACCESS_KEY_ID") or None,
        "S3_SECRET_ACCESS_KEY": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
        "DOWNLOAD_URL_SECONDS": int(os.environ.get("DOWNLOAD_URL_SECONDS", "300")),
        # Uploaded course content on its own origin (e.g. https://content.example.com, a second
        # host name for this same app), reached through a postMessage bridge; empty: served
        # from the portal's own origin (see README, "Content isolation").
        "COURSE_CONTENT_ORIGIN": content_origin,
        # Jobs run inline unless Redis is configured; then RQ workers take them.
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Mail: SMTP when SMTP_HOST is set; otherwise the outbox table is the mailbox.
        "SMTP_HOST": os.environ.get("SMTP_HOST") or None,
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "587")),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _flag("SMTP_STARTTLS", True),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "WAH Careers <careers@example.com>"),
        # Every absolute link (emails) is built from PUBLIC_BASE_URL, never from the Host a
        # client sent; requests for any other host are refused (400).
        "PUBLIC_BASE_URL": public_base_url,
        "TRUSTED_HOSTS": _trusted_hosts(public_base_url, content_origin),
        # Behind N reverse proxies the client address, scheme and host come from the last N
        # X-Forwarded-* entries; 0 (direct) ignores those headers, which clients can forge.
        "TRUSTED_PROXY_HOPS": int(os.environ.get("TRUSTED_PROXY_HOPS", "0")),
        # Sessions and cookies.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_HOURS", "12")) * 3600,
        # "Keep me signed in" lasts this long from sign-in, however often it is used.
        "REMEMBER_DAYS": int(os.environ.get("REMEMBER_DAYS", "30")),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # Forms are small: one anonymous request must not be able to take hundreds of MB.
        # Views that stream files to storage raise the limit to MAX_UPLOAD_MB themselves.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_REQUEST_KB", "1024")) * 1024,
        "MAX_UPLOAD_MB": int(os.environ.get("MAX_UPLOAD_MB", "512")),
        # The readiness check's upload test posts random bytes that are read and discarded.
        "READINESS_UPLOAD_MB": 20,
        # A recording arrives in parts of a second or two each; a part never needs more.
        "RECORDING_PART_MB": 8,
        "ASSESSMENT_BANK_UPLOAD_MB": 2,  # a bank file is at most 1 MB, plus the form around it
        # Bootstrap is served from the package, never a CDN: call centers run locked down.
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BOOTSTRAP_BTN_SIZE": "md",
        "PIPELINE_PAGE_SIZE": 50,
        "ADMIN_USERS_PAGE_SIZE": 50,
        "AUDIT_PAGE_SIZE": 50,
        # What the apply form's consent promises; `flask purge-expired` enforces it.
        "APPLICATION_RETENTION_DAYS": int(os.environ.get("APPLICATION_RETENTION_DAYS", "365")),
        # Recordings of rejected or withdrawn candidates, counted from that decision.
        "RECORDING_RETENTION_DAYS": int(os.environ.get("RECORDING_RETENTION_DAYS", "90")),
        "TOKEN_MAX_AGE_VERIFY": 7 * 24 * 3600,
        "TOKEN_MAX_AGE_RESET": 3600,
        # Sign-in attempts per client address (all accounts), and per account: the free
        # failures from one address before back-off, and a ceiling from everywhere (see
        # portal/auth/throttle.py; a known device is not stopped by the ceiling).
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute; 50 per hour"),
        "LOGIN_FREE_FAILURES": int(os.environ.get("LOGIN_FREE_FAILURES", "5")),
        "LOGIN_ACCOUNT_CEILING": int(os.environ.get("LOGIN_ACCOUNT_CEILING", "100")),
        "RESET_RATE_LIMIT": os.environ.get("RESET_RATE_LIMIT", "5 per minute; 20 per hour"),
        # Each registration sends an email: bound what one address can make us send.
        "REGISTER_RATE_LIMIT": os.environ.get("REGISTER_RATE_LIMIT", "5 per minute; 30 per hour"),
        # Public certificate checks per client address: enough for an employer, not a scan.
        "CERTIFICATE_VERIFY_RATE_LIMIT": os.environ.get("CERTIFICATE_VERIFY_RATE_LIMIT",
                                                        "30 per minute"),
    }
    config.update(overrides or {})
    return config


def validate(config: dict) -> None:
    if config["STORAGE_BACKEND"] not in {"local", "s3"}:
        raise ConfigError("STORAGE_BACKEND must be 'local' or 's3'")
    if config["STORAGE_BACKEND"] == "s3" and not config.get("S3_BUCKET"):
        raise ConfigError("STORAGE_BACKEND=s3 needs S3_BUCKET")
    if not 0 <= config["TRUSTED_PROXY_HOPS"] <= 5:
        raise ConfigError("TRUSTED_PROXY_HOPS must be between 0 and 5")
    if not 1 <= config["REMEMBER_DAYS"] <= 90:
        raise ConfigError("REMEMBER_DAYS must be between 1 and 90")
    origin = config.get("COURSE_CONTENT_ORIGIN") or ""
    if origin and not _is_origin(origin):
        raise ConfigError("COURSE_CONTENT_ORIGIN must be an http(s) origin without a path, "
                          "such as https://content.example.com")
    if len(config["SECRET_KEY"]) < 16:
        raise ConfigError("SECRET_KEY is too short (16 characters at least)")


def _is_origin(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname) \
        and parts.path == "" and not (parts.query or parts.fragment or parts.username
                                      or parts.password) and not url.endswith(("?", "#"))
