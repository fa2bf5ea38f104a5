"""Bench: badge image rendering and credential signing per award, cold and cached.

Claim (issue 5): under 50 ms to render a new badge image, under 5 ms to serve a cached one.
Run: /work/venv/bin/python bench/render.py   (no database, no network; a throwaway data dir)
"""
from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.adapters.images import BadgeRenderer  # noqa: E402
from bot.adapters.openbadges.keys import EDDSA, RS256, KeyStore  # noqa: E402
from bot.adapters.openbadges.service import OpenBadges  # noqa: E402
from bot.urls import PublicUrls  # noqa: E402
from bot.usecases.credentials import AwardRecord, CredentialRecord  # noqa: E402
from config.catalog import load_catalog  # noqa: E402
from config.settings import EXAMPLE_CATALOG  # noqa: E402

ROUNDS = 30
COLD_TARGET_MS, CACHED_TARGET_MS = 50.0, 5.0
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


def timed(call) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def main() -> int:
    catalog = load_catalog(EXAMPLE_CATALOG)
    specs = list(catalog.credentials)
    with tempfile.TemporaryDirectory() as data:
        service = OpenBadges(catalog, PublicUrls.of("https://badges.example.edu"), KeyStore(Path(data) / "keys"),
                             BadgeRenderer(Path(data) / "images"))
        service.keys.all()  # key generation happens once at first start; not part of an award
        # Warm the process (fonts, masks, gradients), as a running server is after its first badge.
        service.image(_record(specs[0], 0).credential)

        cold, cached, baked, sign_rs, sign_ed = [], [], [], [], []
        for i in range(ROUNDS):
            spec = specs[i % len(specs)]
            record = _record(spec, i)
            # A new title each round, so "cold" really draws a design never seen before.
            cold.append(timed(lambda: service.image(record.credential, record.distinction)))
            cached.append(timed(lambda: service.image(record.credential, record.distinction)))
            sign_rs.append(timed(lambda: service.jwt(record, RS256)))
            sign_ed.append(timed(lambda: service.jwt(record, EDDSA)))
            baked.append(timed(lambda: service.baked_png(record)))

    def line(name: str, values: list[float], target: float | None = None) -> None:
        median = statistics.median(values)
        verdict = "" if target is None else (f"  target < {target:g} ms: " + ("ok" if median < target else "MISSED"))
        print(f"{name:40} median {median:7.2f} ms   p90 {sorted(values)[int(len(values) * 0.9) - 1]:7.2f} ms{verdict}")

    print(f"badge images and credentials, {ROUNDS} awards over {len(specs)} catalog credentials (all types)")
    line("render a new badge image (cold)", cold, COLD_TARGET_MS)
    line("serve a cached badge image", cached, CACHED_TARGET_MS)
    line("sign the credential (VC-JWT RS256)", sign_rs)
    line("sign the credential (VC-JWT EdDSA)", sign_ed)
    line("baked PNG (cached image + RS256 + bake)", baked)
    ratio = statistics.median(cached) / statistics.median(cold)
    print(f"cached/cold ratio: {ratio:.3f} ({1 / ratio:.0f}x faster when cached)")
    return 0


def _record(spec, i: int) -> AwardRecord:  # type: ignore[no-untyped-def]
    credential = CredentialRecord(
        slug=spec.id, type=spec.type, name=f"{spec.name} {i}", description=spec.description,
        criteria=spec.criteria, skills=spec.skills, image=None, distinction_allowed=spec.distinction,
        expires_after=spec.expires_after, requires=tuple((slug, slug) for slug in spec.requires),
    )
    return AwardRecord(
        public_id=f"bench{i:011d}", credential=credential, learner_name="Zoë Ξανθή", issued_at=T0,
        distinction=spec.distinction and i % 2 == 0 and spec.type.is_badge, expires_at=None, revoked_at=None,
        shared=True,
    )


if __name__ == "__main__":
    sys.exit(main())
