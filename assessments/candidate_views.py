"""Candidates take assessments: a step's overview, pages of questions that save every answer as
it is given, a review before finishing, and a thank-you page. Only the candidate who owns the
application sees any of it; anyone else's attempt is 'not found'."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import bindparam, func, select

from assessments import attempts, feedback, typing_test
from assessments import bank as banks
from assessments.answer_fields import answer_from_form, field_name, page_fields
from assessments.models import Answer, Attempt
from assessments.scoring import ResponseError
from portal.auth import sessions
from portal.auth.models import AGENT, CANDIDATE
from portal.auth.permissions import first_tries, owned_or_404, roles
from portal.extensions import db
from portal.recruiting import stages, steps
from portal.recruiting.models import Application

bp = Blueprint("assessments", __name__, url_prefix="/me/assessments",
               template_folder="templates", static_folder="static")

PAGE_SIZE = 10
MAX_SEQ = 2**31 - 1  # what the answers' seq column holds on every database


# Built once: every answer saved starts with it.
_OWN_ATTEMPT = select(Attempt).join(Application).where(
    Attempt.id == bindparam("attempt_id"), Application.candidate_id == bindparam("candidate_id"))


def _own_attempt(attempt_id: int) -> Attempt:
    attempt = db.session.scalar(_OWN_ATTEMPT, {"attempt_id": attempt_id,
                                               "candidate_id": current_user.id})
    if attempt is None:
        abort(404)
    return attempt


def _step_of(application_id: int, step_key: str) -> Application:
    application = owned_or_404(Application, application_id)
    if step_key not in banks.STEPS or step_key not in application.opening.steps:
        abort(404)
    return application


@bp.get("/applications/<int:application_id>/<step_key>")
@roles(CANDIDATE, AGENT)
def step(application_id: int, step_key: str):
    application = _step_of(application_id, step_key)
    latest = attempts.latest_attempts(application)
    db.session.commit()  # attempts whose time ran out were just closed
    return render_template("assessments/step.html", application=application,
                           step=steps.get(step_key), step_key=step_key,
                           banks=attempts.step_banks(step_key), latest=latest,
                           closed=stages.BY_KEY[application.stage].is_final)


@bp.post("/applications/<int:application_id>/<step_key>/<bank_key>/start")
@roles(CANDIDATE, AGENT)
def start(application_id: int, step_key: str, bank_key: str):
    application = _step_of(application_id, step_key)
    row = next((row for row, _ in attempts.step_banks(step_key) if row.bank_key == bank_key),
               None)
    if row is None:
        abort(404)
    if stages.BY_KEY[application.stage].is_final:
        flash("This application is closed, so its assessments cannot be started.", "warning")
        return redirect(url_for(".step", application_id=application.id, step_key=step_key))
    attempt = attempts.start(application, row)
    db.session.commit()
    return redirect(url_for(".attempt", attempt_id=attempt.id))


def _pages(attempt: Attempt) -> list[list[banks.Item]]:
    """The current section's questions (all of them when the bank has no sections), in pages."""
    section = attempts.current_section(attempt)
    items = [item for item in attempts.ordered_items(attempt) if item.type != "typing"
             and (section is None or item.section == section.key)]
    return [items[i:i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)]


def _typing_left(attempt: Attempt, answers: dict) -> list[banks.Item]:
    return [item for item in attempts.bank_of(attempt).items if item.type == "typing"
            and not (answers.get(item.id) or {}).get("final")]


