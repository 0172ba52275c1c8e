"""The LMS: SCORM 1.2/2004 packages, runtime, learning paths. Listens to recruiting's `hired`."""
