"""On-day evidence (活动纪实) through the API: photos uploaded once each, then check-ins and check-outs.

The mini program uploads each photo with `wx.uploadFile` (multipart/form-data, field `file`) and gets its
SHA-256; then it sends the check-in or check-out naming the photos by that digest. A record carries a
client id, so a replay returns the stored record and writes nothing.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from activity_day.api.auth import Month, Station, clock, own_station
from activity_day.api.errors import DESCRIPTIONS, BodyLimit, error_body, error_responses
from activity_day.api.schemas import SUBMISSION_ID, ApiError
from activity_day.domain.evidence import EvidenceKind
from activity_day.domain.months import TZ
from activity_day.models.enums import Verdict
from activity_day.services.evidence import EvidenceRefused, receive_photo, record_evidence, records_of


class MultipartRoute(APIRoute):
    """A route whose multipart body Starlette could not parse answers 422 naming the file field, like any
    other malformed request (Starlette says 400, in English)."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except StarletteHTTPException as exc:
                if exc.status_code != 400:
                    raise
                raise RequestValidationError([{"type": "multipart", "loc": ("body", "file"), "msg": str(exc.detail),
                                               "input": None}]) from None

        return guarded


router = APIRouter()
photo_router = APIRouter(route_class=MultipartRoute)

# The body cap of a photo upload (multipart included); each county's profile sets its own, lower, limit
# (evidence.max_photo_bytes), answered with the same 413.
PHOTO_MAX_BODY = 32 * 1024 * 1024
PHOTO_PATH = re.compile(r"/api/v1/stations/[^/]+/photos/?$|^/m/station/photos/?$")  # API and phone page
SHA256 = r"^[0-9a-f]{64}$"
MAX_PHOTOS = 9  # what wx.chooseMedia lets a user pick at once


class BodyLimits:
    """`BodyLimit` with the wider cap of photo uploads on their path, the API's own everywhere else."""

    def __init__(self, app: ASGIApp, limit: int):
        self.default = BodyLimit(app, limit)
        self.photos = BodyLimit(app, max(limit, PHOTO_MAX_BODY))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        wide = scope["type"] == "http" and PHOTO_PATH.search(scope.get("path", ""))
        await (self.photos if wide else self.default)(scope, receive, send)


EXAMPLE_RECORD = {"client_id": "wx-ev-2026-12-001-1a2b3c", "activity_seq": 1, "kind": "checkin",
                  "taken_at": "2026-12-05T08:55:00", "longitude": 118.68, "latitude": 33.71, "photos": []}


