"""On-day evidence through the API: real JPEG photos with EXIF time and GPS, judged against the plan."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from activity_day.api import clock, create_app
from activity_day.context import bound
from activity_day.demo import camera_photo
from activity_day.models import EvidenceRecord, Photo, Station
from activity_day.store.database import transaction
from tests.api.test_api import BEFORE_DEADLINE, MONTH, auth
from tests.intake_helpers import activity, change_profile, official_plan, tokens_for

ON_THE_DAY = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # 11:00 in Beijing, after the morning's activities
M = 1 / 111_195  # degrees of latitude per metre


@pytest.fixture
def store_root(settings, tmp_path: Path):
    """The photo store in a folder of this test."""
    root = tmp_path / "store"
    with bound(settings.model_copy(update={"photo_store": str(root)})):
        yield root


@pytest.fixture
def plan(registry, county) -> dict:
    return official_plan(county, MONTH)


@pytest.fixture
def tokens(county) -> dict[str, str]:
    return tokens_for(county, ["001", "002"])


@pytest.fixture
def client(plan, tokens, store_root):
    """Station 001 planned two activities on the activity day (9:00 and 14:00); station 002 one."""
    day = date.fromisoformat(plan["activity_date"])
    assert day == date(2026, 12, 5)
    app = create_app(max_body_bytes=20000)
    app.dependency_overrides[clock] = lambda: BEFORE_DEADLINE
    with TestClient(app) as c:
        required = plan["required_codes"][0]
        for code, acts in {"001": [activity(day, required), activity(day, start_time="2026-12-05T14:00")],
                           "002": [activity(day, required)]}.items():
            sent = c.put(f"/api/v1/stations/{code}/plans/{MONTH}", headers=auth(tokens[code]),
                         json={"submission_id": f"plan-{code}-0001", "activities": acts})
            assert sent.status_code == 200, sent.json()
        app.dependency_overrides[clock] = lambda: ON_THE_DAY
        yield c


def place(code: str) -> tuple[float, float]:
    with transaction() as session:
        station = session.exec(select(Station).where(Station.code == code)).one()
        return station.longitude, station.latitude


def north(code: str, metres: float) -> tuple[float, float]:
    lon, lat = place(code)
    return lon, lat + metres * M


def jpeg(when: datetime | None = None, at: tuple[float, float] | None = None, seed: int = 0,
         noise: int = 16) -> bytes:
    """A real JPEG with EXIF DateTimeOriginal and GPS as a phone camera writes them (the demo's generator)."""
    return camera_photo(random.Random(seed), when, at, size=(noise, noise), quality=95)


def upload(client, token: str, data: bytes, code: str = "001", name: str = "wx-tmp.jpg"):
    return client.post(f"/api/v1/stations/{code}/photos", headers=auth(token),
                       files={"file": (name, data, "image/jpeg")})


def record(client, token: str, code: str = "001", **over):
    body = {"client_id": "ev-001-0001", "activity_seq": 1, "kind": "checkin", "taken_at": "2026-12-05T08:55:00",
            "longitude": None, "latitude": None, "photos": []} | over
    return client.post(f"/api/v1/stations/{code}/evidence/{MONTH}", headers=auth(token), json=body)


def rows(model) -> list:
    with transaction() as session:
        return list(session.exec(select(model)).all())


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_check_in_and_out_in_place_and_on_time_are_complete(client, tokens, store_root, county) -> None:
    lon, lat = north("001", 60)
    photo = upload(client, tokens["001"], jpeg(datetime(2026, 12, 5, 8, 57), north("001", 30)))
    assert photo.status_code == 200, photo.json()
    sha = photo.json()["sha256"]
    assert photo.json()["stored"] == "new" and photo.json()["exif_time"] == "2026-12-05T08:57:00"
    assert photo.json()["exif_latitude"] == pytest.approx(north("001", 30)[1], abs=1e-6)
    came = record(client, tokens["001"], longitude=lon, latitude=lat, photos=[sha])
    assert came.status_code == 200, came.json()
    assert came.json()["verdict"] == "符合" and came.json()["reasons"] == ["签到位置、时间和照片与计划相符"]
    assert came.headers["Idempotent-Replayed"] == "false"
    assert came.json()["received_at"] == "2026-12-05T11:00:00+08:00"
    out_photo = upload(client, tokens["001"], jpeg(datetime(2026, 12, 5, 10, 31), north("001", 40), seed=1)).json()
    left = record(client, tokens["001"], client_id="ev-001-0002", kind="checkout", taken_at="2026-12-05T10:30",
                  longitude=lon, latitude=lat, photos=[out_photo["sha256"]])
    assert left.json()["verdict"] == "符合", left.json()
    listed = client.get(f"/api/v1/stations/001/evidence/{MONTH}", headers=auth(tokens["001"])).json()
    assert [(r["kind"], r["verdict"]) for r in listed["records"]] == [("checkin", "符合"), ("checkout", "符合")]

    from activity_day.services.evidence import coverage, evidence_states

    with transaction() as session:
        # 001's afternoon activity has no record yet; 002 has none at all
        assert evidence_states(session, county, MONTH) == {"001": "缺失", "002": "缺失"}
    client.app.dependency_overrides[clock] = lambda: datetime(2026, 12, 5, 8, 0, tzinfo=UTC)  # 16:00 in Beijing
    for n, kind, when in ((3, "checkin", "2026-12-05T13:50"), (4, "checkout", "2026-12-05T15:20")):
        shot = upload(client, tokens["001"], jpeg(datetime.fromisoformat(when), north("001", 20), seed=n)).json()
        sent = record(client, tokens["001"], client_id=f"ev-001-000{n}", activity_seq=2, kind=kind, taken_at=when,
                      longitude=lon, latitude=lat, photos=[shot["sha256"]])
        assert sent.json()["verdict"] == "符合", sent.json()
    with transaction() as session:
        assert evidence_states(session, county, MONTH) == {"001": "完整", "002": "缺失"}
        found = coverage(session, county, MONTH)
    assert found.summary["complete"] == 1 and found.summary["missing"] == 1 and found.summary["records"] == 4
    assert found.by_township["stations"].sum() == 2


def test_far_late_and_unlocated_check_ins_are_judged_not_dropped(client, tokens, store_root) -> None:
    far = upload(client, tokens["001"], jpeg(datetime(2026, 12, 5, 10, 30), north("001", 3000))).json()
    late = record(client, tokens["001"], taken_at="2026-12-05T10:30", photos=[far["sha256"]],
                  longitude=north("001", 1200)[0], latitude=north("001", 1200)[1])
    assert late.status_code == 200 and late.json()["verdict"] == "不符合"
    assert late.json()["reasons"] == [
        "签到位置距所站登记位置 1.2 公里，超出 500 米",
        "签到时间 10:30比活动开始时间（9:00）晚 90 分钟，超出允许的 60 分钟",
        "照片拍摄位置距所站登记位置 3 公里，超出 500 米"]
    bare = upload(client, tokens["002"], jpeg(seed=7), code="002").json()
    assert bare["exif_time"] is None and bare["exif_longitude"] is None
    doubtful = record(client, tokens["002"], code="002", client_id="ev-002-0001", photos=[bare["sha256"]],
                      longitude=north("002", 10)[0], latitude=north("002", 10)[1])
    assert doubtful.json()["verdict"] == "存疑"
    assert doubtful.json()["reasons"] == ["照片无拍摄时间（EXIF）", "照片无拍摄位置（EXIF）"]
    assert len(rows(EvidenceRecord)) == 2


def test_a_station_without_coordinates_is_doubtful(client, tokens, store_root, county) -> None:
    with transaction() as session:
        station = session.exec(select(Station).where(Station.county == county, Station.code == "002")).one()
        station.longitude = station.latitude = None
        session.add(station)
    sent = record(client, tokens["002"], code="002", client_id="ev-002-0009", longitude=118.7, latitude=33.7)
    assert sent.json()["verdict"] == "存疑"
    assert sent.json()["reasons"] == ["所站未登记坐标，无法核对位置", "未附照片"]


def test_the_same_photo_is_stored_once(client, tokens, store_root) -> None:
    data = jpeg(datetime(2026, 12, 5, 9, 0), north("001", 10), noise=160)
    assert len(data) > 20000  # wider than the API's own body limit in this app: photos have their own
    first, again = upload(client, tokens["001"], data), upload(client, tokens["001"], data, name="again.jpg")
    assert first.status_code == again.status_code == 200, again.json()
    assert first.json()["sha256"] == again.json()["sha256"]
    assert (first.json()["stored"], again.json()["stored"]) == ("new", "existing")
    sha = first.json()["sha256"]
    assert len(rows(Photo)) == 1 and rows(Photo)[0].store == "file"
    assert stored_files(store_root) == [store_root / "photos" / sha[:2] / sha[2:4] / f"{sha}.jpg"]
    assert stored_files(store_root)[0].read_bytes() == data
    # another station uploading the same bytes: still one photo, and a record naming it is doubtful
    other = upload(client, tokens["002"], data, code="002")
    assert other.json()["stored"] == "existing" and len(rows(Photo)) == 1
    sent = record(client, tokens["002"], code="002", client_id="ev-002-0003", photos=[sha],
                  longitude=north("002", 10)[0], latitude=north("002", 10)[1])
    assert "照片与其他所站上传的照片相同" in sent.json()["reasons"]


def test_a_check_in_cannot_name_another_stations_photo(client, tokens, store_root) -> None:
    """A station that never uploaded a photo cannot name it: it gets the answer an unknown photo gets, word for
    word, so a checksum tells nobody whether a photo exists."""
    sha = upload(client, tokens["001"], jpeg(datetime(2026, 12, 5, 9, 0), north("001", 10), noise=7)).json()["sha256"]
    foreign = record(client, tokens["002"], code="002", client_id="ev-002-0001", photos=[sha])
    unknown = record(client, tokens["002"], code="002", client_id="ev-002-0002", photos=["0" * 64])
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["message"] == unknown.json()["message"]
    assert [p["reason"] for p in foreign.json()["problems"]] == [p["reason"] for p in unknown.json()["problems"]]
    assert rows(EvidenceRecord) == []


def test_replay_returns_the_stored_record_and_reuse_is_a_conflict(client, tokens, store_root) -> None:
    first = record(client, tokens["001"])
    again = record(client, tokens["001"])
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    reused = record(client, tokens["001"], taken_at="2026-12-05T09:05")
    assert reused.status_code == 409 and reused.json()["code"] == "conflict"
    assert len(rows(EvidenceRecord)) == 1


def test_unknown_activity_and_photo_are_named(client, tokens, store_root) -> None:
    sent = record(client, tokens["001"], activity_seq=9, photos=["0" * 64])
    assert sent.status_code == 404 and sent.json()["code"] == "not_found"  # unknown references, not bad content
    assert [(p["field"], p["reason"]) for p in sent.json()["problems"]] == [
        ("activity_seq", f"本所站{MONTH}的活动计划中没有第9项活动"),
        ("photos.0", "没有这张照片：请先上传照片，再提交纪实")]
    bad_sha = record(client, tokens["001"], photos=["not-a-digest"])
    assert bad_sha.status_code == 422 and bad_sha.json()["problems"][0]["field"] == "photos"
    twice = record(client, tokens["001"], photos=["0" * 64, "0" * 64])
    assert twice.status_code == 422 and twice.json()["problems"][0]["reason"] == "同一张照片重复列出"
    assert rows(EvidenceRecord) == []


def test_a_check_in_arriving_after_its_check_out_rejudges_it(client, tokens, store_root) -> None:
    lon, lat = north("001", 10)
    shots = [upload(client, tokens["001"], jpeg(datetime(2026, 12, 5, h, m), north("001", 10), seed=h)).json()
             for h, m in ((10, 30), (8, 55))]
    out = record(client, tokens["001"], client_id="ev-001-out", kind="checkout", taken_at="2026-12-05T10:30",
                 longitude=lon, latitude=lat, photos=[shots[0]["sha256"]])
    assert out.json()["reasons"] == ["未找到本项活动的签到，无法核对活动时长"]
    record(client, tokens["001"], client_id="ev-001-in", taken_at="2026-12-05T08:55", longitude=lon, latitude=lat,
           photos=[shots[1]["sha256"]])
    listed = client.get(f"/api/v1/stations/001/evidence/{MONTH}", headers=auth(tokens["001"])).json()["records"]
    assert [(r["kind"], r["verdict"]) for r in listed] == [("checkin", "符合"), ("checkout", "符合")]


def test_not_a_photo_and_too_large(client, tokens, store_root, county) -> None:
    text = client.post("/api/v1/stations/001/photos", headers=auth(tokens["001"]),
                       files={"file": ("x.jpg", b"GIF89a" + b"\0" * 100, "image/jpeg")})
    assert text.status_code == 422 and text.json()["problems"][0]["reason"] == "不是 JPEG 或 PNG 格式的照片"
    broken = client.post("/api/v1/stations/001/photos", headers=auth(tokens["001"]),
                         files={"file": ("x.jpg", b"\xff\xd8\xff" + b"\0" * 100, "image/jpeg")})
    assert broken.status_code == 422 and broken.json()["problems"][0]["reason"] == "照片文件已损坏，无法读取"
    unparsable = client.post("/api/v1/stations/001/photos", content=b"--xyz\r\n\xc2\x80--xyz--\r\n",
                             headers=auth(tokens["001"]) | {"Content-Type": "multipart/form-data; boundary=xyz"})
    assert unparsable.status_code == 422 and unparsable.json()["problems"][0]["field"] == "file"
    change_profile(county, {"evidence.max_photo_bytes": 4096})
    big = upload(client, tokens["001"], jpeg(noise=100))
    assert big.status_code == 413 and big.json()["code"] == "too_large"
    assert big.json()["message"].startswith("照片过大")
    assert rows(Photo) == [] and stored_files(store_root) == []


def test_another_stations_evidence_is_forbidden(client, tokens, store_root) -> None:
    forbidden = {"code": "forbidden", "message": "无权访问", "problems": []}
    for response in (upload(client, tokens["001"], jpeg(), code="002"),
                     record(client, tokens["001"], code="002"),
                     client.get(f"/api/v1/stations/002/evidence/{MONTH}", headers=auth(tokens["001"]))):
        assert response.status_code == 403 and response.json() == forbidden
    assert rows(Photo) == [] and rows(EvidenceRecord) == []
    assert client.post("/api/v1/stations/001/photos", files={"file": ("x.jpg", jpeg(), "image/jpeg")}).status_code == 401


def test_openapi_documents_the_evidence_routes(client) -> None:
    schema = client.get("/openapi.json").json()
    post = schema["paths"]["/api/v1/stations/{code}/evidence/{month}"]["post"]
    assert set(post["responses"]) == {"200", "401", "403", "404", "409", "413", "422"}
    assert "Idempotent-Replayed" in post["responses"]["200"]["headers"]
    upload_op = schema["paths"]["/api/v1/stations/{code}/photos"]["post"]
    assert "multipart/form-data" in upload_op["requestBody"]["content"]
    assert upload_op["operationId"] == "upload_photo" and upload_op["tags"] == ["evidence"]


# --- the S3 store, against moto's server ------------------------------------------------------------------

@pytest.fixture
def s3_endpoint(monkeypatch):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def test_photos_land_in_an_s3_bucket_once(client, tokens, settings, s3_endpoint) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=s3_endpoint)
    s3.create_bucket(Bucket="evidence")
    data = jpeg(datetime(2026, 12, 5, 9, 0), north("001", 10), seed=3)
    in_s3 = settings.model_copy(update={"photo_store": "s3://evidence/county-a/", "photo_store_endpoint_url": s3_endpoint})
    with bound(in_s3):  # the server's context names the bucket: an app made in it
        app = create_app(max_body_bytes=20000)
        app.dependency_overrides[clock] = lambda: BEFORE_DEADLINE
        with TestClient(app) as in_s3_client:
            first, again = upload(in_s3_client, tokens["001"], data), upload(in_s3_client, tokens["001"], data)
    assert (first.json()["stored"], again.json()["stored"]) == ("new", "existing"), first.json()
    sha = first.json()["sha256"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="evidence").get("Contents", [])]
    assert keys == [f"county-a/photos/{sha[:2]}/{sha[2:4]}/{sha}.jpg"]
    stored = s3.get_object(Bucket="evidence", Key=keys[0])
    assert stored["Body"].read() == data and stored["ContentType"] == "image/jpeg"
    [row] = rows(Photo)
    assert (row.store, row.location) == ("s3", f"s3://evidence/{keys[0]}")
