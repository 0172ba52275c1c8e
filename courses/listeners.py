"""What the LMS listens to: recruiting's `hired` (enrolment) and its own progress outbox (path
completion, certificates). Connected once by the app factory."""

from courses import certificates, enrolment, path_progress


def connect() -> None:
    enrolment.register()
    path_progress.register()
    certificates.register()
