"""Open Badges: every award as a signed, verifiable credential (OB 3.0 VC-JWT, baked images, OB 2.0 hosted).

Start from `badgebot.open_badges` (bot/adapters/openbadges/service.py); verification is in `verify.py`.
"""
from bot.adapters.openbadges.linkedin import add_to_profile_url
from bot.adapters.openbadges.service import OpenBadges, ShareLinks
from bot.adapters.openbadges.verify import Verification, Verifier, verify

__all__ = ["OpenBadges", "ShareLinks", "Verification", "Verifier", "add_to_profile_url", "verify"]
