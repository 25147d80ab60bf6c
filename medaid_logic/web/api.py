"""The JSON API under /api/v1: one endpoint per CLI verb, with the CLI's contract
(../shared/CASE_FORMAT.md). Bodies are read with the CLI's own JSON reader (numbers as decimals,
never floats); bad input answers 422 with {"error": {"field", "message"}}."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from .. import listings
from ..case import Case, _path, loads
from . import service

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class ErrorBody(BaseModel):
    field: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # nothing coerced: "yes" is not a boolean
    case: dict = Field(description="a case of CASE_FORMAT.md")
    lang: Literal["zh", "en"] = "zh"
    format: Literal["json", "text", "dot"] = "json"


class WhyRequest(Envelope):
    target: str = Field(description="total | premium | applied_category | claim:<id>[.step:<what>] | "
                                    "category:<id> | flag:<kind> | annual:<kind>[.step:<what>] | param:<id>")


class WhyNotRequest(WhyRequest):
    minimal: bool = Field(False, description="also the smallest change of the facts that yields the target")


class WhatIfRequest(Envelope):
    set: list[str] = Field(description="changes, as `medaid what-if --set`: identity+=CAT[:SINCE[..UNTIL]] | "
                                       "identity-=CAT | identity.CAT.until=DATE | claim.ID.FIELD=V | param.ID=V")


class ClausesRequest(Envelope):
    pass


class ExportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # nothing coerced: "yes" is not a boolean
    case: dict
    lang: Literal["zh", "en"] = "zh"
    format: Literal["turtle", "json-ld", "json", "dot"] = "turtle"


def error(field: str, message: str, status: int = 422) -> JSONResponse:
    return JSONResponse({"error": {"field": field, "message": message}}, status_code=status)


class BadInput(Exception):
    def __init__(self, field: str, message: str, status: int = 422):
        self.field, self.message, self.status = field, message, status


async def read_json(request: Request):
    raw = await request.body()
    try:
        return loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadInput("", "the body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadInput("", f"not valid JSON: {exc}") from None


async def read_envelope(request: Request, model: type[BaseModel]):
    data = await read_json(request)
    if not isinstance(data, dict):
        raise BadInput("", "the body is a JSON object")
    try:
        env = model.model_validate({k: v for k, v in data.items() if k != "case"} | {"case": {}})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise BadInput(_path(err["loc"]), err["msg"]) from None
    if "case" not in data:
        raise BadInput("case", "Field required")
    env.case = data["case"]   # kept as read (decimals): the engine validates it, naming the field
    return env


def answer(obj, fmt: str, media: str | None = None) -> Response:
    if isinstance(obj, (dict, list)):
        return Response(json.dumps(obj, ensure_ascii=False, default=str), media_type=media or "application/json")
    return PlainTextResponse(obj, media_type=media or ("text/vnd.graphviz" if fmt == "dot" else "text/plain"))


def examples() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.json"))}


ERRORS = {422: {"model": ErrorResponse, "description": "bad input: the error names the field"},
          413: {"model": ErrorResponse, "description": "body or batch larger than the configured limit"}}


def ok(*media: str) -> dict:
    """The 200 answer's media types (json first), beside the error answers."""
    content = {m: {"schema": {} if m.endswith("json") else {"type": "string"}} for m in media}
    return {200: {"description": "the answer", "content": content}, **ERRORS}


EXPLAIN = ok("application/json", "text/plain", "text/vnd.graphviz")


def _body(schema_ref: str, ex: dict | None = None) -> dict:
    content = {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}
    if ex:
        content["examples"] = ex
    return {"requestBody": {"required": True, "content": {"application/json": content}}}


