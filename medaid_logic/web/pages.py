"""The pages: Case (form, paste/upload, examples), result, why / why-not, what-if, decision
letter, audit, law. Server-rendered with auto-escaping templates; every page works without
JavaScript. A case is kept in memory only (a bounded store, never on disk or in a log), under a
key made from its content, so that the result page's links can ask about it."""
from __future__ import annotations

import copy
import hashlib
import json
from collections import OrderedDict
from datetime import date
from threading import Lock

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from .. import listings
from ..case import loads
from ..errors import CaseError
from ..legal.targets import TargetError
from . import forms, service, view
from .api import examples
from .jinja import env
from .messages import Words

LANGS = ("zh", "en")


class CaseStore:
    """Cases by content key, in memory, the oldest dropped beyond `size`."""

    def __init__(self, size: int):
        self.size, self._d, self._lock = size, OrderedDict(), Lock()

    def put(self, case) -> str:
        key = hashlib.sha256(json.dumps(case, sort_keys=True, default=str).encode()).hexdigest()[:20]
        with self._lock:
            self._d[key] = copy.deepcopy(case)
            self._d.move_to_end(key)
            while len(self._d) > self.size:
                self._d.popitem(last=False)
        return key

    def get(self, key: str):
        with self._lock:
            case = self._d.get(key)
        return copy.deepcopy(case) if case is not None else None


def pick_lang(request: Request) -> str:
    q = request.query_params.get("lang")
    if q in LANGS:
        return q
    c = request.cookies.get("lang")
    return c if c in LANGS else "zh"


def render(request: Request, name: str, status: int = 200, **ctx) -> HTMLResponse:
    lang = pick_lang(request)
    kb = service.engine().kb
    w = Words(kb, lang)
    other = "en" if lang == "zh" else "zh"
    switch = request.url.path + "?" + request.url.include_query_params(lang=other).query if request.method == "GET" else \
        ctx.get("back_url", "/case") + f"?lang={other}"
    html = env.get_template(name).render(w=w, lang=lang, switch=switch, kb=kb, path=request.url.path, **ctx)
    resp = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGS:
        resp.set_cookie("lang", lang, samesite="strict", httponly=True)
    return resp


def error_page(request: Request, field: str, message: str, status: int = 422) -> HTMLResponse:
    return render(request, "error.html", status, field=field, message=message)


