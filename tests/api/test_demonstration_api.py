"""Applying to be a demonstration station (示范所站申报) through the API, with the station's own token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from activity_day.api import create_app
from activity_day.store import demonstration as store
from activity_day.store.database import transaction
from tests.intake_helpers import tokens_for


@pytest.fixture
def client(registry, county):
    with TestClient(create_app()) as c:
        yield c


def test_a_station_applies_updates_and_reads_its_application(client, county) -> None:
    tokens = tokens_for(county, ["001", "002"])
    auth = {"Authorization": f"Bearer {tokens['001']}"}
    first = client.put("/api/v1/stations/001/demonstration/2027", headers=auth,
                       json={"brand": "板凳课堂", "statement": "理论宣讲进院落"})
    assert first.status_code == 200 and first.json() == {
        "station_code": "001", "round": "2027", "brand": "板凳课堂", "statement": "理论宣讲进院落", "status": "已申报"}
    again = client.put("/api/v1/stations/001/demonstration/2027", headers=auth, json={"brand": "孝善食堂"})
    assert again.status_code == 200 and again.json()["brand"] == "孝善食堂" and again.json()["statement"] == ""
    with transaction() as session:
        [stored] = store.applications(session=session, county=county, round_="2027")
    assert (stored.station_code, stored.brand) == ("001", "孝善食堂")  # one row, updated in place
    assert client.get("/api/v1/stations/001/demonstration/2027", headers=auth).json()["brand"] == "孝善食堂"
    # another station's path, a blank brand, a bad round
    assert client.put("/api/v1/stations/002/demonstration/2027", headers=auth, json={"brand": "x"}).status_code == 403
    blank = client.put("/api/v1/stations/001/demonstration/2027", headers=auth, json={"brand": "  "})
    assert blank.status_code == 422 and "特色品牌" in blank.text
    assert client.put("/api/v1/stations/001/demonstration/27", headers=auth, json={"brand": "x"}).status_code == 422
    assert client.get("/api/v1/stations/001/demonstration/2028", headers=auth).status_code == 404
