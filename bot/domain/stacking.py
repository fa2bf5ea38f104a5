"""Certificate stacking: how far a learner is from each certificate, and when one is complete."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StackProgress:
    certificate: str
    held: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def required(self) -> int:
        return len(self.held) + len(self.missing)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def started(self) -> bool:
        return bool(self.held)


def stack_progress(
    held: Iterable[str], stacks: Mapping[str, Iterable[str]]
) -> list[StackProgress]:
    """Progress toward every certificate in `stacks` (certificate -> required badges)."""
    holding = set(held)
    result = []
    for certificate, required in stacks.items():
        req = sorted(set(required))
        result.append(StackProgress(
            certificate,
            tuple(b for b in req if b in holding),
            tuple(b for b in req if b not in holding),
        ))
    return result


def completed_certificates(
    held: Iterable[str], stacks: Mapping[str, Iterable[str]], held_certificates: Iterable[str]
) -> list[str]:
    """Certificates whose every badge is held and that the learner does not hold yet."""
    already = set(held_certificates)
    return sorted(
        p.certificate for p in stack_progress(held, stacks)
        if p.complete and p.required and p.certificate not in already
    )


def nudge_priority(certificate: Any, held: int, required: int) -> tuple[float, int, Any]:
    """Sort key for the certificate to nudge toward (smallest first): the highest share done, then
    the fewest badges missing, then by certificate (name or id) for a stable answer."""
    return (-held / required, required - held, certificate)
