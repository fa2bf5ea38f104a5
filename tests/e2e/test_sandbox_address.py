"""The sandbox's public URL is the one of its first start (handlers/sandbox/address.py), on real sockets.

tests/e2e/test_sandbox.py shows the same through `badgebot serve`; these show each case on its own.
"""
from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from handlers.sandbox.address import PUBLIC_URL_FILE, SandboxAddress
from tests.processes import free_port

pytestmark = pytest.mark.slow


def hello(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"the bot, at {environ['PATH_INFO']}".encode()]


@pytest.fixture
def addresses() -> Iterator[list[SandboxAddress]]:
    chosen: list[SandboxAddress] = []
    yield chosen
    for address in chosen:
        address.stop()


def test_the_first_start_remembers_its_address(tmp_path: Path, addresses: list[SandboxAddress]) -> None:
    addresses.append(first := SandboxAddress.choose(tmp_path, "http://127.0.0.1:3000"))
    assert (first.url, first.public_url, first.note) == ("http://127.0.0.1:3000", "http://127.0.0.1:3000", "")
    assert (tmp_path / PUBLIC_URL_FILE).read_text().strip() == "http://127.0.0.1:3000"
    addresses.append(again := SandboxAddress.choose(tmp_path, "http://127.0.0.1:3000"))
    assert (again.public_url, again.note) == ("http://127.0.0.1:3000", "")


def test_after_a_port_change_links_keep_the_first_address_which_still_answers(
        tmp_path: Path, addresses: list[SandboxAddress]) -> None:
    first = f"http://127.0.0.1:{free_port()}"
    (tmp_path / PUBLIC_URL_FILE).write_text(first + "\n")
    addresses.append(address := SandboxAddress.choose(tmp_path, f"http://127.0.0.1:{free_port()}"))
    assert address.public_url == first
    assert address.note == f"its links keep the address of its first start, {first}, which it answers too"
    with httpx.Client(trust_env=False, timeout=10) as web:
        starting = web.get(f"{first}/a/xyz")
        assert starting.status_code == 503 and starting.headers["Retry-After"] == "2"
        address.serve(hello)
        assert web.get(f"{first}/a/xyz").text == "the bot, at /a/xyz"


def test_when_another_program_holds_the_first_address_this_run_uses_its_own(
        tmp_path: Path, addresses: list[SandboxAddress]) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        first = f"http://127.0.0.1:{holder.getsockname()[1]}"
        (tmp_path / PUBLIC_URL_FILE).write_text(first + "\n")
        now = f"http://127.0.0.1:{free_port()}"
        addresses.append(address := SandboxAddress.choose(tmp_path, now))
    assert address.public_url == now
    assert address.note.startswith(f"links from earlier runs point at {first}, which another program holds now")
    assert (tmp_path / PUBLIC_URL_FILE).read_text().strip() == first  # for the next run


def test_badgebot_public_url_is_used_as_it_is(tmp_path: Path, addresses: list[SandboxAddress]) -> None:
    (tmp_path / PUBLIC_URL_FILE).write_text("http://127.0.0.1:3000\n")
    addresses.append(address := SandboxAddress.choose(tmp_path, "http://127.0.0.1:3100", "https://demo.example.edu"))
    assert address.public_url == "https://demo.example.edu"
    assert address.note == "its links use BADGEBOT_PUBLIC_URL, https://demo.example.edu"


@pytest.mark.parametrize("stored", ["https://badges.example.edu", "http://10.0.0.5:3000", "http://127.0.0.1", "junk"])
def test_an_address_it_cannot_answer_at_is_replaced_by_this_runs(
        tmp_path: Path, addresses: list[SandboxAddress], stored: str) -> None:
    (tmp_path / PUBLIC_URL_FILE).write_text(stored + "\n")
    addresses.append(address := SandboxAddress.choose(tmp_path, "http://127.0.0.1:3100"))
    assert (address.public_url, address.note) == ("http://127.0.0.1:3100", "")
    assert (tmp_path / PUBLIC_URL_FILE).read_text().strip() == "http://127.0.0.1:3100"
