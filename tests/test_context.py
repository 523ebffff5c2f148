"""The context a piece of work runs in (activity_day.context): bound by entry points, read below them, carried
into threads, with the clock that the time rules ask; and the county's profile, validated once and shared."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from activity_day.context import Context, bound, carried, current, install
from activity_day.settings import Settings
from activity_day.store import crud
from activity_day.store.database import transaction
from tests.intake_helpers import change_profile, tokens_for

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def settings_at(folder: Path, name: str) -> Settings:
    return Settings(database_url=f"sqlite:///{folder / name}.db", out=folder / name)


def test_each_thread_reads_the_context_it_was_given(tmp_path: Path) -> None:
    seen: dict[str, str] = {}
    start = threading.Barrier(2)

    def work(name: str) -> None:
        with bound(settings_at(tmp_path, name)):
            start.wait()  # both bound at once: a process-wide switch would give one of them the other's
            seen[name] = current().settings.database_url

    threads = [threading.Thread(target=work, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {n: f"sqlite:///{tmp_path / n}.db" for n in ("a", "b")}


def test_a_block_puts_the_previous_context_back_even_when_it_fails(tmp_path: Path) -> None:
    outer = Context(settings_at(tmp_path, "outer"))
    with bound(outer):
        with pytest.raises(RuntimeError), bound(settings_at(tmp_path, "inner")):
            assert current().settings.out == tmp_path / "inner"
            raise RuntimeError
        assert current() is outer


def test_a_thread_of_our_own_gets_the_context_only_when_carried(tmp_path: Path) -> None:
    got: dict[str, Path] = {}
    with bound(settings_at(tmp_path, "mine")):
        plain = threading.Thread(target=lambda: got.setdefault("plain", current().settings.out))
        kept = threading.Thread(target=carried(lambda: got.setdefault("carried", current().settings.out)))
        for t in (plain, kept):
            t.start()
            t.join(10)
    assert got["carried"] == tmp_path / "mine"
    assert got["plain"] != tmp_path / "mine"  # a new thread starts with none bound: the environment's


def test_a_process_context_is_what_an_unbound_thread_reads(tmp_path: Path) -> None:
    """A worker process installs its parent's context once; its threads that bind none read it."""
    worker = Context(settings_at(tmp_path, "worker"))
    previous = install(worker)
    try:
        got: list[Context] = []
        t = threading.Thread(target=lambda: got.append(current()))
        t.start()
        t.join(10)
        assert got == [worker]
    finally:
        install(previous)


def test_the_clock_is_the_contexts() -> None:
    ctx = Context(Settings()).at(datetime(2027, 1, 31, 17, 0))  # naive: UTC
    assert ctx.now() == datetime(2027, 1, 31, 17, 0, tzinfo=UTC)
    assert ctx.today().isoformat() == "2027-02-01"  # 01:00 on 1 February in Asia/Shanghai


def test_a_token_expires_by_the_contexts_clock(settings: Settings, registry, county: str) -> None:
    """A time rule below the entry points asks the context: the same token is live today and dead after its end."""
    from activity_day.services.submissions import station_for_token

    token = tokens_for(county, ["001"])["001"]
    with transaction(read_only=True) as session:
        ends = crud_token_end(session, county)
    for moment, live in ((ends - timedelta(minutes=1), True), (ends + timedelta(minutes=1), False)):
        with bound(Context(settings).at(moment)), transaction(read_only=True) as session:
            assert (station_for_token(session=session, token=token) is not None) is live, moment


def crud_token_end(session, county: str) -> datetime:
    from sqlmodel import select

    from activity_day.models import StationToken

    ends = session.exec(select(StationToken.expires_at).where(StationToken.county == county,
                                                             StationToken.station_code == "001")).one()
    return ends if ends.tzinfo else ends.replace(tzinfo=UTC)


def test_a_request_runs_in_its_apps_context_and_clock(settings: Settings, registry, county: str) -> None:
    """The API binds its context for each request, in the thread pool too: a token used after its end by the
    app's clock is refused, the same token on an app whose clock is earlier is accepted."""
    from activity_day.api import create_app

    token = tokens_for(county, ["001"])["001"]
    with transaction(read_only=True) as session:
        ends = crud_token_end(session, county)
    headers = {"Authorization": f"Bearer {token}"}
    for moment, status in ((ends - timedelta(days=1), 200), (ends + timedelta(days=1), 401)):
        app = create_app(settings=Context(settings).at(moment))
        with bound(Context(Settings())), TestClient(app) as client:  # the caller's own context is not the app's
            assert client.get("/api/v1/stations/001/submissions", headers=headers).status_code == status, moment


def test_a_profile_is_validated_once_shared_frozen_and_seen_again_when_changed(settings, county: str) -> None:
    with transaction(read_only=True) as session:
        first = crud.load_profile_of(session=session, county=county)
        again = crud.load_profile_of(session=session, county=county)
    assert again is first  # validated once while the stored text stays the same
    with pytest.raises(ValidationError, match="frozen"):
        first.intake.late_submissions = "refuse"  # shared: never changed in place
    assert first.intake.late_submissions != "refuse"
    change_profile(county, {"intake.late_submissions": "refuse"})
    with transaction(read_only=True) as session:
        changed = crud.load_profile_of(session=session, county=county)
    assert changed is not first and changed.intake.late_submissions == "refuse"


def test_every_part_of_a_profile_is_frozen() -> None:
    """The cached profile is shared by every caller in a process: no model in it may be changed in place."""
    import typing

    from pydantic import BaseModel

    from activity_day.domain.profile import Profile

    seen: dict[type, bool] = {}

    def walk(annotation: object) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation in seen:
                return
            seen[annotation] = bool(annotation.model_config.get("frozen"))
            for field in annotation.model_fields.values():
                walk(field.annotation)
        for arg in typing.get_args(annotation):
            walk(arg)

    walk(Profile)
    assert len(seen) > 20, sorted(t.__name__ for t in seen)  # the walk reaches the sections and their parts
    assert [t.__name__ for t, frozen in seen.items() if not frozen] == []


def test_a_context_travels_to_a_worker_process_with_its_clock(tmp_path: Path) -> None:
    """A province's worker processes get their parent's context, clock included (spawn pickles it)."""
    import multiprocessing

    ctx = Context(settings_at(tmp_path, "province")).at(datetime(2027, 3, 1, 1, 0))
    with multiprocessing.get_context("spawn").Pool(1, initializer=install, initargs=(ctx,)) as pool:
        seen = pool.apply(_worker_view)
    assert seen == (f"sqlite:///{tmp_path / 'province'}.db", "2027-03-01T01:00:00+00:00")


def _worker_view() -> tuple[str, str]:
    return current().settings.database_url, current().now().isoformat()


def test_a_run_given_no_month_is_named_for_the_month_its_flow_defaults_to() -> None:
    """Prefect names a run before its flow starts: a run of a step given no month (a catch-up run from the UI)
    is named by the context's clock, next month for the plan's steps, this month for the month's own."""
    from activity_day.flows.monthly import _this_month, run_name

    with bound(Context(Settings()).at(datetime(2027, 1, 31, 17, 0))):  # 1 February in Asia/Shanghai
        assert run_name("月度流程")() == "2027年3月·月度流程"
        assert run_name("通报汇编", _this_month)() == "2027年2月·通报汇编"
