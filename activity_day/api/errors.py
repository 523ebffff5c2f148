"""Every refusal in one shape (`schemas.ApiError`), in Chinese, and documented on each operation."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from activity_day.api.schemas import ApiError, SubmissionRefused
from activity_day.domain.names import control_problem, strip_control
from activity_day.services.submissions import FIELDS

# What FastAPI answers (400) when the body is JSON Python cannot load, e.g. an integer of 5000 digits.
BODY_NOT_PARSED = "There was an error parsing the body"

CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 409: "conflict", 413: "too_large",
         422: "malformed"}
DESCRIPTIONS = {
    401: "缺少令牌，或令牌无效、已过期、已停用",
    403: "令牌不属于路径中的所站",
    404: "所指的内容不存在（如本月正式方案尚未印发、本所站尚未报送、菜单编号不在本月菜单中、计划中没有这项活动）",
    409: "状态或时间不允许（如提交编号已用于另一份内容、已过截止时间不再接收、通报已汇编）",
    413: "请求内容超过大小上限",
    422: "请求格式或内容有误，problems 逐项列出",
}


def error_responses(*statuses: int, refusal: bool = False) -> dict[int | str, dict[str, Any]]:
    """The `responses` of an operation: each status it can refuse with, and the body it then has."""
    model = SubmissionRefused if refusal else ApiError
    return {s: {"model": model if s in (409, 422) else ApiError, "description": DESCRIPTIONS[s]} for s in statuses}


def error_body(status: int, message: str, problems: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"code": CODES[status], "message": message, "problems": problems or []}


# --- request validation: pydantic's errors as the plans file's problems ------------------------------------

def _reason(error: dict[str, Any]) -> str:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "string_pattern_mismatch" and isinstance(value, str) and (why := control_problem(value)):
        return why
    if kind == "string_pattern_mismatch" and isinstance(value, str) and not value.strip():
        return "不能只有空格"
    if kind == "value_error" and ctx.get("error"):  # our own validators' reasons are Chinese already
        return str(ctx["error"])
    reasons = {
        "missing": "缺少此项",
        "string_too_long": f"超过{ctx.get('max_length')}个字符",
        "string_too_short": f"至少{ctx.get('min_length')}个字符",
        "bytes_too_short": "不能为空",
        "string_pattern_mismatch": "格式不对",
        "string_type": "应为文字",
        "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数",
        "less_than_equal": f"不能大于{ctx.get('le')}",
        "greater_than_equal": f"不能小于{ctx.get('ge')}",
        "enum": f"应为以下之一：{_choices(ctx)}",
        "literal_error": f"应为以下之一：{_choices(ctx)}",
        "list_type": "应为数组", "too_long": f"不能超过{ctx.get('max_length')}项",
        "model_attributes_type": "应为 JSON 对象", "dict_type": "应为 JSON 对象",
        "json_invalid": "不是可读取的 JSON",
    }
    return reasons.get(kind, "格式不对")


def _choices(ctx: dict[str, Any]) -> str:
    """pydantic's "'a', 'b' or 'c'" as a Chinese list: a、b、c."""
    return str(ctx.get("expected", "")).replace(" or ", ", ").replace("'", "").replace(", ", "、")


def _where(loc: tuple[Any, ...]) -> list[Any]:
    """The field an error is about: `activities.N.key` or a top-level field, without pydantic's union-branch
    names (`constrained-int`) or the character offset of a JSON syntax error."""
    path = [p for p in loc if p not in ("body", "path", "query")]
    if path[:1] == ["activities"] and len(path) >= 2 and isinstance(path[1], int):
        return path[:3]
    return [p for p in path[:1] if isinstance(p, str)]


def _shown(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return strip_control(str(value))[:200]


def validation_problems(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One problem per failing field, deduplicated (a value failing both branches of a union counts once)."""
    problems, seen = [], set()
    for error in errors:
        loc = _where(tuple(error["loc"]))
        row = loc[1] + 1 if len(loc) >= 2 and loc[0] == "activities" and isinstance(loc[1], int) else None
        key = loc[2] if row is not None and len(loc) >= 3 else None
        if row is None and len(loc) == 1 and isinstance(loc[0], str):
            key = loc[0]  # a top-level field of the body (the demonstration application's)
        column = FIELDS.get(key) if isinstance(key, str) else None
        field = ".".join(str(p) for p in loc)
        if field in seen:
            continue
        seen.add(field)
        reason = _reason(error)
        where = (f"第{row}项活动 " if row else "") + (f"【{column}】" if column else field or "请求内容")
        problems.append({"row": row, "column": column, "field": field or None, "value": _shown(error.get("input")),
                         "reason": reason, "text": f"{where}：{reason}"})
    return problems


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def malformed(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body(422, "请求格式有误，请按下列各项修改",
                                       validation_problems(list(exc.errors()))), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def refused(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == BODY_NOT_PARSED:
            # A body that is not loadable JSON is malformed like any other (422, in Chinese).
            problem = {"row": None, "column": None, "field": None, "value": None,
                       "reason": "不是可读取的 JSON（如数字位数过多）",
                       "text": "请求内容不是可读取的 JSON（如数字位数过多）"}
            return JSONResponse(error_body(422, "请求内容无法解析", [problem]), status_code=422)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request.app, request.scope))
            message = "此路径不支持该请求方法"
        elif exc.status_code == 404 and exc.detail == "Not Found":  # no route: Starlette's own answer
            message = "没有这个接口地址，接口说明见 /docs"
        else:
            message = str(exc.detail) if exc.status_code in CODES and exc.detail else "请求有误"
        body = {"code": CODES.get(exc.status_code, "malformed"), "message": message, "problems": []}
        return JSONResponse(body, status_code=exc.status_code, headers=headers)


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """Every method some route serves on this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in app.router.routes:
        match, _ = route.matches(dict(scope, method="__none__"))
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


class BodyLimit:
    """Refuse request bodies over `limit` bytes (413) before they are read into memory."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app, self.limit = app, limit

    def message(self) -> str:
        return f"请求内容过大（上限 {self.limit} 字节）"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            response = JSONResponse(error_body(413, self.message()), status_code=413)
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                # FastAPI passes HTTPException through while it reads the body (other errors become 400).
                raise StarletteHTTPException(413, self.message())
            return message

        await self.app(scope, counted, send)
