"""Phone pages (H5) for stations, inspection teams, civic observers and lecture speakers, opened inside WeChat's browser.

Server-rendered Jinja2 pages (templates/mobile/) with a little plain JavaScript (api/static/), calling the same
services as the JSON API. A token arrives once, in the link (`/m/station?t=TOKEN`): the page answers with an
HttpOnly cookie and a redirect to the same page without it, so the token never stays in the address bar, the
history or a Referer. Every form carries a CSRF token bound to the cookie's token.
"""

from __future__ import annotations

from fastapi.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from activity_day.api.mobile import scorers, speaker, station
from activity_day.resources import STATIC_DIR

# Pages link their CSS and scripts with the file's checksum (`pages.static_url`): a phone keeps such a file for a
# year and asks again only when a new release changes the checksum; an address without it is checked every time.
CACHED = b"public, max-age=31536000, immutable"
CHECKED = b"no-cache"


class CachedStaticFiles(StaticFiles):
    """Static files with a Cache-Control header: long-lived when the address names the version."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        versioned = b"v=" in scope.get("query_string", b"")

        async def with_cache_control(message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                message["headers"] = [*message.get("headers", []),
                                      (b"cache-control", CACHED if versioned else CHECKED)]
            await send(message)

        await super().__call__(scope, receive, with_cache_control)


def mount(app) -> None:
    """Add the phone pages and their static files to the app."""
    app.mount("/m/static", CachedStaticFiles(directory=STATIC_DIR), name="mobile-static")
    for module in (station, scorers, speaker):
        app.include_router(module.router, include_in_schema=False)