def build_pages(settings, audit_cache: service.AuditCache) -> APIRouter:
    r = APIRouter(include_in_schema=False)
    store = CaseStore(settings.case_store)
    kb = lambda: service.engine().kb

    def stored(key: str):
        case = store.get(key)
        if case is None:
            raise CaseError("case", Words(kb(), "zh").t("expired") + " / " + Words(kb(), "en").t("expired"))
        return case

    def form_page(request, form: dict, error: CaseError | forms.FormError | None = None):
        j = form["jurisdiction"] if form["jurisdiction"] in kb().jurisdictions else kb().jurisdictions[0]
        form["jurisdiction"] = j
        return render(request, "case_form.html", 422 if error else 200, form=form, error=error,
                      read=forms.fields_read(kb(), j, form), examples=list(examples()),
                      categories=kb().categories_in(j), jurisdictions=kb().jurisdictions)

    @r.get("/")
    async def home():
        return RedirectResponse("/case", status_code=303)

    @r.get("/case")
    async def case_new(request: Request, jurisdiction: str | None = None, example: str | None = None,
                       year: int | None = None):
        if example:
            ex = examples().get(example)
            if ex is None:
                raise CaseError("example", f"no example {example!r}; one of {', '.join(examples())}")
            return form_page(request, forms.from_case(ex, kb().statistic_kinds))
        j = jurisdiction if jurisdiction in kb().jurisdictions else (settings.jurisdiction or kb().jurisdictions[0])
        return form_page(request, forms.blank(j, year or kb().year_in_force(j, date.today())))

    @r.post("/case")
    async def case_post(request: Request):
        data = await request.form()
        form = forms.read_form(data, kb().statistic_kinds)
        action = data.get("action", "evaluate")
        if action == "add_identity":
            form["identities"].append(dict.fromkeys(forms.IDENTITY_FIELDS, ""))
        elif action == "add_claim":
            form["claims"].append(forms.new_claim(len(form["claims"]) + 1))
        elif action.startswith("remove_identity-"):
            i = int(action.split("-")[1]) if action.split("-")[1].isdigit() else -1
            form["identities"] = [x for n, x in enumerate(form["identities"]) if n != i]
        elif action.startswith("remove_claim-"):
            i = int(action.split("-")[1]) if action.split("-")[1].isdigit() else -1
            form["claims"] = [x for n, x in enumerate(form["claims"]) if n != i]
        if action != "evaluate":
            return form_page(request, form)
        try:
            case = forms.to_case(form)
            await run_in_threadpool(service.evaluate, case)
        except (CaseError, forms.FormError) as exc:
            return form_page(request, form, exc)
        return RedirectResponse(f"/case/{store.put(case)}", status_code=303)

    @r.post("/case/json")
    async def case_json(request: Request):
        data = await request.form()
        upload = data.get("file")
        text = data.get("json") or ""
        if upload is not None and hasattr(upload, "read"):
            raw = await upload.read()
            if raw:
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise CaseError("", "the file is not UTF-8") from None
        try:
            case = loads(text)
        except json.JSONDecodeError as exc:
            raise CaseError("", f"not valid JSON: {exc}") from None
        await run_in_threadpool(service.evaluate, case)
        return RedirectResponse(f"/case/{store.put(case)}", status_code=303)

    @r.get("/case/{key}")
    async def case_result(request: Request, key: str):
        case = stored(key)
        s = await run_in_threadpool(service.session, case)
        lang = pick_lang(request)
        w = Words(kb(), lang)
        by_id = {c["claim_id"]: c for c in case.get("claims", [])}
        from ..legal.justify import claim_headline
        claims = [{"r": c, "input": by_id.get(c["claim_id"], {}),
                   "headline": claim_headline(s, i, lang)["sentence"],
                   "steps": view.steps(s, f"claim:{c['claim_id']}", c, lang),
                   "consumed": view.consumed_by(s, c["claim_id"]),
                   "bar": view.svg_segments(view.money_bar(by_id.get(c["claim_id"], {}), c, s.result["flags"]))}
                  for i, c in enumerate(s.result["claims"])]
        return render(request, "result.html", key=key, case=case, res=s.result, claims=claims,
                      caps=view.cap_use(s, s.result["claims"]), needed=view.still_needed(s.result, w),
                      warnings=view.warnings(s.result), back_url=f"/case/{key}")

    @r.get("/case/{key}/edit")
    async def case_edit(request: Request, key: str):
        return form_page(request, forms.from_case(stored(key), kb().statistic_kinds))

    @r.get("/case/{key}/case.json")
    async def case_download(key: str):
        body = json.dumps(stored(key), ensure_ascii=False, indent=2, default=str)
        return Response(body, media_type="application/json",
                        headers={"content-disposition": f'attachment; filename="case-{key}.json"'})

    @r.get("/case/{key}/record.ttl")
    async def record(key: str):
        body = await run_in_threadpool(service.export, stored(key), "turtle")
        return Response(body, media_type="text/turtle",
                        headers={"content-disposition": f'attachment; filename="decision-{key}.ttl"'})

    @r.get("/case/{key}/why")
    async def why_page(request: Request, key: str, target: str = "total"):
        case = stored(key)
        lang = pick_lang(request)
        try:
            ans = await run_in_threadpool(service.why, case, target, lang)
        except TargetError as exc:
            return render(request, "why.html", 422, key=key, target=target, ans=None, error=str(exc),
                          back_url=f"/case/{key}")
        s = await run_in_threadpool(service.session, case)
        w = Words(kb(), lang)
        lines = {}

        def walk(n):
            lines[n["node"]] = view.node_text(s, n, w)
            for m in n.get("used", []):
                walk(m)
        for t in ans["tree"]:
            walk(t)
        return render(request, "why.html", key=key, target=target, ans=ans, lines=lines, error=None,
                      back_url=f"/case/{key}")

    @r.get("/case/{key}/why-not")
    async def why_not_page(request: Request, key: str, target: str, minimal: bool = False):
        case = stored(key)
        lang = pick_lang(request)
        try:
            ans = await run_in_threadpool(service.why_not, case, target, lang, minimal, "json")
        except TargetError as exc:
            return render(request, "why_not.html", 422, key=key, target=target, ans=None,
                          error=str(exc), minimal=minimal, back_url=f"/case/{key}")
        return render(request, "why_not.html", key=key, target=target, ans=ans, error=None,
                      minimal=minimal, back_url=f"/case/{key}")

    @r.post("/case/{key}/what-if")
    async def what_if_page(request: Request, key: str):
        case = stored(key)
        lang = pick_lang(request)
        data = await request.form()
        changes = whatif_changes(case, data)
        if not changes:
            return render(request, "what_if.html", key=key, ans={"changes": [], "changed": []}, new_key=None,
                          back_url=f"/case/{key}")
        try:
            ans = await run_in_threadpool(service.what_if, case, changes, lang)
        except (TargetError, CaseError) as exc:
            field = getattr(exc, "field", "set")
            return render(request, "what_if.html", 422, key=key, ans=None, error=f"{field}: {getattr(exc, 'message', exc)}",
                          back_url=f"/case/{key}")
        from ..legal.whatif import apply_changes
        new_key = store.put(apply_changes(case, changes, kb()))
        return render(request, "what_if.html", key=key, ans=ans, new_key=new_key, error=None, back_url=f"/case/{key}")

    @r.get("/case/{key}/letter")
    async def letter_page(request: Request, key: str):
        from ..letter import letter_html
        case = stored(key)
        body = await run_in_threadpool(letter_html, case, pick_lang(request))
        return render(request, "letter.html", key=key, body=body, back_url=f"/case/{key}")

    @r.get("/audit")
    async def audit_page(request: Request, jurisdiction: str | None = None, kind: str | None = None,
                         severity: str | None = None):
        j = jurisdiction or None
        msg = listings.unknown_jurisdiction(kb(), j)
        if msg:
            raise CaseError("jurisdiction", msg)
        report = await run_in_threadpool(audit_cache.report)
        fs = service.filter_report(report, j, kind or None, severity or None)
        return render(request, "audit.html", report=report, shown=fs, jurisdiction=j or "", kind=kind or "",
                      severity=severity or "", kinds=sorted(report["summary"]["by_kind"]),
                      coverage=coverage_table(report, j))

    @r.get("/audit/witness")
    async def witness(request: Request, finding: str, n: int = 0):
        report = await run_in_threadpool(audit_cache.report)
        f = next((f for f in report["findings"] if f["id"] == finding), None)
        if f is None or not f["witness"] or not 0 <= n < len(f["witness"]):
            raise CaseError("finding", f"no witness {n} of finding {finding!r}")
        return RedirectResponse(f"/case/{store.put(f['witness'][n]['case'])}/edit", status_code=303)

    @r.get("/law")
    async def law_page(request: Request, jurisdiction: str | None = None, document: str | None = None,
                       q: str | None = None):
        j = jurisdiction or None
        msg = listings.unknown_jurisdiction(kb(), j)
        if msg:
            raise CaseError("jurisdiction", msg)
        docs = listings.document_rows(kb(), j)
        rows = listings.clause_rows(kb(), j, document or None, q or None) if (q or document) else []
        cited = {}
        if rows and audit_cache.ready():
            for f in audit_cache.report()["findings"]:
                for c in f["clauses"]:
                    cited.setdefault(c["rule"].split("#")[0], []).append(f)
        params = {p.id: p for p in kb().parameters.values()}
        return render(request, "law.html", docs=docs, rows=rows, q=q or "", jurisdiction=j or "",
                      document=document or "", params=params, cited=cited, audit_ready=audit_cache.ready(),
                      jurisdictions=kb().jurisdictions)

    return r


