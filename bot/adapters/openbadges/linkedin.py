"""LinkedIn's "Add to profile" link for a shared award (a certification on the learner's profile)."""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def add_to_profile_url(
    *,
    name: str,
    issued_at: dt.datetime,
    cert_url: str,
    cert_id: str,
    organization_id: str | None = None,
    organization_name: str | None = None,
    expires_at: dt.datetime | None = None,
) -> str:
    """The prefilled "Add licence or certification" URL.

    Exactly one of organizationId (when the catalog has LinkedIn's numeric id) or organizationName;
    expiration only when the award expires; every value URL-encoded; empty parameters left out.
    """
    params: list[tuple[str, str]] = [("startTask", "CERTIFICATION_NAME"), ("name", name)]
    if organization_id:
        params.append(("organizationId", str(organization_id)))
    else:
        params.append(("organizationName", organization_name or ""))
    params += [("issueYear", str(issued_at.year)), ("issueMonth", str(issued_at.month))]
    if expires_at is not None:
        params += [("expirationYear", str(expires_at.year)), ("expirationMonth", str(expires_at.month))]
    params += [("certUrl", cert_url), ("certId", cert_id)]
    return f"{ADD_TO_PROFILE}?" + urlencode([(k, v) for k, v in params if v], quote_via=quote, safe="")
