"""A candidate's right to their data: the JSON export and the erasure, through their pages."""

import json
import re

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.auth.models import User
from portal.extensions import db
from portal.mail import OutboxEmail
from portal.recruiting import services, stages
from portal.recruiting.models import (
    Application,
    ApplicationNote,
    Opening,
    StageChange,
    StageCount,
)
from tests.conftest import DEFAULT_PASSWORD
from tests.helpers import page_text

NOTE = "Internal: sounded distracted, check references twice"
REJECTION_REASON = "Internal: typing speed far below the bar"
SCREENING_REASON = "Internal: strong accent match for the client"
HR_TEXT = "Please contact HR to have them deleted."


def opening_fields(title: str, **overrides) -> dict:
    fields = dict(
        title=title, summary="Help customers of a national retailer by phone and chat.",
        pay_min=16, pay_max=18.5, pay_currency="USD", pay_period="hour", hours_min=30,
        hours_max=40, shifts=["morning", "afternoon"], countries=["US", "CA"], time_zones=[],
        steps=["skills_assessment"], status="open")
    fields.update(overrides)
    return fields


def answers(user: User, **overrides) -> dict:
    fields = dict(
        full_name=user.full_name, email=user.email, phone="+1 555 123 4567", country="US",
        time_zone="America/Chicago", availability_days=["mon", "tue"],
        availability_shifts=["morning"], hours_per_week=30, languages=["en", "es"],
        experience_years=2, has_computer=True, has_headset=True, has_wired_internet=False)
    fields.update(overrides)
    return fields


@pytest.fixture
def world(app, make_user):
    """Two openings; our candidate applied to both (one rejected, one in screening with a
    note), another candidate applied to the first."""
    manager = make_user(roles=("manager",), full_name="Morgan Rivera")
    candidate = make_user(full_name="Priya Sharma", email="priya@example.com")
    other = make_user(full_name="Omar Haddad", email="omar@example.com")
    first = services.create_opening(manager, **opening_fields("Customer Service Agent"))
    second = services.create_opening(manager, **opening_fields("Bilingual Support Agent"))

    rejected = services.apply(first, candidate, **answers(candidate, phone="+1 555 000 1111"))
    screening = services.apply(second, candidate, **answers(candidate, phone="+1 555 000 2222"))
    others = services.apply(first, other, **answers(other, phone="+1 555 999 9999"))
    services.move(rejected, stages.REJECTED, manager, REJECTION_REASON)
    services.move(screening, stages.SCREENING, manager, SCREENING_REASON)
    services.add_note(screening, manager, NOTE)
    services.add_note(others, manager, "Internal note about Omar")
    db.session.commit()
    return dict(manager=manager, candidate=candidate, other=other, openings=(first, second),
                applications=(rejected, screening), others=others)


# --- export --------------------------------------------------------------------------------------

