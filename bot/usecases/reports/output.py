"""How every entry point writes a report's figures: a table as CSV for spreadsheets, a cell as a person
reads it (shares as percentages), the report as JSON."""
from __future__ import annotations

import csv
from typing import Any, TextIO

from bot.domain.spreadsheet import safe_cell
from bot.errors import InvalidInput
from bot.usecases.reports.scope import Report, Table

# Columns (and headline figures) whose numbers are fractions: shown as percentages.
SHARE_COLUMNS = frozenset({"distinction share", "conversion", "within target", "decided within target", "completion",
                           "share rate", "approval rate", "nudge conversion"})


def write_csv(table: Table, out: TextIO) -> int:
    """One header row, then the rows; text cells through the formula guard (names come from Slack and the
    catalog), numbers as numbers, nothing as an empty cell. Returns the number of rows."""
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return len(table.rows)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return safe_cell(value) if isinstance(value, str) else value


def shown(column: str, value: Any) -> str:
    """A cell as a person reads it: shares as percentages, nothing as a dash."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if column in SHARE_COLUMNS and isinstance(value, float):
        return f"{value:.0%}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def as_json(report: Report) -> dict[str, Any]:
    return {
        "report": report.name,
        "title": report.title,
        "filter": {"since": _iso(report.filter.since), "until": _iso(report.filter.until),
                   "issuer": report.filter.issuer},
        "generated_at": report.generated_at.isoformat(),
        "headline": dict(report.headline),
        "tables": {t.name: {"title": t.title, "rows": t.as_dicts()} for t in report.tables},
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def pick_table(report: Report, name: str | None) -> Table:
    """The report's table `name` (its first when None), or a clear answer naming those it has."""
    if not name:
        return report.tables[0]
    names = [t.name for t in report.tables]
    if name not in names:
        raise InvalidInput(f"The {report.name} report has no table '{name}'; it has: {', '.join(names)}.",
                           field="table")
    return report.table(name)
