"""A station's lecture orders (宣讲点单) from the official plan's menu, and the teams dispatched to them."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from activity_day.api.auth import Month, Station, clock, own_station
from activity_day.api.errors import error_body, error_responses
from activity_day.errors import MissingPrerequisite
from activity_day.intake import LIMITS, H
from activity_day.intake.lectures import AUDIENCE_MAX
from activity_day.services import lectures
from activity_day.services.lectures import OrderRefused

router = APIRouter(tags=["lectures"])
MenuCode = Annotated[str, Path(max_length=LIMITS[H.MENU_CODE], pattern=r"^[A-Za-z0-9-]+$",
                               description="菜单编号，如 XJ-03")]


class OrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: dt.date | None = Field(default=None, description="宣讲日期（本月内）；不写为集中活动日")
    audience: int = Field(ge=1, le=AUDIENCE_MAX, description="预计听众人数")


class Member(BaseModel):
    code: str
    township: str


class OrderPublic(BaseModel):
    order: str
    station: str
    township: str
    menu_code: str
    date: str
    audience: int
    team: list[Member]
    confirmed: list[str]
    declined: list[str]
    status: str = Field(description="ordered 待派单 / dispatched 已派单 / confirmed 已接单 / unserved 无法派单 / "
                                    "delivered 已宣讲")
    reason: str
    suggestion: str


class OrdersPublic(BaseModel):
    station_code: str
    orders: list[OrderPublic]


@router.put("/api/v1/stations/{code}/lectures/{month}/{menu_code}", summary="点单（或修改点单）：本月宣讲菜单中的一项",
            operation_id="order_lecture", responses=error_responses(401, 403, 404, 409, 413, 422))
def order(month: Month, menu_code: MenuCode, body: OrderCreate, station: Annotated[Station, Depends(own_station)],
          now: Annotated[datetime, Depends(clock)]) -> OrderPublic:
    try:
        found = lectures.order_from_api(station.county, station.code, month, menu_code,
                                        body.date.isoformat() if body.date else None, body.audience, now)
    except MissingPrerequisite as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except OrderRefused as exc:
        return JSONResponse(error_body(exc.status, str(exc), exc.problems), status_code=exc.status)
    return OrderPublic(**found)


@router.get("/api/v1/stations/{code}/lectures/{month}", summary="本所站本月的点单和派出的宣讲队",
            operation_id="list_lecture_orders", responses=error_responses(401, 403, 413, 422))
def orders(month: Month, station: Annotated[Station, Depends(own_station)]) -> OrdersPublic:
    return OrdersPublic(station_code=station.code,
                        orders=[OrderPublic(**r) for r in lectures.orders_of(station.county, station.code, month)])