def test_export_is_a_download_of_everything_about_the_candidate(client, login, world):
    candidate = world["candidate"]
    login(client, candidate)
    response = client.get("/me/data/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.get_data(as_text=True))

    assert data["account"]["email"] == "priya@example.com"
    assert data["account"]["full_name"] == "Priya Sharma"
    assert data["account"]["roles"] == ["candidate"]

    by_opening = {a["opening"]: a for a in data["applications"]}
    assert set(by_opening) == {"Customer Service Agent", "Bilingual Support Agent"}
    rejected = by_opening["Customer Service Agent"]
    screening = by_opening["Bilingual Support Agent"]
    assert rejected["phone"] == "+1 555 000 1111" and screening["phone"] == "+1 555 000 2222"
    for answer in (rejected, screening):
        assert answer["country"] == "US"
        assert answer["time_zone"] == "America/Chicago"
        assert answer["availability_days"] == ["mon", "tue"]
        assert answer["languages"] == ["en", "es"]
        assert answer["hours_per_week"] == 30 and answer["experience_years"] == 2
        assert answer["has_wired_internet"] is False
        assert answer["privacy_consent_at"] and answer["retention_consent_at"]
    assert [h["stage"] for h in rejected["stage_history"]] == ["Applied", "Rejected"]
    assert [h["stage"] for h in screening["stage_history"]] == ["Applied", "Screening"]
    assert rejected["stage"] == "rejected" and screening["stage"] == "screening"

    subjects = sorted(e["subject"] for e in data["emails"])
    assert subjects == sorted([
        "We received your application: Customer Service Agent",
        "We received your application: Bilingual Support Agent",
        "Your application: Customer Service Agent",
    ])
    assert all(e["body"] for e in data["emails"])


def test_export_includes_notes_reasons_staff_steps_deliveries_and_audit(client, login, world):
    login(client, world["candidate"])
    data = client.get("/me/data/export.json").get_json()
    rejected, screening = data["applications"]
    assert [n["note"] for n in screening["internal_notes"]] == [NOTE]
    assert [n["by"] for n in screening["internal_notes"]] == ["Morgan Rivera"]
    assert REJECTION_REASON in {c["reason"] for c in rejected["stage_history"]}
    assert SCREENING_REASON in {c["reason"] for c in screening["stage_history"]}
    assert "Morgan Rivera" in {c["by"] for c in rejected["stage_history"]}
    assert world["manager"].email not in json.dumps(data)  # names, not staff addresses
    assert data["account"]["last_login_at"] is not None
    assert all({"to", "delivery", "sent_at"} <= set(e) for e in data["emails"])
    actions = {e["action"] for e in data["audit_events"]}
    assert {"application.created", "application.moved"} <= actions


def test_export_never_includes_another_candidates_data(client, login, world):
    login(client, world["candidate"])
    raw = client.get("/me/data/export.json").get_data(as_text=True)
    for foreign in ("Omar Haddad", "omar@example.com", "+1 555 999 9999",
                    "Internal note about Omar"):
        assert foreign not in raw

    client.post("/logout")
    login(client, world["other"])
    data = client.get("/me/data/export.json").get_json()
    assert data["account"]["email"] == "omar@example.com"
    assert [a["opening"] for a in data["applications"]] == ["Customer Service Agent"]
    assert "priya@example.com" not in json.dumps(data)


def test_export_does_not_carry_sign_in_or_reset_links(client, login, world):
    candidate = world["candidate"]
    client.post("/password/forgot", data={"email": candidate.email})
    (reset,) = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.recipient_id == candidate.id, OutboxEmail.template == "password_reset"))
    token = re.search(r"/password/reset/(\S+)", reset.body_text).group(1)

    login(client, candidate)
    raw = client.get("/me/data/export.json").get_data(as_text=True)
    assert token not in raw and "/password/reset/" not in raw
    subjects = [e["subject"] for e in json.loads(raw)["emails"]]
    assert "Reset your password" in subjects  # listed, without the link


def test_export_needs_a_login(client):
    response = client.get("/me/data/export.json")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- erasure -------------------------------------------------------------------------------------

def application_count(user_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Application)
                             .where(Application.candidate_id == user_id))


def counts_from_table(opening_ids) -> dict:
    return {(row.opening_id, row.stage): row.count for row in db.session.scalars(
        select(StageCount).where(StageCount.opening_id.in_(opening_ids))) if row.count}


def counts_from_applications(opening_ids) -> dict:
    return {(opening_id, stage): count for opening_id, stage, count in db.session.execute(
        select(Application.opening_id, Application.stage, func.count())
        .where(Application.opening_id.in_(opening_ids))
        .group_by(Application.opening_id, Application.stage))}


def test_erase_with_the_wrong_confirmation_deletes_nothing(client, login, world):
    candidate = world["candidate"]
    login(client, candidate)
    response = client.post("/me/data/erase", data={"confirm_email": "someone@example.com"},
                           follow_redirects=True)
    assert "nothing was deleted" in page_text(response)
    assert application_count(candidate.id) == 2
    assert db.session.get(User, candidate.id).email == "priya@example.com"
    assert client.get("/me").status_code == 200  # still signed in


def test_erase_with_an_empty_confirmation_deletes_nothing(client, login, world):
    login(client, world["candidate"])
    response = client.post("/me/data/erase", data={}, follow_redirects=True)
    assert "Type your email address to confirm." in page_text(response)
    assert application_count(world["candidate"].id) == 2


