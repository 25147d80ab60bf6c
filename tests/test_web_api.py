"""The workbench's HTTP API and pages through FastAPI's TestClient: each endpoint's happy path on
the examples (its answer equals the CLI's for the same input), its error shapes, the security
items (token, body limit, CSP, markup as text, nothing of a case in the logs), and the OpenAPI
schema fuzzed with schemathesis (bounded; no 5xx, responses match the schema)."""
from __future__ import annotations

import json
import os
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medaid_logic.cli import main
from medaid_logic.web.app import create_app
from medaid_logic.web.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
TAIYUAN = ROOT / "examples" / "taiyuan-dibao-returned-poor.json"


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(audit_search=False))   # the static audit checks: seconds, not half a minute


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:
        yield c


def cli(capsys, *argv) -> tuple[int, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().out


def cli_json(capsys, *argv):
    code, out = cli(capsys, *argv)
    assert code == 0
    return json.loads(out)


# ---- evaluate ---------------------------------------------------------------------------
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_evaluate_answers_what_the_cli_answers(client, capsys, path):
    r = client.post("/api/v1/evaluate", content=path.read_bytes())
    assert r.status_code == 200
    assert r.json() == cli_json(capsys, "evaluate", path)


def test_evaluate_text_is_the_cli_text(client, capsys):
    r = client.post("/api/v1/evaluate?format=text&lang=en", content=TAIYUAN.read_bytes())
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert r.text == cli(capsys, "evaluate", TAIYUAN, "--format", "text", "--lang", "en")[1]


def test_evaluate_reads_money_as_decimals_not_floats(client):
    case = read(TAIYUAN)
    case["claims"][2]["basic_insurance_paid"] = 5200.1   # a float in binary; exact as a decimal
    r = client.post("/api/v1/evaluate", content=json.dumps(case))
    # by hand (第九条(一), 特药, dibao 10%): self-pay 8000 − 5200.10 = 2799.90; × 10% = 279.99
    assert r.json()["claims"][2]["aid"] == "279.99"


@pytest.mark.parametrize("mutate, field", [
    (lambda c: c.pop("year"), "year"),
    (lambda c: c.update(jurisdiction="atlantis"), "jurisdiction"),
    (lambda c: c["claims"][0].pop("discharged"), "claims[0].discharged"),
    (lambda c: c["claims"][1].update(total_cost="-1"), "claims[1].total_cost"),
    (lambda c: c["applicant"]["identities"][0].update(category="king"), "applicant.identities[0].category"),
])
def test_evaluate_bad_input_is_422_naming_the_field(client, capsys, tmp_path, mutate, field):
    case = read(TAIYUAN)
    mutate(case)
    r = client.post("/api/v1/evaluate", content=json.dumps(case))
    assert r.status_code == 422
    assert r.json()["error"]["field"] == field
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(case))
    code, out = cli(capsys, "evaluate", f)
    assert code == 2 and json.loads(out) == r.json()          # the CLI's error object, word for word


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe", b""])
def test_evaluate_unreadable_body_is_422(client, body):
    r = client.post("/api/v1/evaluate", content=body)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == ""


# ---- batch ------------------------------------------------------------------------------
def test_batch_streams_in_order_with_error_records_like_the_cli(client, capsys, tmp_path):
    good = [read(p) for p in EXAMPLES]
    bad = dict(good[0], case_id="bad-year", year="2023x")
    lines = [json.dumps(good[0]), "{broken", json.dumps(bad), "", json.dumps(good[1]), json.dumps(good[2])]
    body = "\n".join(lines) + "\n"
    r = client.post("/api/v1/batch", content=body)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    out = [json.loads(x) for x in r.text.splitlines()]
    # one record per line, the blank one a skip record (as `medaid batch` writes them)
    assert [o.get("case_id") for o in out] == [good[0]["case_id"], None, "bad-year", None, good[1]["case_id"], good[2]["case_id"]]
    assert out[3] == {"line": 4, "case_id": None, "skipped": "blank line"}
    assert out[1] == {"line": 2, "case_id": None, "error": {"field": "", "message": out[1]["error"]["message"]}}
    assert out[2]["line"] == 3 and out[2]["error"]["field"] == "year"
    f = tmp_path / "in.jsonl"
    f.write_text(body)
    code, cli_out = cli(capsys, "batch", f, "--jobs", "0")
    assert code == 0 and [json.loads(x) for x in cli_out.splitlines()] == out


