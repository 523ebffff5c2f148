"""Scoring on a phone: inspection teams and civic observers list their stations and score them.

A scoring token (`activity-day tokens issue --team/--observer`) reaches a team's stations in the month's draw, or
an observer's township. Any station outside them, existing or not, gets the same bare 403; so does a station's
own token (it is a valid token, but not for scoring); an unknown or revoked token gets 401.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, status
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from activity_day.api.auth import Month, clock
from activity_day.api.schemas import NO_CONTROL, AnyCode, ApiError
from activity_day.intake import LIMITS, H
from activity_day.models.enums import InspectionMode, ScorerRole
from activity_day.services.scoring import (
    ScoredStation,
    Scorer,
    revisions_for,
    score_station,
    scorer_for_token,
    station_mode,
    stations_and_places,
)
from activity_day.services.submissions import station_for_token
from activity_day.store.database import transaction

router = APIRouter(prefix="/api/v1/scoring", tags=["scoring"])

FORBIDDEN = "无权访问"
DESCRIPTIONS = {
    401: "缺少令牌，或令牌无效、已过期、已停用",
    403: "无权访问：所站不是本令牌可以评分的（所站不存在时回答相同，不透露任何所站信息），或用的是所站令牌",
    409: "本月通报已汇编，评分不能再修改",
    413: "请求内容超过大小上限",
    422: "请求格式或评分内容有误，problems 逐项列出（与评分文件的校验相同）",
}


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ApiError, "description": DESCRIPTIONS[s]} for s in statuses}


# --- schemas --------------------------------------------------------------------------------------------------

# Strict: a number, never a numeric string or a boolean; NaN and infinities are refused (422).
Points = Annotated[float, Field(strict=True, allow_inf_nan=False)]
EXAMPLE_SCORE = {"items": {"规定动作": 28, "组织实施": 18, "群众参与": 17, "志愿服务": 13, "台账资料": 12},
                 "problems": "活动台账照片不全", "category": "台账资料", "suggestions": "建议补齐签到表和活动照片"}


class ScoreCreate(BaseModel):
    """A score of one station: the same fields and rules as a row of the scores file (检查评分)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_SCORE, {"score": 88}]})

    items: dict[str, Points] | None = Field(
        default=None, description="按评分细则逐项打分：细则项目 → 分数（0～该项满分），须填全部项目；总分为各项之和")
    score: Points | None = Field(default=None, description=f"{H.SCORE}，0～100；与 items 同时填写时须与各项之和一致")
    problems: str = Field(default="", max_length=LIMITS[H.PROBLEMS], pattern=NO_CONTROL,
                          description=f"{H.PROBLEMS}（至多{LIMITS[H.PROBLEMS]}字）")
    category: str = Field(default="", max_length=LIMITS[H.CATEGORY], pattern=NO_CONTROL,
                          description=f"{H.CATEGORY}（至多{LIMITS[H.CATEGORY]}字）")
    suggestions: str = Field(default="", max_length=LIMITS[H.SUGGESTIONS], pattern=NO_CONTROL,
                             description=f"{H.SUGGESTIONS}（至多{LIMITS[H.SUGGESTIONS]}字）")
    scorer: str | None = Field(default=None, max_length=LIMITS[H.SCORER], pattern=NO_CONTROL,
                               description=f"{H.SCORER}：可不填；检查组即组名，文明观察员即令牌持有人本人")


class ScorePublic(BaseModel):
    score: float = Field(description=H.SCORE)
    items: dict[str, float] = Field(description="各细则项目的得分（按总分打分时为空）")
    problems: str
    category: str
    suggestions: str
    revision: int | None = Field(description="当前是第几次修订（1 为首次评分）；修订记录启用前导入且未改过的评分为空")


class ScoreStored(ScorePublic):
    station_code: str
    month: str
    mode: InspectionMode = Field(description="online 线上、onsite 线下、observer 观察员")
    scorer: str
    changed: bool = Field(description="false：与当前评分相同，未写入新的修订")


class ScoringStationPublic(BaseModel):
    station_code: str
    name: str
    township: str
    mode: InspectionMode
    mode_label: str = Field(description="线上、线下或观察员")
    order: int = Field(description="本令牌清单中的顺序（线下按走访顺序，线上按时段）")
    slot: str | None = Field(description="线上：时段，如 09:00-09:15；线下：第几站及预计到达时间")
    contact: str = Field(description="所站负责人")
    phone: str
    score: ScorePublic | None = Field(description="本令牌持有人对该所站的当前评分；尚未评分为空")


