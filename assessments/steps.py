"""The application steps this package will provide, registered with recruiting.

Their candidate-facing pages arrive with the assessment issues; until then `start_url` is None
and the dashboard tells candidates the step opens soon instead of offering a dead link.
"""

from portal.recruiting import steps

ASSESSMENT_STEPS = (
    steps.StepDefinition("skills_assessment", "Skills assessment",
                         "Situational judgement and typing test.", minutes=25),
    steps.StepDefinition("personality_fit", "Work-style questionnaire",
                         "How you like to work: no right or wrong answers.", minutes=15),
    steps.StepDefinition("home_office_readiness", "Home-office readiness",
                         "A few questions about your workspace and connection.", minutes=5),
    steps.StepDefinition("desktop_readiness", "Computer check",
                         "An automatic check of your browser, connection and headset.",
                         minutes=5),
)


def register() -> None:
    for step in ASSESSMENT_STEPS:
        steps.register(step)