def test_batch_line_limit_is_configurable(capsys):
    with TestClient(create_app(Settings(max_batch_lines=2, audit_search=False))) as c:
        body = "\n".join(TAIYUAN.read_text().replace("\n", " ") for _ in range(3))
        r = c.post("/api/v1/batch", content=body)
        assert r.status_code == 413 and r.json()["error"]["field"] == "body"


# ---- explanation verbs ------------------------------------------------------------------
@pytest.mark.parametrize("path, body, argv", [
    ("why", {"target": "claim:c1"}, ["why", TAIYUAN, "claim:c1", "--format", "json"]),
    ("why", {"target": "premium", "lang": "en"}, ["why", TAIYUAN, "premium", "--format", "json", "--lang", "en"]),
    ("why-not", {"target": "category:tekun", "minimal": True}, ["why-not", TAIYUAN, "category:tekun", "--minimal", "--format", "json"]),
    ("what-if", {"set": ["identity.returned_poor.until=2023-05-01"]},
     ["what-if", TAIYUAN, "--set", "identity.returned_poor.until=2023-05-01", "--format", "json"]),
    ("clauses", {}, ["clauses", TAIYUAN, "--format", "json"]),
    ("export", {"format": "json"}, ["export", TAIYUAN, "--format", "json"]),
])
def test_explanations_answer_what_the_cli_answers(client, capsys, path, body, argv):
    r = client.post(f"/api/v1/{path}", content=json.dumps({"case": read(TAIYUAN), **body}))
    assert r.status_code == 200, r.text
    assert r.json() == cli_json(capsys, *argv)


@pytest.mark.parametrize("path, body, argv", [
    ("why", {"target": "claim:c2", "format": "text"}, ["why", TAIYUAN, "claim:c2"]),
    ("why-not", {"target": "claim:c3.category:returned_poor", "format": "dot"},
     ["why-not", TAIYUAN, "claim:c3.category:returned_poor", "--format", "dot"]),
    ("clauses", {"format": "text", "lang": "en"}, ["clauses", TAIYUAN, "--lang", "en"]),
])
def test_text_and_dot_formats_are_the_cli_s(client, capsys, path, body, argv):
    r = client.post(f"/api/v1/{path}", content=json.dumps({"case": read(TAIYUAN), **body}))
    assert r.status_code == 200
    assert r.text == cli(capsys, *argv)[1]


def test_export_turtle_is_the_cli_rdf_and_json_ld_parses(client, capsys):
    r = client.post("/api/v1/export", content=json.dumps({"case": read(TAIYUAN)}))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert r.text == cli(capsys, "export", TAIYUAN, "--rdf")[1]
    from rdflib import Graph
    ld = client.post("/api/v1/export", content=json.dumps({"case": read(TAIYUAN), "format": "json-ld"}))
    assert ld.headers["content-type"].startswith("application/ld+json")
    assert Graph().parse(data=ld.text, format="json-ld").isomorphic(Graph().parse(data=r.text, format="turtle"))


@pytest.mark.parametrize("path, body, field", [
    ("why", {"target": "claim:nope"}, "target"),
    ("why", {"target": "not a target"}, "target"),
    ("why", {}, "target"),
    ("why", {"target": "total", "lang": "fr"}, "lang"),
    ("why", {"target": "total", "format": "pdf"}, "format"),
    ("why", {"target": "total", "extra": 1}, "extra"),
    ("why-not", {"target": "flag:nothing"}, "target"),
    ("why-not", {"target": "total", "minimal": "yes"}, "minimal"),
    ("what-if", {"set": ["no such change"]}, "set"),
    ("what-if", {"set": []}, "set"),
    ("what-if", {"set": "claim.c1.total_cost=1"}, "set"),
    ("export", {"format": "xml"}, "format"),
])
def test_explanation_errors_name_the_field(client, path, body, field):
    r = client.post(f"/api/v1/{path}", content=json.dumps({"case": read(TAIYUAN), **body}))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


