"""Human steps: resume forms that wait without a process, and come back where they left off after any restart.

A deployment's run waits *suspended* (Prefect's `suspend_flow_run`): the run's process exits, no worker holds it,
and resuming the form schedules the run again; a worker then runs it from the top. Everything before the form is
skipped or repeated harmlessly: tasks with persisted results are cached per run, every write is an upsert, and a
human step this run already finished returns what it returned then (`human_step`). The step in progress resumes
after the last answer it took (`Asker`): its forms are numbered, and the run keeps, with Prefect, what each form was
asked about and the loop's values after each answer taken. The answers stay with the run in Prefect too, so a run
that crashed and is retried takes an answer given before the crash.

Runs outside a deployment (`activity-day run review --interactive`, the tests) cannot be suspended: they hold
their process and pause, with the same keys.

The Prefect UI draws the form's description at 0 px height; what the operator must know (the deadline, who has
not answered, what was wrong last time) is therefore written above the first field too, in its description.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from prefect import pause_flow_run, suspend_flow_run
from prefect.context import FlowRunContext
from prefect.exceptions import PrefectHTTPStatusError
from prefect.input import RunInput
from prefect.input.actions import create_flow_run_input, delete_flow_run_input, read_flow_run_input
from prefect.logging import get_run_logger
from prefect.runtime import flow_run
from pydantic import ConfigDict

from activity_day.console import tell_operator

WAIT_SECONDS = 14 * 24 * 3600  # a form nobody answers fails the run after two weeks
F = TypeVar("F", bound="Form")


def every_field_required(schema: dict[str, Any], model: type | None = None) -> None:
    """Mark every field required and put the form's notice above its first field.

    The UI labels every field outside "required" with an English "(Optional)"; each field has a default here, so
    listing them all only changes the label. The class docstrings (English, for developers) stay out of the form.
    """
    schema["required"] = list(schema.get("properties", {}))
    schema.pop("description", None)
    notice = getattr(model, "_notice", None)
    if notice and schema.get("properties"):
        first = next(iter(schema["properties"].values()))
        first["description"] = "\n\n".join(p for p in (notice, first.get("description")) if p)


def notice_markdown(description: str) -> str:
    """The form's description as field-description markdown: one paragraph a line, headings in bold."""
    lines = [line.strip() for line in description.splitlines() if line.strip()]
    return "\n\n".join(f"**{line.lstrip('#').strip()}**" if line.startswith("#") else line for line in lines)


class Form(RunInput):
    """A resume form whose labels stay Chinese, also when it is shown again pre-filled."""

    model_config = ConfigDict(json_schema_extra=every_field_required)
    _notice: ClassVar[str | None] = None

    @classmethod
    def prefilled(cls: type[F], description: str, **values: Any) -> type[F]:
        """This form with `values` as the initial data and `description` above it, keeping each field's title.

        Prefect's `with_initial_data` rebuilds the fields from their types and drops the titles,
        so a pre-filled field would show its English name.
        """
        import copy

        from pydantic import create_model

        fields = {}
        for name, value in values.items():
            info = copy.copy(cls.model_fields[name])
            info.default, info.default_factory = value, None
            fields[name] = (info.annotation, info)
        return described(create_model(cls.__name__, __base__=cls, **fields), description)


def described(model: type[F], description: str) -> type[F]:
    """`model` with `description` as the form's description and, drawn where the UI shows it, its notice."""
    model._description = description
    model._notice = notice_markdown(description)
    return model


def problems(errors: list[str], saved: str = "") -> list[str]:
    """The lines that tell the operator what was wrong with the last answer (none without errors)."""
    if not errors:
        return []
    return ["", f"**上次提交有误{saved}，已保留您填写的内容，请修改后重新提交：**", *[f"- {e}" for e in errors]]


def suspending() -> bool:
    """Whether this run waits without a process: a deployment's run that is not a subflow (Prefect suspends no other)."""
    context = FlowRunContext.get()
    run = context.flow_run if context else None
    return bool(run and run.deployment_id and run.parent_task_run_id is None)


def announce(what: str) -> None:
    """Tell the terminal (and the run's log) where the operator fills in the form."""
    where = flow_run.ui_url or f"Prefect 界面中的流程运行“{flow_run.name}”"
    waits = "已挂起（不占用工作进程）" if suspending() else "已暂停"
    message = (f"{flow_run.name or ''} {waits}，等待填写“{what}”：请在浏览器打开 {where}，"
               "点击“Resume”（恢复）按钮，填写表单后提交；提交后流程自动继续")
    tell_operator(message)
    get_run_logger().info(message)


def _keep(key: str, value: Any) -> None:
    """Keep `value` with the run under `key`, replacing what an earlier attempt kept there."""
    try:
        create_flow_run_input(key, value)
    except PrefectHTTPStatusError as exc:
        if exc.response.status_code != 409:
            raise
        delete_flow_run_input(key)
        create_flow_run_input(key, value)


class Asker:
    """Asks one human step's forms in turn, and finds the step again where it was when the run starts over.

    The forms are numbered (`comments-0`, `comments-1`, …). With each form the run keeps what the form was asked
    about (`context`: the reports, comments or departments its fields stand for, as they were then), and after each
    answer is taken, the step's loop values (`took`): a run that starts over resumes after the last answer taken,
    takes an answer that came meanwhile against what its form showed, and asks anew only after that. Facts changed
    meanwhile by other paths (a report sent, an objection recorded) are read when the next form is made.
    """

    def __init__(self, kind: str, poll_seconds: int):
        self.kind, self.poll_seconds, self.n = kind, poll_seconds, 0

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.n}"

    def resume(self, start: dict[str, Any]) -> dict[str, Any]:
        """The loop values after the last answer this step took before the run started over (`start` if none)."""
        values = start
        while (taken := read_flow_run_input(f"{self.key}-taken")) is not None:
            values, self.n = taken, self.n + 1
        return values

    def answered(self) -> bool:
        """Whether the next form was asked and answered before this run started over (an answer still to take)."""
        return read_flow_run_input(f"{'suspended' if suspending() else 'paused'}-{self.key}-response") is not None

    def __call__(self, form: type[F], what: str, context: Any = None, timeout: int | None = WAIT_SECONDS,
                 ) -> tuple[F, Any]:
        """The answer to the next form, and the `context` it was asked with (as it was then, if asked before)."""
        answer = read_flow_run_input(f"{'suspended' if suspending() else 'paused'}-{self.key}-response")
        if answer is not None:  # answered before this run started over: a resume, or a retry after a crash
            asked = read_flow_run_input(f"{self.key}-asked")
            return form(**answer), (asked["context"] if asked is not None else context)
        _keep(f"{self.key}-asked", {"context": context})
        announce(what)
        if suspending():
            return suspend_flow_run(wait_for_input=form, timeout=timeout, key=self.key), context
        return pause_flow_run(wait_for_input=form, timeout=timeout or WAIT_SECONDS, poll_interval=self.poll_seconds,
                              key=self.key), context

    def took(self, values: dict[str, Any]) -> None:
        """The answer to the current form is taken: keep the loop values it left, and move to the next form."""
        _keep(f"{self.key}-taken", values)
        self.n += 1


def human_step(kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A human step that runs once per flow run: once finished, the run keeps its result (JSON) and returns it
    when it starts over, instead of asking again."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def step(*args: Any, **kwargs: Any) -> Any:
            marker = f"{kind}-finished"
            kept = read_flow_run_input(marker)
            if kept is not None:
                return kept["result"]
            result = fn(*args, **kwargs)
            _keep(marker, {"result": result})
            return result

        return step

    return wrap
