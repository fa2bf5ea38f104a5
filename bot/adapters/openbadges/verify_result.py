"""The verdict of a verification (`Verification`), and the notes a verification keeps while it runs (`Run`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Verification:
    """The verdict. `status` is one of valid, revoked, expired, not-yet-valid, invalid."""

    valid: bool
    status: str
    reasons: tuple[str, ...]
    format: str
    credential: dict[str, Any] | None = None
    checks: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        doc = self.credential or {}
        return str(doc.get("name") or (doc.get("credentialSubject") or {}).get("achievement", {}).get("name") or "")

    def summary(self) -> str:
        if self.valid:
            return f"valid: {self.name or 'credential'} ({' | '.join(self.checks)})"
        return f"{self.status}: " + "; ".join(self.reasons)


@dataclass
class Run:
    """What one verification found so far: every reason against, every check that held, every caveat."""

    format: str
    reasons: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    status: str | None = None
    credential: dict[str, Any] | None = None

    def result(self) -> Verification:
        status = self.status or ("invalid" if self.reasons else "valid")
        if self.reasons and status == "valid":
            status = "invalid"
        return Verification(valid=status == "valid" and not self.reasons, status=status,
                            reasons=tuple(self.reasons), format=self.format, credential=self.credential,
                            checks=tuple(self.checks), warnings=tuple(self.warnings))
