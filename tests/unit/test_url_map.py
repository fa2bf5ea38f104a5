"""One URL map: every link bot/urls.py builds is answered by a route of the web app, and every route is
reached by a link the map builds (the sandbox UI's own script and API paths aside), so the two never drift."""
from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.exceptions import MethodNotAllowed, NotFound

from bot.urls import PublicUrls
from config.settings import load_settings
from handlers.bootstrap import bootstrap
from handlers.sandbox.web import sandbox_routes

BASE = "https://badges.test.example.edu"
# A value for each parameter a builder takes (a new parameter name needs one here).
SAMPLES: dict[str, object] = {
    "public_id": "Xy3-public_id", "slug": "sql-basics", "thumbprint": "_HWPIkAXtMT83", "artifact_id": 7,
    "expires": "2026-03-16", "signature": "c2lnbmF0dXJl", "code": "12-ABCDEF", "event_id": 3,
    "file_id": "F0000000001", "number": 0, "issuer_id": "computing", "path": "/issuer",
}
NOT_LINKS = {"of", "paths", "base"}
# Paths the sandbox UI's own scripts and styles use (handlers/sandbox/ui/): nothing else links to them.
UI_ONLY = ("/sandbox/api/", "/sandbox/static/")


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The production web app (with the Slack endpoint and the sandbox's UI), never sent a request."""
    data: Path = tmp_path_factory.mktemp("urls")
    settings = load_settings(database_url=f"sqlite:///{data / 'badgebot.sqlite3'}", data_dir=data / "data",
                             public_url=BASE, slack_bot_token="xoxb-test", slack_signing_secret="secret")
    badgebot = bootstrap(settings)
    badgebot.web.register_blueprint(sandbox_routes, sandbox=None)
    yield badgebot.web
    badgebot.close()


def links(urls: PublicUrls) -> Iterator[tuple[str, str]]:
    """(builder, URL) for every link the map builds; each boolean option both ways."""
    for name, member in inspect.getmembers(PublicUrls):
        if name.startswith("_") or name in NOT_LINKS:
            continue
        if isinstance(member, property):
            yield name, getattr(urls, name)
            continue
        parameters = list(inspect.signature(member).parameters.values())[1:]
        required = {p.name: SAMPLES[p.name] for p in parameters if p.default is inspect.Parameter.empty}
        yield name, getattr(urls, name)(**required)
        for option in (p for p in parameters if isinstance(p.default, bool)):
            yield f"{name}({option.name}={not option.default})", getattr(urls, name)(**required,
                                                                                      **{option.name: not option.default})


def endpoints_of(web: Flask, url: str) -> set[str]:
    """The routes that answer `url`: its page (GET) and the form or Slack request it takes (POST)."""
    adapter = web.url_map.bind("badges.test.example.edu", url_scheme="https")
    found = set()
    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(urlsplit(url).path, method=method)
        except (NotFound, MethodNotAllowed):
            continue
        found.add(str(endpoint))
    return found


def test_every_link_the_map_builds_is_answered_by_a_route(web: Flask) -> None:
    urls = PublicUrls.of(BASE)
    for name, url in links(urls):
        assert url.startswith(BASE + "/"), (name, url)
        assert endpoints_of(web, url), f"no route answers {name}: {url}"


def test_every_route_is_reached_by_a_link_of_the_map(web: Flask) -> None:
    reached = {endpoint for _, url in links(PublicUrls.of(BASE)) for endpoint in endpoints_of(web, url)}
    unlinked = {rule.rule for rule in web.url_map.iter_rules()
                if rule.endpoint not in reached and rule.endpoint != "static" and not rule.rule.startswith(UI_ONLY)}
    assert not unlinked, f"routes no link of bot/urls.py builds: {sorted(unlinked)}"


def test_paths_are_the_same_map_on_this_server() -> None:
    urls = PublicUrls.of(BASE)
    for (name, url), (_, path) in zip(links(urls), links(urls.paths), strict=True):
        assert url == BASE + path, name
