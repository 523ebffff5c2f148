"""A station's rectification findings (整改) and its 整改报告, with photos uploaded beforehand by checksum."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from activity_day.api.auth import Station, clock, own_station
from activity_day.api.errors import error_body, error_responses
from activity_day.api.schemas import MONTH_PATTERN, NOT_BLANK
from activity_day.domain.codes import FINDING_NUMBER_PATTERN, MAX_FINDING_NUMBER, finding_number
from activity_day.errors import Refused
from activity_day.intake import LIMITS, H
from activity_day.services import findings
from activity_day.services.findings import UnknownFinding

router = APIRouter(tags=["findings"])
authed = error_responses(401, 403, 413, 422)


class FindingPublic(BaseModel):
    id: int
    station: str
    source: str = Field(description="问题来源：线上、线下、观察员或低分")
    category: str
    text: str
    deadline: str = Field(description="整改期限（含当日）")
    status: str = Field(description="open 待整改 / answered 待审核 / accepted 已销号 / overdue 已逾期")
    month: str
    township: str
    rounds: int = Field(description="已报送整改报告的次数")
    report: str
    photos: list[str]
    review_note: str = Field(description="县文明办的审核意见（退回理由）")


class FindingsPublic(BaseModel):
    station_code: str
    findings: list[FindingPublic]


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report: str = Field(min_length=1, max_length=LIMITS[H.REPORT], pattern=NOT_BLANK,
                        description="整改情况：不能只有空格，不能含控制字符")
    photos: list[Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]] = Field(
        default_factory=list, max_length=9, description="整改后照片的 SHA-256（先通过照片接口上传）")


def _finding_number(value: str) -> int:
    number = finding_number(value)
    if number is None:
        raise ValueError(f"整改问题编号应为 1 到 {MAX_FINDING_NUMBER} 的整数")
    return number


# A code like every other: the path takes ASCII or full-width digits (`/findings/１２/report` is finding 12), read
# through domain.codes as the files and the pages read it; anything else is 422.
FindingId = Annotated[int, BeforeValidator(_finding_number),
                      WithJsonSchema({"type": "string", "pattern": FINDING_NUMBER_PATTERN, "title": "Finding Id"}),
                      Path(description=f"整改问题编号：1 到 {MAX_FINDING_NUMBER} 的整数，半角或全角数字（如 12 或 １２）")]


@router.get("/api/v1/stations/{code}/findings", summary="本所站的整改问题", operation_id="list_findings",
            responses=authed)
def list_mine(station: Annotated[Station, Depends(own_station)],
              month: Annotated[str | None, Query(pattern=MONTH_PATTERN)] = None) -> FindingsPublic:
    frame = findings.list_findings(station.county, month=month, station=station.code)
    rows = findings.public_rows(frame) if len(frame) else []
    return FindingsPublic(station_code=station.code, findings=[FindingPublic(**r) for r in rows])


@router.put("/api/v1/stations/{code}/findings/{finding_id}/report", summary="报送整改报告（可再次报送覆盖待审核的报告）",
            operation_id="report_finding", response_model=FindingPublic, responses=authed | error_responses(404, 409))
def report(finding_id: FindingId, body: ReportCreate, station: Annotated[Station, Depends(own_station)],
           now: Annotated[datetime, Depends(clock)]) -> Any:
    try:
        found = findings.report(station.county, station.code, finding_id, findings.StationReport(
            body.report, body.photos, at=now, actor=f"所站{station.code}"))
    except UnknownFinding:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "本所站没有这个整改问题") from None
    except Refused as exc:  # 409 the finding's state or a photo not the station's; 422 the text
        return JSONResponse(error_body(exc.status, exc.message, exc.problems), status_code=exc.status)
    return FindingPublic(**{k: v for k, v in found.items() if k in FindingPublic.model_fields})
