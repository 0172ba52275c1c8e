"""Interview templates, sample-call scenarios, recordings and their review."""
