"""What may go in a cell of a spreadsheet the bot hands out (the awards export, an event's attendance)."""
from __future__ import annotations

# A spreadsheet runs a cell starting with one of these as a formula ("CSV injection"); some skip a
# leading tab or carriage return before they look, so those count too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """`value` as text a spreadsheet shows and never runs: with a leading ' when it could start a formula.

    For the names in a CSV: learners set theirs in their Slack profile; credentials' come from the catalog."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
