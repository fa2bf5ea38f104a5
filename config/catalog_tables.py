"""The catalog's dataclasses as the TOML tables of the file, and back.

The dataclasses' field names are the file's keys (config/catalog.py), so one generic conversion
serves every table: a field left at its default is left out (the file would not say it, and some
keys are refused where they mean nothing, such as `grantors` on a souvenir). `dump_catalog` is
what `badgebot catalog export` writes; parsing it gives back an equal Catalog.
"""
from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from typing import Any

import tomli_w

from config.catalog import Catalog, CredentialSpec


def plain(value: Any) -> Any:
    """A dataclass, enum or tuple as TOML-ready dicts, strings and lists (defaults left out)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(v) for f in dataclasses.fields(value)
                if not _is_default(f, v := getattr(value, f.name))}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if v is not None}
    return value


def _is_default(f: dataclasses.Field[Any], value: Any) -> bool:
    if value is None:
        return True  # TOML has no null: an absent key is how the file says "none"
    if f.default is not dataclasses.MISSING:
        return bool(value == f.default)
    if f.default_factory is not dataclasses.MISSING:
        return bool(value == f.default_factory())
    return False


def credential_table(spec: CredentialSpec) -> dict[str, Any]:
    """A credential as its `[[credentials]]` table."""
    return plain(spec)


def credential_spec(table: dict[str, Any]) -> CredentialSpec:
    """The CredentialSpec a `[[credentials]]` table describes, converted field by field (the table was
    checked as the catalog checks it when it was proposed). ValueError names a key it cannot read."""
    return _build(CredentialSpec, table)


def catalog_document(catalog: Catalog) -> dict[str, Any]:
    """The whole catalog as the file's TOML document."""
    return plain(catalog)


def dump_catalog(catalog: Catalog, header: str = "") -> str:
    """The catalog as TOML text that `parse_catalog` reads back to an equal Catalog."""
    comment = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    return comment + tomli_w.dumps(catalog_document(catalog), multiline_strings=True)


@functools.cache
def _fields_of(cls: type) -> tuple[dict[str, Any], frozenset[str]]:
    # The annotations are strings (`from __future__ import annotations`): resolving them is slow, and
    # the live catalog converts every approved change each time it rebuilds.
    return typing.get_type_hints(cls), frozenset(f.name for f in dataclasses.fields(cls))


def _build(cls: type, table: dict[str, Any]) -> Any:
    hints, known = _fields_of(cls)
    unknown = sorted(set(table) - known)
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r} for {cls.__name__}")
    try:
        return cls(**{key: _convert(hints[key], value, key) for key, value in table.items()})
    except TypeError as exc:  # a required field missing
        raise ValueError(f"{cls.__name__}: {exc}") from None


def _convert(hint: Any, value: Any, key: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if value is None else _convert(options[0], value, key)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"{key!r} must be a list")
        item = typing.get_args(hint)[0]
        return tuple(_convert(item, v, key) for v in value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(value)
        except ValueError:
            raise ValueError(f"{key!r}: {value!r} is not a {hint.__name__}") from None
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ValueError(f"{key!r} must be a table")
        return _build(hint, value)
    return value
