"""Whole phone pages kept per process (api/mobile/kept.py): a kept page is the page rendered now, gzipped or plain,
with a new submission id in every answer; time passing a boundary the page shows, and a write, each give the next
page anew. The other writes the pages show (a check-in, a lecture order, a corrected score, a resubmitted plan)
are held to the next page by the tests of those pages, which all go through the kept pages."""

from __future__ import annotations

import gzip
import random
import re
import zlib
from datetime import UTC, datetime

from markupsafe import Markup

from activity_day.api.auth import Station
from activity_day.api.mobile import kept
from activity_day.api.mobile.pages import fragment
from activity_day.api.mobile.station import _context, page_month
from activity_day.models.enums import ScorerRole
from activity_day.store.database import transaction
from tests.api.test_mobile import BEFORE_DEADLINE, MONTH, ON_THE_DAY, app, client_at, enter, form  # noqa: F401
from tests.api.test_scoring_api import TEAM, scorer_token
from tests.intake_helpers import tokens_for

AFTER_DEADLINE = datetime(2026, 12, 3, 1, tzinfo=UTC)  # the station plans' deadline is 2 December 23:59
SUBMISSION = re.compile(r'name="submission_id" value="(h5-[0-9a-f]{32})"')


def raw(client, path: str, encoding: str) -> tuple[dict[str, str], bytes]:
    """The answer's headers and its bytes as sent (not decoded)."""
    with client.stream("GET", path, headers={"Accept-Encoding": encoding}) as answer:
        assert answer.status_code == 200
        return dict(answer.headers), b"".join(answer.iter_raw())


def test_a_kept_page_is_the_page_rendered_now(app, county) -> None:  # noqa: F811
    token = tokens_for(county, ["001"])["001"]
    with client_at(app, BEFORE_DEADLINE) as client:
        enter(client, "/m/station", token)
        client.get("/m/station")
        count = kept.kept_count()
        sent = [raw(client, "/m/station", "gzip") for _ in range(3)]
        assert kept.kept_count() == count  # answered from the kept page, not kept again
        plain_headers, plain = raw(client, "/m/station", "identity")
    pages = []
    for headers, body in sent:
        assert headers["content-encoding"] == "gzip" and headers["vary"] == "Accept-Encoding"
        assert headers["cache-control"] == "no-store" and headers["content-length"] == str(len(body))
        pages.append(gzip.decompress(body).decode())  # checks the CRC-32 and the length in the gzip trailer
    assert "content-encoding" not in plain_headers and plain_headers["vary"] == "Accept-Encoding"
    ids = [SUBMISSION.search(p)[1] for p in [*pages, plain.decode()]]
    assert len(set(ids)) == 4  # two views of one page never share an idempotency key
    # The same bytes as the page rendered now from what is stored, the submission id aside.
    with transaction(read_only=True) as session:
        station = Station(county=county, code="001")
        context = _context(station, token, page_month(county, BEFORE_DEADLINE, session), BEFORE_DEADLINE,
                           session=session)
    for page, submission_id in zip([*pages, plain.decode()], ids, strict=True):
        assert page == str(fragment("station.html", **context | {"submission_id": submission_id}))


def test_a_plan_sent_is_on_the_next_page_and_its_notice_only_once(app, county) -> None:  # noqa: F811
    token = tokens_for(county, ["001"])["001"]
    with client_at(app, BEFORE_DEADLINE) as client:
        enter(client, "/m/station", token)
        assert "尚未报送" in client.get("/m/station").text
        client.get("/m/station")  # kept
        sent = client.post("/m/station/plan", data=form(token, location="文化礼堂", submission_id="h5-kept-0001"))
        assert sent.status_code == 303
        after = client.get(sent.headers["location"]).text
        assert "活动计划已报送" in after and 'value="文化礼堂"' in after and "尚未报送" not in after
        again = client.get(sent.headers["location"]).text
        assert "活动计划已报送" not in again and 'value="文化礼堂"' in again
        sent = client.post("/m/station/plan", data=form(token, location="新时代文明实践站", submission_id="h5-kept-0002"))
        assert sent.status_code == 303
        client.get(sent.headers["location"])  # the notice, once
        last = client.get("/m/station").text
        assert 'value="新时代文明实践站"' in last and 'value="文化礼堂"' not in last


def test_the_page_changes_when_time_passes_what_it_shows(app, county) -> None:  # noqa: F811
    """Nothing stored changes: the deadline passing and the activity day arriving each give another page."""
    token = tokens_for(county, ["001"])["001"]
    pages = {}
    for moment in (BEFORE_DEADLINE, AFTER_DEADLINE, ON_THE_DAY, BEFORE_DEADLINE):
        with client_at(app, moment) as client:
            enter(client, "/m/station", token)
            pages.setdefault(moment, []).append(client.get(f"/m/station?month={MONTH}").text)
    assert "已过截止时间" not in pages[BEFORE_DEADLINE][0] and "已过截止时间" in pages[AFTER_DEADLINE][0]
    hint = "当天，在活动现场签到、签退并拍照上传"
    assert hint in pages[AFTER_DEADLINE][0] and hint not in pages[ON_THE_DAY][0]
    assert "已过截止时间" in pages[ON_THE_DAY][0]
    # Back before the deadline (a test's clock): the kept page of that time again.
    assert SUBMISSION.sub("", pages[BEFORE_DEADLINE][1]) == SUBMISSION.sub("", pages[BEFORE_DEADLINE][0])


