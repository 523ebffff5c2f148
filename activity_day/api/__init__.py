"""The intake API the stations' WeChat mini program talks to.

Each station holds a bearer token; a token reaches its own station's data only. Submissions carry a
client-chosen id, so a replay (a retry after a lost answer) returns the stored result and writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, status
from fastapi.encoders import jsonable_encoder
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from activity_day.api import evidence, findings, lectures, mobile, scoring
from activity_day.api.auth import DEFAULT_MAX_BODY, Month, Round, Station, clock, current_station, own_station
from activity_day.api.errors import error_responses, install_handlers
from activity_day.api.reads import read_handler
from activity_day.api.schemas import (
    MONTH_PATTERN,
    ActivityPublic,
    ApplicationCreate,
    ApplicationPublic,
    ChecklistItemPublic,
    ChecklistPublic,
    Health,
    PlanCreate,
    PlanPublic,
    SubmissionAccepted,
    SubmissionsPublic,
    TaskBlockPublic,
)
from activity_day.context import Context, bound, current
from activity_day.errors import OperatorError
from activity_day.services.demonstration import application_of, apply_for
from activity_day.services.submissions import submissions_of, submit_plan
from activity_day.settings import Settings
from activity_day.store import crud
from activity_day.store.database import ensure_schema, transaction


class InContext:
    """ASGI middleware: each request runs in the app's context (bound for the request, so it follows the request
    into the thread pool that runs the routes)."""

    def __init__(self, app: ASGIApp, ctx: Context) -> None:
        self.app, self.ctx = app, ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with bound(self.ctx):
            await self.app(scope, receive, send)


def served_app() -> FastAPI:
    """The app `activity-day api` serves (in each worker process): bodies up to what any county's profile allows."""
    ensure_schema()
    with transaction(read_only=True) as session:
        limits = [crud.load_profile_of(session=session, county=c).intake.max_body_bytes
                  for c in crud.county_codes(session=session)]
    return create_app(max(limits, default=DEFAULT_MAX_BODY))