class EvidenceCreate(BaseModel):
    """A check-in (签到) or check-out (签退) of a planned activity; the photos must be uploaded first."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_RECORD]})

    client_id: str = Field(min_length=8, max_length=80, pattern=SUBMISSION_ID,
                           description="客户端生成的纪实编号（如 UUID）；重复提交同一编号不会重复写入")
    activity_seq: int = Field(ge=1, le=500, description="本所站本月活动计划中的第几项活动（从1起，按报送顺序）")
    kind: EvidenceKind = Field(description="checkin：签到；checkout：签退")
    taken_at: datetime = Field(description="签到或签退时间（当地时间），如 2026-12-05T08:55:00；带时区的按北京时间换算",
                               json_schema_extra={"pattern": r"^20\d\d-"})
    longitude: float | None = Field(default=None, ge=-180, le=180, description="经度（GCJ-02 或 WGS-84）")
    latitude: float | None = Field(default=None, ge=-90, le=90, description="纬度")
    photos: list[Annotated[str, Field(pattern=SHA256)]] = Field(
        default_factory=list, max_length=MAX_PHOTOS, json_schema_extra={"uniqueItems": True},
        description="已上传照片的 SHA-256（上传照片接口的返回值），每张照片列一次")

    @field_validator("photos")
    @classmethod
    def _once_each(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("同一张照片重复列出")
        return v

    @field_validator("taken_at")
    @classmethod
    def _local(cls, v: datetime) -> datetime:
        if not 2000 <= v.year <= 2099:
            raise ValueError("时间应在 2000 年到 2099 年之间")
        return v.astimezone(TZ).replace(tzinfo=None) if v.tzinfo is not None else v


class EvidencePublic(BaseModel):
    """A stored record and its judgement against the plan."""

    client_id: str
    station_code: str
    month: str
    activity_seq: int
    kind: EvidenceKind
    taken_at: str = Field(description="当地时间，YYYY-MM-DDTHH:MM:SS")
    longitude: float | None
    latitude: float | None
    photos: list[str]
    verdict: Verdict = Field(description="符合、存疑或不符合")
    reasons: list[str] = Field(description="判定理由（中文），每条一句")
    received_at: str = Field(description="收到时间（北京时间，ISO 8601）")


class EvidenceListPublic(BaseModel):
    station_code: str
    month: str
    records: list[EvidencePublic]


class PhotoPublic(BaseModel):
    """An uploaded photo: its digest (to name it in a record) and what its EXIF says."""

    sha256: str
    size: int
    media_type: Literal["image/jpeg", "image/png"]
    exif_time: str | None = Field(description="EXIF 拍摄时间（相机的当地时间），无则为空")
    exif_longitude: float | None
    exif_latitude: float | None
    stored: Literal["new", "existing"] = Field(description="new：首次保存；existing：同一照片已保存过，未重复保存")


def refused(exc: EvidenceRefused) -> JSONResponse:
    return JSONResponse(error_body(exc.status, exc.message, exc.problems), status_code=exc.status)


authed = error_responses(401, 403, 413, 422)
REPLAYED = {200: {"headers": {"Idempotent-Replayed": {
    "description": "true：同一纪实编号的重复提交，返回的是第一次的结果，未再写入",
    "schema": {"type": "string", "enum": ["true", "false"]}}}}}
CONFLICT: dict[int | str, dict[str, Any]] = {
    404: {"model": ApiError, "description": "本月活动计划中没有这项活动，或照片尚未上传"},
    409: {"model": ApiError, "description": "纪实编号已用于另一条纪实"}}
PHOTO_RESPONSES = authed | {
    413: {"model": ApiError, "description": f"{DESCRIPTIONS[413]}（照片大小上限见县情配置）"},
    422: {"model": ApiError, "description": "不是 JPEG 或 PNG 照片、照片已损坏，或缺少 file 字段"},
}


@photo_router.post("/api/v1/stations/{code}/photos", tags=["evidence"], summary="上传活动纪实照片（同一照片只保存一次）",
             operation_id="upload_photo", response_model=PhotoPublic, responses=PHOTO_RESPONSES)
def upload_photo(file: Annotated[bytes, File(min_length=1,
                                              description="照片文件（JPEG 或 PNG，不能为空），wx.uploadFile 的 name 填 file")],
                 station: Annotated[Station, Depends(own_station)],
                 now: Annotated[datetime, Depends(clock)]) -> Any:
    try:
        return receive_photo(county=station.county, station_code=station.code, data=file, now=now)
    except EvidenceRefused as exc:
        return refused(exc)


@router.post("/api/v1/stations/{code}/evidence/{month}", tags=["evidence"],
             summary="提交活动纪实（签到或签退），返回对照计划的判定", operation_id="submit_evidence",
             response_model=EvidencePublic, responses=authed | CONFLICT | REPLAYED)
def submit_evidence(month: Month, body: EvidenceCreate, station: Annotated[Station, Depends(own_station)],
                    now: Annotated[datetime, Depends(clock)]) -> JSONResponse:
    try:
        outcome = record_evidence(county=station.county, station_code=station.code, month=month,
                                  body=body.model_dump(), now=now)
    except EvidenceRefused as exc:
        return refused(exc)
    return JSONResponse(jsonable_encoder(outcome.body), status_code=outcome.http_status,
                        headers={"Idempotent-Replayed": "true" if outcome.replay else "false"})


@router.get("/api/v1/stations/{code}/evidence/{month}", tags=["evidence"], summary="本所站本月的活动纪实及判定",
            operation_id="list_evidence", responses=authed)
def list_evidence(month: Month, station: Annotated[Station, Depends(own_station)]) -> EvidenceListPublic:
    return EvidenceListPublic(station_code=station.code, month=month,
                              records=records_of(county=station.county, station_code=station.code, month=month))


router.include_router(photo_router)