def test_the_team_page_changes_on_its_day(app, county) -> None:  # noqa: F811
    token = scorer_token(county, ScorerRole.TEAM, TEAM)
    shown = {}
    for moment in (BEFORE_DEADLINE, ON_THE_DAY, BEFORE_DEADLINE):
        with client_at(app, moment) as client:
            enter(client, "/m/team", token)
            shown[moment] = client.get(f"/m/team?month={MONTH}").text
    assert "今日走访所站" not in shown[BEFORE_DEADLINE] and "2026年12月走访所站" in shown[BEFORE_DEADLINE]
    assert "今日走访所站" in shown[ON_THE_DAY]


def test_gzipped_pages_with_a_fresh_value_anywhere() -> None:
    """The kept parts and the swapped value decode to the page with that value, wherever it stands."""
    rng = random.Random(31)
    for n in range(40):
        size = rng.choice([0, 1, 100, 5000, 70000])
        text = "".join(rng.choice("活动签到 <li>abc</li>\n0123") for _ in range(size)).encode()
        at = rng.randint(0, len(text))
        stand_in = f"h5-{kept.PLACEHOLDER_ID}".encode()
        page = text[:at] + stand_in + text[at:]
        keeping = kept.keep(page, stand_in)
        assert keeping is not None
        for _ in range(3):
            fresh = f"h5-{rng.getrandbits(128):032x}".encode()
            body = kept.gzipped(keeping, fresh)
            assert gzip.decompress(body) == page.replace(stand_in, fresh), n
            assert zlib.decompress(body, 31) == page.replace(stand_in, fresh), n
    assert gzip.decompress(kept.gzipped(kept.keep(b"<p>no fresh value</p>"))) == b"<p>no fresh value</p>"
    assert kept.keep(b"twice h5-x h5-x", b"h5-x") is None and kept.keep(b"none", b"h5-x") is None


def test_keys_tell_apart_what_renders_apart() -> None:
    assert kept.frozen({"n": 1}) != kept.frozen({"n": True}) != kept.frozen({"n": 1.0})
    assert kept.frozen(["<b>"]) != kept.frozen([Markup("<b>")])
    assert kept.frozen({"a": [1, "x"]}) == kept.frozen({"a": [1, "x"]})
    assert kept.frozen({"a": [1, "x"]}) != kept.frozen({"a": (1, "x")}) != kept.frozen({"a": [1, "y"]})
    one, other = object(), object()
    assert kept.frozen({"plan": one}) == kept.frozen({"plan": one}) != kept.frozen({"plan": other})


def test_the_observer_and_team_pages_are_one_read_each(app, county, settings) -> None:  # noqa: F811
    """The token's check, the stations, the scores and the lectures: read in one transaction (one snapshot)."""
    from sqlalchemy import event

    from activity_day.demo import TOWNSHIPS
    from activity_day.models import get_engine

    tokens = {"observer": scorer_token(county, ScorerRole.OBSERVER, "韩梅", TOWNSHIPS[0]),
              "team": scorer_token(county, ScorerRole.TEAM, TEAM)}
    engine = get_engine(settings.database_url)
    for role, path in (("observer", "/m/observer"), ("team", "/m/team"), ("team", "/m/team/stations/001")):
        with client_at(app, ON_THE_DAY) as client:
            enter(client, f"/m/{role}", tokens[role])
            begun: list[str] = []
            listen = (engine, "begin", lambda conn, begun=begun: begun.append("begin"))
            event.listen(*listen)
            try:
                page = client.get(path)
            finally:
                event.remove(*listen)
        assert page.status_code == 200 and 'id="s-001"' in page.text, path
        assert begun == ["begin"], path


def test_values_that_render_differently_are_different_keys() -> None:
    """Equal in Python, different on the page: each is its own key (else a page kept for one is shown for the
    other)."""
    from datetime import timedelta, timezone
    from decimal import Decimal

    moment = datetime(2027, 3, 5, 8, 0, tzinfo=UTC)
    pairs = [(Decimal("8.5"), Decimal("8.50")), (0.0, -0.0), (1, 1.0), (1, True), ("a", Markup("a")),
             (moment, moment.astimezone(timezone(timedelta(hours=8))))]
    for one, other in pairs:
        assert one == other and f"{one}" != f"{other}" or type(one) is not type(other)
        assert kept.Key(kept.frozen({"v": one})) != kept.Key(kept.frozen({"v": other})), (one, other)
    assert kept.Key(kept.frozen({"v": Decimal("8.5")})) == kept.Key(kept.frozen({"v": Decimal("8.5")}))
    assert kept.Key(kept.frozen({"v": [moment]})) == kept.Key(kept.frozen({"v": [moment]}))