def create_app(max_body_bytes: int = DEFAULT_MAX_BODY, settings: Settings | Context | None = None) -> FastAPI:
    """The API and the phone pages, in a context: the one given (settings alone get the system clock), else the
    one in force. Every request runs in it (`activity_day.context.current()`, bound per request); the settings stay
    here, with the app's entry point: what the pages need of them is on `app.state` by name."""
    ctx = settings if isinstance(settings, Context) else Context(settings) if settings else current()
    settings = ctx.settings
    with bound(ctx):
        ensure_schema()
    app = FastAPI(
        title="activity-day 所站活动计划报送接口",
        version="1",
        description="新时代文明实践所站通过微信小程序读取本月活动清单、报送和查询活动计划。"
                    "所有拒绝（4xx）的响应体都是 ApiError：code、message（中文）和逐项的 problems。",
    )
    app.add_middleware(evidence.BodyLimits, limit=max_body_bytes)  # photo uploads get a wider cap
    # Pages, scripts and JSON compressed for phones on a weak signal (a station page: about 50 KB, 6 KB gzipped).
    # Level 6 (zlib's default, not Starlette's 9): a station page 1 % larger, compressed in two thirds of the time.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    # Outermost: the scheme and client address as the trusted proxies give them (https behind a TLS proxy).
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.add_middleware(InContext, ctx=ctx)  # outermost: the handlers, dependencies and thread pool all see it
    app.state.public_https = settings.public_url.startswith("https://")  # the pages' cookies are Secure
    install_handlers(app)
    authed = error_responses(401, 403, 413, 422)

    @app.get("/api/v1/health", tags=["system"], summary="服务状态", operation_id="health")
    def health() -> Health:
        return Health(status="ok")

    @app.get("/api/v1/months/{month}/checklist", tags=["checklist"], summary="本月活动清单", operation_id="get_checklist",
             responses=error_responses(401, 404, 413, 422))
    def checklist(month: Month, station: Annotated[Station, Depends(current_station)]) -> ChecklistPublic:
        with transaction(read_only=True) as session:
            content = crud.cached_plan_content(session=session, county=station.county, month=month)
        if content is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"{month}的正式方案尚未印发")
        return ChecklistPublic(
            month=month, activity_date=content.activity_date.isoformat(),
            deadline=content.dates.station_plans.isoformat(),
            tasks=[TaskBlockPublic(task=b.task, items=[
                ChecklistItemPublic(code=i.code, title=i.title, required=i.required, description=i.description)
                for i in b.items]) for b in content.checklist],
            required_codes=content.required_codes,
        )

    @app.put("/api/v1/stations/{code}/plans/{month}", tags=["plans"], summary="报送或替换本所站的月度活动计划",
             operation_id="submit_plan",
             response_model=SubmissionAccepted,
             responses=authed | error_responses(409, 422, refusal=True) | {
                 200: {"headers": {"Idempotent-Replayed": {
                     "description": "true：同一提交编号的重复提交，返回的是第一次的结果，未再写入",
                     "schema": {"type": "string", "enum": ["true", "false"]}}}}})
    def submit(month: Month, body: PlanCreate, station: Annotated[Station, Depends(own_station)],
               now: Annotated[datetime, Depends(clock)]) -> JSONResponse:
        outcome = submit_plan(county=station.county, station_code=station.code, month=month,
                              submission_id=body.submission_id,
                              activities=[a.model_dump(mode="json") for a in body.activities], now=now)
        return JSONResponse(jsonable_encoder(outcome.body), status_code=outcome.http_status,
                            headers={"Idempotent-Replayed": "true" if outcome.replay else "false"})

    @app.get("/api/v1/stations/{code}/plans/{month}", tags=["plans"], summary="读取本所站的月度活动计划",
             operation_id="read_plan",
             responses=authed | error_responses(404))
    @read_handler
    def read_plan(month: Month, station: Annotated[Station, Depends(own_station)]) -> PlanPublic:
        with transaction(read_only=True) as session:
            mine = crud.station_plan(session=session, county=station.county, month=month, station=station.code)
            rows = crud.station_activities(session=session, county=station.county, month=month, station=station.code)
        if mine is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "本月尚未报送活动计划")
        return PlanPublic(
            station_code=station.code, month=month, late=bool(mine.late), channel=mine.channel,
            activities=[
                ActivityPublic(name=r.name, task=r.task, action_kind=r.action_kind,
                               start_time=r.start_time.isoformat(timespec="minutes"), location=r.location,
                               expected_participants=int(r.expected_participants), checklist_code=r.checklist_code,
                               volunteer_team=r.volunteer_team)
                for r in rows
            ],
        )

    @app.put("/api/v1/stations/{code}/demonstration/{round_}", tags=["demonstration"],
             summary="申报（或修改申报）本年度示范所站", operation_id="apply_demonstration",
             responses=authed | error_responses(409))
    def apply_demonstration(round_: Round, body: ApplicationCreate,
                            station: Annotated[Station, Depends(own_station)]) -> ApplicationPublic:
        try:
            return ApplicationPublic(**apply_for(station.county, station.code, round_, body.brand, body.statement))
        except OperatorError as exc:  # the round is past its applications
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None

    @app.get("/api/v1/stations/{code}/demonstration/{round_}", tags=["demonstration"],
             summary="本所站的示范所站申报及其进展", operation_id="read_demonstration_application",
             responses=authed | error_responses(404))
    def read_application(round_: Round, station: Annotated[Station, Depends(own_station)]) -> ApplicationPublic:
        found = application_of(station.county, station.code, round_)
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"本所站没有{round_}年度的示范所站申报")
        return ApplicationPublic(**found)

    @app.get("/api/v1/stations/{code}/submissions", tags=["plans"], summary="本所站的提交记录和状态",
             operation_id="list_submissions",
             responses=authed)
    def submissions(station: Annotated[Station, Depends(own_station)],
                    month: Annotated[str | None, Query(pattern=MONTH_PATTERN)] = None) -> SubmissionsPublic:
        return SubmissionsPublic(station_code=station.code,
                                 submissions=submissions_of(county=station.county, station=station.code, month=month))

    for module in (evidence, findings, lectures, scoring):
        app.include_router(module.router)
    mobile.mount(app)  # the phone pages: /m/station, /m/team, /m/observer, /m/speaker
    return app
