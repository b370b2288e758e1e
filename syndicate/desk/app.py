"""The editor's desk: a small server-rendered WSGI application under ``/desk/``.

Every page needs a session (a signed cookie from the login form); without one, any GET shows
the login form and nothing else, and any POST is refused (403). Every POST needs the session's CSRF token
and, when the browser sends an ``Origin``, this host as its origin; changes need the
``editor`` role. Pages read and actions write only through the store and ledger functions
(:mod:`syndicate.desk.views`, :mod:`syndicate.desk.actions`).
"""

from __future__ import annotations

import hmac
import logging
import mimetypes
import secrets
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from syndicate.config import Config
from syndicate.desk import actions, views
from syndicate.desk.accounts import User, check_login
from syndicate.desk.session import LOGIN_COOKIE, SESSION_COOKIE, LoginLimiter, Session, Signer
from syndicate.store.overrides import OverrideError

log = logging.getLogger("syndicate.desk")
PREFIX = "/desk/"
HERE = Path(__file__).parent
STATIC = HERE / "static"
STATIC_FILES = {"desk.css", "desk.js"}
MAX_FORM = 256 * 1024
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data: https: http:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; frame-src 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
DONE_MESSAGES = {
    "release": "Released {n}: the next pass sends {them}.",
    "hold": "Held {n}: {they} wait until someone releases {them}.",
    "reject": "Rejected {n}: {they} will not be sent.",
    "enable": "Source enabled.",
    "disable": "Source disabled.",
    "fetch": "Source is due now: the next pass fetches it.",
    "attribution": "Attribution saved: every later render uses it.",
}

URLS = Map(
    [
        Rule("/desk/", endpoint="queue", methods=["GET"]),
        Rule("/desk/login", endpoint="login", methods=["POST"]),
        Rule("/desk/logout", endpoint="logout", methods=["POST"]),
        Rule("/desk/item/<delivery>", endpoint="item", methods=["GET"]),
        Rule("/desk/item/<delivery>/<any(release, hold, reject):action>", endpoint="decide", methods=["POST"]),
        Rule("/desk/batch", endpoint="batch", methods=["POST"]),
        Rule("/desk/articles", endpoint="articles", methods=["GET"]),
        Rule("/desk/article/<article_id>", endpoint="article", methods=["GET"]),
        Rule("/desk/article/<article_id>/attribution", endpoint="attribution", methods=["POST"]),
        Rule("/desk/sources", endpoint="sources", methods=["GET"]),
        Rule("/desk/sources/<name>/<any(enable, disable, fetch):action>", endpoint="source_action", methods=["POST"]),
        Rule("/desk/targets", endpoint="targets", methods=["GET"]),
        Rule("/desk/activity", endpoint="activity", methods=["GET"]),
        Rule("/desk/audit", endpoint="audit", methods=["GET"]),
    ],
    strict_slashes=False,
)
CHANGES = {"decide", "batch", "attribution", "source_action"}  # endpoints only an editor may call


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["when"] = lambda value: value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"
    env.filters["short"] = lambda value, n=12: (value or "")[:n]
    return env


