"""Notices as tasks: enqueue the reminders due on a day, send the outbox, publish it as a table artifact."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import task_run

from activity_day.domain.dates import cn_date, shift_month
from activity_day.services import notices
from activity_day.tasks.common import artifact, artifact_key, run_logger


class NoticesPending(RuntimeError):
    """Some notices could not be delivered yet: the task fails so that Prefect retries it after a delay."""


@task(name="enqueue-notices", cache_policy=NO_CACHE)
def enqueue_notices(county: str, day: str) -> int:
    """Write the reminders due on `day` into the outbox (a notice already there is left as it is)."""
    new = notices.enqueue_due(county, date.fromisoformat(day))
    run_logger().info("%s：新增待发通知 %d 条", cn_date(date.fromisoformat(day)), new)
    return new


@task(name="send-notices", cache_policy=NO_CACHE)
def send_notices(county: str, passes: int = 1) -> dict[str, int]:
    """Deliver the pending notices, one attempt each; raise while some are left, so the task's retries (with their
    backoff) try them again. Each try is a round: a channel that does not answer in time or cannot be reached costs
    it one attempt and one timeout, and its other notices wait for the next try. The last of `passes` runs marks
    what still fails as failed and does not raise: one failing channel never holds up the run, and the table shows
    it (a paused channel's untried notices stay pending for the next day's run)."""
    last = (task_run.run_count or 1) >= passes
    result = notices.send_pending(county, max_attempts=1 if last else None)
    run_logger().info("通知 %d 条：已发送 %d 条，发送失败 %d 条，待发送 %d 条（共发送 %d 次）",
                      result.notices, result.sent, result.failed, result.pending, result.attempted)
    if result.paused:
        run_logger().warning("没有应答或无法连接、本轮已暂停的渠道：%s（其通知留待下次发送）", "、".join(result.paused))
    if result.pending and not last:
        raise NoticesPending(f"{result.pending} 条通知暂未送达，稍后重试")
    return result.as_dict()


@task(name="publish-outbox", cache_policy=NO_CACHE)
def publish_outbox(county: str, day: str) -> dict[str, int]:
    """The outbox of the months around `day` as a Prefect table artifact; returns the count in each state."""
    month = day[:7]
    rows = [n for m in (shift_month(month, -1), month, shift_month(month, 1))
            for n in notices.outbox(county, month=m)]
    counts = {s: sum(n.state == s for n in rows) for s in ("pending", "sent", "failed")}
    artifact(create_table_artifact, key=artifact_key("notices", county), table=notices.table_rows(rows),
             description=f"通知发件箱（截至{cn_date(date.fromisoformat(day))}）：已发送 {counts['sent']} 条，"
                         f"待发送 {counts['pending']} 条，发送失败 {counts['failed']} 条")
    return counts

