"""Routes for issue 15 (scoring); included by `create_app`."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
