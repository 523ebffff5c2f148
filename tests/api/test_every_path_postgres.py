"""The every-path county on PostgreSQL, where a control character is not merely odd text but a database error: the
service refuses it before anything is written, so the pages answer with the reason, never 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from activity_day.api.mobile.pages import csrf_token
from activity_day.context import bound
from activity_day.models import LectureRating
from activity_day.settings import Settings
from activity_day.store.database import transaction
from tests.api.every_path import MONTH, ON_THE_DAY, World, a_shared_photo_is_each_uploaders, world
from tests.conftest import fresh_postgres_database

__all__ = ["world"]  # the fixture, imported for the tests below

pytestmark = pytest.mark.postgres


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    """This module's database: a fresh PostgreSQL one (the county fixture migrates it)."""
    with fresh_postgres_database(migrated=True) as url:
        s = Settings(database_url=url, out=tmp_path / "out", photo_store=str(tmp_path / "var"))
        with bound(s):
            yield s


def test_the_pages_refuse_a_control_character_in_a_rating_on_postgres(world: World) -> None:
    world.at(ON_THE_DAY)
    station = world.client.post("/m/station/ratings", data={
        "csrf": csrf_token(world.tokens[world.station]), "month": MONTH, "menu_code": "XJ-01", "score": "5",
        "comment": "好\x00"})
    assert station.status_code == 422, station.text
    assert "含有不可见的控制字符（U+0000）" in station.text and 'id="rate-XJ-01"' in station.text

    observer = world.client.post("/m/observer/lectures", data={
        "csrf": csrf_token(world.tokens["observer"]), "month": MONTH, "station": world.station,
        "menu_code": "XJ-01", "score": "4", "comment": "讲得\x07好"})
    assert observer.status_code == 422, observer.text
    assert "含有不可见的控制字符（U+0007）" in observer.text and f'id="rate-{world.station}-XJ-01"' in observer.text
    with transaction() as session:
        assert list(session.exec(select(LectureRating))) == []

    taken = world.client.post("/m/station/ratings", data={
        "csrf": csrf_token(world.tokens[world.station]), "month": MONTH, "menu_code": "XJ-01", "score": "5",
        "comment": "好"})
    assert taken.status_code == 303, taken.text
    with transaction() as session:
        assert [(r.rater, r.comment) for r in session.exec(select(LectureRating))] == [("所站", "好")]


def test_a_photo_two_stations_uploaded_is_each_ones_to_cite_on_postgres(world: World) -> None:
    a_shared_photo_is_each_uploaders(world)
