"""Whether the issuer has revoked a credential: the document its `credentialStatus` points at.

Kept apart from the signature checks: the status mechanism changes on its own (the 1EdTech revocation
list here; a W3C Bitstring Status List replaces it). An unknown status is never reported as valid.
"""
from __future__ import annotations

from typing import Any

from bot.adapters.openbadges.verify_fetch import Fetch
from bot.adapters.openbadges.verify_result import Run

REVOCATION_LIST = "1EdTechRevocationList"


def check_status(doc: dict[str, Any], run: Run, fetch: Fetch) -> None:
    status = doc.get("credentialStatus")
    if not isinstance(status, dict):
        return
    if status.get("type") != REVOCATION_LIST:
        run.warnings.append(f"revocation not checked: status type {status.get('type')!r} is not supported")
        return
    url = status.get("id")
    try:
        fetched = fetch(str(url), "application/json")
        if fetched.status != 200:
            raise OSError(f"HTTP {fetched.status}")
        listing = fetched.json()
        revoked = [entry for entry in listing.get("revokedCredentials", [])
                   if isinstance(entry, dict) and entry.get("id") == doc.get("id") and entry.get("revoked", True)]
    except Exception as exc:  # noqa: BLE001 - unknown status is never reported as valid
        run.reasons.append(f"the revocation status at {url} could not be checked ({exc})")
        return
    if revoked:
        run.status = "revoked"
        reason = revoked[0].get("revocationReason")
        run.reasons.append("revoked by its issuer" + (f": {reason}" if reason else ""))
    else:
        run.checks.append("not revoked")