class ScoringStationsPublic(BaseModel):
    month: str
    role: ScorerRole
    scorer: str = Field(description="检查组名称或文明观察员姓名")
    township: str | None = Field(description="文明观察员所在乡镇（街道）；检查组为空")
    stations: list[ScoringStationPublic]


class RevisionPublic(BaseModel):
    revision: int
    score: float
    items: dict[str, float]
    problems: str
    category: str
    suggestions: str
    actor: str = Field(description="谁写入的：评分令牌（team:组名 / observer:姓名 及令牌前缀）或评分文件及行号")
    at: datetime = Field(description="写入时间（UTC）")


class RevisionsPublic(BaseModel):
    station_code: str
    month: str
    mode: InspectionMode
    scorer: str
    revisions: list[RevisionPublic]


# --- who is calling ---------------------------------------------------------------------------------------------

scorer_bearer = HTTPBearer(auto_error=False, scheme_name="ScorerToken",
                           description="检查组或文明观察员的评分令牌（activity-day tokens issue --team / --observer 生成）")
# The bound is stated, and a longer code is refused like any station not the scorer's: the same bare 403.
StationCode = Annotated[str, Path(description="所站编号（须是本令牌可以评分的所站）",
                                  json_schema_extra={"maxLength": LIMITS[H.STATION_CODE]}), AnyCode]


def current_scorer(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(scorer_bearer)]) -> Scorer:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "缺少令牌", headers={"WWW-Authenticate": "Bearer"})
    with transaction(read_only=True) as session:
        scorer = scorer_for_token(session=session, token=credentials.credentials)
        if scorer is None and station_for_token(session=session, token=credentials.credentials) is not None:
            raise HTTPException(status.HTTP_403_FORBIDDEN, FORBIDDEN)  # a station's token does not score
    if scorer is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "令牌无效、已过期或已停用", headers={"WWW-Authenticate": "Bearer"})
    return scorer


def scored_station(month: Month, code: StationCode,
                   scorer: Annotated[Scorer, Depends(current_scorer)]) -> ScoredStation:
    """The path's station if the scorer scores it this month; the same bare 403 for any other code."""
    with transaction(read_only=True) as session:
        mode = station_mode(session=session, scorer=scorer, month=month, code=code)
    if mode is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, FORBIDDEN)
    return ScoredStation(scorer, month, code, mode)


# --- routes ---------------------------------------------------------------------------------------------------

@router.get("/{month}/stations", summary="本令牌本月要评分的所站及当前评分", operation_id="list_scoring_stations",
            responses=refusals(401, 403, 413, 422))
def list_stations(month: Month, scorer: Annotated[Scorer, Depends(current_scorer)]) -> ScoringStationsPublic:
    listed, _places = stations_and_places(scorer=scorer, month=month)
    return ScoringStationsPublic(month=month, role=scorer.role, scorer=scorer.name,
                                 township=scorer.township if scorer.role is ScorerRole.OBSERVER else None,
                                 stations=[ScoringStationPublic(**s) for s in listed])


@router.put("/{month}/stations/{code}", summary="为一个所站评分（或更正评分）", operation_id="score_station",
            response_model=ScoreStored, responses=refusals(401, 403, 409, 413, 422))
def put_score(body: ScoreCreate, target: Annotated[ScoredStation, Depends(scored_station)],
              now: Annotated[datetime, Depends(clock)]) -> Any:
    outcome = score_station(target, body.model_dump(), now=now)
    if outcome.http_status != 200:
        return JSONResponse(outcome.body, status_code=outcome.http_status)
    return ScoreStored(**outcome.body)


@router.get("/{month}/stations/{code}/revisions", summary="本令牌持有人对一个所站评分的修订记录",
            operation_id="list_score_revisions", responses=refusals(401, 403, 413, 422))
def list_revisions(target: Annotated[ScoredStation, Depends(scored_station)]) -> RevisionsPublic:
    rows = revisions_for(scorer=target.scorer, month=target.month, code=target.code, mode=target.mode)
    return RevisionsPublic(station_code=target.code, month=target.month, mode=target.mode, scorer=target.scorer.name,
                           revisions=[RevisionPublic(**r) for r in rows])