def test_erase_deletes_the_candidates_data_and_anonymises_the_account(client, login, world):
    candidate = world["candidate"]
    candidate_id = candidate.id
    application_ids = [a.id for a in world["applications"]]
    opening_ids = [o.id for o in world["openings"]]
    login(client, candidate)
    assert client.get("/me/data").status_code == 200

    response = client.post("/me/data/erase", data={"confirm_email": " Priya@Example.com "},
                           follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == "/"
    assert "Your account and personal data are deleted." in page_text(response)

    db.session.expire_all()
    assert application_count(candidate_id) == 0
    for model in (StageChange, ApplicationNote):
        assert db.session.scalar(select(func.count()).select_from(model).where(
            model.application_id.in_(application_ids))) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.recipient_id == candidate_id)) == 0

    # The maintained counts still agree with the applications that remain.
    assert counts_from_table(opening_ids) == counts_from_applications(opening_ids)
    assert counts_from_table(opening_ids) == {(opening_ids[0], stages.APPLIED): 1}

    user = db.session.get(User, candidate_id)
    assert user.email != "priya@example.com" and "priya" not in user.email.lower()
    assert user.full_name != "Priya Sharma"
    assert user.erased_at is not None
    assert user.roles == set()
    assert User.by_email("priya@example.com") is None

    # Logged out, and the old credentials no longer open anything.
    assert client.get("/me").status_code == 302
    again = client.post("/login", data={"email": "priya@example.com",
                                        "password": DEFAULT_PASSWORD})
    assert again.status_code == 200
    assert "Email or password is incorrect." in page_text(again)
    assert client.get("/me").status_code == 302

    # The other candidate is untouched.
    assert application_count(world["other"].id) == 1


def test_erasure_leaves_an_audit_event_without_personal_data(client, login, world):
    candidate = world["candidate"]
    login(client, candidate)
    client.post("/me/data/erase", data={"confirm_email": "priya@example.com"})
    db.session.expire_all()
    (event,) = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.erased", AuditEvent.target_id == candidate.id))
    assert event.target_type == "users"
    assert event.actor_id is None
    assert event.detail == {"applications": 2}
    recorded = json.dumps(event.detail)
    for personal in ("priya", "Priya", "Sharma", "555"):
        assert personal not in recorded


def test_the_opening_pages_still_work_after_an_erasure(client, login, world, make_user):
    login(client, world["candidate"])
    client.post("/me/data/erase", data={"confirm_email": "priya@example.com"})
    client.post("/logout")
    login(client, world["manager"])
    first = world["openings"][0]
    response = client.get(f"/pipeline/?opening={first.id}&stage=all")
    assert response.status_code == 200
    text = page_text(response)
    assert "Omar Haddad" in text and "Priya Sharma" not in text


@pytest.mark.parametrize("roles", [("candidate", "agent"), ("agent",), ("candidate", "trainer")],
                         ids=["hired-candidate", "agent", "staff-who-applied"])
def test_employees_are_sent_to_hr_and_cannot_erase_themselves(client, login, make_user, world,
                                                             roles):
    employee = make_user(roles=roles, email="employee@example.com", full_name="Lucia Torres")
    opening = db.session.get(Opening, world["openings"][0].id)
    services.apply(opening, employee, **answers(employee))
    db.session.commit()
    login(client, employee)

    page = client.get("/me/data")
    assert page.status_code == 200
    assert HR_TEXT in page_text(page)
    assert "Delete my account and data" not in page_text(page)

    response = client.post("/me/data/erase", data={"confirm_email": "employee@example.com"},
                           follow_redirects=True)
    assert "Please contact HR" in page_text(response)
    db.session.expire_all()
    user = db.session.get(User, employee.id)
    assert user.email == "employee@example.com" and user.erased_at is None
    assert user.roles == set(roles)
    assert application_count(employee.id) == 1
    assert client.get("/me").status_code == 200


def test_candidates_see_the_erase_form(client, login, world):
    login(client, world["candidate"])
    text = page_text(client.get("/me/data"))
    assert "Download my data" in text
    assert "Delete my account and data" in text and HR_TEXT not in text
