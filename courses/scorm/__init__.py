"""SCORM 1.2 and 2004: packages, manifests, the run-time data model and the API session."""
