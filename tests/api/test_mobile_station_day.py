"""The station page on the activity day and afterwards: photos and check-ins through the page, and the 整改报告
form on a finding. The photos are real JPEGs with EXIF (the demo's camera); the page never shows it."""

from __future__ import annotations

from sqlmodel import select

from activity_day.api.mobile.pages import csrf_token
from activity_day.models import EvidenceRecord, Finding
from activity_day.services import findings
from activity_day.store.database import transaction
from tests.api import test_evidence_api as api
from tests.api.test_evidence_api import MONTH, jpeg, north
from tests.services.test_reports_import import raise_findings

# the evidence API tests' fixtures: stations 001 (two activities) and 002 planned, tokens, a photo store
client, plan, store_root, tokens = api.client, api.plan, api.store_root, api.tokens


def rows(model) -> list:
    with transaction() as session:
        return list(session.exec(select(model)).all())


def enter(http, token: str) -> dict[str, str]:
    first = http.get(f"/m/station?t={token}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/m/station"
    return {"X-CSRF-Token": csrf_token(token)}


def test_check_in_with_a_photo_through_the_page(client, tokens, store_root) -> None:
    headers = enter(client, tokens["001"])
    page = client.get("/m/station")
    assert page.status_code == 200  # two planned activities, each with 签到 and 签退
    assert page.text.count('data-kind="checkin"') == page.text.count('data-kind="checkout"') == 2
    photo = jpeg(at=north("001", 30))

    files = {"file": ("a.jpg", photo, "image/jpeg")}
    assert client.post("/m/station/photos", files=files).status_code == 403  # no CSRF token
    wrong = client.post("/m/station/photos", files={"file": ("a.jpg", b"GIF89a not a photo", "image/jpeg")},
                        headers=headers)
    assert wrong.status_code == 422 and wrong.json()["message"].startswith("照片无法接收")
    sent = client.post("/m/station/photos", files=files, headers=headers)
    assert sent.status_code == 200 and sent.json()["stored"] == "new"
    assert set(sent.json()) == {"sha256", "stored"}  # the page gets no EXIF back
    sha = sent.json()["sha256"]

    lon, lat = north("001", 30)
    body = {"month": MONTH, "client_id": "h5-0000-0001", "activity_seq": 1, "kind": "checkin",
            "taken_at": "2026-12-05T08:55:00", "longitude": lon, "latitude": lat, "photos": [sha]}
    first = client.post("/m/station/evidence", json=body, headers=headers)
    again = client.post("/m/station/evidence", json=body, headers=headers)  # a resend after a lost answer
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert first.json()["kind"] == "checkin"
    assert [(r.station_code, r.activity_seq, r.kind, r.photos) for r in rows(EvidenceRecord)] == [
        ("001", 1, "checkin", [sha])]
    shown = client.get("/m/station").text
    assert "照片 1 张" in shown and sha not in shown and f"{lat:.4f}" not in shown  # neither the photo nor its GPS
    unknown = client.post("/m/station/evidence", json=body | {"client_id": "h5-0000-0002", "activity_seq": 9},
                          headers=headers)
    assert unknown.status_code == 404 and "没有第9项活动" in unknown.json()["problems"][0]["reason"]


def test_report_on_a_finding_through_the_page(client, tokens, county) -> None:
    mine, theirs, _ = raise_findings(county)  # 001's, 002's and 003's
    enter(client, tokens["001"])
    page = client.get("/m/station")
    assert "活动记录不完整" in page.text and "照片未上传" not in page.text
    assert f'action="/m/station/findings/{mine}#finding-{mine}"' in page.text
    csrf = csrf_token(tokens["001"])

    forged = client.post(f"/m/station/findings/{mine}", data={"csrf": "x", "report": "已补齐"}, follow_redirects=False)
    assert forged.status_code == 403
    other = client.post(f"/m/station/findings/{theirs}", data={"csrf": csrf, "report": "已补齐"},
                        follow_redirects=False)
    assert other.status_code == 403  # another station's finding
    # A blank report: the station's page again, the reason in that finding's form, and a way on.
    blank = client.post(f"/m/station/findings/{mine}", data={"csrf": csrf, "report": "  ", "month": MONTH},
                        follow_redirects=False)
    assert blank.status_code == 422 and 'id="report-problem"' in blank.text and "整改报告未报送" in blank.text
    assert blank.text.index(f'id="finding-{mine}"') < blank.text.index('id="report-problem"')
    done = client.post(f"/m/station/findings/{mine}", data={"csrf": csrf, "report": "已补齐活动记录", "photos": "",
                                                            "month": MONTH}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/m/station?month={MONTH}#finding-{mine}"
    state = {f.id: (f.status, f.report) for f in rows(Finding)}
    assert state[mine] == ("answered", "已补齐活动记录") and state[theirs][0] == "open"
    shown = client.get(done.headers["location"]).text
    assert "待审核" in shown and "整改报告已报送，等待县文明办审核" in shown
    assert findings.show(county, mine)["status"] == "answered"
