"""The recording steps (sample customer call, one-way interview), registered with recruiting;
each is recorded on its own page (candidate_views.step) and reviewed on the application's
recording review page."""

from dataclasses import replace

from flask import url_for

from portal.recruiting import steps

RECORDING_STEPS = (
    steps.StepDefinition("sample_call", "Sample customer call",
                         "Record yourself handling a short customer call.", minutes=10),
    steps.StepDefinition("video_interview", "One-way interview",
                         "Record short answers to a few interview questions.", minutes=15),
)


def _start_url_of(step_key: str):
    def start_url(application) -> str:
        return url_for("recordings.step", application_id=application.id, step_key=step_key)

    return start_url


def _review_url(application) -> str:
    return url_for("recording_review.application", application_id=application.id)


def _settings_url_of(step_key: str):
    def settings_url(opening) -> str:
        return url_for("recording_setup.opening_step", opening_id=opening.id, step_key=step_key)

    return settings_url


# Built once: registering again (every app the process creates) must find the same objects.
_REGISTERED = tuple(
    replace(step, review_url=_review_url, start_url=_start_url_of(step.key),
            settings_url=_settings_url_of(step.key))
    for step in RECORDING_STEPS)


def register() -> None:
    for step in _REGISTERED:
        steps.register(step)
