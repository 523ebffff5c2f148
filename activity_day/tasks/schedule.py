"""Start the month's later steps on their own: flow runs of the step deployments at the profile's dates.

Each run is created with an idempotency key (county, month, step), so scheduling twice — a retry, a
rerun of the review — never creates a second run.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from prefect import task
from prefect.deployments import run_deployment
from prefect.runtime import deployment

from activity_day.context import current
from activity_day.domain.dates import cn_month
from activity_day.domain.months import TZ
from activity_day.models.enums import Step
from activity_day.services import drafting
from activity_day.tasks.common import run_logger

STEP_TIME = time(9, 0)  # sample and compile run at 09:00 on their day


def followup_times(plan_dates: dict[str, str], deadline_time: str) -> dict[str, datetime]:
    """When collect, sample and compile should start (Asia/Shanghai): at the plan deadline, then the step days."""
    return {
        "collect": datetime.combine(datetime.fromisoformat(plan_dates["station_plans"]).date(),
                                    time.fromisoformat(deadline_time), TZ) + timedelta(minutes=1),
        "sample": datetime.combine(datetime.fromisoformat(plan_dates["sample"]).date(), STEP_TIME, TZ),
        "compile": datetime.combine(datetime.fromisoformat(plan_dates["compile"]).date(), STEP_TIME, TZ),
    }


def _create(step: str, county: str, month: str, when: datetime, extra: dict | None = None) -> dict:
    # Named now, as the run will name itself when it starts: the UI lists it by that name while it waits.
    run = run_deployment(f"{step}/{step}", parameters={"county": county, "month": month, **(extra or {})},
                         scheduled_time=when, timeout=0, as_subflow=False,
                         flow_run_name=f"{cn_month(month)}·{Step(step).cn}",
                         idempotency_key=f"activity-day:{county}:{month}:{step}")
    return {"step": step, "flow_run_id": str(run.id), "scheduled": when.astimezone(TZ).isoformat(timespec="minutes")}


@task(name="schedule-review", retries=2, retry_delay_seconds=5)
def schedule_review(county: str, month: str) -> list[dict]:
    """After the draft: start the interactive review at once (deployment runs only)."""
    if deployment.id is None:
        run_logger().info("本次不是部署运行，不自动安排征求意见：请运行 activity-day run review")
        return []
    return [_create("review", county, month, current().now(), {"interactive": True})]


@task(name="schedule-next-steps", retries=2, retry_delay_seconds=5)
def schedule_next_steps(county: str, month: str) -> list[dict]:
    """After the official plan: collect at the deadline, sample before the day, compile after scores are due."""
    logger = run_logger()
    if deployment.id is None:
        logger.info("本次不是部署运行，后续步骤不自动安排：请按需运行 activity-day run collect / sample / compile")
        return []
    times = followup_times(*drafting.followup_inputs(county, month))
    now = current().now()
    compress = current().drills.compress_schedule_seconds
    if compress:
        times = {step: now + timedelta(seconds=compress * (i + 1)) for i, step in enumerate(times)}
    scheduled = [_create(step, county, month, max(when, now)) for step, when in times.items()]
    for item in scheduled:
        logger.info("已安排%s·%s：%s", cn_month(month), Step(item["step"]).cn, item["scheduled"])
    return scheduled


REVIEW_DEADLINE = "review_deadline/review-deadline"


@task(name="schedule-review-deadline", retries=2, retry_delay_seconds=5)
def schedule_review_deadline(county: str, month: str, review_run: str, deadline: str) -> dict:
    """A suspended review has no process to close the comment form at the deadline: a run of the review-deadline
    deployment does it then (one per county and month, whatever the review's restarts)."""
    when = datetime.fromisoformat(deadline)
    run = run_deployment(REVIEW_DEADLINE, parameters={"county": county, "month": month, "review_run": review_run},
                         scheduled_time=when, timeout=0, as_subflow=False,
                         flow_run_name=f"{cn_month(month)}·征求意见截止",
                         idempotency_key=f"activity-day:{county}:{month}:review-deadline:{review_run}")
    return {"flow_run_id": str(run.id), "scheduled": when.astimezone(TZ).isoformat(timespec="minutes")}


@task(name="close-comment-form", retries=2, retry_delay_seconds=5)
def close_comment_form(review_run: str, answer: dict) -> bool:
    """Submit `answer` to the review's comment form if the review still waits on one; whether it did."""
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.exceptions import NotPausedError
    from prefect.flow_runs import resume_flow_run

    logger = run_logger()
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(review_run)).state
    keyset = (state.state_details.run_input_keyset or {}) if state is not None and state.is_paused() else {}
    if not keyset.get("response", "").split("-", 1)[-1].startswith("comments-"):
        logger.info("征求意见运行 %s 没有在等待部门意见表单（%s），无需关闭", review_run, state.name if state else "无状态")
        return False
    try:
        resume_flow_run(UUID(review_run), run_input=answer)
    except NotPausedError:
        return False
    logger.info("征求意见已到截止时间：部门意见表单已关闭，未反馈的部门记为“无意见”")
    return True