def test_a_bad_case_inside_an_explanation_names_its_field(client):
    case = read(TAIYUAN)
    case["claims"][0]["kind"] = "dental"
    r = client.post("/api/v1/why", content=json.dumps({"case": case, "target": "total"}))
    assert r.status_code == 422 and r.json()["error"]["field"] == "claims[0].kind"
    r = client.post("/api/v1/why", content=json.dumps({"target": "total"}))
    assert r.status_code == 422 and r.json()["error"]["field"] == "case"


# ---- listings ----------------------------------------------------------------------------
@pytest.mark.parametrize("url, argv", [
    ("/api/v1/categories", ["categories", "--format", "json"]),
    ("/api/v1/categories?jurisdiction=wuxi", ["categories", "--jurisdiction", "wuxi", "--format", "json"]),
    ("/api/v1/parameters?jurisdiction=taiyuan&year=2023", ["parameters", "--jurisdiction", "taiyuan", "--year", "2023", "--format", "json"]),
    ("/api/v1/parameters", ["parameters", "--format", "json"]),
    ("/api/v1/provisions?jurisdiction=wuhai", ["provisions", "--jurisdiction", "wuhai", "--format", "json"]),
    ("/api/v1/provisions?kind=delegation", ["provisions", "--kind", "delegation", "--format", "json"]),
])
def test_listings_answer_what_the_cli_answers(client, capsys, url, argv):
    r = client.get(url)
    assert r.status_code == 200
    assert r.json() == cli_json(capsys, *argv)


@pytest.mark.parametrize("url, field", [
    ("/api/v1/categories?jurisdiction=atlantis", "jurisdiction"),
    ("/api/v1/parameters?year=soon", "year"),
    ("/api/v1/parameters?year=99999", "year"),
    ("/api/v1/documents?jurisdiction=atlantis", "jurisdiction"),
    ("/api/v1/audit?severity=dire", "severity"),
])
def test_listing_errors_name_the_field(client, url, field):
    r = client.get(url)
    assert r.status_code == 422 and r.json()["error"]["field"] == field


def test_documents_and_clauses(client, kb):
    docs = client.get("/api/v1/documents").json()
    assert {d["id"] for d in docs} == set(kb.documents)
    wuhai = next(d for d in docs if d["id"] == "wuhai")
    assert wuhai["number"] == "乌海政办发〔2022〕42号"
    hit = client.get("/api/v1/clauses", params={"jurisdiction": "taiyuan", "q": "第八条(三)"}).json()
    assert [c["id"] for c in hit] == ["taiyuan/第八条(三)"]
    assert "taiyuan/inpatient/dibao_edge/ratio" in hit[0]["parameters"]
    words = client.get("/api/v1/clauses", params={"q": "先诊疗后付费"}).json()
    assert words and all("先诊疗后付费" in c["text"] for c in words)
    assert len(client.get("/api/v1/clauses", params={"document": "wuxi"}).json()) == \
        sum(1 for c in kb.clauses.values() if c.document == "wuxi")


def test_audit_is_the_report_filtered(client):
    from medaid_logic.audit import run_audit
    full = client.get("/api/v1/audit").json()
    assert full == json.loads(json.dumps(run_audit(None, None, search=False), default=str)) | {"audit": full["audit"]}
    wuxi = client.get("/api/v1/audit", params={"jurisdiction": "wuxi", "severity": "low"}).json()
    assert wuxi["findings"] and all("wuxi" in f["jurisdictions"] and f["severity"] == "low" for f in wuxi["findings"])
    assert {r["jurisdiction"] for r in wuxi["coverage"]} == {"wuxi"}


