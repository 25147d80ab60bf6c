"""Cases and result records as Parquet (pyarrow).

Cases: one row per case; identities and claims are list-of-struct columns, residence and
year_to_date structs; `facts` and `parameters` (keys vary by jurisdiction) are JSON strings.
Money and dates are strings ("62000.00", "2023-03-12"), so nothing is lost or rounded on the
way in: the case format reads them exactly as from JSON. A null cell means the field is absent.

Results: the columns of a batch record that are scalar are flat (line, case_id, total_aid …);
the nested ones (claims, premium_subsidy, error …) are JSON strings; any key not listed goes
into `other` (JSON), so a record comes back whole.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pyarrow as pa

S, B, I = pa.string(), pa.bool_(), pa.int64()
MONEY = ("total_cost", "in_policy_cost", "basic_insurance_paid", "critical_illness_paid", "other_paid")
YTD = ("shared_cap_used", "general_outpatient_cap_used", "deductible_met", "personal_burden")
IDENTITY = pa.struct([("category", S), ("subtype", S), ("since", S), ("until", S)])
CLAIM = pa.struct([("claim_id", S), ("kind", S), ("admitted", S), ("discharged", S), ("date", S),
                   ("in_province", B), ("local", S), ("referred", B), ("relocated", B), ("hospital_class", S),
                   *[(m, S) for m in MONEY], ("chronic_management", S), ("disease", S)])
CASE_SCHEMA = pa.schema([
    ("case_id", S), ("jurisdiction", S), ("year", I),
    ("identities", pa.list_(IDENTITY)), ("birth_date", S), ("hukou", S),
    ("residence", pa.struct([("place", S), ("since", S)])), ("insured_in", S),
    ("facts", S), ("year_to_date", pa.struct([(y, S) for y in YTD])),
    ("claims", pa.list_(CLAIM)), ("parameters", S)])
APPLICANT = ("identities", "birth_date", "hukou", "residence", "insured_in", "facts", "year_to_date")
JSON_CELLS = ("facts", "parameters")

RESULT_SCALARS = (("line", I), ("file", S), ("case_id", S), ("jurisdiction", S), ("year", I),
                  ("applied_category", S), ("total_aid", S), ("skipped", S))
RESULT_JSON = ("categories", "premium_subsidy", "claims", "annual", "precedence", "insurance_tilt", "flags",
               "parameters_used", "notes", "notes_zh", "error")
RESULT_SCHEMA = pa.schema([*RESULT_SCALARS, *[(k, S) for k in RESULT_JSON], ("other", S)])


def _text(value, where: str):
    """A money or date value as the exact text the case format reads."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{where}: {value!r} cannot be stored as Parquet text")


def _strings(d: dict, fields, where: str) -> dict:
    return {k: (_text(v, f"{where}.{k}") if k in fields else v) for k, v in d.items()}


def case_row(case: dict) -> dict:
    """A case (CASE_FORMAT dict) as a row of CASE_SCHEMA; a field the schema has no room for is refused."""
    applicant = dict(case.get("applicant") or {})
    row = {k: case.get(k) for k in ("case_id", "jurisdiction", "year")}
    extra = set(case) - {"case_id", "jurisdiction", "year", "applicant", "claims", "parameters"}
    extra |= set(applicant) - set(APPLICANT)
    if extra:
        raise ValueError(f"{case.get('case_id')}: fields outside the case format: {', '.join(sorted(extra))}")
    for k in APPLICANT:
        v = applicant.get(k)
        if k in JSON_CELLS:
            v = None if v is None else json.dumps(v, ensure_ascii=False, default=str)
        elif k == "identities":
            v = [_strings(i, ("since", "until"), "identities") for i in v or []]
        elif k == "year_to_date" and v is not None:
            v = _strings(v, YTD, "year_to_date")
        row[k] = v
    row["claims"] = [_strings(c, (*MONEY, "admitted", "discharged", "date"), "claims") for c in case.get("claims") or []]
    params = case.get("parameters")
    row["parameters"] = None if params is None else json.dumps(params, ensure_ascii=False, default=str)
    return row


def _drop_nulls(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def row_case(row: dict) -> dict:
    """A row of CASE_SCHEMA as the case dict it was made from (nulls are absent fields)."""
    from .strict_json import loads
    applicant = {}
    for k in APPLICANT:
        v = row.get(k)
        if v is None:
            continue
        if k in JSON_CELLS:
            v = loads(v.encode("utf-8"))
        elif k == "identities":
            v = [_drop_nulls(i) for i in v]
        elif isinstance(v, dict):
            v = _drop_nulls(v)
        applicant[k] = v
    case = _drop_nulls({k: row.get(k) for k in ("case_id", "jurisdiction", "year")})
    case["applicant"] = applicant
    case["claims"] = [_drop_nulls(c) for c in row.get("claims") or []]
    if row.get("parameters") is not None:
        case["parameters"] = loads(row["parameters"].encode("utf-8"))
    return case


def cases_table(cases) -> pa.Table:
    return pa.Table.from_pylist([case_row(c) for c in cases], schema=CASE_SCHEMA)


def write_cases(path, cases, row_group_size: int = 5000) -> int:
    """Cases (an iterable, streamed) to a Parquet file, `row_group_size` rows per row group
    (a row group is one partition of `medaid batch`). Returns the number written."""
    import pyarrow.parquet as pq
    n = 0
    with pq.ParquetWriter(path, CASE_SCHEMA) as w:
        buf = []
        for c in cases:
            buf.append(c)
            if len(buf) >= row_group_size:
                w.write_table(cases_table(buf), row_group_size=row_group_size)
                n += len(buf)
                buf = []
        if buf:
            w.write_table(cases_table(buf), row_group_size=row_group_size)
            n += len(buf)
    return n


def result_row(rec: dict) -> dict:
    row = {k: rec.get(k) for k, _ in RESULT_SCALARS}
    for k in RESULT_JSON:
        row[k] = None if k not in rec else json.dumps(rec[k], ensure_ascii=False)
    other = {k: v for k, v in rec.items() if k not in row}
    row["other"] = json.dumps(other, ensure_ascii=False) if other else None
    return row


def results_table(records) -> pa.Table:
    return pa.Table.from_pylist([result_row(r) for r in records], schema=RESULT_SCHEMA)


def record_of(row: dict) -> dict:
    """A row of RESULT_SCHEMA as the batch record it was made from."""
    rec = {}
    for k, _ in RESULT_SCALARS:
        if row.get(k) is not None or k == "case_id":
            rec[k] = row.get(k)
    for k in RESULT_JSON:
        if row.get(k) is not None:
            rec[k] = json.loads(row[k])
    if row.get("other"):
        rec.update(json.loads(row["other"]))
    return rec


def read_results(path) -> list[dict]:
    """Every record of a results Parquet file (or directory of them), in order."""
    import pyarrow.parquet as pq
    return [record_of(r) for r in pq.read_table(path, schema=RESULT_SCHEMA).to_pylist()]
