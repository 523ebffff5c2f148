"""`activity-day demo`: generate a county (or a province) as input files and run the month through the
normal paths: imports, then the flows. The generators are in activity_day/demo.py."""

from __future__ import annotations

import os
import random
import re
import shutil
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd

from activity_day.console import installed_command
from activity_day.context import bound, current
from activity_day.demo import (
    DEMO_PROFILE,
    AnswerRound,
    DemoCounty,
    answer_rounds,
    assessed_scores,
    camera_photo,
    comment_catalog,
    department_comments,
    filing_stations,
    inspection_scores,
    late_filers,
    lecture_orders,
    lecture_ratings,
    on_day_evidence,
    province_profile,
    registry_as_filed,
    speaker_pool,
    station_habits,
    station_plans,
    station_registry,
    workspace_settings,
    write_xlsx,
)
from activity_day.errors import OperatorError
from activity_day.intake.headers import H
from activity_day.models.enums import Step


def run_province_demo(month: str, out: Path, counties: int, *, echo: Callable[[str], None] = print) -> None:  # noqa: T201
    """Generate `counties` counties in one database and run the month for all of them, step by step.

    Each step runs as a province flow with one task run per county, the counties in parallel processes;
    the terminal and a Prefect progress artifact show how far it got. Each process holds one county's data
    at a time.
    """
    import yaml

    from activity_day.domain.dates import cn_month
    from activity_day.flows.province import province_cycle
    from activity_day.services.counties import init_county
    from activity_day.services.imports import import_file
    from activity_day.store import crud
    from activity_day.store.database import transaction

    out = out.resolve()
    settings = workspace_settings(out, current().settings)
    label = cn_month(month)
    with bound(settings):
        codes = []
        for index in range(1, counties + 1):
            profile = province_profile(index)
            code = profile["county"]["code"]
            folder = out / "counties" / code
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "profile.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True, sort_keys=False),
                                                 encoding="utf-8")
            init_county(folder / "profile.yaml")
            rng = random.Random(f"activity-day province {code} {month}")
            registry = station_registry(rng)
            import_file("stations", write_xlsx(registry, folder / "所站名录.xlsx", "所站名录"), county=code)
            # before the draft: the sections write suggestions, not list codes
            comments = department_comments(random.Random(f"activity-day province comments {code} {month}"), month,
                                           profile["departments"])
            if len(comments):
                import_file("comments", write_xlsx(comments, folder / f"部门意见-{month}.xlsx", "部门意见"),
                            county=code, month=month)
            codes.append(code)
            echo(f"[{index}/{counties}] {profile['county']['name']}（{code}）：已生成 {len(registry)} 个所站")
        for step in ("draft", "review"):
            province_cycle(month=month, step=step)
            echo(f"{Step(step).cn}：{counties} 个县（市、区）已完成")
        for code in codes:
            with transaction() as session:
                plan = crud.official_plan(session=session, county=code, month=month)
                registry = registry_as_filed(crud.stations_frame(session=session, county=code))
            checklist = pd.DataFrame([i.model_dump() for block in crud.plan_content(plan).checklist
                                      for i in block.items])
            rng = random.Random(f"activity-day province plans {code} {month}")
            inbox = Path(settings.inbox) / code
            inbox.mkdir(parents=True, exist_ok=True)
            write_xlsx(station_plans(rng, registry, datetime.combine(plan.activity_date, time()), checklist),
                       inbox / f"活动计划-{month}.xlsx", f"{label}活动计划")
        echo(f"各县活动计划已放入收件箱 {settings.inbox}/<县代码>/")
        for step in ("collect", "sample"):
            province_cycle(month=month, step=step)
            echo(f"{Step(step).cn}：{counties} 个县（市、区）已完成")
        for code in codes:
            with transaction() as session:
                drawn = crud.assignments_frame(session=session, county=code, month=month)
                registry = registry_as_filed(crud.stations_frame(session=session, county=code))
            rng = random.Random(f"activity-day province scores {code} {month}")
            scores = inspection_scores(rng, drawn.rename(columns={"station_code": "code"}), registry)
            import_file("scores", write_xlsx(scores, out / "counties" / code / f"检查评分-{month}.xlsx", "评分"),
                        county=code, month=month)
        province_cycle(month=month, step="compile")
        echo(f"{Step.COMPILE.cn}：{counties} 个县（市、区）已完成")
        echo(f"全省演示目录：{out}；通报在 {Path(settings.out) / month}/<县代码>/，数据库 {settings.database_url}")


