"""Courses the portal ships: SCORM packages written by us, kept as sources in this folder and
built into zips that are imported like any upload (package.py)."""
