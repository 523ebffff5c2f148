"""A station's lecture orders (宣讲点单) from the official plan's menu, and the teams dispatched to them; a
speaker's own lectures and their answers (接单/谢绝) with a speaker token (`activity-day lectures tokens`).

A speaker token reaches only the lectures whose team holds that speaker: any other order, existing or not, gets
the same bare 403.

Ratings (评单): a station rates its own lectures with its token (the rater is 所站), a civic observer those at the
stations of its township with its scoring token (the rater is the observer). Each is checked as a row of the
ratings file (`services.lecture_ratings.rate_lecture`): 422 with problems by field for a lecture that had no team or a
score outside 1–5; 409 once the month's circular is compiled, as scores are. An observer's token for a station
outside its township, a team's token and a station's token get the same bare 403 as in scoring.
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, status
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from activity_day.api.auth import Month, Station, clock, own_station
from activity_day.api.errors import error_body, error_responses
from activity_day.api.schemas import NO_CONTROL, PlainCode
from activity_day.api.scoring import current_scorer
from activity_day.domain.lectures import LectureRef
from activity_day.errors import MissingPrerequisite
from activity_day.intake import LIMITS, H
from activity_day.intake.lectures import AUDIENCE_MAX
from activity_day.models.enums import ScorerRole
from activity_day.services import lectures
from activity_day.services.lecture_ratings import STATION_RATER, RatingRefused, rate_lecture
from activity_day.services.lectures import AnswerRefused, OrderRefused, SpeakerHolder, speaker_for_token
from activity_day.services.scoring import Scorer, station_mode
from activity_day.store.database import transaction

router = APIRouter(tags=["lectures"])
MenuCode = Annotated[str, Path(max_length=LIMITS[H.MENU_CODE], description="菜单编号，如 XJ-03（全角按半角）"),
                     PlainCode]


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
        found = lectures.order_from_api(LectureRef(station.county, month, station.code, menu_code),
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


# --- speakers: their lectures and their answers (接单—谢绝) ---------------------------------------------------------

FORBIDDEN = "无权访问"
speaker_bearer = HTTPBearer(auto_error=False, scheme_name="SpeakerToken",
                            description="宣讲员库中讲师的接单令牌（activity-day lectures tokens 生成）")
StationCode = Annotated[str, Path(max_length=20, description="点单的所站编号"), PlainCode]


def current_speaker(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(speaker_bearer)]) -> SpeakerHolder:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "缺少令牌", headers={"WWW-Authenticate": "Bearer"})
    with transaction(read_only=True) as session:
        holder = speaker_for_token(session=session, token=credentials.credentials)
    if holder is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "令牌无效、已过期或已停用", headers={"WWW-Authenticate": "Bearer"})
    return holder


class AnswerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"accept": True}, {"accept": False}]})

    accept: StrictBool = Field(description="true 接单；false 谢绝（只为这一场重新组队；无人可补时，可从人数有余的其他宣讲队借调一名尚未接单的成员，已接单的成员不变）")


class SpeakerLecturesPublic(BaseModel):
    speaker: str
    month: str
    lectures: list[OrderPublic] = Field(description="本讲师所在宣讲队的宣讲，以及本讲师谢绝过的宣讲")


@router.get("/api/v1/speakers/me/lectures/{month}", summary="本讲师本月的宣讲（所在宣讲队和谢绝过的）",
            operation_id="list_speaker_lectures", responses=error_responses(401, 413, 422))
def speaker_lectures(month: Month, speaker: Annotated[SpeakerHolder, Depends(current_speaker)]) -> SpeakerLecturesPublic:
    return SpeakerLecturesPublic(speaker=speaker.code, month=month, lectures=[
        OrderPublic(**r) for r in lectures.lectures_of_speaker(speaker.county, month, speaker.code)])


@router.put("/api/v1/speakers/me/lectures/{month}/{station}/{menu_code}", summary="讲师接单或谢绝一场宣讲",
            operation_id="answer_lecture", responses=error_responses(401, 403, 404, 409, 413, 422))
def answer_lecture(month: Month, station: StationCode, menu_code: MenuCode, body: AnswerCreate,
                   speaker: Annotated[SpeakerHolder, Depends(current_speaker)],
                   now: Annotated[datetime, Depends(clock)]) -> OrderPublic:
    try:
        found = lectures.answer(LectureRef(speaker.county, month, station, menu_code), speaker.code, body.accept,
                                now=now)
    except MissingPrerequisite as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except AnswerRefused as exc:
        if exc.status == 403:  # not theirs, or no such lecture: the same bare refusal either way
            raise HTTPException(status.HTTP_403_FORBIDDEN, FORBIDDEN) from None
        return JSONResponse(error_body(exc.status, str(exc)), status_code=exc.status)
    return OrderPublic(**found)


# --- ratings (评单): the station's own and a civic observer's ---------------------------------------------------

def _a_number(value: object) -> object:
    """A JSON number only (3 and 3.0 alike, as JSON Schema's integer), never a string or a boolean."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("应为 1 到 5 的整数")
    return value


class RatingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"score": 5, "comment": "故事感人"}]})

    score: Annotated[int, BeforeValidator(_a_number)] = Field(ge=1, le=5, description="评分（1-5）")
    comment: str = Field(default="", max_length=LIMITS[H.RATING_NOTE], pattern=NO_CONTROL, description="评价意见，可不填")


class RatingPublic(BaseModel):
    station: str
    menu_code: str
    month: str
    rater: str = Field(description="评价人：所站，或文明观察员姓名")
    score: int
    comment: str
    status: str = Field(description="评单后宣讲为 delivered 已宣讲")


def _rate(lecture: LectureRef, rater: str, body: RatingCreate, now: datetime) -> object:
    try:
        found = rate_lecture(lecture, rater, body.score, body.comment, now=now)
    except RatingRefused as exc:
        return JSONResponse(error_body(exc.status, str(exc), exc.problems), status_code=exc.status)
    return RatingPublic(**found)


@router.put("/api/v1/stations/{code}/lectures/{month}/{menu_code}/rating", summary="所站评价一场宣讲（评单，1-5 分）",
            operation_id="rate_lecture", response_model=RatingPublic,
            responses=error_responses(401, 403, 404, 409, 413, 422))
def rate(month: Month, menu_code: MenuCode, body: RatingCreate, station: Annotated[Station, Depends(own_station)],
         now: Annotated[datetime, Depends(clock)]) -> object:
    return _rate(LectureRef(station.county, month, station.code, menu_code), STATION_RATER, body, now)


def observed_station(month: Month, station: StationCode, scorer: Annotated[Scorer, Depends(current_scorer)]) -> Scorer:
    """The observer whose township holds the path's station; the same bare 403 for anyone or anything else."""
    if scorer.role is not ScorerRole.OBSERVER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, FORBIDDEN)
    with transaction(read_only=True) as session:
        mode = station_mode(session=session, scorer=scorer, month=month, code=station)
    if mode is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, FORBIDDEN)
    return scorer


@router.put("/api/v1/scoring/{month}/lectures/{station}/{menu_code}/rating",
            summary="文明观察员评价本乡镇（街道）所站的一场宣讲（评单，1-5 分）", operation_id="observe_lecture",
            response_model=RatingPublic, responses=error_responses(401, 403, 404, 409, 413, 422))
def observe(month: Month, station: StationCode, menu_code: MenuCode, body: RatingCreate,
            scorer: Annotated[Scorer, Depends(observed_station)], now: Annotated[datetime, Depends(clock)]) -> object:
    return _rate(LectureRef(scorer.county, month, station, menu_code), scorer.name, body, now)
