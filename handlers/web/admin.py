"""The office's console at /admin: one page per program report, with charts drawn on the server (SVG), the
same figures as tables, filters (dates, issuer) and a CSV of each table.

Behind Sign in with Slack, as the check-in pages are (the same OpenID Connect provider and the same kind of
signed session cookie, kept under /admin), and for program administrators only: anyone else signed in
gets a 403 page saying why. Routes only translate: the figures come from bot/usecases/reports.
"""
from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from flask import Response, current_app, redirect, request
from flask.blueprints import BlueprintSetupState

from bot.adapters.oidc import SignedCookie, SignInFailed, session_cookie, signin_cookie
from bot.errors import InvalidInput, NotAllowed
from bot.usecases.reports import ISSUERS, REPORTS, Report, ReportFilter, run_report
from bot.usecases.reports.output import pick_table, shown, write_csv
from handlers.web.admin_charts import charts_of
from handlers.web.checkin import site as checkin_site
from handlers.web.pages import PRIVATE, render
from handlers.web.security import Routes
from handlers.web.services import badgebot, badgebot_of

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
    secure: bool
    cookie_path: str

    @classmethod
    def of(cls, bot: Badgebot) -> AdminSite:
        return cls(session_cookie(bot.signer), signin_cookie(bot.signer), bot.public_url.startswith("https://"),
                   bot.urls.paths.admin_home)


def set_up(state: BlueprintSetupState) -> None:
    state.app.extensions.setdefault(EXTENSION, AdminSite.of(badgebot_of(state.app)))


admin.record_once(set_up)


def site() -> AdminSite:
    return cast(AdminSite, current_app.extensions[EXTENSION])


# -- pages -----------------------------------------------------------------------------------------


@admin.get("/admin")
def home() -> Response:
    person, refusal = _guard()
    if refusal is not None:
        return refusal
    return page("admin_index.html", person=person)


@admin.get("/admin/reports/<name>")
def report_page(name: str) -> Response:
    person, refusal = _guard()
    if refusal is not None:
        return refusal
    if name not in REPORTS:
        return page("admin_message.html", 404, person=person, heading="No such report",
                    message=f"There is no report '{name}'. The reports are: {', '.join(REPORTS)}.")
    form = _form()
    try:
        report = _run(name, person, form)
    except InvalidInput as error:
        return page("admin_report.html", 400, person=person, name=name, report=None, form=form, error=str(error),
                    **_chrome(name))
    except NotAllowed as error:  # an administrator removed since signing in
        return _refused(person, str(error))
    return page("admin_report.html", person=person, name=name, report=report, form=form, error=None,
                charts=charts_of(report), shown=shown, zip=zip, **_chrome(name))


@admin.get("/admin/reports/<name>.csv")
def report_csv(name: str) -> Response:
    person, refusal = _guard()
    if refusal is not None:
        return refusal
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
        return _redirect(bot.urls.paths.admin_home)
    state, nonce = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    response = _redirect(provider.authorize_url(bot.urls.admin_callback, state, nonce))
    back = request.args.get("next", "")
    _set_cookie(response, SIGNIN, site().signins.dump({"s": state, "o": nonce, "n": _own(back)}), site().signins.max_age)
    return response


@admin.get("/admin/callback")
def finish_sign_in() -> Response:
    bot, provider = badgebot(), checkin_site().sign_in()
    pending = site().signins.load(request.cookies.get(SIGNIN))
    if provider is None or pending is None or not secrets.compare_digest(
            request.args.get("state", ""), str(pending.get("s", ""))):
        return page("admin_signin.html", 400, person=None, signin=provider is not None,
                    message="This sign-in expired, or began in another browser. Sign in again.")
    if request.args.get("error") or not request.args.get("code"):
        return _forget(page("admin_signin.html", 400, person=None, signin=True,
                            message="You did not finish signing in with Slack."), SIGNIN)
    try:
        identity = provider.identify(request.args["code"], bot.urls.admin_callback, str(pending["o"]))
    except SignInFailed as error:
        return _forget(page("admin_signin.html", 400, person=None, signin=True, message=str(error)), SIGNIN)
    response = _redirect(str(pending.get("n") or bot.urls.paths.admin_home))
    _set_cookie(_forget(response, SIGNIN), SESSION,
                site().sessions.dump({"u": identity.user_id, "n": identity.name, "w": identity.team_id}),
                site().sessions.max_age)
    return response


@admin.post("/admin/signout")
def sign_out() -> Response:
    return _forget(_redirect(badgebot().urls.paths.admin_home), SESSION)


# -- helpers ---------------------------------------------------------------------------------------


def page(template: str, status: int = 200, /, **values: Any) -> Response:
    return render(template, status, **({"reports": [(n, TITLES[n]) for n in REPORTS]} | values))


def who() -> dict[str, Any] | None:
    """Who signed in to the console on this browser, if anyone."""
    return site().sessions.load(request.cookies.get(SESSION))


def _guard() -> tuple[dict[str, Any], Response | None]:
    """The signed-in administrator, or the page to answer with instead: sign in (nobody yet), 403 (not an admin)."""
    person = who()
    if person is None:
        return {}, page("admin_signin.html", person=None, signin=checkin_site().sign_in() is not None, message=None,
                        next=request.full_path.rstrip("?"))
    if not badgebot().ctx.is_admin(person["u"]):
        return person, _refused(person, "Only program administrators can see the program's reports.")
    return person, None


def _refused(person: dict[str, Any], reason: str) -> Response:
    return page("admin_message.html", 403, person=person, heading="Not for this account",
                message=f"You are signed in as {person.get('n') or person['u']}. {reason} "
                        "If you should have access, ask the office to add you to the catalog's [roles] admins.")


def _form() -> dict[str, str]:
    return {k: request.args.get(k, "").strip() for k in ("since", "until", "issuer")}


def _run(name: str, person: dict[str, Any], form: dict[str, str]) -> Report:
    bot = badgebot()
    scope = ReportFilter.parse(form["since"], form["until"], form["issuer"])
    return run_report(bot.ctx, name, person["u"], scope, target_days=bot.settings.decision_target_days)


def _chrome(name: str) -> dict[str, Any]:
    query = request.query_string.decode()
    csv_url = badgebot().urls.paths.admin_report(name, csv=True)
    return {"title": TITLES[name], "issuers": ISSUERS,
            "csv_url": lambda table: f"{csv_url}?{query + '&' if query else ''}table={table}"}


def _own(path: str) -> str:
    """`path` when it is a console page of ours, so a sign-in link cannot send anyone elsewhere."""
    home = badgebot().urls.paths.admin_home
    return path if path == home or path.startswith(home + "/") else ""


def _redirect(location: str, status: int = 303) -> Response:
    return cast(Response, redirect(location, code=status))


def _set_cookie(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path=site().cookie_path, secure=site().secure, httponly=True,
                        samesite="Lax")


def _forget(response: Response, name: str) -> Response:
    response.delete_cookie(name, path=site().cookie_path, secure=site().secure, httponly=True, samesite="Lax")
    return response