def run_demo(month: str, out: Path, *, months: int = 1, echo: Callable[[str], None] = print) -> dict[str, Path]:  # noqa: T201
    """Build the workspace in `out` and run the month (or the `months` months up to it); returns the main documents.

    The stations keep their habits from month to month (whether and when each files its plan, how many activities
    it runs, whether it checks in, how it answers 整改 findings, how well it scores). With several months,
    site-visit scores are entered at the end and the year of the last month is evaluated.
    """
    from activity_day.domain.dates import shift_month
    from activity_day.services.counties import init_county

    out = out.resolve()
    (out / "inputs").mkdir(parents=True, exist_ok=True)
    settings = workspace_settings(out, current().settings)
    seed = f"activity-day demo {month}"
    rng = random.Random(seed)
    with bound(settings):
        shutil.copyfile(DEMO_PROFILE, out / "profile.yaml")
        profile = init_county(out / "profile.yaml")
        registry = station_registry(rng)
        run = _DemoMonth(out, settings, DemoCounty(profile, registry, station_habits(rng, registry)), seed, rng, echo)
        run.load("stations", write_xlsx(registry, out / "inputs" / "所站名录.xlsx", "新时代文明实践所站名录"), None)
        from activity_day.domain.planning import load_learning_catalog

        topics = list(load_learning_catalog()["category_name"].drop_duplicates()) + [p.name for p in profile.county_programs]
        run.load("speakers", write_xlsx(speaker_pool(rng, topics), out / "inputs" / "宣讲员库.xlsx", "宣讲员库"), None)
        summary: dict = {}
        for k in range(months - 1, -1, -1):
            # On-day check-ins in the shown month and the one before it (so that its draw weighs them): each month
            # of check-ins costs several seconds of photos.
            summary = run.month(shift_month(month, -k), evidence=k <= 1)
        docs = {
            "方案（征求意见稿）": Path(settings.out) / month / "plan-v1.docx",
            "正式方案": Path(settings.out) / month / "plan-v2.docx",
            "计划报送情况": Path(settings.out) / month / "collect-report.xlsx",
            "抽查名单": Path(settings.out) / month / "draw.xlsx",
            "通报": Path(settings.out) / month / "circular.docx",
        }
        if months > 1:
            docs |= run.evaluate(profile, month)
        echo("")
        echo(f"演示目录：{out}")
        echo(f"  县情配置：{out / 'profile.yaml'}    输入文件：{out / 'inputs'}    收件箱：{settings.inbox}")
        echo(f"  数据库：{settings.database_url}")
        for name, path in docs.items():
            echo(f"  {name}：{path}")
        echo(f"  抽查 {summary['drawn']} 个所站，{summary['scored']} 个所站完成评分")
        echo("复核抽样：")
        echo(f"  ACTIVITY_DAY_DATABASE_URL={settings.database_url} {installed_command('activity-day')} sample verify "
             f"--month {month}")
        return docs


REPORTS = {
    "活动记录不完整": "已补齐活动记录和影像资料，明确专人管理活动台账",
    "群众参与人数偏少": "已通过村民微信群和网格员入户加强宣传发动，近期活动参与人数明显增加",
    "规定动作开展不到位": "已组织专题学习方案要求，规定动作按清单逐项开展",
    "宣传氛围不够浓厚": "已在活动场所布置宣传展板、悬挂横幅，活动前在微信群发布预告",
    "志愿者签到不规范": "已规范志愿者签到签退，统一使用小程序打卡",
}
RETURN_NOTES = {True: "整改措施不够具体，请细化后重新报送", False: "整改报告未附照片，请补充后重新报送"}


