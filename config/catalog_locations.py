"""Where things are in a catalog file, for `FILE:LINE:COL` in its problems (config/catalog.py).

tomllib gives no positions, so the text is searched: each table, [[credentials]] entry and key, and
a value within a list. Its syntax errors carry their position only inside the message (Python 3.11).
"""
from __future__ import annotations

import re
import tomllib

Location = tuple[int, int]  # (line, column), both from 1
START: Location = (1, 1)  # for what is missing from the file altogether: it belongs at its top


class Lines:
    """Where things are in the text: tomllib gives no positions, so find each table, entry and key.

    A key is found at the start of its `key = ...` line within its table (or entry); a value within a
    list (`requires = ["a", "nope"]`) at its quoted spelling, on that line or the list's next lines.
    Something missing is reported at the table (or entry) that should hold it.
    """

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.blocks: list[int] = self._entries("credentials")

    def of(self, entry: int | None, key: str | None, value: str | None = None) -> Location | None:
        if entry is None or entry >= len(self.blocks):
            return None
        start = self.blocks[entry]
        end = self.blocks[entry + 1] if entry + 1 < len(self.blocks) else len(self.lines)
        return (key and self._key(start + 1, end, key, value)) or self._header(start)

    def of_entry(self, array: str, entry: int, key: str | None, value: str | None = None) -> Location | None:
        """A key (or a value) in the entry-th `[[array]]` table (e.g. "issuers", "governance.stages"),
        else its header; None when the file has no such entry (say, one written inline)."""
        blocks = self._entries(array)
        if entry >= len(blocks):
            return None
        start = blocks[entry]
        end = next((i for i in range(start + 1, len(self.lines)) if self._is_header(i, array)), len(self.lines))
        return (key and self._key(start + 1, end, key, value)) or self._header(start)

    def value_in(self, entry: int, value: str) -> Location | None:
        """A quoted value anywhere in the entry-th [[credentials]] (inline tables and sub-tables alike)."""
        if entry >= len(self.blocks):
            return None
        end = self.blocks[entry + 1] if entry + 1 < len(self.blocks) else len(self.lines)
        for i in range(self.blocks[entry] + 1, end):
            for quoted in (f'"{value}"', f"'{value}'"):
                if quoted in self.lines[i]:
                    return i + 1, self.lines[i].index(quoted) + 1
        return None

    def _entries(self, array: str) -> list[int]:
        return [i for i, ln in enumerate(self.lines) if ln.strip() == f"[[{array}]]"]

    def _is_header(self, index: int, array: str) -> bool:
        """A table header that ends an `[[array]]` entry: any but the entry's own sub-tables."""
        line = self.lines[index].strip()
        return line.startswith("[") and not re.match(rf"^\[\[?{re.escape(array)}\.", line)

    def of_table(self, table: str, key: str | None, value: str | None = None) -> Location:
        header = next((i for i, ln in enumerate(self.lines) if ln.strip() == f"[{table}]"), None)
        if header is None:
            return START
        end = next((i for i in range(header + 1, len(self.lines)) if self.lines[i].lstrip().startswith("[")),
                   len(self.lines))
        return (key and self._key(header + 1, end, key, value)) or self._header(header)

    def of_top(self, key: str) -> Location:
        """A top-level key: `key = ...` before the first table, or a table `[key]` / `[[key]]`."""
        first_table = next((i for i, ln in enumerate(self.lines) if ln.lstrip().startswith("[")), len(self.lines))
        found = self._key(0, first_table, key)
        if found:
            return found
        header = re.compile(rf"^\s*\[\[?\s*{re.escape(key)}\s*[.\]]")
        return next((self._header(i) for i, ln in enumerate(self.lines) if header.match(ln)), START)

    def _header(self, index: int) -> Location:
        return index + 1, self.lines[index].index("[") + 1

    def _key(self, start: int, end: int, key: str, value: str | None = None) -> Location | None:
        pattern = re.compile(rf"""^(\s*)(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
        for i in range(start, end):
            match = pattern.match(self.lines[i])
            if match:
                return (value is not None and self._value(i, end, value)) or (i + 1, len(match.group(1)) + 1)
        return None

    def _value(self, line: int, end: int, value: str) -> Location | None:
        next_key = re.compile(r"^\s*[A-Za-z0-9_\"'-]+\s*=")
        for i in range(line, end):
            if i > line and next_key.match(self.lines[i]):
                break
            for quoted in (f'"{value}"', f"'{value}'"):
                column = self.lines[i].find(quoted, self.lines[i].index("=") + 1 if i == line else 0)
                if column >= 0:
                    return i + 1, column + 1
        return None


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def syntax_error_at(exc: tomllib.TOMLDecodeError, text: str) -> tuple[str, Location]:
    """The message of a TOML syntax error without its position, and the position: "... (at line 3,
    column 7)" in the message; "(at end of document)" is the end of the last line."""
    message = str(exc)
    found = _TOML_POSITION.search(message)
    if found:
        return message[:found.start()], (int(found[1]), int(found[2]))
    lines = text.splitlines() or [""]
    return message.replace(" (at end of document)", " at the end of the file"), (len(lines), len(lines[-1]) + 1)
