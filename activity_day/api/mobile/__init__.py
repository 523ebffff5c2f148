"""Phone pages (H5) for stations, inspection teams, civic observers and lecture speakers, opened inside WeChat's browser.

Server-rendered Jinja2 pages (templates/mobile/) with a little plain JavaScript (api/static/), calling the same
services as the JSON API. A token arrives once, in the link (`/m/station?t=TOKEN`): the page answers with an
HttpOnly cookie and a redirect to the same page without it, so the token never stays in the address bar, the
history or a Referer. Every form carries a CSRF token bound to the cookie's token.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from activity_day.api.mobile import scorers, speaker, station

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


def mount(app) -> None:
    """Add the phone pages and their static files to the app."""
    app.mount("/m/static", StaticFiles(directory=STATIC_DIR), name="mobile-static")
    router = APIRouter(include_in_schema=False)
    router.include_router(station.router)
    router.include_router(scorers.router)
    router.include_router(speaker.router)
    app.include_router(router)
