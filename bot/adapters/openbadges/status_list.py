"""W3C Bitstring Status List (https://www.w3.org/TR/vc-bitstring-status-list/): revocation for every award.

Each award has a place in an issuer-wide list, derived from its database id: list number = id // LIST_SIZE,
index = id % LIST_SIZE. No column is needed, the place never changes, and revoking an award only changes
what the list says (the list is read from the awards' revocation dates whenever it is served).

A list holds LIST_SIZE = 131,072 bits (16 KB), the minimum the spec asks for: one list is shared by
many credentials, so fetching it tells nobody which credential is being checked (herd privacy), unlike
the old per-award `1EdTechRevocationList` documents.

The served list is a `BitstringStatusListCredential` whose `encodedList` is the bitstring GZIP-compressed,
then multibase base64url (prefix "u", no padding). Bit 0 is the most significant bit of the first byte.

`check_status(credential, fetch)` is the verifier's half: it fetches each `BitstringStatusListEntry`'s
list, checks it (type, purpose, issuer, dates, and its signature through `verify_list`), and reads the bit.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import gzip
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.adapters.openbadges import dataintegrity
from bot.adapters.openbadges.spec import VC_CONTEXT, format_date_time, parse_date_time
from bot.adapters.openbadges.verify_keys import Keyring
from bot.adapters.openbadges.verify_result import Run
from bot.adapters.openbadges.verify_signed import check_proof
from bot.urls import PublicUrls

LIST_SIZE = 131_072  # bits: 16 KB uncompressed, the spec's minimum for herd privacy
REVOCATION = "revocation"
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"
# A status list is JSON with an embedded proof; the spec's media type first.
ACCEPT = "application/vc+ld+json, application/ld+json;q=0.9, application/json;q=0.8"
# Gzip of 16 KB is tiny; refuse a "list" that would decompress to something huge.
MAX_LIST_BYTES = 16 * 1024 * 1024


class StatusListError(ValueError):
    """The status list or the entry is malformed; the message says how."""


@dataclass(frozen=True)
class Place:
    """Where one award's bit is: list `number`, bit `index`."""

    number: int
    index: int


def place_of(award_id: int) -> Place:
    if not isinstance(award_id, int) or isinstance(award_id, bool) or award_id < 0:
        raise ValueError(f"a status list place comes from an award's database id, not {award_id!r}")
    number, index = divmod(award_id, LIST_SIZE)
    return Place(number, index)


def ids_in(number: int) -> range:
    """The award ids whose bits are in list `number`."""
    return range(number * LIST_SIZE, (number + 1) * LIST_SIZE)


def list_url_of(number: int, urls: PublicUrls, unit: str | None = None) -> str:
    """Where list `number` is: the university's, or (`unit`, an issuer's id) the same list under that
    issuer, since verifiers ask that a list's issuer be the credential's. The bits are the same in each
    (an award has one place, and its credential names one issuer's list), so nothing new is told."""
    return urls.status_list(number) if unit is None else urls.issuer_status_list(unit, number)


def entry(award_id: int, urls: PublicUrls, unit: str | None = None) -> dict[str, Any]:
    """The credential's `credentialStatus`: its revocation bit in its issuer's list."""
    place = place_of(award_id)
    list_url = list_url_of(place.number, urls, unit)
    return {
        "id": f"{list_url}#{place.index}",
        "type": ENTRY_TYPE,
        "statusPurpose": REVOCATION,
        "statusListIndex": str(place.index),
        "statusListCredential": list_url,
    }


# The bitstring ----------------------------------------------------------------------------------


