"""The plan content model: drafts round-trip through the stored JSON, rows stored before the model still load,
and readers use attributes."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

import pandas as pd
import pytest
from pydantic import ValidationError

from activity_day.domain.hashing import canonical_json
from activity_day.domain.lateness import deadline_of
from activity_day.domain.plan import PlanContent
from activity_day.domain.planning import draft_month
from activity_day.domain.profile import load_profile
from activity_day.domain.results import feedback_figures
from activity_day.models import MonthPlan
from activity_day.store import crud
from tests.conftest import DEMO_PROFILE

PROFILE = load_profile(DEMO_PROFILE)

# An official plan (v2) as the demo stored it before the model existed (2026-12, trimmed to two of each list).
STORED_V2 = {
    "county": "321323",
    "county_name": "泗阳县",
    "month": "2026-12",
    "month_label": "2026年12月",
    "activity_date": "2026-12-05",
    "activity_date_cn": "2026年12月5日",
    "weekday_cn": "六",
    "marks": [
        {
            "date": "2026-12-02",
            "date_cn": "12月2日",
            "name": "全国交通安全日",
            "kind": "commemorative",
            "optional": False
        },
        {
            "date": "2026-12-04",
            "date_cn": "12月4日",
            "name": "国家宪法日",
            "kind": "commemorative",
            "optional": False
        }
    ],
    "holiday_source": "chinese-calendar",
    "holidays": {
        "2026-12-31": "元旦"
    },
    "notes": [],
    "learning": [
        {
            "name": "理论武装",
            "items": [
                {
                    "code": "THEORY-17",
                    "category": "THEORY",
                    "category_name": "理论武装",
                    "task": "学习实践科学理论",
                    "title": "学习习近平法治思想 增强全民法治观念",
                    "theme": "习近平法治思想",
                    "festival": "国家宪法日",
                    "form": "集中学习",
                    "seq": 1
                },
                {
                    "code": "THEORY-04",
                    "category": "THEORY",
                    "category_name": "理论武装",
                    "task": "学习实践科学理论",
                    "title": "学习党的二十届四中全会精神和“十五五”规划建议",
                    "theme": "四中全会精神",
                    "festival": "",
                    "form": "专题宣讲",
                    "seq": 2
                }
            ]
        },
        {
            "name": "政策解读",
            "items": [
                {
                    "code": "POLICY-19",
                    "category": "POLICY",
                    "category_name": "政策解读",
                    "task": "宣传宣讲党的政策",
                    "title": "学习宪法 弘扬宪法精神 维护宪法权威",
                    "theme": "宪法宣传",
                    "festival": "国家宪法日",
                    "form": "专题宣讲",
                    "seq": 1
                },
                {
                    "code": "POLICY-18",
                    "category": "POLICY",
                    "category_name": "政策解读",
                    "task": "宣传宣讲党的政策",
                    "title": "学习道路交通安全法规 争做文明交通参与者",
                    "theme": "交通安全",
                    "festival": "全国交通安全日",
                    "form": "观看视频",
                    "seq": 2
                }
            ]
        }
    ],
    "learning_count": 4,
    "checklist": [
        {
            "task": "学习实践科学理论",
            "items": [
                {
                    "code": "LL-01",
                    "task": "学习实践科学理论",
                    "title": "开展“文明实践课堂”集中学习",
                    "required": True,
                    "festival": "",
                    "description": "组织党员群众围绕当月学习清单开展集中学习，每月不少于1次，做好签到、记录和影像留存。"
                },
                {
                    "code": "LL-02",
                    "task": "学习实践科学理论",
                    "title": "开展基层书记理论宣讲",
                    "required": True,
                    "festival": "",
                    "description": "由村（社区）党组织书记结合工作实际讲理论、讲政策，如“百名书记大宣讲”，用群众语言讲透讲活。"
                }
            ]
        },
        {
            "task": "宣传宣讲党的政策",
            "items": [
                {
                    "code": "XC-01",
                    "task": "宣传宣讲党的政策",
                    "title": "开展惠民政策“面对面”宣讲",
                    "required": True,
                    "festival": "",
                    "description": "围绕医保、养老、就业、惠农补贴等群众关心的政策，进村入户面对面解读，现场解答群众疑问。"
                },
                {
                    "code": "XC-02",
                    "task": "宣传宣讲党的政策",
                    "title": "开展防范电信网络诈骗宣传",
                    "required": True,
                    "festival": "",
                    "description": "通过案例讲解、发放资料、指导安装国家反诈中心APP等方式，提高群众识骗防骗能力。"
                }
            ]
        }
    ],
    "checklist_count": 4,
    "required_codes": [
        "LL-01",
        "LL-02",
        "XC-01",
        "XC-02"
    ],
    "programs": [
        {
            "name": "百名书记大宣讲",
            "task": "explain_policy",
            "description": "各级党组织书记深入村（社区）宣讲党的创新理论和惠民政策",
            "task_cn": "宣传宣讲党的政策"
        }
    ],
    "dates": {
        "draft": "2026-11-10",
        "review": "2026-11-17",
        "station_plans": "2026-12-02",
        "sample": "2026-12-03",
        "scores": "2026-12-08",
        "compile": "2026-12-10"
    },
    "dates_cn": {
        "draft": "2026年11月10日",
        "review": "2026年11月17日",
        "station_plans": "2026年12月2日",
        "sample": "2026年12月3日",
        "scores": "2026年12月8日",
        "compile": "2026年12月10日"
    },
    "edits": [
        {
            "action": "增加",
            "code": "POLICY-18",
            "department": "理论科"
        }
    ],
    "comments": [
        {
            "department": "理论科",
            "content": "建议2026年12月学习清单突出党的创新理论最新成果，增加“板凳课堂”宣讲场次。",
            "disposition": "采纳",
            "reason": ""
        },
        {
            "department": "宣教科",
            "content": "无意见",
            "disposition": "无意见",
            "reason": ""
        }
    ],
    "status": "official"
}

STORED_V1 = {k: v for k, v in STORED_V2.items() if k not in ("edits", "comments", "status")}


def test_a_draft_round_trips_through_its_stored_json() -> None:
    drafted = draft_month(PROFILE, "2027-01")
    stored = json.dumps(drafted.content, ensure_ascii=False)
    assert PlanContent.model_validate_json(stored) == drafted.plan
    assert PlanContent.model_validate(json.loads(stored)).stored() == drafted.content
    assert list(drafted.content) == list(STORED_V1)  # same keys in the same order as rows stored before
    assert drafted.plan.sha256() == hashlib.sha256(canonical_json(drafted.content).encode()).hexdigest()


@pytest.mark.parametrize("stored", [STORED_V1, STORED_V2], ids=["draft", "official"])
def test_a_row_stored_before_the_model_loads_and_dumps_back_unchanged(stored: dict) -> None:
    plan = crud.plan_content(MonthPlan(county="321323", month="2026-12", version=1, status="draft",
                                       activity_date=date(2026, 12, 5), doc_number="x", content=stored))
    assert json.dumps(plan.stored(), ensure_ascii=False) == json.dumps(stored, ensure_ascii=False)
    assert plan.sha256() == hashlib.sha256(canonical_json(stored).encode()).hexdigest()  # the draw seed does not move


def test_readers_use_attributes() -> None:
    plan = PlanContent.model_validate(STORED_V2)
    assert plan.dates_cn.review == "2026年11月17日" and plan.dates.compile == date(2026, 12, 10)
    assert plan.required_codes == ["LL-01", "LL-02", "XC-01", "XC-02"]
    assert plan.codes() == {"THEORY-17", "THEORY-04", "POLICY-19", "POLICY-18", "LL-01", "LL-02", "XC-01", "XC-02"}
    assert plan.comments is not None and plan.comments[1].disposition == "无意见"
    assert plan.status == "official" and plan.edits is not None and plan.edits[0].code == "POLICY-18"
    deadline = deadline_of(plan, "23:59")
    assert deadline.replace(tzinfo=None) == datetime(2026, 12, 2, 23, 59) and deadline.utcoffset().total_seconds() == 8 * 3600
    draft = PlanContent.model_validate(STORED_V1)
    assert draft.comments is None and draft.status is None and "comments" not in draft.stored()


def test_an_unknown_or_missing_key_is_refused() -> None:
    with pytest.raises(ValidationError):
        PlanContent.model_validate(STORED_V2 | {"extra": 1})
    with pytest.raises(ValidationError):
        PlanContent.model_validate({k: v for k, v in STORED_V2.items() if k != "dates_cn"})


def test_feedback_figures_count_this_months_items() -> None:
    feedback = pd.DataFrame({"month": ["2026-11", "2026-12", "2026-12"], "status": ["closed", "open", "open"],
                             "closed_month": ["2026-12", None, None]})
    assert feedback_figures(feedback, "2026-12") == {"feedback_new": 2, "feedback_closed": 1, "feedback_total": 3,
                                                     "feedback_open": 2}
