"""A year of documents read the way an office reads what it signs: every month's plans and circular in every
format, the year's evaluation, and the first, a middle and the last month rendered by LibreOffice.

The wrongs of a document system show up after January (festivals of other months, an overdue list that only
grows, commendations contradicting the annex), so these tests read a 12-month demo year (tests/demo/conftest.py).
The rules live beside the facts (domain.plan_rules, domain.circular_rules); here they are held against what was
actually issued.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date
from pathlib import Path

import pytest
from docx import Document

from activity_day.documents.plaintext import docx_plain, html_plain
from activity_day.domain.dates import FIXED_DAYS, cn_date
from activity_day.domain.draw import seeded_by_office
from activity_day.domain.evaluation import report_date
from activity_day.domain.plan_rules import plan_rule_violations, software_words
from tests.demo.conftest import YEAR_MONTH

pytestmark = pytest.mark.flow
MONTHS = [f"2027-{m:02d}" for m in range(1, 13)]
FORMATS = ("md", "html", "docx")
# Every festival or commemorative day a learning or checklist item may be tagged with.
FESTIVALS = {*FIXED_DAYS.values(), "春节", "元宵节", "清明节", "端午节", "七夕节", "中秋节", "重阳节", "腊八节", "除夕", "冬至",
             "中国农民丰收节", "全民国防教育日", "文化和自然遗产日"}
UNBACKED = ("双随机",)


def read(folder: Path, stem: str) -> dict[str, str]:
    """The plain text of `stem` in each format."""
    return {"md": (folder / f"{stem}.md").read_text(encoding="utf-8"),
            "html": html_plain((folder / f"{stem}.html").read_text(encoding="utf-8")),
            "docx": docx_plain((folder / f"{stem}.docx").read_bytes())}


@pytest.fixture(scope="module")
def year(demo_year: Path) -> dict:
    """Each month's plans (content) and documents (text by format), and the year's evaluation report."""
    from activity_day.context import bound, current
    from activity_day.demo import workspace_settings
    from activity_day.store import crud
    from activity_day.store.database import transaction

    with bound(workspace_settings(demo_year, current().settings)), transaction(read_only=True) as session:
        [county] = crud.county_codes(session=session)
        profile = crud.load_profile_of(session=session, county=county)
        plans = {m: {v: crud.plan_content(crud.get_plan(session=session, county=profile.county.code, month=m,
                                                        version=v)) for v in (1, 2)} for m in MONTHS}
        office_seeded = {m: seeded_by_office(crud.require_draw(session=session, county=county, month=m).record)
                         for m in MONTHS}
    out = demo_year / "out"
    return {
        "profile": profile, "plans": plans, "out": out, "office_seeded": office_seeded,
        "docs": {m: {stem: read(out / m, stem) for stem in ("plan-v1", "plan-v2", "circular")} for m in MONTHS},
        "evaluation": read(out / "evaluation" / "2027", "evaluation-report"),
    }


def test_every_plan_of_the_year_keeps_the_plan_rules(year: dict) -> None:
    found = {f"{m} v{v}": plan_rule_violations(content) for m, plans in year["plans"].items()
             for v, content in plans.items()}
    assert {k: v for k, v in found.items() if v} == {}


def test_every_plan_cites_only_festivals_of_its_own_month_in_every_format(year: dict) -> None:
    wrong = []
    for month, docs in year["docs"].items():
        own = {mark.name for mark in year["plans"][month][2].marks}
        for stem in ("plan-v1", "plan-v2"):
            for fmt, text in docs[stem].items():
                cited = set(re.findall(r"（([^（）]{2,16})）", text)) & FESTIVALS
                wrong += [f"{month} {stem}.{fmt} cites {name}" for name in sorted(cited - own)]
    assert wrong == []


def test_no_issued_document_has_a_software_word_or_an_unbacked_claim(year: dict) -> None:
    found = []
    documents = [(f"{m} {stem}", texts) for m, docs in year["docs"].items() for stem, texts in docs.items()]
    for name, texts in [*documents, ("evaluation", year["evaluation"])]:
        for fmt, text in texts.items():
            found += [f"{name}.{fmt}: {w}" for w in software_words(text)]
            found += [f"{name}.{fmt}: {w}" for w in UNBACKED if w in text]
    # nor in what Word shows under 文件 > 信息: the author is the office, no generator's name or comment
    office = year["profile"].county.office_name
    for path in sorted(year["out"].rglob("*.docx")):
        props = Document(str(path)).core_properties
        shown = " ".join(filter(None, (props.author, props.last_modified_by, props.comments, props.subject,
                                       props.keywords, props.title, props.category)))
        found += [f"{path.name} properties: {w}" for w in software_words(shown) + re.findall(r"[A-Za-z-]{4,}", shown)]
        if path.parent.name != "2027" and path.stem in ("circular", "plan-v2"):
            assert props.author == office, path
    assert found == []


def test_a_circular_calls_its_draw_random_only_when_the_value_was_not_the_offices(year: dict) -> None:
    for month in MONTHS:
        for fmt, text in year["docs"][month]["circular"].items():
            said = "随机抽取" in re.sub(r"\s", "", text)
            assert said == (not year["office_seeded"][month]), f"{month} {fmt}"
    assert any(year["office_seeded"].values())  # the demo's unattended months: the plan's checksum


def test_an_adopted_comment_changes_the_official_plan(year: dict) -> None:
    """Each 采纳/部分采纳 comment's edits or amendment is in the official plan's text, and the plan differs from
    the draft; the disposition table is not attached to the plan sent to every station."""
    changed = 0
    for month, plans in year["plans"].items():
        official = plans[2]
        text = re.sub(r"\s", "", year["docs"][month]["plan-v2"]["md"])
        assert "部门意见处理情况表" not in text, month
        for comment in official.amendments():
            assert re.sub(r"\s", "", comment.amendment or "") in text, (month, comment.department)
            changed += 1
        changed += len(official.edits or [])
        if official.amendments() or official.edits:
            assert official.codes() != plans[1].codes() or official.amendments(), month
    assert changed >= 12  # the demo's departments comment every month, and the office adopts


def _sections(md: str) -> dict[str, str]:
    """The Markdown circular split into its body and its attachments (by the attachment's title)."""
    parts = re.split(r"\n附件\d+\n\n## ", md)
    return {"body": parts[0], **{part.split("\n", 1)[0]: part for part in parts[1:]}}


def _rows(table: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip("|").split("|")] for line in table.splitlines()
            if line.startswith("| ") and not line.startswith("| 序号") and not line.startswith("| 名次")]


