"""The intake API the stations' WeChat mini program talks to.

Each station holds a bearer token; a token reaches its own station's data only. Submissions carry a
client-chosen id, so a replay (a retry after a lost answer) returns the stored result and writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Query, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from activity_day.domain.dates import parse_month
from activity_day.intake import H
from activity_day.services.submissions import station_for_token, submissions_of, submit_plan, utcnow
from activity_day.store import crud
from activity_day.store.database import ensure_schema, transaction

MONTH_PATTERN = r"^\d{4}-\d{2}$"
DEFAULT_MAX_BODY = 262144
# What FastAPI answers (400) when the body is JSON Python cannot load, e.g. an integer of 5000 digits.
BODY_NOT_PARSED = "There was an error parsing the body"


class ActivityIn(BaseModel):
    """One planned activity; the same fields as a row of the plans file (活动计划)."""

    name: str = Field(description=H.ACTIVITY_NAME, max_length=2000)
    task: str = Field(description=f"{H.TASK}：五项工作任务之一，如 学习实践科学理论", max_length=50)
    action_kind: str = Field(description=f"{H.ACTION_KIND}：规定动作 / 自选动作 / 特色动作", max_length=20)
    start_time: str = Field(description=f"{H.START_TIME}（当地时间），如 2026-12-05T09:00 或 2026年12月5日 9时", max_length=40)
    location: str = Field(description=H.LOCATION, max_length=2000)
    expected_participants: int | str = Field(description=H.EXPECTED_PARTICIPANTS)
    checklist_code: str | None = Field(default=None, description=f"{H.CHECKLIST_CODE}（选填）", max_length=20)
    volunteer_team: str | None = Field(default=None, description=f"{H.VOLUNTEER_TEAM}（选填）", max_length=2000)


class PlanIn(BaseModel):
    submission_id: str = Field(min_length=8, max_length=80, pattern=r"^[A-Za-z0-9_.:-]+$",
                               description="客户端生成的提交编号（如 UUID）；重复提交同一编号不会重复写入")
    activities: list[ActivityIn] = Field(max_length=500)


class Station(BaseModel):
    county: str
    code: str


class BodyLimit:
    """Refuse request bodies over `limit` bytes (413) before they are read into memory."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and int(declared) > self.limit:
            await _too_large(scope, receive, send, self.limit)
            return
        seen = 0

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                # FastAPI passes HTTPException through while it reads the body (other errors become 400).
                raise StarletteHTTPException(413, f"请求内容过大（上限 {self.limit} 字节）")
            return message

        await self.app(scope, counted, send)


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = JSONResponse({"detail": f"请求内容过大（上限 {limit} 字节）"}, status_code=413)
    await response(scope, receive, send)


bearer = HTTPBearer(auto_error=False, description="所站令牌（activity-day tokens issue 生成）")


def current_station(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Station:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "缺少令牌", headers={"WWW-Authenticate": "Bearer"})
    with transaction() as session:
        token = station_for_token(session=session, token=credentials.credentials)
        if token is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "令牌无效或已停用",
                                headers={"WWW-Authenticate": "Bearer"})
        return Station(county=token.county, code=token.station_code)


def own_station(code: Annotated[str, Path(max_length=20)],
                station: Annotated[Station, Depends(current_station)]) -> Station:
    """The path's station, if it is the token's own; 403 with no detail about any other station."""
    if code != station.code:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "无权访问")
    return station


def clock() -> datetime:
    return utcnow()


def valid_month(month: str) -> str:
    try:
        parse_month(month)
    except ValueError:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "月份格式应为 YYYY-MM") from None
    return month


