"""The desktop readiness check: the candidate's browser measures their connection to this
server, their computer and their headset; the opening's requirements profile turns the figures
into pass / warn / fail per requirement with advice, and an overall verdict.

- measures.py: what the browser sent, checked whole, and the figures computed from its samples;
- rules.py: the requirements profile and the verdict (pure functions);
- speed_views.py: the endpoints the browser measures against (download, upload, ping);
- runs.py / views.py: storing a run, the check page and the results.
"""
