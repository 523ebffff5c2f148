"""What every phone page shares: the token cookie, the CSRF token, rendering and the refusal pages."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode
from weakref import WeakKeyDictionary

import anyio
from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.datastructures import FormData

from activity_day.api.reads import read_handler
from activity_day.documents.render import environment
from activity_day.domain.hashing import sha256_hex
from activity_day.domain.months import TZ
from activity_day.resources import STATIC_DIR

# One cookie per role, so a phone that holds a station's link and an observer's keeps both.
COOKIES = {"station": "ad_m_station", "team": "ad_m_team", "observer": "ad_m_observer", "speaker": "ad_m_speaker"}
COOKIE_DAYS = 120
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
# No inline script or style: whatever text a page shows can never run as code.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'",
}
INVALID_LINK = "链接无效、已过期或已停用，请向县文明办索取新的链接或二维码"
FORBIDDEN = "无权访问：这不是您可以查看的内容"


# Pages are reads: in the event loop when the database is on this machine (`api/reads.py`). With the database on
# another host they run in their own few threads per worker (at most three contend: a page is CPU under one
# interpreter lock), and never wait behind the writes, which keep the shared pool.
PAGE_THREADS = 3
_page_limiters: WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = WeakKeyDictionary()


def _page_limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _page_limiters.get(loop)
    if limiter is None:
        limiter = _page_limiters[loop] = anyio.CapacityLimiter(PAGE_THREADS)
    return limiter


def page_handler(page: Callable[..., Response]) -> Callable[..., Awaitable[Response]]:
    """A page's (synchronous) handler: in the event loop when the database is on this machine, else in the pages'
    own threads. FastAPI sees the same parameters."""
    return read_handler(page, _page_limiter)


def is_month(text: str | None) -> bool:
    return bool(text) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text or "") is not None


def csrf_token(token: str) -> str:
    """The CSRF token of a session: derived from its (HttpOnly, secret) token, so only its own pages know it."""
    return sha256_hex(f"csrf|{token}")[:32]


def csrf_ok(token: str, given: str | None) -> bool:
    # As bytes: compare_digest refuses str with non-ASCII characters (a forged field would be a 500, not a 403).
    return bool(given) and hmac.compare_digest(csrf_token(token).encode(), str(given).encode())


def cookie_token(request: Request, role: str) -> str | None:
    return request.cookies.get(COOKIES[role]) or None


def secure(request: Request) -> bool:
    """Whether cookies are Secure: over https (as the trusted proxies say, ACTIVITY_DAY_TRUSTED_PROXIES), or
    whenever the pages are published at an https address, whatever the proxy in front says."""
    return request.url.scheme == "https" or request.app.state.public_https


def enter(request: Request, role: str, token: str) -> RedirectResponse:
    """The first visit's answer: the token into an HttpOnly cookie, and the same page without it in the URL."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "t"]
    target = request.url.path + (f"?{urlencode(query)}" if query else "")
    response = RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)
    response.set_cookie(COOKIES[role], token, max_age=COOKIE_DAYS * 86400, path="/m", httponly=True,
                        samesite="lax", secure=secure(request))
    return response


# --- flash: what the server says after an action, for the next page only -----------------------------------------
# A message after an action (活动计划已报送, 已接单…) rides in a short-lived cookie the server signs with the holder's
# token, never in the URL: a shared link cannot make a page say something the server did not.
FLASH_COOKIE = "ad_m_flash"
FLASH_SECONDS = 120


def _flash_mac(token: str, body: str) -> str:
    return hmac.new(f"flash|{token}".encode(), body.encode(), hashlib.sha256).hexdigest()[:32]


def redirect_with_flash(request: Request, url: str, token: str, page: str, **payload: Any) -> RedirectResponse:
    """A 303 to `url` that leaves `payload` (what happened, for the next view of `page`) in a signed cookie."""
    body = base64.urlsafe_b64encode(json.dumps({"page": page, **payload}, ensure_ascii=False).encode()).decode()
    response = RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)
    response.set_cookie(FLASH_COOKIE, f"{body}.{_flash_mac(token, body)}", max_age=FLASH_SECONDS, path="/m",
                        httponly=True, samesite="lax", secure=secure(request))
    return response


