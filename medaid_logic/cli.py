"""The `medaid` command: evaluate, batch, categories, parameters, provisions, kb validate.

stdout carries only the result; diagnostics go to stderr. Bad input: exit 2 with
{"error": {"field", "message"}} (json) or the message (text).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import limits
from .case import loads
from .errors import CaseError, KBError
from .output import OutputFailed, emit as _emit


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str)


def _read_case(path: str):
    """One case file (or - for stdin), read as bytes and parsed strictly (strict_json)."""
    cap = limits.current().max_case_bytes
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(cap + 1)
        else:
            with open(path, "rb") as f:
                raw = f.read(cap + 1)
    except OSError as exc:
        raise CaseError("", f"cannot read {path}: {exc.strerror}") from None
    return loads(raw)


def _fail(exc: CaseError, fmt: str) -> int:
    if fmt == "json":
        _emit(_dump(exc.as_json()) + "\n")
    else:
        _emit(f"error: {exc.field or '(case)'}: {exc.message}\n")
    print(f"medaid: {exc.field}: {exc.message}", file=sys.stderr)
    return 2


def _set_limits(args) -> None:
    limits.reset()
    limits.configure(max_claims=getattr(args, "max_claims", None), max_case_bytes=getattr(args, "max_case_bytes", None))


def cmd_evaluate(args) -> int:
    from .engine import default_engine
    from .errors import EngineFailure
    from .render import render_text
    try:
        engine = default_engine()
        result = engine.evaluate(_read_case(args.case))
    except CaseError as exc:
        return _fail(exc, args.format)
    except EngineFailure as exc:
        print(f"medaid: {exc} (a defect of the engine, not of the case)", file=sys.stderr)
        return 1
    _emit(_dump(result) + "\n" if args.format == "json" else render_text(result, engine.kb, args.lang))
    return 0


def cmd_batch(args) -> int:
    from .batch import run_batch
    return run_batch(args)


def _unknown_jurisdiction(args, kb) -> bool:
    """An unknown --jurisdiction is bad input (exit 2), not an empty listing."""
    from .listings import unknown_jurisdiction
    message = unknown_jurisdiction(kb, args.jurisdiction)
    if message:
        print(f"medaid: --jurisdiction: {message}", file=sys.stderr)
    return message is not None


def cmd_categories(args) -> int:
    from .kb import load_kb
    from .listings import category_rows
    kb = load_kb()
    if _unknown_jurisdiction(args, kb):
        return 2
    rows = category_rows(kb, args.jurisdiction)
    if args.format == "json":
        print(_dump(rows))
    else:
        for r in rows:
            extra = f" → treated as {r['treated_as']} ({r['rule']})" if r["treated_as"] else ""
            subs = f" [subtypes: {', '.join(r['subtypes'])}]" if r["subtypes"] else ""
            print(f"{r['id']:<30} {r['zh']} / {r['en']}  ({', '.join(r['held_in'])}){subs}{extra}")
    return 0


def cmd_parameters(args) -> int:
    from .kb import load_kb
    from .listings import parameter_rows
    kb = load_kb()
    if _unknown_jurisdiction(args, kb):
        return 2
    listing = parameter_rows(kb, args.jurisdiction, args.year)
    rows = listing["parameters"]
    # the text listing of one jurisdiction leaves the interpretations out; JSON always has them
    interps = listing["interpretations"] if args.jurisdiction is None or args.format == "json" else []
    if args.format == "json":
        print(_dump({"parameters": rows, "interpretations": interps}))
    else:
        for r in rows:
            value = ", ".join(r["value"]) if r["value"] else "—"
            print(f"{r['jurisdiction']}/{r['id']:<55} {value:<12} {r['unit']:<6} {r['status']:<9} {r['rule']}"
                  + (f"  [{', '.join(r['requires'])}]" if r["requires"] else "")
                  + (f"  → {r['delegated_to']}" if r["delegated_to"] else ""))
        if interps:
            print("\ninterpretations (override with parameters.<id>):")
            for i in interps:
                print(f"  {i['id']:<30} default {i['default']:<20} {i['reason'][:100]}")
    return 0


def cmd_provisions(args) -> int:
    """The provisions that compute nothing but matter: delegations, deadlines, silences..."""
    from .kb import load_kb
    from .listings import provision_rows
    kb = load_kb()
    if _unknown_jurisdiction(args, kb):
        return 2
    rows = provision_rows(kb, args.jurisdiction, args.kind)
    if args.format == "json":
        print(_dump(rows))
        return 0
    for r in rows:
        text = r["statement"] if args.lang == "zh" else r["label"]
        extra = "".join(f"  [{x}]" for x in (r["status"], r["figure"], r["delegated_to"] and f"→ {r['delegated_to']}") if x)
        print(f"{r['jurisdiction']:<8} {r['kind']:<11} {', '.join(c['rule'] for c in r['clauses'])}\n    {text}{extra}")
    return 0


def cmd_kb(args) -> int:
    from .kb import KB
    try:
        kb = KB(fresh=True)  # the shapes checked now, whatever passed before
    except KBError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"kb: valid — {len(kb.documents)} documents, {len(kb.clauses)} clauses, {len(kb.categories)} categories, "
          f"{len(kb.parameters)} parameters, {len(kb.provisions)} provisions, {len(kb.interpretations)} interpretations, "
          f"{len(kb.statistics)} statistics")
    return 0


ALIASES = {"评估": "evaluate", "批量": "batch"}


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit() and int(text) > 0):
        raise argparse.ArgumentTypeError(f"a positive whole number, not {text!r}")
    return int(text)


def _limit_flags(p) -> None:
    p.add_argument("--max-claims", type=_positive, help="claims per case (default 400, or MEDAID_MAX_CLAIMS)")
    p.add_argument("--max-case-bytes", type=_positive,
                   help="bytes of one case's JSON (default 1000000, or MEDAID_MAX_CASE_BYTES)")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="medaid", description="Medical-assistance rules engine: amounts and their clauses.")
    sub = ap.add_subparsers(dest="command", required=True)
    e = sub.add_parser("evaluate", help="evaluate one case (CASE_FORMAT.md)")
    e.add_argument("case", help="case JSON file, or - for stdin")
    e.add_argument("--format", choices=("json", "text"), default="json")
    e.add_argument("--lang", choices=("zh", "en"), default="zh")
    _limit_flags(e)
    e.set_defaults(func=cmd_evaluate)
    b = sub.add_parser("batch", help="evaluate JSON Lines, one result per line, order kept")
    b.add_argument("input", help="JSONL or Parquet file, a directory or glob of them (partitions), or - for stdin")
    b.add_argument("-o", "--output", help="output JSONL or .parquet file, or DIR/ for one part per partition (default stdout)")
    b.add_argument("--chunk", type=int, default=limits.CHUNK, help="cases grounded together per solver call")
    b.add_argument("--jobs", type=int, default=1,
                   help="workers: 0 in this process, 1 one forked worker process, N >= 2 a Dask LocalCluster of N "
                        "(input from stdin: N forked worker processes)")
    b.add_argument("--resume", action="store_true",
                   help="continue an interrupted run: keep -o's complete records, go on after the last line they cover")
    b.add_argument("--cluster", help="local[:N] (a Dask LocalCluster, N workers: default the cores) or tcp://host:8786")
    b.add_argument("--partition", type=_positive,
                   help="JSON Lines per partition (default --chunk; Parquet: a row group); runs by partitions")
    b.add_argument("--output-format", choices=("jsonl", "parquet"), help="of the parts (default: -o's suffix, else jsonl)")
    _limit_flags(b)
    b.set_defaults(func=cmd_batch)
    c = sub.add_parser("categories", help="the category ids and where they are held")
    c.add_argument("--jurisdiction")
    c.add_argument("--format", choices=("json", "text"), default="text")
    c.set_defaults(func=cmd_categories)
    p = sub.add_parser("parameters", help="each parameter with its value or status and clause")
    p.add_argument("--jurisdiction")
    p.add_argument("--year", type=int)
    p.add_argument("--format", choices=("json", "text"), default="text")
    p.set_defaults(func=cmd_parameters)
    pr = sub.add_parser("provisions", help="provisions that compute nothing but matter (delegations, deadlines, silences...)")
    pr.add_argument("--jurisdiction")
    pr.add_argument("--kind", help="delegation, deadline, silence, vague, scope, procedure, precedence, conflict, territory, time, sanction, fund")
    pr.add_argument("--format", choices=("json", "text"), default="text")
    pr.add_argument("--lang", choices=("zh", "en"), default="zh")
    pr.set_defaults(func=cmd_provisions)
    k = sub.add_parser("kb", help="knowledge-base tools")
    k.add_argument("action", choices=("validate",))
    k.set_defaults(func=cmd_kb)
    # further command groups live in their own modules, each with register(subparsers)
    import importlib
    for name in PLUGINS:
        try:
            module = importlib.import_module(f"medaid_logic.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"medaid_logic.{name}":
                raise
            continue
        module.register(sub)
    return ap


PLUGINS = ("cli_legal", "cli_audit", "letter", "web.serve", "simulate")  # why / why-not / what-if / clauses / export; audit; letter; serve; simulate


def main(argv: list[str] | None = None) -> int:
    import signal
    if hasattr(signal, "SIGPIPE"):  # `medaid ... | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ALIASES:
        argv[0] = ALIASES[argv[0]]
    args = build_parser().parse_args(argv)
    try:
        _set_limits(args)
    except ValueError as exc:  # a bad MEDAID_* limit in the environment
        print(f"medaid: {exc}", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except KBError as exc:
        print(f"medaid: the knowledge base is broken: {exc}", file=sys.stderr)
        return 3
    except OutputFailed as exc:
        print(f"medaid: {exc}", file=sys.stderr)
        return 1


def run() -> None:
    """The `medaid` command: main(), then exit without the interpreter's teardown, which frees the
    KB's, the engine's and the libraries' objects one by one (0.15 s of every command). What a
    normal exit does besides still happens: other threads joined, the exit handlers run
    (multiprocessing's, Dask's), stdout and stderr flushed. Every file a command writes is closed
    before main returns; main([...]) itself, as the tests call it, returns."""
    import atexit
    import threading
    code = main()
    for t in threading.enumerate():
        if t is not threading.current_thread() and not t.daemon:
            t.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 120  # as Python's own exit when stdout cannot be flushed
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)


if __name__ == "__main__":
    run()
