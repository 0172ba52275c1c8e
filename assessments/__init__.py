"""The assessment engine and its content (self-direction, soft skills, personality fit,
readiness checks). It plugs into recruiting as application steps; see steps.py."""
