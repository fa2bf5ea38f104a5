"""Block Kit, built by pure functions (no Slack, no database) and unit-tested against Slack's limits.

`kit` holds the limit-respecting primitives; each other module is what one audience sees.
"""