def test_every_circular_commends_only_what_its_annexes_allow(year: dict) -> None:
    """The body's commendations against the same circular's annexes: the count it states is the number of
    team-scored stations at or above the line that appear in neither the problem list nor the overdue list, and
    it names the best of them, at most commend_top."""
    scoring = year["profile"].scoring
    for month in MONTHS:
        parts = _sections(year["docs"][month]["circular"]["md"])
        ranked = _rows(parts["所站得分表"].split("仅有文明观察员评分的所站")[0])
        flagged = {(r[1], r[2]) for r in _rows(parts["存在问题清单"])}
        flagged |= {(r[1], r[2]) for r in _rows(parts.get("逾期未整改问题清单", ""))}
        # where check-ins are collected, a station that missed its check-in is not commended
        flagged |= {(r[0], name) for r in _rows(parts.get("未签到打卡所站名单", "")) for name in r[2].split("、")}
        eligible = [(r[3], r[2]) for r in ranked
                    if float(r[6]) >= scoring.commend_threshold and (r[3], r[2]) not in flagged and r[4] != "—"]
        body = parts["body"]
        named = re.findall(r"^\d+\. (.+?)（[\d.]+分）", body, flags=re.M)
        assert len(named) == min(len(eligible), scoring.commend_top), month
        assert [n for n in named if not any(n.endswith(name) for _town, name in eligible)] == [], month
        if named:
            assert re.search(rf"所站共 {len(eligible)} 个", body), month
            assert "经检查组评分，综合得分在 " in body, month  # the sentence names the score the line applies to
        # the score compared with the lines is the one the body defines, with the profile's weights
        if ranked:
            assert (f"综合得分按检查组评分占 {round(scoring.team_weight * 100)}% 、文明观察员评分占 "
                    f"{round(scoring.observer_weight * 100)}% 计算") in body, month
        rectify = re.search(r"以下 (\d+) 个所站综合得分低于 [\d.]+ 分，列入限期整改：(.+?)\n", body)
        below = [r for r in ranked if float(r[6]) < scoring.rectify_threshold]
        assert (int(rectify.group(1)) if rectify else 0) == len(below), month
        if rectify:
            assert [r[2] for r in below if r[2] not in rectify.group(2)] == [], month


def test_every_weakness_the_body_states_is_followed_by_a_requirement(year: dict) -> None:
    for month in MONTHS:
        md = year["docs"][month]["circular"]["md"]
        body = _sections(md)["body"]
        requirements = body.split("、下步要求")[1]
        if re.search(r"\d+ 个未签到打卡", body):
            assert "本月未签到打卡的" in requirements, month
        if "条问题逾期未整改" in body:
            assert "清理逾期问题" in requirements and "前完成逾期问题整改" in requirements, month
        if "下发整改通知" in body or "收到整改通知" in requirements:
            assert re.search(r"于\d{4}年\d+月\d+日前报送整改报告", requirements), month
        lectures, problems = body.find("宣讲点单派单情况"), body.find("、存在问题")
        assert lectures < 0 or lectures < problems, month  # lectures in their own part, not under 存在问题
        overdue = re.search(r"其中逾期问题较多、时间较长的有(.+?)。", body)
        assert overdue is None or overdue.group(1).count("条，最早于") <= 3, month  # a few worst cases, not a list