def build_router(settings, audit_cache: service.AuditCache) -> APIRouter:
    r = APIRouter(prefix="/api/v1")
    ex = examples()
    case_examples = {k: {"summary": k, "value": v} for k, v in ex.items()}
    first = next(iter(ex.values()))
    first_claim = (first.get("claims") or [{}])[0].get("claim_id", "c1")

    def env_examples(extra: dict) -> dict:
        return {k: {"summary": k, "value": {"case": v, **extra}} for k, v in ex.items()}

    @r.post("/evaluate", responses=ok("application/json", "text/plain"), openapi_extra=_body("Case", case_examples),
            summary="evaluate one case (medaid evaluate)")
    async def evaluate(request: Request, format: Literal["json", "text"] = "json", lang: Literal["zh", "en"] = "zh"):
        data = await read_json(request)
        result = await asyncio.wrap_future(service.batcher().submit(data))
        if format == "text":
            return PlainTextResponse(service.text_of(result, lang))
        return answer(result, "json")

    @r.post("/batch", responses=ok("application/x-ndjson"), summary="JSON Lines in, JSON Lines out, streamed, order kept (medaid batch)",
            openapi_extra={"requestBody": {"required": True, "content": {"application/x-ndjson": {
                "schema": {"type": "string"},
                "example": "\n".join(json.dumps(v, ensure_ascii=False) for v in ex.values())}}}})
    async def batch(request: Request):
        raw = await request.body()
        # lines as `medaid batch` reads them: bytes split at newlines, every line numbered (a
        # blank one gets its skip record, a line that is not UTF-8 its own error)
        parts = raw.split(b"\n")
        if parts and parts[-1] == b"":
            parts.pop()
        lines = list(enumerate(parts, start=1))
        if len(lines) > settings.max_batch_lines:
            raise BadInput("body", f"{len(lines)} lines: more than the batch limit of {settings.max_batch_lines}", 413)
        return StreamingResponse(iterate_in_threadpool(service.batch_lines(lines)), media_type="application/x-ndjson")

    @r.post("/why", responses=EXPLAIN, summary="the derivation behind one amount, category or flag (medaid why)",
            openapi_extra=_body("WhyRequest", env_examples({"target": f"claim:{first_claim}"})))
    async def why(request: Request):
        e = await read_envelope(request, WhyRequest)
        return answer(await run_in_threadpool(service.why, e.case, e.target, e.lang, e.format), e.format)

    @r.post("/why-not", responses=EXPLAIN, summary="every rule that could have produced the target and what failed",
            openapi_extra=_body("WhyNotRequest", env_examples({"target": "category:tekun", "minimal": True})))
    async def why_not(request: Request):
        e = await read_envelope(request, WhyNotRequest)
        return answer(await run_in_threadpool(service.why_not, e.case, e.target, e.lang, e.minimal, e.format), e.format)

    @r.post("/what-if", responses=EXPLAIN, summary="re-evaluate with changes; every amount that changed",
            openapi_extra=_body("WhatIfRequest", env_examples({"set": [f"claim.{first_claim}.total_cost=1000"]})))
    async def what_if(request: Request):
        e = await read_envelope(request, WhatIfRequest)
        return answer(await run_in_threadpool(service.what_if, e.case, e.set, e.lang, e.format), e.format)

    @r.post("/clauses", responses=EXPLAIN, summary="every clause the decision used, in document order",
            openapi_extra=_body("ClausesRequest", env_examples({})))
    async def clauses(request: Request):
        e = await read_envelope(request, ClausesRequest)
        return answer(await run_in_threadpool(service.clauses, e.case, e.lang, e.format), e.format)

    @r.post("/export", responses=ok(*service.EXPORT_FORMATS.values()), summary="the decision record (PROV-O Turtle, JSON-LD) or the derivation graph",
            openapi_extra=_body("ExportRequest", env_examples({"format": "turtle"})))
    async def export(request: Request):
        e = await read_envelope(request, ExportRequest)
        out = await run_in_threadpool(service.export, e.case, e.format, e.lang)
        return answer(out, e.format, service.EXPORT_FORMATS[e.format])

    def check_jurisdiction(j):
        msg = listings.unknown_jurisdiction(service.engine().kb, j)
        if msg:
            raise BadInput("jurisdiction", msg)

    @r.get("/audit", responses=ERRORS, summary="the policy-consistency audit, computed once per KB (medaid audit)")
    async def audit(jurisdiction: str | None = None,
                    kind: str | None = None,
                    severity: Literal["info", "low", "medium", "high"] | None = None):
        check_jurisdiction(jurisdiction)
        report = await run_in_threadpool(audit_cache.report)
        return answer(service.filter_report(report, jurisdiction, kind, severity), "json")

    @r.get("/categories", responses=ERRORS, summary="the category ids and where they are held")
    async def categories(jurisdiction: str | None = None):
        check_jurisdiction(jurisdiction)
        return answer(listings.category_rows(service.engine().kb, jurisdiction), "json")

    @r.get("/parameters", responses=ERRORS, summary="each parameter with its value or status and clause")
    async def parameters(jurisdiction: str | None = None, year: int | None = Query(None, ge=1900, le=2200)):
        check_jurisdiction(jurisdiction)
        return answer(listings.parameter_rows(service.engine().kb, jurisdiction, year), "json")

    @r.get("/provisions", responses=ERRORS, summary="provisions that compute nothing but matter")
    async def provisions(jurisdiction: str | None = None, kind: str | None = None):
        check_jurisdiction(jurisdiction)
        return answer(listings.provision_rows(service.engine().kb, jurisdiction, kind), "json")

    @r.get("/documents", responses=ERRORS, summary="the policy documents with 文号, issuer and dates")
    async def documents(jurisdiction: str | None = None):
        check_jurisdiction(jurisdiction)
        return answer(listings.document_rows(service.engine().kb, jurisdiction), "json")

    @r.get("/clauses", responses=ERRORS, summary="clauses with their text and the parameters they state; q: a locator or words")
    async def clause_list(jurisdiction: str | None = None, document: str | None = None, q: str | None = None):
        check_jurisdiction(jurisdiction)
        return answer(listings.clause_rows(service.engine().kb, jurisdiction, document, q), "json")

    return r


def schema_components() -> dict:
    """The request bodies' JSON schemas (the case model's own), for /openapi.json."""
    out = {}
    for model in (Case, WhyRequest, WhyNotRequest, WhatIfRequest, ClausesRequest, ExportRequest):
        s = model.model_json_schema(ref_template="#/components/schemas/{model}")
        out.update(s.pop("$defs", {}))
        out[model.__name__] = s
    for name in ("WhyRequest", "WhyNotRequest", "WhatIfRequest", "ClausesRequest", "ExportRequest"):
        out[name]["properties"]["case"] = {"$ref": "#/components/schemas/Case"}
    return out
