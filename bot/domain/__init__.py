"""Domain rules: plain code with no database, Slack or clock inside (time is passed in)."""
