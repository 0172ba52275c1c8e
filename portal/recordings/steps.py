"""The recording steps (sample customer call, one-way interview), registered with recruiting.
The sample call is recorded on its own page; the one-way interview's page is still to come, so
its `start_url` is None and the dashboard says it opens soon.
"""

from dataclasses import replace

from flask import url_for

from portal.recruiting import steps

RECORDING_STEPS = (
    steps.StepDefinition("sample_call", "Sample customer call",
                         "Record yourself handling a short customer call.", minutes=10),
    steps.StepDefinition("video_interview", "One-way interview",
                         "Record short answers to a few interview questions.", minutes=15),
)


def _start_url(application) -> str:
    return url_for("recordings.step", application_id=application.id, step_key="sample_call")


def _review_url(application) -> str:
    return url_for("recording_review.application", application_id=application.id)


# Built once: registering again (every app the process creates) must find the same objects.
_REGISTERED = tuple(
    replace(step, review_url=_review_url,
            start_url=_start_url if step.key == "sample_call" else None)
    for step in RECORDING_STEPS)


def register() -> None:
    for step in _REGISTERED:
        steps.register(step)
