"""A batch is grounded and solved together: no applicant may see another's facts. Each result
of a batch equals the result of the same case evaluated alone; batch output keeps input order."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_batch import generate  # noqa: E402


def test_batch_equals_one_by_one(engine):
    cases = list(generate(40, seed=3))
    together = engine.evaluate_batch(cases)
    for case, res in zip(cases, together):
        alone = engine.evaluate(case)
        assert res == alone, case["case_id"]


def test_stream_in_workers_keeps_order(engine):
    cases = list(generate(30, seed=5))
    in_process = list(engine.stream(cases, chunk=7, jobs=0))
    in_workers = list(engine.stream(cases, chunk=7, jobs=2))
    assert [r["case_id"] for r in in_workers] == [c["case_id"] for c in cases]
    assert in_workers == in_process


def test_a_spare_solver_serves_the_kbs_own_group_once(engine):
    # engine.load_spare: the programs and the KB's policy facts loaded before workers fork. A call
    # with overrides of the caller's must not take it (its policy facts differ); the next plain
    # call does, once, with the results of a solver loaded for it
    from medaid_logic.case import parse_case
    cases = [parse_case(c, engine.kb) for c in generate(6, seed=8)]
    plain = engine.evaluate_batch(cases)
    engine.load_spare()
    spare = engine._spare
    assert engine._take_spare({}, {"deductible_scope": "per_claim"}, ()) is None and engine._spare is spare
    assert engine.control(cases, {}, {}) is spare and engine._spare is None
    engine.load_spare()
    assert engine.evaluate_batch(cases) == plain and engine._spare is None


def _catalogues_read() -> int:
    from medaid_logic.words import catalogue
    return catalogue.cache_info().currsize


def test_workers_are_forked_with_the_catalogues_read(engine):
    # engine.before_fork: a worker words its results from catalogues its parent read, and does
    # not parse the .po files again for each chunk
    from medaid_logic.words import catalogue
    from medaid_logic.workers import ordered_map
    catalogue.cache_clear()
    engine.before_fork()
    assert [n for _, n in ordered_map(lambda _: _catalogues_read(), [0], jobs=1, recycle=1)] == [2]


def test_a_chunk_with_an_error_comes_back_whole_from_the_workers(engine):
    # a chunk of plain results comes back marshalled (engine._evaluate_in_worker); one holding an
    # error (an exception object, which marshal refuses) pickled: both give what the process gives
    cases = list(generate(12, seed=8))
    cases[5] = {"case_id": "broken"}
    in_process = list(engine.stream(cases, chunk=4, jobs=0))
    in_workers = list(engine.stream(cases, chunk=4, jobs=1))
    assert type(in_workers[5]) is type(in_process[5]) and str(in_workers[5]) == str(in_process[5])
    assert in_workers[:5] + in_workers[6:] == in_process[:5] + in_process[6:]


def test_a_record_line_is_compact_json_whoever_writes_it(engine):
    # records.record_line: orjson's bytes, which json.dumps writes too; json.dumps alone for what
    # orjson refuses (an integer beyond 64 bits, a lone surrogate, a key that is no string)
    import json
    from medaid_logic.records import record_line

    def compact(rec):
        return (json.dumps(rec, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8", "backslashreplace")

    rec = {"line": 7, **engine.evaluate(next(iter(generate(1, seed=4))))}
    line = record_line(rec)
    assert line == compact(rec) and line.count(b"\n") == 1 and line.startswith(b'{"line":7,"case_id":')
    assert max(line) > 0x7f and b"\\u" not in line   # Chinese as UTF-8, not as \u escapes
    for odd in ({"n": 2 ** 70}, {"text": "a\ud800b"}, {1: "one"}, {"when": __import__("datetime").date(2024, 1, 2)}):
        assert record_line(odd) == compact(odd), odd
