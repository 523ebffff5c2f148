"""What a step produced, as Chinese lines: the `run …` commands print them, a province run shows them per
county in the UI. Pure: result dict in, lines out."""

from __future__ import annotations

from datetime import date

from activity_day.domain.dates import cn_date, cn_month
from activity_day.models.enums import Step


def _files(files: dict | None) -> list[str]:
    return [f"  {path}" for path in (files or {}).values()]


def summary_lines(step: str, month: str, result: dict) -> list[str]:
    """What a step produced, in Chinese, for the terminal."""
    label = cn_month(month)
    if step == "cycle":
        return [line for name in Step for line in summary_lines(name, month, result[name])]
    if step == "draft":
        lines = [f"{label}方案（征求意见稿）已起草：活动日 {cn_date(date.fromisoformat(result['activity_date']))}，学习清单 {result['learning']} 项，"
                 f"活动清单 {result['checklist']} 项，节日和纪念日：{'、'.join(result['festivals']) or '无'}"]
        lines += [f"  注意：{note}" for note in result.get("notes", [])]
        lines += [f"  注意：{warning}" for warning in result.get("warnings", [])]
    elif step == "review":
        lines = [f"{label}正式方案已印发：部门意见 {result['comments']} 条，"
                 f"无意见（含未反馈）：{'、'.join(result['silent']) or '无'}，按默认采纳 {result['defaulted']} 条，"
                 f"清单调整 {len(result['edits'])} 处，工作要求增写 {len(result.get('amendments', []))} 条"]
        if result.get("dispositions"):
            lines += ["  部门意见处理情况表（内部留存）：", *[f"  {line}" for line in _files(result["dispositions"])]]
    elif step == "collect":
        inbox = result.get("inbox", {})
        lines = [f"{label}活动计划：所站 {result['stations']} 个，已报送 {result['submitted']} 个，未报送 {result['missing']} 个，"
                 f"逾期 {result['late']} 个，规定动作未安排全 {result['uncovered_required']} 个，计划活动 {result['activities']} 项",
                 f"收件箱：处理文件 {inbox.get('files', 0)} 个，接收 {inbox.get('stations_accepted', 0)} 个所站的计划，"
                 f"拒收 {inbox.get('stations_refused', 0)} 个"]
        lines += [f"  无法使用的文件：{name}" for name in inbox.get("unusable", [])]
        lectured = result.get("lectures") or {}
        if lectured.get("orders"):
            lines.append(f"宣讲点单 {lectured['orders']} 个：已派单 {lectured['dispatched']} 个，已接单 {lectured['confirmed']} 个，"
                         f"无法派单 {lectured['unserved']} 个（activity-day lectures list 查看原因和建议）")
    elif step == "sample":
        lines = [f"{label}督查抽样：抽取 {result['drawn']} 个所站（{'本次抽取' if result['new'] else '沿用已存的抽样，未重抽'}），"
                 f"抽样记录摘要 {result['digest']}"]
        lines += [f"  注意：{warning}" for warning in result.get("warnings", [])]
    else:
        average = "—" if result.get("average") is None else f"{result['average']:.2f}"
        lines = [f"{label}通报已生成：已评分 {result['scored']} 个所站，平均分 {average}，表扬 {result['commended']} 个，"
                 f"限期整改 {result['rectify']} 个，存在问题 {result['problems']} 条"]
        if not result["scored"]:
            lines.append("  本月无评分，通报已写明未开展督查评分")
    files = result.get("files")
    if files:
        lines += ["  文件：", *[f"  {line}" for line in _files(files)]]
    for run in result.get("scheduled") or []:
        lines.append(f"  已安排：{run}")
    return lines
