"""`badgebot keys ...`: the issuer's signing keys, kept in the database and shared by every replica."""
from __future__ import annotations

import argparse

from bot.adapters.openbadges.keys import ALGORITHMS, RS256
from handlers.cli.common import open_bot


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `keys list` and `keys rotate` to the badgebot command line."""
    keys = subparsers.add_parser("keys", help="the issuer's signing keys").add_subparsers(dest="keys_command",
                                                                                          required=True)
    keys.add_parser("list", help="every published key; the newest of each algorithm signs").set_defaults(
        func=cmd_keys_list)
    rotate = keys.add_parser("rotate", help="make a new signing key; the old ones stay published, so what they "
                                            "signed keeps verifying")
    rotate.add_argument("--alg", choices=ALGORITHMS, default=RS256, help=f"which key (default {RS256})")
    rotate.set_defaults(func=cmd_keys_rotate)


def cmd_keys_list(args: argparse.Namespace) -> int:
    """Each algorithm's keys, oldest first, with the thumbprint a credential's `kid` names."""
    with open_bot(args) as app:
        for alg in ALGORITHMS:
            generations = app.open_badges.keys.generations(alg)
            for number, key in enumerate(generations, start=1):
                role = "signing" if number == len(generations) else "published (verifies what it signed)"
                print(f"{alg:<6} #{number}  {key.thumbprint}  {role}")
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    """New credentials are signed with a new key from now on (every replica within a minute)."""
    with open_bot(args) as app:
        keys = app.open_badges.keys
        old = keys.get(args.alg)
        new = keys.rotate(args.alg)
        print(f"{args.alg}: new signing key {new.thumbprint}; {old.thumbprint} stays published")
    return 0