def test_healthz_and_openapi(client):
    assert client.get("/healthz").json()["ok"] is True
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    for p in ("evaluate", "batch", "why", "why-not", "what-if", "clauses", "export", "audit", "categories",
              "parameters", "provisions", "documents"):
        assert f"/api/v1/{p}" in paths
    examples = spec["paths"]["/api/v1/evaluate"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    assert set(examples) == {p.stem for p in EXAMPLES}
    assert "Case" in spec["components"]["schemas"]


# ---- security ----------------------------------------------------------------------------
def test_responses_carry_a_csp_without_inline_scripts(client):
    for url in ("/case", "/api/v1/categories", "/law"):
        csp = client.get(url).headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "http" not in csp
    page = client.get("/case").text
    assert "<script>" not in page and " onclick=" not in page and " onchange=" not in page
    assert "http://" not in page and "https://" not in page       # no asset from another origin


def test_a_token_guards_every_page_and_call():
    with TestClient(create_app(Settings(token="s3cret", audit_search=False))) as c:
        assert c.get("/api/v1/categories").status_code == 401
        assert c.get("/case").status_code == 401
        assert c.get("/api/v1/categories", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/v1/categories", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        r = c.get("/case?token=s3cret")                         # once in the browser, then the cookie
        assert r.status_code == 200 and "medaid_token" in r.headers["set-cookie"]
        assert c.get("/law").status_code == 200
        assert c.get("/healthz").status_code == 200


def test_serve_refuses_a_public_address_without_a_token(monkeypatch, capsys):
    monkeypatch.delenv("MEDAID_TOKEN", raising=False)
    monkeypatch.delenv("MEDAID_TOKEN_FILE", raising=False)
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "MEDAID_TOKEN" in capsys.readouterr().err


def test_the_body_limit_is_configurable():
    with TestClient(create_app(Settings(max_body=1000, audit_search=False))) as c:
        r = c.post("/api/v1/evaluate", content=TAIYUAN.read_bytes())
        assert r.status_code == 413 and r.json()["error"]["field"] == "body"


def test_markup_in_a_case_field_shows_as_text(client):
    case = read(TAIYUAN)
    case["case_id"] = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    r = client.post("/case/json", data={"json": json.dumps(case)})
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in r.text


def test_no_case_data_in_the_logs(client, caplog):
    case = read(TAIYUAN)
    case["case_id"] = "secret-applicant-4711"
    with caplog.at_level(logging.DEBUG):
        client.post("/api/v1/evaluate", content=json.dumps(case))
        client.post("/api/v1/evaluate", content=json.dumps({**case, "year": "x"}))
        client.post("/case/json", data={"json": json.dumps(case)})
    assert "secret-applicant-4711" not in caplog.text and "ty-2023" not in caplog.text


# ---- pages (without JavaScript: plain forms and links) -----------------------------------
def test_the_case_form_posts_and_re_renders_with_errors(client):
    form = {"case_id": "f1", "jurisdiction": "taiyuan", "year": "2023", "hukou": "taiyuan", "insured_in": "taiyuan",
            "id-0-category": "dibao", "id-0-since": "2021-01-01",
            "cl-0-claim_id": "c1", "cl-0-kind": "inpatient", "cl-0-admitted": "2023-03-01", "cl-0-discharged": "2023-03-05",
            "cl-0-in_province": "true", "cl-0-referred": "true", "cl-0-total_cost": "10000", "cl-0-in_policy_cost": "10000",
            "cl-0-basic_insurance_paid": "6000", "stat-income_base": "29178", "stat-contribution": "380"}
    r = client.post("/case", data=form, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    # by hand, 第八条(二) dibao: self-pay 10000 − 6000 = 4000, no deductible, × 70% = 2800.00
    assert ">2800.00<" in page
    bad = client.post("/case", data={**form, "cl-0-discharged": "2023-02-01"})
    assert bad.status_code == 422 and "claims[0].discharged" in bad.text and 'value="f1"' in bad.text
    more = client.post("/case", data={**form, "action": "add_claim"})
    assert 'id="cl-1-claim_id"' in more.text and 'value="c2"' in more.text
    moved = client.post("/case", data={**form, "id-0-category": "returned_poor", "jurisdiction": "wuxi", "action": "refresh"})
    assert '<option value="returned_poor" selected>' in moved.text   # not held in Wuxi: kept, not silently dropped
    other = client.post("/case", data={**form, "id-0-category": "returned_poor", "jurisdiction": "wuxi"})
    assert other.status_code == 422 and "applicant.identities[0].category" in other.text
    fewer = client.post("/case", data={**form, "action": "remove_identity-0"})
    assert 'id="id-0-category"' not in fewer.text


def test_wuxi_form_shows_the_disability_facts_its_rules_read(client):
    assert "fact-disability_certificate_grade" in client.get("/case?jurisdiction=wuxi").text
    assert "fact-disability_certificate_grade" not in client.get("/case?jurisdiction=taiyuan").text
    assert "fact-household_income_per_capita" in client.get("/case?jurisdiction=wuhai").text


@pytest.fixture(scope="module")
def result_url(client):
    r = client.post("/case/json", data={"json": TAIYUAN.read_text()}, follow_redirects=False)
    return r.headers["location"]


def test_every_page_of_a_case(client, result_url):
    assert "26455.00" in client.get(result_url).text
    assert "不设起付标准" in client.get(result_url + "/why?target=claim:c1").text
    assert client.get(result_url + "/why?target=claim:zz").status_code == 422
    whynot = client.get(result_url + "/why-not?target=category:tekun&minimal=true").text
    assert "第八条(一)" in whynot and "增加特困人员身份" in whynot              # the minimal change, in words
    shown = whynot.split("<main>")[1].split("<form")[0]
    assert "holds(" not in shown and "cand(" not in shown and "tekun" not in shown
    letter = client.get(result_url + "/letter").text
    assert "医疗救助审核决定书" in letter and "26455.00" in letter
    assert client.get(result_url + "/record.ttl").text.startswith("@prefix")
    assert json.loads(client.get(result_url + "/case.json").text)["case_id"] == "ty-2023-0117"
    assert 'value="ty-2023-0117"' in client.get(result_url + "/edit").text
    w = client.post(result_url + "/what-if", data={"id-1-until": "2023-05-01"}).text
    assert "25180.00" in w
    # by hand, 第九条(一) dibao 特药 10%: c3 self-pay 8000 − 6000 = 2000 → 200.00 (was 280.00); total 26455 − 80 = 26375.00
    w = client.post(result_url + "/what-if", data={"cl-c3-basic_insurance_paid": "6000", "cl-c3-date": "2023-10-09"}).text
    assert ">280.00<" in w and ">200.00<" in w and ">26375.00<" in w
    assert "费用 c3 · 基本医保支付 = 6000" in w
    assert client.get("/case/0000/why").status_code == 422


def test_audit_law_and_english(client):
    page = client.get("/audit?jurisdiction=wuxi").text
    assert "无锡市" in page and 'class="finding' in page
    w = client.get("/audit").text
    witness = w.split('class="witness" href="')[1].split('"')[0].replace("&amp;", "&")
    r = client.get(witness, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("/edit")
    law = client.get("/law", params={"q": "第八条(三)", "jurisdiction": "taiyuan"}).text
    assert "低保边缘家庭成员" in law
    en = client.get("/case?lang=en")
    assert "Enter an applicant" in en.text and "lang=en" in en.headers["set-cookie"]
    assert "Enter an applicant" in client.get("/case").text                  # the cookie keeps it
    client.cookies.clear()


def test_the_letter_cli(capsys):
    code, out = cli(capsys, "letter", TAIYUAN)
    assert code == 0 and "救助合计: 26455.00 元" in out and "returned_poor" not in out
    code, out = cli(capsys, "letter", TAIYUAN, "--lang", "en", "--format", "html")
    assert code == 0 and out.startswith("<!doctype html>") and "26455.00" in out


# ---- the OpenAPI schema, fuzzed ----------------------------------------------------------
def test_fuzz_the_openapi_schema(app):
    """schemathesis over /openapi.json: a few generated requests per operation; no 5xx and every
    response conforms to the schema (bounded; long fuzzing belongs in a make target)."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                     status_code_conformance)
    # not positive_data_acceptance: a schema cannot say every rule of CASE_FORMAT (a category held
    # in the jurisdiction, dates in the case year...), so a schema-valid case may rightly get 422
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures = []
    for result in schema.get_all_operations():
        op = result.ok()

        @settings(max_examples=int(os.environ.get("MEDAID_FUZZ_EXAMPLES", 6)), deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def run(case):
            try:
                case.call_and_validate(checks=checks)
            except Exception as exc:   # collect, to report every operation's first failure
                failures.append(f"{op.method.upper()} {op.path}: {exc}")
                raise
        try:
            run()
        except Exception:
            pass
    assert not failures, "\n".join(failures[:5])


def test_a_cap_used_up_by_an_earlier_bill_is_named_and_pictured(client):
    """Taiyuan 第八条(二), dibao: 70%, annual cap 60000 (by hand):
    c1 self-pay 150000 − 50000 = 100000; × 70% = 70000 > cap 60000 → 60000.00;
    c2 self-pay 20000 − 10000 = 10000; × 70% = 7000, cap left 60000 − 60000 = 0 → 0.00, used by c1."""
    case = {"case_id": "cap-1", "jurisdiction": "taiyuan", "year": 2023,
            "applicant": {"identities": [{"category": "dibao", "since": "2021-01-01"}], "hukou": "taiyuan",
                          "insured_in": "taiyuan"},
            "claims": [{"claim_id": "c1", "kind": "inpatient", "admitted": "2023-03-01", "discharged": "2023-03-20",
                        "in_province": True, "local": "city", "referred": True, "total_cost": 150000,
                        "in_policy_cost": 150000, "basic_insurance_paid": 50000},
                       {"claim_id": "c2", "kind": "inpatient", "admitted": "2023-06-01", "discharged": "2023-06-10",
                        "in_province": True, "local": "city", "referred": True, "total_cost": 20000,
                        "in_policy_cost": 20000, "basic_insurance_paid": 10000}],
            "parameters": {"income_base": 29178, "contribution": 380}}
    page = client.post("/case/json", data={"json": json.dumps(case)}).text
    c2 = page.split('id="bill-c2"')[1].split("</article>")[0]
    assert ">0.00<" in c2 and "已被此前费用用去： c1" in c2
    cap = page.split("年度限额使用")[1]
    assert "费用 c1: 限额 60000.00 · 此前已用 0.00 · 本次 60000.00 · 剩余 0.00" in cap
    assert "费用 c2: 限额 60000.00 · 此前已用 60000.00 · 本次 0.00 · 剩余 0.00" in cap


def test_blank_form_starts_with_the_offices_jurisdiction_and_a_year_in_force():
    """The blank form pins no city: the office's setting, else the KB's first jurisdiction; the
    year is today's held within the years the jurisdiction's policy is in force."""
    from datetime import date

    from medaid_logic.kb import load_kb
    kb = load_kb()
    office = kb.jurisdictions[-1]
    with TestClient(create_app(Settings(audit_search=False, jurisdiction=office))) as c:
        page = c.get("/case").text
    assert f'<option value="{office}" selected>' in page
    with TestClient(create_app(Settings(audit_search=False))) as c:
        page = c.get("/case").text
    first = kb.jurisdictions[0]
    assert f'<option value="{first}" selected>' in page
    assert f'name="year" id="year" value="{kb.year_in_force(first, date.today())}"' in page
    # held within the policy's years: a document in force 2023-01-23 to 2028-01-22 (Taiyuan's dates)
    doc = kb.policy_document("taiyuan")
    assert (doc.effective_from, doc.effective_until) == (20230123, 20280122)
    assert kb.year_in_force("taiyuan", date(2021, 6, 1)) == 2023
    assert kb.year_in_force("taiyuan", date(2026, 6, 1)) == 2026
    assert kb.year_in_force("taiyuan", date(2031, 6, 1)) == 2028


def test_serve_refuses_a_jurisdiction_the_kb_does_not_hold(capsys):
    from medaid_logic.cli import main
    assert main(["serve", "--jurisdiction", "atlantis", "--port", "0"]) == 2
    assert "--jurisdiction 'atlantis' is not in the KB" in capsys.readouterr().err
