"""Routes for issue 15 (findings); included by `create_app`."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
