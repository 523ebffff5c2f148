"""A test operator that answers a paused flow run's resume forms in turn, as the UI would."""

from __future__ import annotations

import contextvars
import json
import threading
import time
from collections.abc import Callable

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
from prefect.client.schemas.objects import StateType
from prefect.flow_runs import resume_flow_run


class Operator:
    """Answers each pause of the flow run in turn, reading the form's description like the UI shows it."""

    def __init__(self, answers: list[Callable[[str], dict]]):
        self.answers, self.descriptions, self.schemas, self.error = answers, [], [], None
        context = contextvars.copy_context()
        self.thread = threading.Thread(target=lambda: context.run(self._run), daemon=True)

    def _paused_run(self, seen: set):
        with get_client(sync_client=True) as client:
            for _ in range(600):
                runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                    state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))))
                for run in runs:
                    if run.state.id not in seen and run.state.state_details.run_input_keyset:
                        key = run.state.state_details.run_input_keyset["description"]
                        try:
                            description = client.read_flow_run_input(run.id, key)
                            schema = client.read_flow_run_input(run.id, run.state.state_details.run_input_keyset["schema"])
                        except Exception:  # the description is saved right after the pause
                            continue
                        return run, description, json.loads(schema)
                time.sleep(0.2)
        raise TimeoutError("the flow never paused")

    def _run(self) -> None:
        seen: set = set()
        try:
            for answer in self.answers:
                run, description, schema = self._paused_run(seen)
                seen.add(run.state.id)
                self.descriptions.append(description)
                self.schemas.append(schema)
                # the UI starts from the form's defaults and sends every field
                defaults = {k: v.get("default") for k, v in schema["properties"].items()}
                resume_flow_run(run.id, run_input=defaults | answer(description))
        except Exception as exc:  # surfaced by the test
            self.error = exc
