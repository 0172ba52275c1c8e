"""Local norms: a manager sets from how many finished attempts a bank is normed on the portal's
own applicants; the CLI computes them (mean and SD worked out by hand below), versions them, and
results scored afterwards name the norm they used."""

import pytest
from sqlalchemy import select

from assessments import attempts, norms, services
from assessments.models import LocalNorm
from portal.audit import AuditEvent
from portal.extensions import db
from tests.helpers import apply, open_opening, page_text

BANK = """\
key: grit
title: Grit
step: personality_fit
instructions: Be honest.
choices: [a, b, c, d, e]
scales:
  - key: grit
    title: Grit
    norm: {mean: 8, sd: 2, source: reference group}
items:
  - {id: g1, text: I finish, scale: grit}
  - {id: g2, text: I persist, scale: grit}
"""


@pytest.fixture
def world(app, make_user, monkeypatch):
    monkeypatch.setattr(norms, "MIN_SAMPLE", 3)  # a sample of three keeps the sums by hand
    services.publish(BANK.encode(), None)
    manager = make_user(roles=("manager",))
    opening = open_opening(manager, steps=["personality_fit"])
    db.session.commit()
    return manager, opening


def finish(make_user, opening, g1, g2):
    application = apply(opening, make_user())
    attempt = attempts.start(application, attempts.step_banks("personality_fit")[0][0])
    attempts.save_answer(attempt, "g1", g1, seq=1, tab=attempt.tab_token)
    attempts.save_answer(attempt, "g2", g2, seq=2, tab=attempt.tab_token)
    attempts.submit(attempt)
    return attempt


def test_local_norms_wait_for_the_minimum_then_are_computed_and_used(world, make_user):
    manager, opening = world
    norms.set_minimum("grit", 3, manager)
    finish(make_user, opening, 2, 2)   # raw 4
    finish(make_user, opening, 3, 3)   # raw 6
    assert norms.recompute("grit") == []  # 2 of 3
    finish(make_user, opening, 5, 5)   # raw 10
    (norm,) = norms.recompute("grit")
    # raws 4, 6, 10: mean 20 / 3 = 6.67; population SD sqrt((7.11 + 0.44 + 11.11) / 3) = 2.49
    assert (norm.version, norm.mean, norm.sd, norm.n) == (1, 6.67, 2.49, 3)
    assert norms.recompute("grit") == []  # nothing moved: no new version
    later = finish(make_user, opening, 4, 4)  # raw 8, scored against the local norm
    grit = later.scores[0]
    assert grit["norm"].startswith("local norm v1: 3 applicants to this portal")
    assert grit["t_score"] == round(50 + 10 * (8 - 6.67) / 2.49, 2)
    (second,) = norms.recompute("grit")  # 4 applicants now: the norm moved
    assert (second.version, second.n) == (2, 4)


def test_without_a_setting_scores_use_the_reference_norm(world, make_user):
    manager, opening = world
    attempt = finish(make_user, opening, 4, 4)
    assert attempt.scores[0]["norm"] == "reference group"
    assert norms.recompute_all() == []


def test_a_manager_sets_the_minimum_on_the_banks_page(world, client, login, make_user):
    manager, opening = world
    login(client, manager)
    page = page_text(client.get("/assessments/banks/"))
    assert "0 finished attempts · reference norm" in page
    assert client.post("/assessments/banks/grit/norms", data={"minimum": "250"}).status_code \
        == 302
    assert "switches at 250" in page_text(client.get("/assessments/banks/"))
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "assessment.norm_setting_changed"))
    assert (event.actor_id, event.detail) == (manager.id, {"bank": "grit", "minimum": 250})
    refused = client.post("/assessments/banks/grit/norms", data={"minimum": "2"},
                          follow_redirects=True)
    assert "Give a whole number of attempts from 3 to 1,000,000" in page_text(refused)
    assert client.post("/assessments/banks/nope/norms", data={"minimum": "250"}).status_code \
        == 404
    client.post("/assessments/banks/grit/norms", data={"minimum": ""})
    assert "reference norm" in page_text(client.get("/assessments/banks/"))


def test_trainers_see_the_norms_but_cannot_change_them(world, client, login, make_user):
    login(client, make_user(roles=("trainer",)))
    assert "Switch after" not in client.get("/assessments/banks/").get_data(True)
    assert client.post("/assessments/banks/grit/norms", data={"minimum": "250"}).status_code \
        == 403


def test_the_cli_recomputes_and_says_what_it_added(world, make_user, app):
    manager, opening = world
    norms.set_minimum("grit", 3, manager)
    for answers in ((2, 2), (3, 3), (5, 5)):
        finish(make_user, opening, *answers)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["assessments", "recompute-norms"])
    assert "grit.grit: version 1, mean 6.67, sd 2.49, from 3 applicants" in result.output
    assert result.output.strip().endswith("1 local norm(s) added.")
    assert db.session.query(LocalNorm).count() == 1