class DeskApp:
    """The desk's WSGI callable; build it with :func:`syndicate.desk.make_desk`."""

    def __init__(
        self,
        engine: Any,
        config: Config,
        users: Mapping[str, User],
        *,
        key: bytes | None = None,
        limiter: LoginLimiter | None = None,
    ):
        self.engine = engine
        self.config = config
        self.users = dict(users)
        desk = config.desk
        ttl = desk.session_ttl if desk is not None else 12 * 3600.0
        secret = (desk.session_secret if desk is not None else None) or None
        self.signer = Signer(key or (secret.encode() if secret else secrets.token_bytes(32)), ttl)
        self.limiter = limiter or LoginLimiter()
        self.secure_mode = desk.secure_cookies if desk is not None else "auto"
        self.env = _environment()

    def follow(self, config: Config, users: Mapping[str, User]) -> None:
        """Take a configuration read again (SIGHUP): its sources, targets and users — a user removed can no
        longer log in or act, a password file rotated takes effect. Sessions stay valid unless the
        session secret changed; the address the desk listens on needs a restart."""
        desk = config.desk
        old_secret = self.config.desk.session_secret if self.config.desk is not None else None
        new_secret = desk.session_secret if desk is not None else None
        if not hmac.compare_digest((new_secret or "").encode(), (old_secret or "").encode()):
            ttl = desk.session_ttl if desk is not None else self.signer.ttl
            self.signer = Signer(new_secret.encode() if new_secret else secrets.token_bytes(32), ttl)
        elif desk is not None:
            self.signer.ttl = desk.session_ttl
        self.config = config
        self.users = dict(users)
        self.secure_mode = desk.secure_cookies if desk is not None else "auto"
        if not self.users:
            log.warning("%s: [desk] has no user who can log in after the reload; nobody can log in", config.path)

    # -- WSGI ----------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        request.max_form_memory_size = MAX_FORM
        try:
            response = self._respond(request)
        except HTTPException as exc:
            response = self._error(request, exc.code or 500, exc.description or exc.name)
        except Exception:  # one line in the log; the page says only that it failed
            log.exception("desk: %s %s failed", request.method, request.path)
            response = self._error(request, 500, "Something went wrong; the server log has the details.")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response(environ, start_response)

    def _respond(self, request: Request) -> Response:
        path = request.path
        if path == "/desk":
            return redirect(PREFIX, 308)
        if path.startswith(PREFIX + "static/"):
            return self._static(path[len(PREFIX + "static/") :])
        adapter = URLS.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except NotFound:
            endpoint, args = "", {}
        except HTTPException as exc:  # e.g. 405
            return self._error(request, exc.code or 400, exc.description or exc.name)
        session, user = self._session(request)
        if user is None or session is None:
            if endpoint == "login":
                return self._login(request)
            if request.method == "POST":
                return self._error(request, 403, "You are not logged in (or your session has ended). Log in again.")
            return self._login_page(request)  # 200: a browser logs any other status as a console error
        if request.method == "POST":
            refusal = self._refuse_post(request, session, user, endpoint)
            if refusal is not None:
                return refusal
        if not endpoint:
            return self._error(request, 404, "There is no such page on the desk.", user=user, session=session)
        handler = getattr(self, f"page_{endpoint}")
        response: Response = handler(request, user, session, **args)
        return response

    def _refuse_post(self, request: Request, session: Session, user: User, endpoint: str) -> Response | None:
        origin = request.headers.get("Origin")  # "null" under Referrer-Policy: no-referrer: the token decides
        if origin and origin != "null" and not _same_site(origin, request):
            return self._error(request, 403, "This form came from another site; it was refused.")
        if not self.signer.csrf_ok(session.nonce, request.form.get("csrf")):
            return self._error(request, 403, "The form's security token is missing or wrong; reload the page.",
                               user=user, session=session)
        if endpoint in CHANGES and not user.can_change:
            return self._error(request, 403, f"{user.name} is a viewer: viewers cannot change anything.",
                               user=user, session=session)
        return None

    # -- sessions and login -------------------------------------------------------------

    def _session(self, request: Request) -> tuple[Session | None, User | None]:
        session = self.signer.read_session(request.cookies.get(SESSION_COOKIE))
        if session is None:
            return None, None
        return session, self.users.get(session.user)

    def _secure(self, request: Request) -> bool:
        if self.secure_mode != "auto":
            return self.secure_mode == "always"
        forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        return request.scheme == "https" or forwarded == "https"

    def _set_cookie(self, request: Request, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name, value, max_age=max_age, path=PREFIX, httponly=True, samesite="Strict", secure=self._secure(request)
        )

    def _login_page(self, request: Request, *, status: int = 200, error: str | None = None) -> Response:
        nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(16)
        response = self._render(
            "login.html.j2", status=status, error=error, csrf=self.signer.csrf_token("login:" + nonce),
            user=None, session=None, request=request,
        )
        self._set_cookie(request, response, LOGIN_COOKIE, nonce, 3600)
        return response

    def _login(self, request: Request) -> Response:
        nonce = request.cookies.get(LOGIN_COOKIE)
        if nonce is None or not self.signer.csrf_ok("login:" + nonce, request.form.get("csrf")):
            return self._login_page(request, status=403, error="The login form had expired; try again.")
        name = request.form.get("username", "").strip()
        keys = (f"addr:{request.remote_addr}", f"user:{name.lower()}")
        wait = self.limiter.retry_after(keys)
        if wait > 0:
            response = self._login_page(
                request, status=429, error=f"Too many failed logins; try again in {int(wait) + 1} seconds."
            )
            response.headers["Retry-After"] = str(int(wait) + 1)
            return response
        user = check_login(self.users, name, request.form.get("password", ""))
        if user is None:
            self.limiter.failed(keys)
            log.warning("desk: failed login for %r from %s", name[:50], request.remote_addr)
            return self._login_page(request, error="Wrong user name or password.")
        self.limiter.succeeded(keys)
        _session, cookie = self.signer.new_session(user.name)
        log.info("desk: %s logged in from %s", user.name, request.remote_addr)
        response = redirect(PREFIX, 303)
        self._set_cookie(request, response, SESSION_COOKIE, cookie, int(self.signer.ttl))
        response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
        return response

    def page_logout(self, request: Request, user: User, session: Session) -> Response:
        response = redirect(PREFIX, 303)
        response.delete_cookie(SESSION_COOKIE, path=PREFIX)
        return response

    # -- rendering ----------------------------------------------------------------------

    def _render(self, template: str, *, status: int = 200, **values: Any) -> Response:
        session: Session | None = values.get("session")
        request: Request | None = values.get("request")
        done = _done_message(request) if request is not None else None
        html = self.env.get_template(template).render(
            csrf=self.signer.csrf_token(session.nonce) if session else values.pop("csrf", ""),
            prefix=PREFIX,
            done=done,
            nav=values.pop("nav", ""),
            **{k: v for k, v in values.items() if k != "csrf"},
        )
        return Response(html, status, content_type="text/html; charset=utf-8")

    def _page(self, template: str, request: Request, user: User, session: Session, **values: Any) -> Response:
        return self._render(template, request=request, user=user, session=session, **values)

    def _error(
        self, request: Request, status: int, message: str, *, user: User | None = None, session: Session | None = None
    ) -> Response:
        return self._render(
            "error.html.j2", status=status, message=message, user=user, session=session, request=request, csrf=""
        )

    def _static(self, name: str) -> Response:
        if name not in STATIC_FILES:
            return Response("not found\n", 404, content_type="text/plain; charset=utf-8")
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        response = Response((STATIC / name).read_bytes(), 200, content_type=f"{kind}; charset=utf-8")
        response.headers["Cache-Control"] = "private, max-age=300"
        return response

    # -- pages ----------------------------------------------------------------------------

    def page_queue(self, request: Request, user: User, session: Session) -> Response:
        state = request.args.get("state", "review")
        if state not in views.QUEUE_STATES:
            state = "review"
        data = views.queue(
            self.engine, self.config, state=state, target=request.args.get("target"),
            source=request.args.get("source"),
        )
        return self._page("queue.html.j2", request, user, session, nav="queue", **data)

    def page_item(self, request: Request, user: User, session: Session, delivery: str) -> Response:
        data = views.item(self.engine, self.config, delivery)
        if data is None:
            return self._error(request, 404, "There is no such delivery.", user=user, session=session)
        return self._page("item.html.j2", request, user, session, nav="queue", **data)

    def page_decide(self, request: Request, user: User, session: Session, delivery: str, action: str) -> Response:
        done, skipped = actions.decide(
            self.engine, action, [delivery], actor=user.name, reason=request.form.get("reason")
        )
        return redirect(f"{PREFIX}item/{delivery}?" + urlencode({"done": action, "n": done, "skipped": skipped}), 303)

    def page_batch(self, request: Request, user: User, session: Session) -> Response:
        one = request.form.get("one", "")  # a row's own button: "action:delivery id"
        if one:
            action, _, delivery = one.partition(":")
            ids = [delivery]
        else:
            action, ids = request.form.get("action", ""), request.form.getlist("id")
        if action not in actions.DELIVERY_ACTIONS:
            return self._error(request, 400, "Choose Release, Hold or Reject.", user=user, session=session)
        if not ids:
            return self._error(request, 400, "Select at least one item first.", user=user, session=session)
        done, skipped = actions.decide(self.engine, action, ids, actor=user.name, reason=request.form.get("reason"))
        back = _local(request.form.get("back"))
        query = urlencode({"done": action, "n": done, "skipped": skipped})
        return redirect(f"{back}{'&' if '?' in back else '?'}{query}", 303)

    def page_articles(self, request: Request, user: User, session: Session) -> Response:
        page = request.args.get("page", "0")
        data = views.articles_page(
            self.engine, text=request.args.get("q", "").strip(), source=request.args.get("source", ""),
            page=int(page) if page.isdigit() else 0,
        )
        return self._page("articles.html.j2", request, user, session, nav="articles",
                          sources=[s.name for s in self.config.source], **data)

    def page_article(self, request: Request, user: User, session: Session, article_id: str) -> Response:
        data = views.article_page(self.engine, self.config, article_id)
        if data is None:
            return self._error(request, 404, "There is no such article.", user=user, session=session)
        return self._page("article.html.j2", request, user, session, nav="articles", **data)

    def page_attribution(self, request: Request, user: User, session: Session, article_id: str) -> Response:
        form = {key: request.form.get(key, "") for key in views.FIELDS}
        try:
            actions.correct_attribution(self.engine, article_id, form, actor=user.name,
                                        reason=request.form.get("reason"))
        except OverrideError as exc:
            return self._error(request, 400, f"Not saved: {exc}.", user=user, session=session)
        back = _local(request.form.get("back"), f"{PREFIX}article/{article_id}")
        return redirect(f"{back}{'&' if '?' in back else '?'}done=attribution", 303)

    def page_sources(self, request: Request, user: User, session: Session) -> Response:
        data = views.sources_page(self.engine, self.config, views.now_utc())
        return self._page("sources.html.j2", request, user, session, nav="sources", **data)

    def page_source_action(self, request: Request, user: User, session: Session, name: str, action: str) -> Response:
        if name not in {s.name for s in self.config.source}:
            return self._error(request, 404, "There is no such source.", user=user, session=session)
        from syndicate.store.sources import sync_sources

        sync_sources(self.engine, self.config)  # a source never fetched yet has its row now
        changed = actions.source_action(self.engine, name, action, actor=user.name, reason=request.form.get("reason"))
        query = urlencode({"done": action if changed else "", "n": int(changed)})
        return redirect(f"{PREFIX}sources?{query}#source-{name}", 303)

    def page_targets(self, request: Request, user: User, session: Session) -> Response:
        data = views.targets_page(self.engine, self.config, views.now_utc())
        return self._page("targets.html.j2", request, user, session, nav="targets", **data)

    def page_activity(self, request: Request, user: User, session: Session) -> Response:
        data = views.activity_page(self.engine, views.now_utc())
        return self._page("activity.html.j2", request, user, session, nav="activity", **data)

    def page_audit(self, request: Request, user: User, session: Session) -> Response:
        return self._page("audit.html.j2", request, user, session, nav="audit", **views.audit_page(self.engine))


