"""The office's console at /admin: one page per program report, with charts drawn on the server (SVG), the
same figures as tables, filters (dates, issuer) and a CSV of each table.

Behind Sign in with Slack, as the check-in pages are (the same OpenID Connect provider and the same kind of
signed session cookie, kept under /admin), for program administrators (every issuer) and issuer admins
(their issuers' credentials only; the issuer filter lists just theirs): anyone else signed in gets a 403
page saying why. Routes only translate: the figures, and who sees which, come from bot/usecases/reports.
"""
from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Response, request

from bot.adapters.oidc import SignedCookie, SignInFailed, session_cookie, signin_cookie
from bot.errors import InvalidInput, NotAllowed
from bot.usecases.reports import (
    REPORTS,
    Report,
    ReportFilter,
    report_issuers,
    run_report,
)
from bot.usecases.reports.output import pick_table, shown, write_csv
from handlers.web.admin_charts import charts_of
from handlers.web.checkin import site as checkin_site
from handlers.web.pages import (
    PRIVATE,
    SiteCookies,
    begin_sign_in,
    render,
    returning_sign_in,
    see_other,
    slack_declined,
)
from handlers.web.security import Routes
from handlers.web.services import app_state, badgebot

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

SESSION, SIGNIN, EXTENSION = "bb_admin", "bb_admin_signin", "badgebot.admin"
TITLES = {"awards": "Awards", "funnel": "Submission funnel", "decisions": "Time to decision",
          "certificates": "Certificate progress", "events": "Events", "engagement": "Engagement"}

admin = Routes("admin", __name__, headers=PRIVATE)


@dataclass
class AdminSite:
    sessions: SignedCookie
    signins: SignedCookie
    cookies: SiteCookies  # under /admin, HTTPS-only when the public URL is

    @classmethod
    def of(cls, bot: Badgebot) -> AdminSite:
        return cls(session_cookie(bot.signer), signin_cookie(bot.signer),
                   SiteCookies(bot.urls.paths.admin_home, bot.public_url.startswith("https://")))


site = app_state(admin, EXTENSION, AdminSite.of)  # this app's AdminSite


def administrators_only(view: Callable[..., Response]) -> Callable[..., Response]:
    """The view runs for a signed-in program or issuer admin (given as `person`); anyone else gets the page
    to answer with instead: sign in (nobody yet), or 403 (neither)."""
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Response:
        person = who()
        if person is None:
            return page("admin_signin.html", person=None, signin=checkin_site().sign_in() is not None,
                        message=None, next=request.full_path.rstrip("?"))
        if not report_issuers(badgebot().ctx, person["u"]):
            return _refused(person, "Only program administrators and issuer admins can see the program's reports.")
        return view(*args, person=person, **kwargs)
    return guarded


# -- pages -----------------------------------------------------------------------------------------


@admin.get("/admin")
@administrators_only
def home(*, person: dict[str, Any]) -> Response:
    return page("admin_index.html", person=person)


@admin.get("/admin/reports/<name>")
@administrators_only
def report_page(name: str, *, person: dict[str, Any]) -> Response:
    if name not in REPORTS:
        return page("admin_message.html", 404, person=person, heading="No such report",
                    message=f"There is no report '{name}'. The reports are: {', '.join(REPORTS)}.")
    form = _form()
    try:
        report = _run(name, person, form)
    except InvalidInput as error:
        return page("admin_report.html", 400, person=person, name=name, report=None, form=form, error=str(error),
                    **_chrome(name, person))
    except NotAllowed as error:  # another issuer's figures, or an administrator removed since signing in
        return _refused(person, str(error))
    return page("admin_report.html", person=person, name=name, report=report, form=form, error=None,
                charts=charts_of(report), shown=shown, zip=zip, **_chrome(name, person))


@admin.get("/admin/reports/<name>.csv")
@administrators_only
def report_csv(name: str, *, person: dict[str, Any]) -> Response:
    if name not in REPORTS:
        return Response(f"There is no report '{name}'.\n", 404, mimetype="text/plain")
    try:
        report = _run(name, person, _form())
        table = pick_table(report, request.args.get("table"))
    except InvalidInput as error:
        return Response(f"{error}\n", 400, mimetype="text/plain")
    except NotAllowed as error:
        return Response(f"{error}\n", 403, mimetype="text/plain")
    out = io.StringIO()
    write_csv(table, out)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="badgebot-{name}-{table.name}.csv"'
    return response


