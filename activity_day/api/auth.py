"""Who is calling: the bearer token's station, checked against the path (403 with no detail otherwise)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Path, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from activity_day.api.reads import read_handler
from activity_day.api.schemas import MONTH_PATTERN, AnyCode
from activity_day.context import current
from activity_day.domain.codes import normalize_code
from activity_day.intake import LIMITS, H
from activity_day.services.submissions import station_for_token
from activity_day.store.database import transaction

DEFAULT_MAX_BODY = 262144
Month = Annotated[str, Path(pattern=MONTH_PATTERN, description="月份 YYYY-MM", examples=["2026-12"])]
Round = Annotated[str, Path(pattern=r"^\d{4}$", description="评选年度，如 2027", examples=["2027"])]
StationCode = Annotated[str, Path(max_length=LIMITS[H.STATION_CODE], description="所站编号（须是令牌所属所站）"),
                        AnyCode]


class Station(BaseModel):
    county: str
    code: str


bearer = HTTPBearer(auto_error=False, description="所站令牌（activity-day tokens issue 生成）")


@read_handler  # in the event loop when the database is on this machine (api/reads.py)
def current_station(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Station:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "缺少令牌", headers={"WWW-Authenticate": "Bearer"})
    with transaction(read_only=True) as session:
        token = station_for_token(session=session, token=credentials.credentials)
        if token is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "令牌无效、已过期或已停用",
                                headers={"WWW-Authenticate": "Bearer"})
        return Station(county=token.county, code=token.station_code)


async def own_station(code: StationCode,
                      station: Annotated[Station, Depends(current_station)]) -> Station:
    """The path's station, if it is the token's own; 403 with no detail about any other station (async: no
    statement, no hop to a thread)."""
    if code != normalize_code(station.code):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "无权访问")
    return station


async def clock() -> datetime:
    """The request's time, from its context's clock (async: read in the event loop, not a hop to a thread)."""
    return current().now()
