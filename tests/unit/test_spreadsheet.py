"""The formula guard of every CSV the bot hands out (the awards export, an event's attendance)."""
from __future__ import annotations

import pytest

from bot.domain.spreadsheet import safe_cell


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_name_a_spreadsheet_would_run_is_kept_as_text(name):
    assert safe_cell(name) == "'" + name


@pytest.mark.parametrize("name", ["Ana", "", "Bo = Bo", "O'Neil", "日本語", "1+1"])
def test_other_names_are_left_as_they_are(name):
    assert safe_cell(name) == name