# -- signing in ------------------------------------------------------------------------------------


@admin.get("/admin/signin")
def start_sign_in() -> Response:
    bot, provider = badgebot(), checkin_site().sign_in()
    if provider is None:
        return see_other(bot.urls.paths.admin_home)
    return begin_sign_in(provider, bot.urls.admin_callback, site().signins, site().cookies, SIGNIN,
                         n=_own(request.args.get("next", "")))


@admin.get("/admin/callback")
def finish_sign_in() -> Response:
    bot, provider = badgebot(), checkin_site().sign_in()
    pending = returning_sign_in(site().signins, SIGNIN, provider)
    if provider is None or pending is None:
        return page("admin_signin.html", 400, person=None, signin=provider is not None,
                    message="This sign-in expired, or began in another browser. Sign in again.")
    if slack_declined():
        return site().cookies.forget(page("admin_signin.html", 400, person=None, signin=True,
                            message="You did not finish signing in with Slack."), SIGNIN)
    try:
        identity = provider.identify(request.args["code"], bot.urls.admin_callback, str(pending["o"]))
    except SignInFailed as error:
        return site().cookies.forget(page("admin_signin.html", 400, person=None, signin=True, message=str(error)), SIGNIN)
    response = see_other(str(pending.get("n") or bot.urls.paths.admin_home))
    site().cookies.set(site().cookies.forget(response, SIGNIN), SESSION,
                site().sessions.dump({"u": identity.user_id, "n": identity.name, "w": identity.team_id}),
                site().sessions.max_age)
    return response


@admin.post("/admin/signout")
def sign_out() -> Response:
    return site().cookies.forget(see_other(badgebot().urls.paths.admin_home), SESSION)


# -- helpers ---------------------------------------------------------------------------------------


def page(template: str, status: int = 200, /, **values: Any) -> Response:
    return render(template, status, **({"reports": [(n, TITLES[n]) for n in REPORTS]} | values))


def who() -> dict[str, Any] | None:
    """Who signed in to the console on this browser, if anyone."""
    return site().sessions.load(request.cookies.get(SESSION))


def _refused(person: dict[str, Any], reason: str) -> Response:
    return page("admin_message.html", 403, person=person, heading="Not for this account",
                message=f"You are signed in as {person.get('n') or person['u']}. {reason} "
                        "If you should have access, ask the office to add you to the catalog's [roles] admins "
                        "or to your issuer's admins.")


def _form() -> dict[str, str]:
    return {k: request.args.get(k, "").strip() for k in ("since", "until", "issuer")}


def _run(name: str, person: dict[str, Any], form: dict[str, str]) -> Report:
    bot = badgebot()
    scope = ReportFilter.parse(form["since"], form["until"], form["issuer"])
    return run_report(bot.ctx, name, person["u"], scope, target_days=bot.settings.decision_target_days)


def _chrome(name: str, person: dict[str, Any]) -> dict[str, Any]:
    """What every report page shows around the report; the issuer filter offers only the issuers the
    person may see (all of them for a program admin)."""
    bot = badgebot()
    query = request.query_string.decode()
    csv_url = bot.urls.paths.admin_report(name, csv=True)
    issuers = report_issuers(bot.ctx, person["u"])
    every = "Every issuer" if bot.ctx.administered_issuers(person["u"]) is None else \
        ("All my issuers" if len(issuers) > 1 else issuers[0])
    return {"title": TITLES[name], "issuers": issuers, "every_issuer": every,
            "csv_url": lambda table: f"{csv_url}?{query + '&' if query else ''}table={table}"}


def _own(path: str) -> str:
    """`path` when it is a console page of ours, so a sign-in link cannot send anyone elsewhere."""
    home = badgebot().urls.paths.admin_home
    return path if path == home or path.startswith(home + "/") else ""
