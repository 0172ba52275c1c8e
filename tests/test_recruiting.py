"""The hiring workflow's rules: applying, moving, bulk moves, hiring, steps and signals."""

import pytest
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.mail import OutboxEmail
from portal.recruiting import services, signals, stages, steps
from portal.recruiting.models import Application, StageChange, StageCount
from tests.helpers import APPLY_FORM, apply, open_opening


@pytest.fixture
def manager(make_user):
    return make_user(roles=("manager",), full_name="Morgan Manager")


def emails_to(user, template=None):
    stmt = select(OutboxEmail).where(OutboxEmail.recipient_id == user.id)
    if template:
        stmt = stmt.where(OutboxEmail.template == template)
    return list(db.session.scalars(stmt.order_by(OutboxEmail.id)))  # in the order sent


def true_counts():
    rows = db.session.execute(select(Application.opening_id, Application.stage, func.count())
                              .group_by(Application.opening_id, Application.stage))
    return {(o, s): c for o, s, c in rows}


def kept_counts():
    rows = db.session.scalars(select(StageCount).where(StageCount.count != 0))
    return {(r.opening_id, r.stage): r.count for r in rows}


# --- applying -----------------------------------------------------------------------------

def test_candidate_applies_through_the_form_and_is_told(client, make_user, login, manager):
    opening = open_opening(manager)
    candidate = make_user(full_name="Dana Lee")
    db.session.commit()
    login(client, candidate)
    page = client.get(f"/jobs/{opening.id}/apply").get_data(as_text=True)
    assert "Dana Lee" in page  # prefilled from the account
    response = client.post(f"/jobs/{opening.id}/apply", data={
        **APPLY_FORM, "full_name": "Dana Lee", "email": candidate.email,
        "availability_days": ["fri", "mon"], "languages": ["es", "en"]})
    assert response.status_code == 302
    application = db.session.scalar(select(Application).where(
        Application.candidate_id == candidate.id))
    assert application.stage == stages.APPLIED
    assert application.availability_days == ["mon", "fri"]  # shown Mon..Sun, as on the form
    assert application.privacy_consent_at is not None
    assert [e.template for e in emails_to(candidate)] == ["application_received"]
    assert emails_to(candidate)[0].status == "kept"  # no SMTP configured: kept in the outbox
    dashboard = client.get("/me").get_data(as_text=True)
    assert opening.title in dashboard and "Applied" in dashboard


def test_apply_form_errors_are_shown_and_nothing_is_created(client, make_user, login, manager):
    opening = open_opening(manager)
    candidate = make_user()
    db.session.commit()
    login(client, candidate)
    form = {**APPLY_FORM, "full_name": "X", "email": "not-an-email", "hours_per_week": "500",
            "availability_days": [], "country": "ZZ"}
    del form["privacy_consent"]
    page = client.post(f"/jobs/{opening.id}/apply", data=form).get_data(as_text=True)
    for message in ("You must agree to the privacy notice to apply.",
                    "Choose at least one day.", "Between 1 and 80 hours.",
                    "Not a valid choice"):
        assert message in page
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


@pytest.mark.parametrize("problem, message", [
    ("closed", "closed"),
    ("unverified", "verify your email"),
    ("country", "only open to candidates living in"),
    ("time_zone", "only open to candidates in these time zones"),
    ("twice", "already applied"),
])
def test_apply_refusals(make_user, manager, problem, message):
    opening = open_opening(manager, countries=["GB"] if problem == "country" else [],
                           time_zones=["Europe/London"] if problem == "time_zone" else [])
    candidate = make_user(verified=problem != "unverified")
    if problem == "closed":
        services.set_opening_status(opening, "closed", manager)
    if problem == "twice":
        apply(opening, candidate, country="GB", time_zone="Europe/London")
    with pytest.raises(services.RecruitingError, match=message):
        apply(opening, candidate, country="US", time_zone="America/Chicago")


# --- moving -------------------------------------------------------------------------------