def create_app(max_body_bytes: int = DEFAULT_MAX_BODY) -> FastAPI:
    ensure_schema()
    app = FastAPI(
        title="activity-day 所站活动计划报送接口",
        version="1",
        description="新时代文明实践所站通过微信小程序读取本月活动清单、报送和查询活动计划。",
    )
    app.add_middleware(BodyLimit, limit=max_body_bytes)

    @app.exception_handler(RequestValidationError)
    async def malformed(_request, exc: RequestValidationError) -> JSONResponse:
        """Malformed requests (wrong JSON shape): a Chinese summary plus each field's error."""
        problems = [{"field": ".".join(str(p) for p in e["loc"][1:]), "type": e["type"], "message": e["msg"]}
                    for e in exc.errors()]
        return JSONResponse({"status": "malformed", "message": "请求格式有误，请检查以下字段", "problems": problems},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def unparsed(request, exc: StarletteHTTPException) -> JSONResponse:
        """A body that is not loadable JSON is malformed like any other (422, in Chinese); the rest as usual."""
        if exc.status_code == 400 and exc.detail == BODY_NOT_PARSED:
            return JSONResponse({"status": "malformed", "message": "请求内容无法解析，请检查以下字段", "problems": [
                {"field": "", "type": "json_invalid", "message": "请求内容不是可读取的 JSON（如数字位数过多）"}]},
                status_code=422)
        return await http_exception_handler(request, exc)

    @app.get("/api/v1/health", tags=["system"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v1/months/{month}/checklist", tags=["checklist"], summary="本月活动清单")
    def checklist(month: Annotated[str, Path(pattern=MONTH_PATTERN)],
                  station: Annotated[Station, Depends(current_station)]) -> dict[str, Any]:
        month = valid_month(month)
        with transaction() as session:
            plan = crud.get_plan(session=session, county=station.county, month=month, version=2)
        if plan is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"{month}的正式方案尚未印发")
        content = crud.plan_content(plan)
        return {
            "month": month, "activity_date": content.activity_date.isoformat(),
            "deadline": content.dates.station_plans.isoformat(),
            "tasks": [{"task": b.task, "items": [
                {"code": i.code, "title": i.title, "required": i.required, "description": i.description}
                for i in b.items]} for b in content.checklist],
            "required_codes": content.required_codes,
        }

    @app.put("/api/v1/stations/{code}/plans/{month}", tags=["plans"], summary="报送或替换本所站的月度活动计划",
             responses={409: {"description": "提交编号冲突、方案未印发或逾期不再接收"},
                        422: {"description": "内容有误，逐条列出行、列和原因"}})
    def submit(month: Annotated[str, Path(pattern=MONTH_PATTERN)], body: PlanIn,
               station: Annotated[Station, Depends(own_station)],
               now: Annotated[datetime, Depends(clock)]) -> JSONResponse:
        outcome = submit_plan(county=station.county, station_code=station.code, month=valid_month(month),
                              submission_id=body.submission_id,
                              activities=[a.model_dump() for a in body.activities], now=now)
        return JSONResponse(outcome.body, status_code=outcome.http_status,
                            headers={"Idempotent-Replayed": "true" if outcome.replay else "false"})

    @app.get("/api/v1/stations/{code}/plans/{month}", tags=["plans"], summary="读取本所站的月度活动计划")
    def read_plan(month: Annotated[str, Path(pattern=MONTH_PATTERN)],
                  station: Annotated[Station, Depends(own_station)]) -> dict[str, Any]:
        month = valid_month(month)
        with transaction() as session:
            plans = crud.station_plans_frame(session=session, county=station.county, month=month)
            acts = crud.activities_frame(session=session, county=station.county, month=month)
        mine = plans[plans["station_code"] == station.code]
        if mine.empty:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "本月尚未报送活动计划")
        rows = acts[acts["station_code"] == station.code]
        return {
            "station_code": station.code, "month": month, "late": bool(mine["late"].iloc[0]),
            "channel": mine["channel"].iloc[0],
            "activities": [
                {"name": r.name, "task": r.task, "action_kind": r.action_kind,
                 "start_time": r.start_time.isoformat(timespec="minutes"), "location": r.location,
                 "expected_participants": int(r.expected_participants), "checklist_code": r.checklist_code,
                 "volunteer_team": r.volunteer_team}
                for r in rows.itertuples()
            ],
        }

    @app.get("/api/v1/stations/{code}/submissions", tags=["plans"], summary="本所站的提交记录和状态")
    def submissions(station: Annotated[Station, Depends(own_station)],
                    month: Annotated[str | None, Query(pattern=MONTH_PATTERN)] = None) -> dict[str, Any]:
        return {"station_code": station.code,
                "submissions": submissions_of(county=station.county, station=station.code, month=month)}

    return app
