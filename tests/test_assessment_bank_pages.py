"""Trainers and managers publish bank versions in the portal: validated whole, versioned,
nothing half-saved; the shipped banks are published at demo load."""

import io

import pytest
from sqlalchemy import func, select

from assessments import services
from assessments.bank import BANK_DIR
from assessments.models import BankVersion
from portal.extensions import db
from tests.helpers import page_text
from tests.test_assessment_scoring import BANK


def upload(client, content: bytes, name="bank.yaml"):
    return client.post("/assessments/banks/", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def versions(key: str) -> list[BankVersion]:
    db.session.expire_all()
    return list(db.session.scalars(select(BankVersion).where(BankVersion.bank_key == key)
                                   .order_by(BankVersion.id)))


@pytest.fixture
def trainer(client, login, make_user):
    user = make_user(roles=("trainer",), full_name="Tess Trainer")
    login(client, user)
    return user


def test_a_trainer_publishes_a_bank_and_a_changed_file_becomes_a_new_version(client, trainer):
    response = upload(client, BANK.encode())
    text = page_text(response)
    assert response.status_code == 200
    assert "Published Demo (demo), version" in text
    assert "Tess Trainer" in text and "1 version so far" in text

    again = page_text(upload(client, BANK.encode()))
    assert "No change: version" in again and len(versions("demo")) == 1

    upload(client, BANK.replace("I work hard", "I work very hard").encode())
    first, second = versions("demo")
    assert first.version != second.version
    assert "I work hard" in first.content  # the old version is kept as it was
    assert "2 versions so far" in page_text(client.get("/assessments/banks/"))


def test_a_bad_file_is_refused_with_its_lines_and_nothing_is_saved(client, trainer):
    bad = BANK.replace("keyed: minus}", "keyed: reversed}", 1).replace("sd: 4,", "sd: -1,")
    response = upload(client, bad.encode())
    assert response.status_code == 422
    text = page_text(response)
    assert "Nothing was saved: fix these 2 problems" in text
    assert "line 9: 'sd' must be greater than 0" in text
    assert "line 14: 'keyed' must be plus or minus" in text
    assert versions("demo") == []


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\x00", b"", b"key: [oops"])
def test_files_that_are_not_banks_get_a_clear_message(client, trainer, content):
    response = upload(client, content)
    assert response.status_code == 422
    assert "Nothing was saved" in page_text(response) or "Choose a .yaml file" in \
        page_text(response)
    assert db.session.scalar(select(func.count()).select_from(BankVersion)) == 0


def test_candidates_cannot_see_or_publish_banks(client, login, make_user):
    login(client, make_user())
    assert client.get("/assessments/banks/").status_code == 403
    assert upload(client, BANK.encode()).status_code == 403
    assert versions("demo") == []


def test_the_shipped_banks_are_published_once(app):
    shipped = len(list(BANK_DIR.glob("*.yaml")))
    assert services.publish_shipped() == shipped
    assert services.publish_shipped() == 0
    (row,) = versions("work_style")
    assert row.item_count == 120 and row.uploaded_by_id is None


def test_uploads_that_are_too_big_or_not_files_are_refused_clearly(client, trainer):
    big = upload(client, b"# " + b"x" * (1536 * 1024))
    assert big.status_code == 422 and "larger than 1024 KB" in page_text(big)
    assert upload(client, b"x" * (3 * 1024 * 1024)).status_code == 413
    no_file = client.post("/assessments/banks/", data={"note": "no file"})
    assert no_file.status_code == 422 and "Choose a .yaml file" in page_text(no_file)
    assert client.post("/assessments/banks/", json={"file": BANK}).status_code == 415
    assert db.session.scalar(select(func.count()).select_from(BankVersion)) == 0