def test_manager_moves_an_application_and_history_counts_and_emails_follow(
        client, make_user, login, manager):
    opening = open_opening(manager)
    candidate = make_user()
    application = apply(opening, candidate)
    db.session.commit()
    login(client, manager)
    response = client.post(f"/pipeline/applications/{application.id}/move",
                           data={"stage": "interview", "reason": "Great sample call"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Moved to Interview." in page
    assert "Great sample call" in page and "Morgan Manager" in page  # history: who and why
    assert "Interview invitation" in page  # the email sent, visible to the manager
    db.session.expire_all()
    history = db.session.scalars(select(StageChange).where(
        StageChange.application_id == application.id).order_by(StageChange.id)).all()
    assert [(c.from_stage, c.to_stage) for c in history] == [(None, "applied"),
                                                             ("applied", "interview")]
    assert history[-1].actor_id == manager.id
    assert [e.template for e in emails_to(candidate)] == ["application_received",
                                                          "stage_interview"]
    assert kept_counts() == true_counts() == {(opening.id, "interview"): 1}


def test_moves_the_pipeline_refuses(make_user, manager):
    application = apply(open_opening(manager), make_user())
    with pytest.raises(services.RecruitingError, match="reason for the rejection"):
        services.move(application, stages.REJECTED, manager, "")
    with pytest.raises(stages.StageError, match="Only the candidate"):
        services.move(application, stages.WITHDRAWN, manager, "no")
    with pytest.raises(stages.StageError, match="already in Applied"):
        services.move(application, stages.APPLIED, manager)
    services.move(application, stages.HIRED, manager, "Welcome")
    with pytest.raises(stages.StageError, match="cannot be moved"):
        services.move(application, stages.REJECTED, manager, "changed our mind")


def test_rejected_can_be_reconsidered(make_user, manager):
    application = apply(open_opening(manager), make_user())
    services.move(application, stages.REJECTED, manager, "No weekend availability")
    services.move(application, stages.SCREENING, manager, "Availability updated")
    assert application.stage == stages.SCREENING


def test_bulk_move_moves_what_it_can_and_reports_the_rest(client, make_user, login, manager):
    opening = open_opening(manager)
    movable = [apply(opening, make_user()) for _ in range(3)]
    hired = apply(opening, make_user())
    services.move(hired, stages.HIRED, manager, "Hired earlier")
    db.session.commit()
    login(client, manager)
    ids = [a.id for a in movable] + [hired.id, 999999]
    response = client.post("/pipeline/bulk", data={
        "application_ids": ids, "stage": "screening", "reason": "Batch screening call"},
        headers={"Referer": "/pipeline/"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Moved 3 application(s) to Screening." in page
    assert f"Application #{hired.id} not moved" in page
    assert "Application #999999 not moved: not found" in page
    db.session.expire_all()
    assert {db.session.get(Application, a.id).stage for a in movable} == {"screening"}
    assert db.session.get(Application, hired.id).stage == "hired"
    assert kept_counts() == true_counts()


def test_bulk_move_needs_a_reason_and_a_selection(client, make_user, login, manager):
    application = apply(open_opening(manager), make_user())
    db.session.commit()
    login(client, manager)
    for data, message in (
            ({"application_ids": [application.id], "stage": "screening", "reason": ""},
             "Give a reason for a bulk change."),
            ({"stage": "screening", "reason": "x"}, "Select at least one application."),
            ({"application_ids": ["abc"], "stage": "screening", "reason": "x"},
             "That selection is not valid.")):
        response = client.post("/pipeline/bulk", data=data, follow_redirects=True)
        assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage == "applied"


def test_candidate_withdraws(client, make_user, login, manager):
    opening = open_opening(manager)
    candidate = make_user()
    application = apply(opening, candidate)
    db.session.commit()
    login(client, candidate)
    response = client.post(f"/me/applications/{application.id}/withdraw",
                           data={"reason": "Found another job"}, follow_redirects=True)
    assert "Your application is withdrawn." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage == stages.WITHDRAWN
    assert kept_counts() == true_counts()


def test_internal_notes_are_for_staff_only(client, make_user, login, manager):
    candidate = make_user()
    application = apply(open_opening(manager), candidate)
    db.session.commit()
    login(client, manager)
    client.post(f"/pipeline/applications/{application.id}/notes",
                data={"body": "Strong de-escalation skills"})
    empty = client.post(f"/pipeline/applications/{application.id}/notes", data={"body": "  "},
                        follow_redirects=True)
    assert "A note cannot be empty" in empty.get_data(as_text=True)
    page = client.get(f"/pipeline/applications/{application.id}").get_data(as_text=True)
    assert "Strong de-escalation skills" in page
    client.post("/logout")
    login(client, candidate)
    own = client.get(f"/me/applications/{application.id}").get_data(as_text=True)
    assert "Strong de-escalation skills" not in own


# --- hiring and signals -------------------------------------------------------------------

def test_hiring_makes_an_agent_and_tells_listeners(make_user, manager):
    candidate = make_user()
    application = apply(open_opening(manager), candidate)
    heard = {"hired": [], "stage_changed": []}

    def on_hired(sender, user, actor):
        heard["hired"].append((sender.id, user.id, actor.id))

    def on_stage_changed(sender, from_stage, to_stage, actor, reason):
        heard["stage_changed"].append((from_stage, to_stage))

    with signals.hired.connected_to(on_hired), \
            signals.stage_changed.connected_to(on_stage_changed):
        services.move(application, stages.OFFER, manager, "Offer sent")
        services.move(application, stages.HIRED, manager, "Accepted")
    assert heard["stage_changed"] == [("applied", "offer"), ("offer", "hired")]
    assert heard["hired"] == [(application.id, candidate.id, manager.id)]
    assert candidate.has_role("agent") and candidate.has_role("candidate")
    assert [e.template for e in emails_to(candidate)][-2:] == ["stage_offer", "stage_hired"]


def test_a_failing_listener_rolls_the_move_back(make_user, manager):
    """Listeners run inside the move's transaction: the LMS failing to enrol means no hire."""
    application = apply(open_opening(manager), make_user())
    db.session.commit()

    def broken_lms(sender, **kwargs):
        raise RuntimeError("LMS down")

    with signals.hired.connected_to(broken_lms), pytest.raises(RuntimeError):
        services.move(application, stages.HIRED, manager, "Accepted")
    db.session.rollback()
    assert db.session.get(Application, application.id).stage == stages.APPLIED


# --- application steps --------------------------------------------------------------------

@pytest.fixture
def typing_step():
    step = steps.StepDefinition("typing_test", "Typing test", "Type for three minutes.",
                                start_url=lambda application: f"/typing/{application.id}",
                                minutes=3)
    steps.register(step)
    yield step
    steps.unregister(step.key)


@pytest.fixture
def pageless_step():
    """A step whose capability has no page yet."""
    step = steps.StepDefinition("reference_check", "Reference check", "Two references.")
    steps.register(step)
    yield step
    steps.unregister(step.key)


def test_a_registered_step_shows_on_the_dashboard_and_pipeline_and_advances_the_stage(
        client, make_user, login, manager, typing_step, pageless_step):
    opening = open_opening(manager, steps=["typing_test", "reference_check"])
    candidate = make_user()
    application = apply(opening, candidate)
    db.session.commit()
    login(client, candidate)
    dashboard = client.get("/me").get_data(as_text=True)
    assert "Typing test" in dashboard and f'href="/typing/{application.id}"' in dashboard
    assert "Reference check" in dashboard and "Opens soon" in dashboard  # no page yet

    services.record_step(application, "typing_test", steps.COMPLETED, "62 WPM")
    assert application.stage == stages.APPLIED  # one step is still to do
    services.record_step(application, "reference_check", steps.COMPLETED)
    assert application.stage == stages.REVIEW
    last = db.session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
    assert (last.to_stage, last.actor_id, last.reason) == (
        "review", None, "All application steps completed")
    db.session.commit()

    client.post("/logout")
    login(client, manager)
    page = client.get(f"/pipeline/applications/{application.id}").get_data(as_text=True)
    assert "62 WPM" in page and "Done" in page
    pipeline = client.get("/pipeline/?stage=review").get_data(as_text=True)
    assert "2/2" in pipeline


def test_step_registry_refuses_unknown_steps_and_conflicts(manager, typing_step):
    with pytest.raises(services.RecruitingError, match="Unknown application step"):
        open_opening(manager, steps=["no_such_step"])
    with pytest.raises(ValueError, match="already registered"):
        steps.register(steps.StepDefinition("typing_test", "Other", "Different"))


def test_a_move_based_on_a_stale_page_is_refused_and_changes_nothing(make_user, manager):
    """Two managers on the same application: the second, who saw the old stage, is told."""
    opening = open_opening(manager)
    application = apply(opening, make_user())
    db.session.commit()
    # The other manager's move lands first (straight to the table, our copy is now stale).
    services.move(db.session.get(Application, application.id), stages.SCREENING, manager, "x")
    db.session.execute(update(Application).where(Application.id == application.id)
                       .values(stage=stages.INTERVIEW)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(StageCount).where(StageCount.opening_id == opening.id,
                                                StageCount.stage == stages.SCREENING)
                       .values(count=0))
    db.session.execute(update(StageCount).where(StageCount.opening_id == opening.id,
                                                StageCount.stage == stages.INTERVIEW)
                       .values(count=1))
    with pytest.raises(stages.StageError, match="Someone else moved this application"):
        services.move(application, stages.REJECTED, manager, "Too slow")
    assert application.stage == stages.INTERVIEW  # refreshed: the page can show the truth
    assert kept_counts() == true_counts()
    assert db.session.scalar(select(func.count()).select_from(StageChange).where(
        StageChange.to_stage == stages.REJECTED)) == 0


# --- what a person is told ------------------------------------------------------------------

def test_a_withdrawal_reason_that_is_too_long_is_explained_not_ignored(
        client, make_user, login, manager):
    candidate = make_user()
    application = apply(open_opening(manager), candidate)
    db.session.commit()
    login(client, candidate)
    response = client.post(f"/me/applications/{application.id}/withdraw",
                           data={"reason": "x" * 501}, follow_redirects=True)
    assert "cannot be longer than 500 characters" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage == stages.APPLIED


def test_a_move_reason_that_is_too_long_says_so_not_choose_a_stage(
        client, make_user, login, manager):
    application = apply(open_opening(manager), make_user())
    db.session.commit()
    login(client, manager)
    response = client.post(f"/pipeline/applications/{application.id}/move",
                           data={"stage": "screening", "reason": "x" * 501},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "cannot be longer than 500 characters" in text
    assert "Choose a valid stage" not in text


def test_the_application_keeps_the_verified_address_of_the_account(
        client, make_user, login, manager):
    opening = open_opening(manager)
    candidate = make_user(email="verified-owner@example.com")
    db.session.commit()
    login(client, candidate)
    page = client.get(f"/jobs/{opening.id}/apply").get_data(as_text=True)
    assert 'value="verified-owner@example.com"' in page and "readonly" in page
    client.post(f"/jobs/{opening.id}/apply", data={**APPLY_FORM, "email": "else@example.net"})
    application = db.session.scalar(select(Application).where(
        Application.candidate_id == candidate.id))
    assert application.email == "verified-owner@example.com"


def test_the_audit_log_keeps_the_facts_of_a_move_not_the_persons_words(make_user, manager):
    from portal.audit import AuditEvent

    candidate = make_user()
    application = apply(open_opening(manager), candidate)
    services.withdraw(application, candidate, "My mother is ill and I must care for her")
    db.session.flush()
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "application.moved",
        AuditEvent.target_id == application.id)).one()
    assert event.detail == {"from_stage": "applied", "to_stage": "withdrawn"}


def test_a_move_from_a_page_that_is_out_of_date_is_refused_with_the_news(
        client, make_user, login, manager):
    application = apply(open_opening(manager), make_user())
    other = make_user(roles=("manager",))
    db.session.commit()
    login(client, manager)
    page = client.get(f"/pipeline/applications/{application.id}").get_data(as_text=True)
    assert 'name="seen_stage" type="hidden" value="applied"' in page
    services.move(application, stages.SCREENING, other, "Phone screen booked")  # meanwhile
    db.session.commit()

    response = client.post(f"/pipeline/applications/{application.id}/move", data={
        "stage": "interview", "reason": "", "seen_stage": "applied"}, follow_redirects=True)
    assert "Someone else moved this application meanwhile (it is now in Screening)" in \
        response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, application.id).stage == stages.SCREENING
    assert kept_counts() == true_counts()
