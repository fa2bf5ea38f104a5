"""Open Badges: every award as a signed, verifiable credential (OB 3.0 VC-JWT with an eddsa-rdfc-2022
proof, baked images, OB 2.0 hosted documents).

Start from `badgebot.open_badges` (service.py); verification is in verify.py.
"""