def take_flash(request: Request, token: str, page: str) -> dict[str, Any] | None:
    """The flash this holder's last action left for `page`, if the server signed it; else None."""
    value = request.cookies.get(FLASH_COOKIE) or ""
    body, _, mac = value.rpartition(".")
    if not body or not token or not hmac.compare_digest(_flash_mac(token, body).encode(), mac.encode()):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(body.encode()))
    except ValueError:
        return None
    return payload if isinstance(payload, dict) and payload.get("page") == page else None


def shown(request: Request, response: Response) -> Response:
    """A page's response, with the flash (if one came) used up."""
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/m", httponly=True, samesite="lax", secure=secure(request))
    return response


@lru_cache(maxsize=32)
def static_url(name: str) -> str:
    """A static file's address with its checksum (read once per process), so phones may cache it for long."""
    return f"/m/static/{name}?v={sha256_hex((STATIC_DIR / name).read_bytes())[:10]}"


def render(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(fragment(template, **context), status_code=status, headers=SECURITY_HEADERS)


def fragment(template: str, **context: Any) -> Markup:
    """A page template (or a part of a page: a plan row, a station card) rendered as HTML."""
    return Markup(environment().get_template(f"mobile/{template}").render(static=static_url, **context))


def refusal_page(status: int, message: str, back: str | None = None) -> HTMLResponse:
    """A refusal with its reason and a way back: to `back` (the holder's page), else to the page before."""
    titles = {401: "无法打开", 403: "无权访问", 404: "没有找到", 409: "暂不能办理", 422: "内容有误"}
    return render("message.html", status=status, title=titles.get(status, "出错了"), message=message, back=back)


EXPIRED = "页面已过期，请刷新后重新填写"


async def month_form(request: Request, token: str) -> tuple[FormData, str, Response | None]:
    """A page form's fields and month, once its CSRF token and month are checked; else the refusal page."""
    form = await request.form()
    month = str(form.get("month") or "")
    if not csrf_ok(token, form.get(CSRF_FIELD)):  # type: ignore[arg-type]
        return form, month, refusal_page(403, EXPIRED)
    if not is_month(month):
        return form, month, refusal_page(422, "月份不对，请刷新页面")
    return form, month, None


def split_problems(problems: Iterable[dict[str, Any]], place: Callable[[dict[str, Any]], Any | None],
                   fallback: str) -> tuple[dict[Any, str], list[str]]:
    """A service's problems: each one `place` puts by a field (a key of the page's form) goes there, joined by ；
    when several share a field; the others go to the top, and `fallback` when there are none at all."""
    errors: dict[Any, str] = {}
    top = []
    for p in problems:
        key = place(p)
        if key is not None:
            errors[key] = f"{errors[key]}；{p['reason']}" if key in errors else p["reason"]
        else:
            top.append(p.get("text") or p.get("reason") or "")
    if not errors and not top:
        top.append(fallback)
    return errors, top


def refusal_json(status: int, message: str, problems: list[dict[str, Any]] | None = None) -> JSONResponse:
    return JSONResponse({"message": message, "problems": problems or []}, status_code=status,
                        headers=SECURITY_HEADERS)


def local_today(now: datetime) -> date:
    return now.astimezone(TZ).date()


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@lru_cache(maxsize=8192)
def map_link(name: str, township: str, longitude: float | None, latitude: float | None) -> str:
    """A link that opens the place in a map app (Amap's web URI, which WeChat's browser hands on); made once per
    place and process (a team's or observer's page has one per station)."""
    label = quote(f"{township}{name}")
    if longitude is not None and latitude is not None:
        return f"https://uri.amap.com/marker?position={longitude:.6f},{latitude:.6f}&name={label}&coordinate=wgs84"
    return f"https://uri.amap.com/search?keyword={label}"