def coverage_table(report: dict, jurisdiction: str | None) -> dict:
    """Status × jurisdiction counts of the audit's coverage slots, and each status's share for its colour."""
    js = [jurisdiction] if jurisdiction else report["audit"]["jurisdictions"]
    statuses = ["stated", "vague", "delegated", "silent", "partial", "none"]
    rows = []
    for st in statuses:
        counts = [sum(1 for c in report["coverage"] if c["jurisdiction"] == j and c["status"] == st) for j in js]
        limited = [sum(1 for c in report["coverage"] if c["jurisdiction"] == j and c["status"] == st and c["time_limited"])
                   for j in js]
        if any(counts):
            rows.append({"status": st, "cells": list(zip(counts, limited))})
    return {"jurisdictions": js, "rows": rows}


def whatif_changes(case: dict, data) -> list[str]:
    """The what-if form → `--set` changes: each field the user changed, then the free lines."""
    out = []
    for i, ident in enumerate(case["applicant"].get("identities", [])):
        for k in ("since", "until"):
            v = (data.get(f"id-{i}-{k}") or "").strip()
            old = "" if ident.get(k) is None else str(ident.get(k))
            if f"id-{i}-{k}" in data and v != old:
                out.append(f"identity.{ident['category']}.{k}={v or 'null'}")
    for c in case.get("claims", []):
        for k in ("total_cost", "in_policy_cost", "basic_insurance_paid", "critical_illness_paid", "other_paid",
                  "admitted", "discharged", "date"):
            name = f"cl-{c['claim_id']}-{k}"
            v = (data.get(name) or "").strip()
            old = "" if c.get(k) is None else str(c.get(k))
            if name in data and v and v != old:
                out.append(f"claim.{c['claim_id']}.{k}={v}")
    for line in (data.get("params") or "").splitlines():
        if line.strip():
            out.append("param." + line.strip().removeprefix("param."))
    out.extend(line.strip() for line in (data.get("changes") or "").splitlines() if line.strip())
    return out
