"""The application steps this package provides, registered with recruiting.

A step's banks are the shipped or uploaded banks that name it (`step:` in the bank file). The
computer check (`desktop_readiness`) is the readiness package's page instead of a bank.
"""

from dataclasses import replace

from flask import url_for

from portal.recruiting import steps


def _start_url(key: str):
    if key == "desktop_readiness":
        return lambda application: url_for("readiness.check", application_id=application.id)
    return lambda application: url_for("assessments.step", application_id=application.id,
                                       step_key=key)


def _review_url(application) -> str:
    return url_for("assessment_results.application", application_id=application.id)


def _settings_url(key: str):
    return lambda opening: url_for("assessment_results.rules", opening_id=opening.id) + "#" + key


ASSESSMENT_STEPS = (
    steps.StepDefinition("skills_assessment", "Skills assessment",
                         "Customer situations and a typing test.", minutes=30),
    steps.StepDefinition("personality_fit", "Work-style questionnaire",
                         "How you like to work: no right or wrong answers.", minutes=25),
    steps.StepDefinition("home_office_readiness", "Home-office readiness",
                         "A few questions about your workspace and connection.", minutes=10),
    steps.StepDefinition("desktop_readiness", "Computer check",
                         "An automatic check of your browser, connection and headset.",
                         minutes=5),
)


# Built once: registering again (every app the process creates) must find the same objects.
_REGISTERED = tuple(replace(step, start_url=_start_url(step.key), review_url=_review_url,
                            settings_url=_settings_url(step.key)) for step in ASSESSMENT_STEPS)


def register() -> None:
    for step in _REGISTERED:
        steps.register(step)
