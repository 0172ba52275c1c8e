"""The recording steps (sample customer call, one-way interview), registered with recruiting.

Recording in the browser arrives with the recordings issue; until then `start_url` is None.
"""

from portal.recruiting import steps

RECORDING_STEPS = (
    steps.StepDefinition("sample_call", "Sample customer call",
                         "Record yourself handling a short customer call.", minutes=10),
    steps.StepDefinition("video_interview", "One-way interview",
                         "Record short answers to a few interview questions.", minutes=15),
)


def register() -> None:
    for step in RECORDING_STEPS:
        steps.register(step)