def _finished(attempt: Attempt):
    db.session.commit()
    return redirect(url_for(".done", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@roles(CANDIDATE, AGENT)
def attempt(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    section_before = attempt.section_index
    if attempts.close_if_due(attempt):
        flash("Time is up. Every answer you gave before the deadline is kept.", "info")
    elif attempt.section_index != section_before:
        flash("Time was up for that section. Your answers there are kept; this is the next "
              "one.", "info")
    if not attempt.is_open:
        return _finished(attempt)
    attempts.open_section(attempt)
    pages = _pages(attempt)
    answers = attempts.answers_of(attempt)
    if not pages:  # a bank of typing only
        typing_left = _typing_left(attempt, answers)
        return redirect(url_for(".typing", attempt_id=attempt.id, item_id=typing_left[0].id)
                        if typing_left else url_for(".review", attempt_id=attempt.id))
    number = request.args.get("page", type=int)
    if number is None:  # resume at the first page with a question left
        number = next((n for n, page in enumerate(pages, 1)
                       if any(item.id not in answers for item in page)), len(pages))
    number = min(max(number, 1), len(pages))
    page = pages[number - 1]
    problems: dict[str, str] = {}
    if request.method == "POST":
        problems, refused = _save_page(attempt, page)
        if refused is not None:
            flash(refused.message, "warning")
            return redirect(url_for(".attempt", attempt_id=attempt.id, page=number))
        if not problems:
            db.session.commit()
            go = request.form.get("go")
            if go == "review":
                return redirect(url_for(".review", attempt_id=attempt.id))
            if go == "section" and attempts.current_section(attempt) is not None:
                attempts.leave_section(attempt)
                db.session.commit()
                return redirect(url_for(".attempt", attempt_id=attempt.id))
            target = number - 1 if go == "back" else number + 1
            return redirect(url_for(".attempt", attempt_id=attempt.id, page=target))
        db.session.commit()  # the answers that could be read are kept
        answers = attempts.answers_of(attempt)
    tab = attempts.open_tab(attempt)
    seq_start = db.session.scalar(select(func.coalesce(func.max(Answer.seq), 0)).where(
        Answer.attempt_id == attempt.id))
    db.session.commit()
    bank = attempts.bank_of(attempt)
    return render_template(
        "assessments/attempt.html", attempt=attempt, bank=bank, page=page, number=number,
        pages=len(pages), values=request.form if problems else page_fields(page, answers),
        problems=problems, tab=tab, seq_start=seq_start, field_name=field_name,
        answered=len(answers), total=attempts.question_count(bank),
        section=attempts.current_section(attempt),
        remaining=attempts.remaining_seconds(attempt)), 422 if problems else 200


def _save_page(attempt: Attempt, page: list[banks.Item]):
    """Save every answered item of a posted page; the problems by item, or the refusal that
    stops the whole page (time up, another tab)."""
    problems = {}
    for item in page:
        try:
            answer = answer_from_form(item, request.form)
            if answer is not None:
                attempts.save_answer(attempt, item.id, answer, seq=None,
                                     tab=request.form.get("tab", ""))
        except ResponseError as error:
            problems[item.id] = _plain(str(error))
        except attempts.AnswerRefused as refused:
            if refused.status == 422:
                problems[item.id] = _plain(refused.message)
            else:
                db.session.commit()
                return {}, refused
    return problems, None


def _plain(message: str) -> str:
    """'item 'x': the answer must be ...' reads as 'The answer must be ...' beside the item."""
    text = message.split(": ", 1)[-1]
    return text[:1].upper() + text[1:]


def _save_quickly(claim: sessions.Claim, attempt_id: int):
    """The save most requests are, in one statement that also checks the session, when this
    worker knows the attempt's bank and the answer reads well; None: the full path decides,
    and says what is wrong."""
    bank = attempts.known_bank(attempt_id)
    item = bank.item(request.form.get("item", "")) if bank else None
    seq = request.form.get("seq", type=int)
    if item is None or seq is None or not 1 <= seq <= MAX_SEQ:
        return None
    try:
        answer = answer_from_form(item, request.form)
    except ResponseError:
        return None
    if answer is None:
        return None
    saved = attempts.save_answer_quickly(attempt_id, claim, item, answer, seq,
                                         request.form.get("tab", ""))
    if saved is None:
        return None
    db.session.commit()
    return _saved(saved)


@bp.post("/attempts/<int:attempt_id>/answers")
@roles(CANDIDATE, AGENT)
@first_tries(_save_quickly)
def autosave(attempt_id: int):
    """One answer, as it is given: form fields of one item plus `item`, `seq` and `tab`."""
    seq = request.form.get("seq", type=int)
    attempt = _own_attempt(attempt_id)
    item = attempts.bank_of(attempt).item(request.form.get("item", ""))
    if item is None or seq is None or not 1 <= seq <= MAX_SEQ:
        return _refusal(422, f"Send the item id and a sequence number from 1 to {MAX_SEQ}.")
    try:
        answer = answer_from_form(item, request.form)
        if answer is None:
            return _refusal(422, "This answer is not complete yet.")
        saved = attempts.save_answer(attempt, item.id, answer, seq=seq,
                                     tab=request.form.get("tab", ""))
    except ResponseError as error:
        return _refusal(422, _plain(str(error)))
    except attempts.AnswerRefused as refused:
        db.session.commit()  # an attempt whose time ran out stays closed
        return _refusal(refused.status, _plain(refused.message) if refused.status == 422
                        else refused.message)
    db.session.commit()
    return _saved(saved)


def _saved(saved: attempts.Saved):
    return jsonify(saved=True, stale=saved.stale, answered=saved.answered, total=saved.total,
                   remaining=saved.remaining)


def _refusal(status: int, message: str):
    return jsonify(saved=False, error=message), status


@bp.post("/attempts/<int:attempt_id>/signals")
@roles(CANDIDATE, AGENT)
def signal(attempt_id: int):
    """Integrity signals (the page lost focus, a paste was tried), debounced by the page."""
    attempt = _own_attempt(attempt_id)
    kind = request.form.get("kind")
    if kind not in attempts.SIGNALS:
        return _refusal(422, "Unknown signal.")
    attempts.record_signal(attempt, kind)
    db.session.commit()
    return "", 204


@bp.get("/attempts/<int:attempt_id>/review")
@roles(CANDIDATE, AGENT)
def review(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempts.close_if_due(attempt) or not attempt.is_open:
        return _finished(attempt)
    answers = attempts.answers_of(attempt)
    missing = [(number, sum(item.id not in answers for item in page))
               for number, page in enumerate(_pages(attempt), 1)]
    bank = attempts.bank_of(attempt)
    return render_template("assessments/review.html", attempt=attempt, bank=bank,
                           missing=[(n, count) for n, count in missing if count],
                           typing_left=_typing_left(attempt, answers),
                           answered=len(answers), total=attempts.question_count(bank),
                           pages=len(missing), remaining=attempts.remaining_seconds(attempt))


@bp.post("/attempts/<int:attempt_id>/submit")
@roles(CANDIDATE, AGENT)
def submit(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    attempts.submit(attempt)
    return _finished(attempt)


@bp.get("/attempts/<int:attempt_id>/done")
@roles(CANDIDATE, AGENT)
def done(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.is_open and not attempts.close_if_due(attempt):
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    db.session.commit()
    bank = attempts.bank_of(attempt)
    latest = attempts.latest_attempts(attempt.application)
    following = next((row for row, other in attempts.step_banks(bank.step or "")
                      if row.bank_key not in latest or latest[row.bank_key].is_open), None)
    return render_template("assessments/done.html", attempt=attempt, bank=bank,
                           following=following, answered=len(attempts.answers_of(attempt)),
                           total=attempts.question_count(bank),
                           feedback=feedback.for_candidate(attempt))


@bp.get("/attempts/<int:attempt_id>/typing/<item_id>")
@roles(CANDIDATE, AGENT)
def typing(attempt_id: int, item_id: str):
    attempt = _own_attempt(attempt_id)
    item = _typing_item(attempt, item_id)
    if attempts.close_if_due(attempt) or not attempt.is_open:
        return _finished(attempt)
    answer = typing_test.state(attempt, item)
    if answer is not None and (answer.value["final"]
                               or typing_test.seconds_left(answer, item) == 0):
        return redirect(url_for(".review", attempt_id=attempt.id))
    tab = attempts.open_tab(attempt)
    db.session.commit()
    return render_template(
        "assessments/typing.html", attempt=attempt, bank=attempts.bank_of(attempt), item=item,
        answer=answer, tab=tab, passage=typing_test.passage_of(attempt, item) if answer else "",
        seconds_left=typing_test.seconds_left(answer, item) if answer else item.seconds)


@bp.post("/attempts/<int:attempt_id>/typing/<item_id>/start")
@roles(CANDIDATE, AGENT)
def typing_start(attempt_id: int, item_id: str):
    attempt = _own_attempt(attempt_id)
    item = _typing_item(attempt, item_id)
    try:
        typing_test.begin(attempt, item)
    except attempts.AnswerRefused:
        return _finished(attempt)
    db.session.commit()
    return redirect(url_for(".typing", attempt_id=attempt.id, item_id=item.id))


@bp.post("/attempts/<int:attempt_id>/typing/<item_id>")
@roles(CANDIDATE, AGENT)
def typing_save(attempt_id: int, item_id: str):
    """The text typed so far (`final=0`, every few seconds) or finished (`final=1`)."""
    attempt = _own_attempt(attempt_id)
    item = _typing_item(attempt, item_id)
    if request.form.get("tab") != attempt.tab_token:
        return _refusal(409, "This assessment is open in another tab or window.")
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        typing_test.save(attempt, item, request.form.get("typed", ""),
                         final=request.form.get("final") == "1")
    except attempts.AnswerRefused as refused:
        db.session.commit()
        if wants_json:
            return _refusal(refused.status, refused.message)
        flash(refused.message, "warning")
    db.session.commit()
    if wants_json:
        return jsonify(saved=True)
    return redirect(url_for(".review", attempt_id=attempt.id))


def _typing_item(attempt: Attempt, item_id: str) -> banks.Item:
    item = attempts.bank_of(attempt).item(item_id)
    if item is None or item.type != "typing":
        abort(404)
    return item
