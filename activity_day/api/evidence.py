"""Routes for issue 15 (evidence); included by `create_app`."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