class _DemoMonth:
    """One demo county's months, run through the normal imports and flows."""

    def __init__(self, out: Path, settings, county: DemoCounty, seed: str, rng: random.Random,
                 echo: Callable[[str], None]) -> None:
        self.out, self.settings, self.profile, self.registry = out, settings, county.profile, county.registry
        self.county = county.profile.county.code
        self.seed, self.rng, self.echo, self.habits = seed, rng, echo, county.habits
        # finding id -> (its rounds of reports and reviews, how many of their steps have happened)
        self.answers: dict[int, list[AnswerRound]] = {}
        self.steps_done: dict[int, int] = {}
        self.tally = dict.fromkeys(("reported", "late", "accepted", "returned"), 0)
        self.warned: set[str] = set()

    def warn(self, warnings: list[str]) -> None:
        """What the steps tell the operator (missing holiday data, a weak random value), each kind once: the
        months repeat the same condition."""
        for warning in warnings:
            kind = re.sub(r"\d{4}(年\d{1,2}月|-\d\d)", "", warning)  # the same condition in another month
            if kind not in self.warned:
                self.warned.add(kind)
                self.echo(f"注意：{warning}")

    def load(self, kind: str, path: Path, month: str | None, now: datetime | None = None) -> None:
        from activity_day.services.imports import ImportClock, import_file

        report = import_file(kind, path, county=self.county, month=month, clock=ImportClock(now=now))
        for line in report.lines():
            self.echo(line)
        if report.exit_code == 2:
            raise OperatorError(f"演示输入文件 {path} 无法使用")

    def month(self, month: str, evidence: bool = False) -> dict:
        from activity_day.domain.dates import cn_date, cn_month
        from activity_day.domain.lateness import deadline_of
        from activity_day.flows.monthly import collect, compile_, draft, review, sample
        from activity_day.store import crud
        from activity_day.store.database import transaction

        county, rng, echo, settings, out = self.county, self.rng, self.echo, self.settings, self.out
        label = cn_month(month)
        drafted = draft(county=county, month=month)
        echo(f"{label}方案（征求意见稿）已起草：活动日 {cn_date(date.fromisoformat(drafted['activity_date']))}")
        self.warn(drafted.get("warnings", []))
        with transaction(read_only=True) as session:
            v1 = crud.plan_content(crud.get_plan(session=session, county=county, month=month, version=1))
        # the sections read the draft: what they propose to add is not in it yet, and belongs to the month
        comments = department_comments(random.Random(f"{self.seed} comments {month}"), month, self.profile.departments,
                                       in_plan=v1.codes(), festivals={m.name for m in v1.marks},
                                       catalog=comment_catalog())
        if len(comments):
            self.load("comments", write_xlsx(comments, out / "inputs" / f"部门意见-{month}.xlsx",
                                             f"{label}集中活动日方案征求意见汇总"), month)
        self.remind(month, "review")  # the sections that have not answered, the day before the deadline
        reviewed = review(county=county, month=month)
        echo(f"{label}正式方案已印发：部门意见 {reviewed['comments']} 条，清单调整 {len(reviewed['edits'])} 处")
        with transaction() as session:
            plan = crud.official_plan(session=session, county=county, month=month)
            content = crud.plan_content(plan)
        activity_day = datetime.combine(plan.activity_date, time())
        checklist = pd.DataFrame([i.model_dump() for block in content.checklist for i in block.items])
        menu = [m.code for m in content.lecture_menu or []]
        if menu:  # stations order lectures from the official plan's menu
            self.load("orders", write_xlsx(lecture_orders(rng, self.registry, menu, activity_day),
                                           out / "inputs" / f"宣讲点单-{month}.xlsx", f"{label}宣讲点单"), month)
        # Station plans arrive as spreadsheets dropped into the inbox, which `collect` picks up: the plans filed in
        # time on the deadline day, the late ones the morning after (a file counts as received when it was dropped).
        inbox = Path(settings.inbox)
        inbox.mkdir(parents=True, exist_ok=True)
        filing = filing_stations(rng, self.registry, self.habits)
        late = late_filers(rng, filing, self.habits)
        plans = station_plans(rng, filing, activity_day, checklist, self.habits)
        deadline = deadline_of(content, self.profile.intake.deadline_time)
        for name, rows, when in ((f"活动计划-{month}.xlsx", ~plans[H.STATION_CODE].isin(late), -timedelta(hours=7)),
                                 (f"活动计划-{month}-补报.xlsx", plans[H.STATION_CODE].isin(late), timedelta(hours=10))):
            if rows.any():
                path = write_xlsx(plans[rows], inbox / name, f"{label}集中活动日活动计划汇总表")
                stamp = (deadline + when).timestamp()
                os.utime(path, (stamp, stamp))
        collected = collect(county=county, month=month)
        lectured = collected.get("lectures") or {}
        if lectured.get("orders"):
            echo(f"宣讲派单：点单 {lectured['orders']} 个，已派单 {lectured['dispatched']} 个，无法派单 {lectured['unserved']} 个")
        echo(f"收件箱：处理文件 {collected['inbox']['files']} 个，接收 {collected['inbox']['stations_accepted']} 个所站的计划，"
             f"拒收 {collected['inbox']['stations_refused']} 个；{collected['missing']} 个所站未报送"
             f"（导入结果在 {inbox / 'processed'}）")
        self.remind(month, "station_plans")  # T−3 and T−1: stations without a plan or a required action
        self.rectify(datetime.combine(content.dates.sample, time()))  # what the draw knows
        drawn_summary = sample(county=county, month=month)
        echo(f"{label}督查抽样：抽取 {drawn_summary['drawn']} 个所站，抽样记录摘要 {drawn_summary['digest'][:16]}…")
        self.warn(drawn_summary.get("warnings", []))
        if evidence:
            self.check_in(month, activity_day)
        with transaction() as session:
            drawn = crud.assignments_frame(session=session, county=county, month=month)
        drawn = drawn.rename(columns={"station_code": "code"})
        scores = inspection_scores(rng, drawn, self.registry, {c: h.bias for c, h in self.habits.items()})
        self.load("scores", write_xlsx(scores, out / "inputs" / f"检查评分-{month}.xlsx",
                                       f"{label}集中活动日督查评分汇总"), month)
        self.rate_lectures(month, datetime.combine(content.dates.compile, time()))
        self.rectify(datetime.combine(content.dates.compile, time()))  # what the circular knows
        t = self.tally
        if t["reported"]:
            echo(f"整改：所站报送整改报告 {t['reported']} 份（其中逾期后补报 {t['late']} 份），"
                 f"县文明办销号 {t['accepted']} 条，退回 {t['returned']} 条")
        self.tally = dict.fromkeys(t, 0)
        self.close_feedback(month)  # earlier months' suggestions closed during the month: this circular counts them
        summary = compile_(county=county, month=month)
        echo(f"{label}通报已生成：{summary['scored']} 个所站完成评分；下发整改问题 {summary['findings']} 条，"
             f"前期整改逾期 {summary['overdue']} 条")
        self.remind(month, "compile", send=True)  # the day's assignments, missing scores; then the outbox goes out
        return summary

    def remind(self, month: str, through: str, send: bool = False) -> None:
        """The reminders due from the draft up to a step's day, as the daily notices run would have written them;
        with `send`, the notices flow of that day sends the outbox (the demo's file channel: DIR/notices/)."""
        from activity_day.services import notices as outbox
        from activity_day.store import crud
        from activity_day.store.database import transaction

        with transaction(read_only=True) as session:
            dates = crud.plan_content(crud.get_plan(session=session, county=self.county, month=month)).dates
        day = getattr(dates, through)
        outbox.enqueue_between(self.county, dates.draft, day - timedelta(days=1) if send else day)
        if send:
            from activity_day.flows.notices import notices

            result = notices(county=self.county, day=day.isoformat(), retry_seconds=[1.0])
            self.echo(f"提醒与通知：已发送 {result['outbox_sent']} 条，发送失败 {result['outbox_failed']} 条"
                      f"（文件渠道写入 {self.out / 'notices'}）")

    def rate_lectures(self, month: str, until: datetime) -> None:
        """The stations (and some observers) rate the lectures that had a team and were given by `until` (a
        lecture is rated on or after its day, and ratings close with the circular)."""
        from activity_day.domain.dates import cn_month
        from activity_day.domain.months import TZ
        from activity_day.services import lectures

        formed = [(r["station"], r["menu_code"]) for r in lectures.list_orders(self.county, month)
                  if r["status"] in ("dispatched", "confirmed") and r["date"] <= until.date().isoformat()]
        if formed:
            self.load("ratings", write_xlsx(lecture_ratings(self.rng, formed), self.out / "inputs" / f"宣讲评价-{month}.xlsx",
                                            f"{cn_month(month)}宣讲评价"), month, now=until.replace(tzinfo=TZ))

    def check_in(self, month: str, activity_day: datetime) -> None:
        """On the day, the stations post check-ins and check-outs with photos through the evidence service."""
        from activity_day.domain.months import TZ
        from activity_day.services.evidence import receive_photo, record_evidence
        from activity_day.store import crud
        from activity_day.store.database import transaction

        with transaction() as session:
            activities = crud.activities_frame(session=session, county=self.county, month=month)
            stations = crud.stations_frame(session=session, county=self.county)
        verdicts: dict[str, int] = {}
        for post in on_day_evidence(self.rng, activities, stations, activity_day, self.habits):
            at = post["body"]["taken_at"].replace(tzinfo=TZ)
            photo = receive_photo(county=self.county, station_code=post["station_code"], data=post["photo"], now=at)
            outcome = record_evidence(county=self.county, station_code=post["station_code"], month=month,
                                      body=post["body"] | {"photos": [photo["sha256"]]}, now=at)
            verdict = outcome.body["verdict"]
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
        self.echo("活动纪实：" + "，".join(f"{v} {n} 条" for v, n in sorted(verdicts.items())))

    def rectify(self, until: datetime) -> None:
        """The stations' 整改报告 and the office's reviews that happened before `until`, through the findings service.

        A finding seen for the first time gets its answer rounds (activity_day.demo.answer_rounds) from its own
        seed and its station's habits; each report and review is recorded at its own time, never before the notice
        was issued nor a review before its report. A report after the deadline is accepted as late, as the service
        does for any late report; what nobody answers stays overdue and weighs in the draw.
        """
        from activity_day.domain.months import TZ
        from activity_day.services import findings
        from activity_day.services.evidence import receive_photo

        frame = findings.list_findings(self.county)
        if not len(frame):
            return
        where = self.registry.set_index(H.STATION_CODE)[[H.LONGITUDE, H.LATITUDE]].to_dict("index")
        days = self.profile.rectification.deadline_days
        for f in frame.sort_values("id").itertuples():
            fid = int(f.id)
            if fid not in self.answers:
                issued = f.deadline - timedelta(days=days)  # the circular's date
                self.answers[fid] = answer_rounds(random.Random(f"{self.seed} finding {fid}"),
                                                  self.habits[f.station_code], issued, f.deadline)
                self.steps_done[fid] = 0
            rounds, done = self.answers[fid], self.steps_done[fid]
            while done < 2 * len(rounds):
                step = rounds[done // 2]
                when = step.reviewed if done % 2 else step.reported
                if when >= until:
                    break
                at = when.replace(tzinfo=TZ)
                if done % 2 == 0:
                    rng = random.Random(f"{self.seed} finding {fid} report {done // 2}")
                    home = where.get(f.station_code) or {}
                    place = (home[H.LONGITUDE], home[H.LATITUDE]) if home else None
                    photos = [receive_photo(county=self.county, station_code=f.station_code, now=at, data=camera_photo(
                        rng, when - timedelta(minutes=rng.randint(30, 600)), place))["sha256"] for _ in range(step.photos)]
                    text = REPORTS.get(f.text, "已对照评分细则逐项查摆问题，制定整改措施，落实专人负责")
                    findings.report(self.county, f.station_code, fid,
                                    findings.StationReport(text, photos, at=at, actor=f"所站{f.station_code}"))
                    self.tally["reported"] += 1
                    self.tally["late"] += when.date() > f.deadline
                else:
                    action, note = ("accept", "整改到位，同意销号") if step.accepted else ("return", RETURN_NOTES[step.photos > 0])
                    findings.review(self.county, fid, findings.FindingStep(action, "县文明办", note, at))
                    self.tally["accepted" if step.accepted else "returned"] += 1
                done += 1
            self.steps_done[fid] = done

    def close_feedback(self, month: str) -> None:
        """Over a year the stations close the suggestions from earlier months, the diligent ones more often."""
        from activity_day.models.enums import FeedbackStatus
        from activity_day.store import crud
        from activity_day.store.database import transaction

        with transaction() as session:
            items = crud.feedback_frame(session=session, county=self.county, up_to=month)
            for item in items[(items["status"].astype(str) == FeedbackStatus.OPEN.value) & (items["month"] < month)].itertuples():
                if self.rng.random() < self.habits[item.station_code].files - 0.25:
                    crud.set_feedback_status(session=session, county=self.county, item_id=int(item.id),
                                             status=FeedbackStatus.CLOSED.value, answer="已整改落实", closed_month=month)

    def evaluate(self, profile, month: str) -> dict[str, Path]:
        """Site-visit scores for the assessed indicators, then the evaluation of the last month's year."""
        from activity_day.flows.evaluation import evaluate

        assessors = [(m.name, m.home_township) for t in profile.teams for m in t.members]
        assessed = assessed_scores(self.rng, self.registry, self.habits, profile.evaluation.assessed_codes,
                                   assessors, month)
        self.load("evaluation", write_xlsx(assessed, self.out / "inputs" / f"实地评估-{month[:4]}.xlsx",
                                           f"{month[:4]}年度所站实地评估"), None)
        result = evaluate(county=self.county, period=month[:4])
        stars = result["stars"]
        self.echo(f"{month[:4]}年度所站综合评价：{result['stations']} 个所站，五星 {stars['5']} 个，四星 {stars['4']} 个，"
                  f"三星 {stars['3']} 个，二星 {stars['2']} 个，一星 {stars['1']} 个；重点关注 {result['watch']} 个")
        return {"综合评价报告": Path(result["files"]["docx"]), "所站评价卡": Path(result["files"]["xlsx"])}
