"""`activity-day sample`: the month's stored draw — who was drawn, the full record, and its verification."""

from __future__ import annotations

import json

import typer

from activity_day.cli.options import JsonOpt, MonthOpt, county, month_option
from activity_day.domain.dates import cn_month
from activity_day.models.enums import InspectionMode

app = typer.Typer(help="查看和核验本月的督查抽样。", no_args_is_help=True)



@app.command("verify")
def sample_verify(ctx: typer.Context, month: MonthOpt = None) -> None:
    """由记录的输入重新推算抽样；结果一致时退出码为 0。"""
    from activity_day.services.drawcheck import verify_stored

    chosen = month_option(month)
    ok, message = verify_stored(county(ctx), chosen)
    typer.echo(("核验通过：" if ok else "核验不一致：") + message, err=not ok)
    raise typer.Exit(0 if ok else 1)


def _stored_draw(ctx: typer.Context, month: str | None):
    from activity_day.store import crud
    from activity_day.store.database import transaction

    chosen = month_option(month)
    with transaction() as session:
        return crud.require_draw(session=session, county=county(ctx), month=chosen)


@app.command("show")
def sample_show(ctx: typer.Context, month: MonthOpt = None, as_json: JsonOpt = False) -> None:
    """抽中的所站：乡镇、检查方式和检查组。"""
    stored = _stored_draw(ctx, month)
    stations = [{"code": s["code"], "township": s["township"], "mode": s["mode"], "team": s["team"],
                 "slot": s["slot"], "rank": s["rank"]} for s in stored.record["selected"]]
    if as_json:
        typer.echo(json.dumps({"month": stored.month, "seed": stored.seed, "digest": stored.digest,
                               "stations": stations}, ensure_ascii=False))
        return
    typer.echo(f"{cn_month(stored.month)}：抽取 {len(stations)} 个所站；抽样记录摘要 {stored.digest}")
    for s in stations:
        label = InspectionMode(s["mode"]).label
        typer.echo(f"{s['rank']:>4} {s['code']:<8} {s['township']:<8} {label} {s['team']} {s['slot']}")


@app.command("record")
def sample_record(ctx: typer.Context, month: MonthOpt = None) -> None:
    """完整的抽样记录（JSON，docs/verify_draw.py 的输入）。"""
    typer.echo(json.dumps(_stored_draw(ctx, month).record, ensure_ascii=False, indent=1, sort_keys=True))


DepartmentOpt = typer.Option("--department", help="审核部门（县情配置 departments 中的一个）")


@app.command("commit")
def sample_commit(ctx: typer.Context, department: str = DepartmentOpt,
                  commitment: str = typer.Option(..., "--commitment", help="随机串的 SHA-256（64位十六进制）"),
                  month: MonthOpt = None) -> None:
    """登记一个审核部门的承诺值（候选名单公布前）。随机串由部门自行保管，抽样前再公开。"""
    from activity_day.services import commitments
    from activity_day.services.submissions import utcnow

    chosen = month_option(month)
    commitments.commit(county(ctx), chosen, department, commitment, utcnow())
    typer.echo(f"已登记{department}{cn_month(chosen)}抽样的承诺值 {commitment.strip().lower()[:16]}…")


@app.command("reveal")
def sample_reveal(ctx: typer.Context, department: str = DepartmentOpt,
                  secret: str = typer.Option(..., "--secret", help="该部门事先承诺的随机串"),
                  month: MonthOpt = None) -> None:
    """公开一个审核部门的随机串（候选名单公布后、抽样前）；须与承诺值相符。"""
    from activity_day.services import commitments
    from activity_day.services.submissions import utcnow

    chosen = month_option(month)
    commitments.reveal(county(ctx), chosen, department, secret, utcnow())
    typer.echo(f"{department}的随机串与承诺值相符，已公开；抽样时与其他部门公开的随机串组合为公开随机数")


@app.command("commitments")
def sample_commitments(ctx: typer.Context, month: MonthOpt = None, as_json: JsonOpt = False) -> None:
    """本月各部门的承诺值及是否已公开。"""
    from activity_day.services import commitments

    chosen = month_option(month)
    rows = commitments.status(county(ctx), chosen)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        typer.echo(f"{r['department']} {r['commitment']} {'已公开' if r['revealed'] else '未公开'}")
    typer.echo(f"{cn_month(chosen)}：{len(rows)} 个部门提交了承诺值")
