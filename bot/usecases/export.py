"""Records for the registrar and for administrators."""
from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import TextIO

from sqlalchemy import select

from bot.domain.spreadsheet import safe_cell
from bot.usecases.context import Context
from models import Award, Credential, Learner

EXPORT_COLUMNS = [
    "learner_slack_id", "learner_name", "credential_id", "credential_name", "type", "distinction",
    "issued", "expires", "revoked", "revoked_reason", "public_id",
]


def _date(value: dt.datetime | None) -> str:
    return value.date().isoformat() if value else ""


def award_rows(ctx: Context) -> Iterator[list[str]]:
    """One row per award ever made (revoked ones included, with their date), oldest first."""
    query = (
        select(Learner.slack_user_id, Learner.display_name, Credential.slug, Credential.name,
               Credential.type, Award.distinction, Award.issued_at, Award.expires_at,
               Award.revoked_at, Award.revoked_reason, Award.public_id)
        .join(Learner, Learner.id == Award.learner_id)
        .join(Credential, Credential.id == Award.credential_id)
        .order_by(Award.issued_at, Award.id)
    )
    with ctx.transaction() as session:
        for row in session.execute(query.execution_options(yield_per=5000)):
            yield [row[0], safe_cell(row[1]), row[2], safe_cell(row[3]), row[4].value, "yes" if row[5] else "no",
                   _date(row[6]), _date(row[7]), _date(row[8]), row[9] or "", row[10]]


def write_awards_csv(ctx: Context, out: TextIO) -> int:
    """Every award as CSV (the registrar's export); returns how many rows it wrote."""
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in award_rows(ctx):
        writer.writerow(row)
        count += 1
    return count
