"""How counts and credential names read in every message, page and CLI line: "1 file", "2 files"
(never "file(s)"), and a credential's name beside its type without doubled parentheses."""
from __future__ import annotations

import re

# A type label's own qualifier: "Digital Certificate (Practiced)" -> "Digital Certificate", "(Practiced)".
_QUALIFIED = re.compile(r"^(?P<kind>.+?)\s*(?P<qualifier>\([^()]*\))$")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`count` and the noun that agrees with it: plural(1, "file") == "1 file", plural(0, "file") ==
    "0 files"; irregular nouns name their plural (plural(2, "person", "people"))."""
    noun = singular if count == 1 else (plural_form or _regular_plural(singular))
    return f"{count} {noun}"


def _regular_plural(noun: str) -> str:
    head, _, last = noun.rpartition(" ")  # "check-in" -> "check-ins"; "open submission" -> "open submissions"
    if last.endswith(("s", "x", "z", "ch", "sh")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in ("a", "e", "i", "o", "u"):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}" if head else last


def name_with_type(name: str, type_label: str) -> str:
    """A credential's name and its type: "SQL Basics (Badge Level I)". When the name already ends with
    the label's qualifier ("Data Analytics (Practiced)", a "Digital Certificate (Practiced)"), the type
    follows after a comma without it: "Data Analytics (Practiced), Digital Certificate"."""
    match = _QUALIFIED.match(type_label)
    if match and name.rstrip().endswith(match["qualifier"]):
        return f"{name}, {match['kind']}"
    if name.rstrip().endswith(")"):
        return f"{name}, {type_label}"
    return f"{name} ({type_label})"


_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def paragraphs(text: str) -> list[str]:
    """Text as its author meant it: lines wrapped by hand joined back into one ("removes duplicates and
    fixes types,\\nuses at least three..." reads as one sentence), while a blank line still ends a
    paragraph and a list item ("- ...", "1. ...") keeps its own line. Every screen (modal, card, page)
    wraps text to its own width, so hard breaks from a TOML file only cut sentences in odd places."""
    result: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines: list[str] = []
        for line in block.splitlines():
            line = line.strip()
            if not line:
                continue
            if lines and not _LIST_ITEM.match(line):
                lines[-1] = f"{lines[-1]} {line}"
            else:
                lines.append(line)
        if lines:
            result.append("\n".join(lines))
    return result


def reflowed(text: str) -> str:
    """`paragraphs(text)` joined by blank lines: for places that take one string (Slack mrkdwn)."""
    return "\n\n".join(paragraphs(text))