def _same_site(origin: str, request: Request) -> bool:
    """The browser's ``Origin`` names this host (as the request or a proxy's X-Forwarded-Host gives it).
    Hosts only, not schemes: behind a TLS proxy the origin is https and the request plain http."""
    netloc = urlsplit(origin).netloc.lower()
    hosts = {request.host.lower(), request.headers.get("X-Forwarded-Host", "").split(",")[0].strip().lower()}
    return bool(netloc) and netloc in hosts


def _local(path: str | None, default: str = PREFIX) -> str:
    """A path on the desk to go back to (never another site)."""
    if path and path.startswith(PREFIX) and "//" not in path and "\\" not in path:
        return path
    return default


def _done_message(request: Request) -> str | None:
    action = request.args.get("done", "")
    template = DONE_MESSAGES.get(action)
    if template is None:
        return None
    n = request.args.get("n", "0")
    count = int(n) if n.isdigit() else 0
    skipped = request.args.get("skipped", "0")
    text = template.format(n=f"{count} item" + ("s" if count != 1 else ""), they="they" if count != 1 else "it",
                           them="them" if count != 1 else "it")
    if skipped.isdigit() and int(skipped):
        text += f" {skipped} skipped: not in a state that allows it."
    if action in ("enable", "disable", "fetch") and not count:
        text = "Nothing changed: the source is disabled (enable it first)." if action == "fetch" else "Nothing changed."
    return text
