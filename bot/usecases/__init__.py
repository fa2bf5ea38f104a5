"""Use cases: one transaction each, called by every entry point (Slack, web, jobs, CLI).

Each opens its own transaction, applies the rules in bot/domain, writes audit and outbox rows in
the same transaction, and returns plain data (never a live ORM session) to its caller.
"""
