"""A read-only transaction reads the month's plan and the county's profile once however often a page asks; a
writing transaction reads them every time, so what it wrote is what it reads back."""

from __future__ import annotations

from sqlalchemy import event

from activity_day.models import get_engine
from activity_day.settings import Settings
from activity_day.store import crud
from activity_day.store.database import transaction
from tests.intake_helpers import official_plan

MONTH = "2027-03"


def _statements(settings: Settings) -> tuple[list[str], tuple]:
    seen: list[str] = []
    listen = (get_engine(settings.database_url), "before_cursor_execute",
              lambda conn, cursor, statement, *rest: seen.append(statement))
    event.listen(*listen)
    return seen, listen


def test_a_read_only_transaction_reads_the_plan_and_the_profile_once(settings: Settings, county: str) -> None:
    official_plan(county, MONTH)
    with transaction(read_only=True) as session:  # each process validates a stored plan once: done here
        for version in (1, 2):
            crud.cached_plan_content(session=session, county=county, month=MONTH, version=version)
    seen, listen = _statements(settings)
    try:
        with transaction(read_only=True) as session:
            plans = [crud.cached_plan_content(session=session, county=county, month=MONTH) for _ in range(3)]
            profiles = [crud.load_profile_of(session=session, county=county) for _ in range(3)]
            draft = crud.cached_plan_content(session=session, county=county, month=MONTH, version=1)
    finally:
        event.remove(*listen)
    assert plans[0] is not None and plans[0] is plans[1] is plans[2] and profiles[0] is profiles[2]
    assert draft is not None
    assert sum("FROM month_plan" in s for s in seen) == 2  # the official plan once, the draft (another key) once
    assert sum("FROM county" in s for s in seen) == 1


def test_a_writing_transaction_reads_back_what_it_wrote(settings: Settings, county: str) -> None:
    official_plan(county, MONTH)
    with transaction() as session:
        before = crud.cached_plan_content(session=session, county=county, month=MONTH)
        assert before is not None
        changed = before.model_copy(update={"activity_date": before.activity_date.replace(day=1)})
        crud.save_plan(session=session, county=county, month=MONTH, version=2, content=changed, doc_number="y")
        after = crud.cached_plan_content(session=session, county=county, month=MONTH)
        assert after is not None and after.activity_date == before.activity_date.replace(day=1)
    with transaction(read_only=True) as session:
        stored = crud.cached_plan_content(session=session, county=county, month=MONTH)
        assert stored is not None and stored.activity_date == after.activity_date