def encode(set_bits: Iterable[int], size: int = LIST_SIZE) -> str:
    """The `encodedList` of a bitstring of `size` bits with `set_bits` set to 1."""
    bits = bytearray((size + 7) // 8)
    for index in set_bits:
        if not 0 <= index < size:
            raise ValueError(f"bit {index} is outside a list of {size} bits")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same list always compresses to the same bytes (a signed list changes only with its bits).
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def decode(encoded: Any) -> bytes:
    """The bitstring in an `encodedList`; StatusListError if it is not multibase base64url GZIP."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListError("the encodedList is not multibase base64url (it must start with 'u')")
    body = encoded[1:]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise StatusListError("the encodedList is not base64url") from None
    try:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing only
        bits = inflater.decompress(packed, MAX_LIST_BYTES)
        if inflater.unconsumed_tail:
            raise StatusListError(f"the status list is larger than {MAX_LIST_BYTES} bytes")
    except zlib.error:
        raise StatusListError("the encodedList is not GZIP-compressed") from None
    return bits


def bit(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"the status list has {len(bits) * 8} bits; index {index} is outside it")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_credential(number: int, revoked_ids: Iterable[int], issuer_id: str, urls: PublicUrls, *,
                    valid_from: dt.datetime, unit: str | None = None) -> dict[str, Any]:
    """The unsigned `BitstringStatusListCredential` for list `number`, from the revoked awards' ids
    (`unit`: the issuer's id when it is a college, office or department; see `list_url_of`)."""
    first = number * LIST_SIZE
    list_url = list_url_of(number, urls, unit)
    return {
        "@context": [VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer_id,
        "validFrom": format_date_time(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": LIST_TYPE,
            "statusPurpose": REVOCATION,
            "encodedList": encode(award_id - first for award_id in revoked_ids),
        },
    }


# Verifying --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusCheck:
    """What the credential's status lists say: `revoked` only when a list's bit says so."""

    revoked: bool = False
    problems: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def entries_of(credential: Mapping[str, Any]) -> list[Any]:
    """The credential's `BitstringStatusListEntry` statuses (credentialStatus may be one or a list)."""
    status = credential.get("credentialStatus")
    statuses = status if isinstance(status, list) else [status]
    return [s for s in statuses if isinstance(s, dict) and s.get("type") == ENTRY_TYPE]


def handles(credential: Mapping[str, Any]) -> bool:
    return bool(entries_of(credential))


def _id_of(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def _entry_problem(status: Mapping[str, Any]) -> str | None:
    if not isinstance(status.get("statusPurpose"), str) or not status["statusPurpose"]:
        return "the credential's BitstringStatusListEntry has no statusPurpose"
    url = status.get("statusListCredential")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return "the credential's BitstringStatusListEntry names no statusListCredential URL"
    index = status.get("statusListIndex")
    if not isinstance(index, str) or not index.isdigit():
        return f"the statusListIndex {index!r} is not a non-negative integer in a string"
    if status.get("id") is not None and status.get("id") == url:
        return "the status entry's id must not be the status list's URL"
    return None


def _list_problem(listing: Any, status: Mapping[str, Any], issuer_id: Any, now: dt.datetime | None) -> str | None:
    url = status["statusListCredential"]
    if not isinstance(listing, dict):
        return f"the status list at {url} is not a JSON object"
    types = listing.get("type")
    if not isinstance(types, list) or LIST_CREDENTIAL_TYPE not in types:
        return f"{url} is not a {LIST_CREDENTIAL_TYPE}"
    subject = listing.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != LIST_TYPE:
        return f"the status list at {url} has no {LIST_TYPE} subject"
    purposes = subject.get("statusPurpose")
    purposes = purposes if isinstance(purposes, list) else [purposes]
    if status["statusPurpose"] not in purposes:
        return (f"the status list at {url} is for {', '.join(map(str, purposes))}, "
                f"not {status['statusPurpose']}")
    if _id_of(listing.get("issuer")) != issuer_id:
        return f"the status list at {url} was issued by {_id_of(listing.get('issuer'))}, not the credential's issuer"
    if now is not None:
        valid_from, valid_until = parse_date_time(listing.get("validFrom")), parse_date_time(listing.get("validUntil"))
        if valid_from is not None and valid_from > now:
            return f"the status list at {url} is not valid yet"
        if valid_until is not None and valid_until <= now:
            return f"the status list at {url} expired on {valid_until:%Y-%m-%d}; its answer is stale"
    return None


Fetch = Callable[[str, str], Any]  # (url, accept) -> an object with .status and .json(), as verify.Fetched


def check_status(credential: Mapping[str, Any], fetch: Fetch, *, now: dt.datetime | None = None,
                 verify_list: Callable[[dict[str, Any]], list[str]] | None = None) -> StatusCheck:
    """Read the credential's bit in each of its Bitstring status lists.

    `verify_list(list_credential)` returns why the list's own signature does not hold ([] when it does);
    without it the answer warns that the list was not authenticated. A list that cannot be fetched or
    checked is a problem, never "not revoked".
    """
    problems: list[str] = []
    checks: list[str] = []
    warnings: list[str] = []
    revoked = False
    issuer_id = _id_of(credential.get("issuer"))
    lists: dict[str, Any] = {}  # each list fetched once, however many entries point into it
    for status in entries_of(credential):
        problem = _entry_problem(status)
        if problem:
            problems.append(problem)
            continue
        url, index, purpose = status["statusListCredential"], int(status["statusListIndex"]), status["statusPurpose"]
        if url not in lists:
            try:
                fetched = fetch(url, ACCEPT)
                if fetched.status != 200:
                    raise OSError(f"HTTP {fetched.status}")
                lists[url] = fetched.json()
            except Exception as exc:  # noqa: BLE001 - OSError, bad JSON, httpx's errors: never "not revoked"
                lists[url] = None
                problems.append(f"the status list at {url} could not be fetched ({exc})")
                continue
            listing = lists[url]
            problem = _list_problem(listing, status, issuer_id, now)
            if problem is None and verify_list is not None:
                signature = verify_list(listing)
                if signature:
                    problem = f"the status list at {url} is not authentic: " + "; ".join(signature)
            if problem:
                lists[url] = None
                problems.append(problem)
                continue
            if verify_list is None:
                warnings.append(f"the signature of the status list at {url} was not checked")
        listing = lists[url]
        if listing is None:
            continue  # its problem is already said
        try:
            bits = decode(listing["credentialSubject"].get("encodedList"))
            if len(bits) * 8 < LIST_SIZE:
                raise StatusListError(f"the status list has {len(bits) * 8} bits, fewer than the "
                                      f"{LIST_SIZE} the spec requires")
            is_set = bit(bits, index)
        except StatusListError as exc:
            problems.append(f"the status list at {url}: {exc}")
            continue
        if is_set and purpose == REVOCATION:
            revoked = True
        elif is_set:
            problems.append(f"the status list at {url} says: {purpose}")
        else:
            checks.append(f"not revoked (bitstring status list, index {index})" if purpose == REVOCATION
                          else f"no {purpose} (bitstring status list, index {index})")
    return StatusCheck(revoked=revoked, problems=tuple(problems), checks=tuple(checks), warnings=tuple(warnings))


def check_into(credential: dict[str, Any], run: Run, fetch: Fetch, *, now: dt.datetime, keys: Keyring) -> None:
    """The verifier's call: `check_status` with each list's proofs checked against its issuer's keys."""

    def list_signature(listing: dict[str, Any]) -> list[str]:
        own = Run("status list")
        proofs = dataintegrity.proofs_of(listing)
        for proof in proofs:
            check_proof(listing, proof, own, keys)
        return own.reasons or ([] if proofs else ["it carries no proof"])

    found = check_status(credential, fetch, now=now, verify_list=list_signature)
    run.reasons.extend(found.problems)
    run.checks.extend(found.checks)
    run.warnings.extend(found.warnings)
    if found.revoked:
        run.status = "revoked"
        run.reasons.append("revoked by its issuer")
