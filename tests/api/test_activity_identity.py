"""A check-in belongs to its activity, not to a row position: after the station submits its plan again with an
activity added before it, the check-in is listed and counted at the activity's new position; after the activity is
taken out of the plan, the check-in stays on record but counts for no other activity."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from activity_day.api import clock
from activity_day.models import EvidenceRecord, PlannedActivity
from activity_day.services.evidence import evidence_states, records_of
from activity_day.store.database import transaction
from tests.api import test_evidence_api as api
from tests.api.test_evidence_api import MONTH, auth
from tests.intake_helpers import activity

client, plan, store_root, tokens = api.client, api.plan, api.store_root, api.tokens
AFTERNOON = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)  # 16:00 in Beijing on the activity day


def resubmit(client, token: str, sid: str, activities: list[dict]) -> None:
    client.app.dependency_overrides[clock] = lambda: AFTERNOON
    sent = client.put(f"/api/v1/stations/001/plans/{MONTH}", headers=auth(token),
                      json={"submission_id": sid, "activities": activities})
    assert sent.status_code == 200, sent.json()


def test_a_check_in_follows_its_activity_when_the_plan_is_submitted_again(client, tokens, plan, county) -> None:
    day = date.fromisoformat(plan["activity_date"])
    required = plan["required_codes"][0]
    client.app.dependency_overrides[clock] = lambda: AFTERNOON
    came = api.record(client, tokens["001"], client_id="ev-001-pm-in", activity_seq=2, taken_at="2026-12-05T13:55")
    assert came.status_code == 200 and came.json()["activity_seq"] == 2, came.json()

    # An activity added before the others: the afternoon one is now third, and so is its check-in.
    morning, afternoon = activity(day, required), activity(day, start_time="2026-12-05T14:00")
    early = activity(day, name="晨间志愿服务", start_time="2026-12-05T07:30")
    resubmit(client, tokens["001"], "plan-001-0002", [early, morning, afternoon])
    listed = client.get(f"/api/v1/stations/001/evidence/{MONTH}", headers=auth(tokens["001"])).json()["records"]
    assert [(r["client_id"], r["activity_seq"]) for r in listed] == [("ev-001-pm-in", 3)]
    with transaction() as session:
        states = evidence_states(session, county, MONTH)
        uids = {a.seq: a.uid for a in session.exec(select(PlannedActivity).where(PlannedActivity.station_code == "001"))}
        [stored] = session.exec(select(EvidenceRecord)).all()
    assert stored.activity_uid == uids[3] and stored.activity_seq == 2  # what the client named, kept as sent
    assert states["001"] == "缺失"  # activities 1 and 2 have no record; 3 has one
    page = client.get(f"/m/station?t={tokens['001']}", follow_redirects=True)
    assert page.status_code == 200

    # A replay of the same check-in names position 2 again: it is the stored record, not a new one for activity 2.
    again = api.record(client, tokens["001"], client_id="ev-001-pm-in", activity_seq=2, taken_at="2026-12-05T13:55")
    assert again.headers["Idempotent-Replayed"] == "true"

    # The afternoon activity taken out of the plan: its check-in is kept, listed nowhere, counted for nothing.
    resubmit(client, tokens["001"], "plan-001-0003", [early, morning])
    assert records_of(county=county, station_code="001", month=MONTH) == []
    with transaction() as session:
        assert len(session.exec(select(EvidenceRecord)).all()) == 1
        assert evidence_states(session, county, MONTH)["001"] == "缺失"


def test_the_page_names_the_activity_by_its_identity(client, tokens, plan, county) -> None:
    """The station page's queue sends the activity's uid: the check-in goes to that activity wherever it stands
    now; a uid no longer in the plan is refused with the reason (kept on the phone, see tests/browser)."""
    from activity_day.api.mobile.pages import csrf_token

    day = date.fromisoformat(plan["activity_date"])
    morning, afternoon = activity(day, plan["required_codes"][0]), activity(day, start_time="2026-12-05T14:00")
    with transaction() as session:
        uid = session.exec(select(PlannedActivity.uid).where(PlannedActivity.station_code == "001",
                                                             PlannedActivity.seq == 2)).one()
    early = activity(day, name="晨间志愿服务", start_time="2026-12-05T07:30")
    resubmit(client, tokens["001"], "plan-001-0002", [early, morning, afternoon])  # the afternoon one is third now
    assert client.get(f"/m/station?t={tokens['001']}").status_code == 200
    headers = {"X-CSRF-Token": csrf_token(tokens["001"])}
    # Queued when the afternoon activity was second: its row says 2, its identity says which activity.
    body = {"month": MONTH, "client_id": "h5-queued-0001", "activity_seq": 2, "activity_uid": uid, "kind": "checkin",
            "taken_at": "2026-12-05T13:55:00", "photos": []}
    for _ in range(2):  # a resend after a lost answer is the same record
        sent = client.post("/m/station/evidence", json=body, headers=headers)
        assert sent.status_code == 200, sent.json()
    with transaction() as session:
        [stored] = session.exec(select(EvidenceRecord)).all()
    assert (stored.activity_uid, stored.activity_seq) == (uid, 3)

    resubmit(client, tokens["001"], "plan-001-0003", [early, morning])  # taken out of the plan
    gone = client.post("/m/station/evidence", json=body | {"client_id": "h5-queued-0002"}, headers=headers)
    assert gone.status_code == 404 and "已没有这项活动" in gone.json()["message"]
    bad = client.post("/m/station/evidence", json=body | {"client_id": "h5-queued-0003", "activity_uid": "../x"},
                      headers=headers)
    assert bad.status_code == 422 and "活动编号不对" in bad.json()["message"]
