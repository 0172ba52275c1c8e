"""Demo candidates who have taken their assessments and the computer check, so a newcomer sees
scores, bands, typing speeds, connection figures and recommendations. Answers are drawn to look
like people: most agree with the key more often than not, a few do not, and typing speeds
spread around 40 words a minute."""

import random
from datetime import timedelta

from assessments import attempts, norms
from assessments import bank as banks
from assessments.models import Answer, OpeningRules
from assessments.readiness import demo as readiness_demo
from portal.extensions import db
from portal.recruiting.models import Application, Opening

# What demo openings ask for: a culture profile where there is a personality step, a cut score
# on customer care where there are situations (examples to edit, not advice).
CULTURE = {"work_style.extraversion": [35, 95], "work_style.agreeableness": [40, 100],
           "work_style.conscientiousness": [40, 100], "work_style.neuroticism": [0, 70]}
CUT_SCORES = {"soft_skills.customer_care": 55}


def set_rules(opening: Opening) -> None:
    rules: dict = {"cut_scores": {}, "culture": {}, "knockouts": {}}
    if "personality_fit" in opening.steps:
        rules["culture"], rules["feedback"] = CULTURE, True
    if "skills_assessment" in opening.steps:
        rules["cut_scores"] = CUT_SCORES
    db.session.add(OpeningRules(opening_id=opening.id, rules=rules))


def start_one(rng: random.Random, application: Application) -> None:
    """A candidate who has just begun: the first assessment open, a few answers given."""
    step_key = next((key for key in application.opening.steps if key in banks.STEPS), None)
    if step_key is None:
        return
    row, bank = attempts.step_banks(step_key)[0]
    attempt = attempts.start(application, row)
    for seq, item in enumerate(bank.items[:rng.randint(1, 8)], 1):
        if item.type != "typing":
            attempts.save_answer(attempt, item.id, _answer(rng, item, 0.5), seq=seq,
                                 tab=attempt.tab_token)


def take_assessments(rng: random.Random, application: Application) -> None:
    """Finish every assessment of the application's steps, as a candidate of random skill."""
    skill = rng.random()  # 0: answers against the key, 1: answers like the expert
    moment = application.created_at + timedelta(hours=rng.uniform(1, 30))
    for step_key in application.opening.steps:
        if step_key not in banks.STEPS:
            continue
        for row, bank in attempts.step_banks(step_key):
            attempt = attempts.start(application, row)
            started = moment
            for item in bank.items:
                moment += timedelta(seconds=rng.uniform(4, 25))
                value = _answer(rng, item, skill)
                answer = Answer(attempt_id=attempt.id, item_id=item.id, value=value,
                                first_saved_at=moment, saved_at=moment, seq=1)
                if item.type == "typing":
                    answer.first_saved_at = moment
                    answer.saved_at = moment + timedelta(seconds=item.seconds)
                db.session.add(answer)
            attempt.focus_losses = rng.choice((0, 0, 0, 1, 2, 5))
            db.session.flush()
            attempts.submit(attempt)
            # then dated back to when this candidate took it
            attempt.started_at, attempt.closed_at = started, moment + timedelta(seconds=30)
            if attempt.deadline_at is not None:
                attempt.deadline_at = started + timedelta(minutes=bank.time_limit_minutes)
            moment = attempt.closed_at
    if "desktop_readiness" in application.opening.steps:
        readiness_demo.run_check(rng, application)


def _answer(rng: random.Random, item: banks.Item, skill: float):
    expert = rng.random() < 0.35 + 0.6 * skill
    ids = [option.id for option in item.options]
    if item.type == "likert":
        return rng.choice((2, 3, 4, 4, 5) if item.keyed == "plus" else (1, 2, 2, 3, 4))
    if item.type == "single_choice":
        best = max(item.options, key=lambda option: option.points).id
        return best if expert or rng.random() < 0.7 else rng.choice(ids)
    if item.type == "multiple_choice":
        return list(item.key) if expert else rng.sample(ids, k=rng.randint(1, len(ids)))
    if item.type == "text":
        return "I listened, said sorry for the wait and fixed the order while they waited."
    if item.type == "typing":
        index = rng.randrange(len(item.passages))
        speed = max(15.0, rng.gauss(42, 10)) * 5 / 60  # characters a second
        typed = item.passages[index][:int(speed * item.seconds)]
        slips = rng.randint(0, 6 - int(5 * skill))
        for _ in range(slips):
            at = rng.randrange(len(typed))
            typed = typed[:at] + "x" + typed[at + 1:]
        return {"passage": index, "typed": typed, "final": True}
    return _sjt(rng, item, expert, ids)


def _sjt(rng: random.Random, item: banks.Item, expert: bool, ids: list[str]):
    if item.rule == "best_worst":
        best, worst = item.key if expert else rng.sample(ids, k=2)
        return {"best": best, "worst": worst}
    if item.rule == "rank":
        order = list(item.key)
        if not expert:
            rng.shuffle(order)
        return order
    return {option: max(1, min(5, rating + (0 if expert else rng.randint(-2, 2))))
            for option, rating in item.key}


def local_norms(manager) -> None:
    """The work-style questionnaire normed on the demo's own applicants, as a contact center
    does once enough have taken it (later results name the local norm)."""
    norms.set_minimum("work_style", 3 * norms.MIN_SAMPLE, manager)
    norms.recompute("work_style")