def test_every_colophon_says_the_same_in_every_format(year: dict) -> None:
    """The 版记 (抄送 and the 印发 line) of each issued plan and circular: present in the Word document's text box as
    in the Markdown and the HTML, with the same copies and the same date."""
    found = {}
    for month, docs in year["docs"].items():
        for stem in ("plan-v2", "circular"):
            for fmt, text in docs[stem].items():
                copies = re.findall(r"抄送：([^\n]+?。)", text)
                issued = re.findall(r"(\d{4}年\d{1,2}月\d{1,2}日)印发", text)
                found[(month, stem, fmt)] = (copies, issued)
    for (month, stem, fmt), seen in found.items():
        copies, issued = seen
        assert len(copies) == 1 and len(issued) == 1, (month, stem, fmt, seen)
        assert seen == found[(month, stem, "md")], (month, stem, fmt)
    assert found[("2027-12", "circular", "docx")][1][0].startswith("2027年12月")


def test_no_finding_event_is_recorded_before_the_day_its_document_gives(year: dict, demo_year: Path) -> None:
    """Raised by a circular: not before the circular's day; overdue: not before the day after the deadline (the
    demo runs its months ahead of the machine's clock, so the clock alone would date them in 2026)."""
    from sqlmodel import select

    from activity_day.context import bound, current
    from activity_day.demo import workspace_settings
    from activity_day.domain.months import TZ
    from activity_day.models.tables import Finding, FindingEvent
    from activity_day.store.database import transaction

    with bound(workspace_settings(demo_year, current().settings)), transaction(read_only=True) as session:
        found = {f.number: (f.month, f.deadline) for f in session.exec(select(Finding))}
        events = [(e.number, e.action, e.at) for e in session.exec(select(FindingEvent))]
    early = []
    for number, action, at in events:
        month, deadline = found[number]
        day = (at.replace(tzinfo=UTC) if at.tzinfo is None else at).astimezone(TZ).date()  # stored naive: UTC
        if action == "raised" and day < year["plans"][month][2].dates.compile:
            early.append((number, action, at))
        if action == "overdue" and day <= deadline:
            early.append((number, action, at))
    assert {a for _, a, _ in events} >= {"raised", "overdue"} and early == []


def test_the_evaluation_report_is_dated_after_its_period(year: dict) -> None:
    signed = cn_date(report_date("2027", year["profile"].evaluation.report_days))
    assert report_date("2027", year["profile"].evaluation.report_days) > date(2027, 12, 31)
    for fmt, text in year["evaluation"].items():
        assert signed in text, fmt
        assert cn_date(date.today()) not in text or date.today() == report_date("2027", 10), fmt


def test_first_middle_and_last_month_as_printed(year: dict, tmp_path: Path) -> None:
    """The circulars and official plans of January, June and December and the evaluation report, rendered by
    LibreOffice: no software words on any page, the December circular's body within six pages, the signature
    never alone on its page."""
    from tests.documents.test_rendering import EXPORT, lines, pages, renderer

    soffice, pdftotext = renderer()
    files = [year["out"] / m / f"{stem}.docx" for m in ("2027-01", "2027-06", YEAR_MONTH)
             for stem in ("circular", "plan-v2")]
    files.append(year["out"] / "evaluation" / "2027" / "evaluation-report.docx")
    for n, path in enumerate(files):  # one name per month: LibreOffice names a PDF after its document
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / f"{n:02d}-{path.name}").write_bytes(path.read_bytes())
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--convert-to", EXPORT,
                    "--outdir", str(tmp_path / "pdf"), *sorted(str(p) for p in (tmp_path / "in").iterdir())],
                   check=True, capture_output=True, timeout=900)
    rendered = {p.stem: pages(p, pdftotext) for p in sorted((tmp_path / "pdf").glob("*.pdf"))}
    assert len(rendered) == len(files)
    for name, doc in rendered.items():
        text = "".join(page.text for page in doc)
        assert software_words(text) == [], name
    december = rendered["04-circular"]
    body = next(i for i, page in enumerate(december) if page.text.startswith("附件1"))
    # at most six pages of body, its signature page included (the lecture table is an attachment)
    assert body <= 6, f"the December circular's body runs to page {body}"
    signature = december[body - 1].text
    assert "附件：1．" in signature and signature.index("附件：1．") > 0, "the signature page holds more than the signature"
    # every plan and circular: the page that is signed carries text of the body above its 附件说明 and signature
    office = year["profile"].county.office_name
    for name, doc in rendered.items():
        if "evaluation" in name:
            continue
        signed = [lines(page) for page in doc
                  if any(a == office and re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", b)
                         for a, b in zip(lines(page), lines(page)[1:], strict=False))]
        assert signed, f"{name}: no signature"
        above = signed[0][:signed[0].index(office)]
        body_lines = [t for t in above if t and not re.match(r"(附件：)?\d+．", t)]
        assert len(body_lines) >= 2, f"{name}: the signature stands on a page without body text: {signed[0]}"
