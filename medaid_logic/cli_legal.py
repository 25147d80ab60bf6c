"""Legal-staff commands: why, why-not (为什么不), what-if (如果), clauses, export --rdf.

Targets: total | premium | claim:<id> | claim:<id>.step:<what> | claim:<id>.category:<cat> |
category:<id> | flag:<kind> | annual:<kind>[.step:<what>] (see medaid_logic/legal/__init__.py).
"""
from __future__ import annotations

import json
import sys


def _session(args):
    from .cli import _read_case
    from .legal.session import Session
    return Session(_read_case(args.case))


def _out(obj):
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _run(fn):
    def wrapped(args):
        from .errors import CaseError
        from .legal.targets import TargetError
        try:
            return fn(args) or 0
        except CaseError as exc:
            from .cli import _fail
            return _fail(exc, "json" if getattr(args, "format", "text") == "json" else "text")
        except TargetError as exc:
            if getattr(args, "format", "text") == "json":
                _out({"error": {"field": "target", "message": str(exc)}})
            print(f"medaid: {exc}", file=sys.stderr)
            return 2
    return wrapped


@_run
def cmd_why(args):
    from .legal.targets import parse_target
    from .legal.why import graph_dot, graph_json, subtree, tree_text, why
    s = _session(args)
    ans = why(s, parse_target(args.target), args.lang)
    if args.format == "json":
        _out({**ans, "graph": graph_json(subtree(s, ans["roots"]))})
    elif args.format == "dot":
        sys.stdout.write(graph_dot(s, subtree(s, ans["roots"]), args.lang))
    else:
        sys.stdout.write(tree_text(s, ans, args.lang))


@_run
def cmd_why_not(args):
    from .legal.answers import why_not_answer, why_not_dot_answer
    from .legal.targets import parse_target
    s = _session(args)
    t = parse_target(args.target)
    if args.format == "dot":
        sys.stdout.write(why_not_dot_answer(s, t, args.lang))
        return
    ans, text = why_not_answer(s, t, args.lang, args.minimal, args.across, args.trace)
    if args.format == "json":
        _out(ans)
    else:
        sys.stdout.write(text)


@_run
def cmd_what_if(args):
    from .legal.whatif import what_if, what_if_text
    s = _session(args)
    ans = what_if(s, args.set or [], args.lang)
    ans.pop("session")
    if args.format == "json":
        _out(ans)
    elif args.format == "dot":
        from .legal.dot import what_if_dot
        sys.stdout.write(what_if_dot(ans))
    else:
        sys.stdout.write(what_if_text(ans, args.lang, s.kb))


@_run
def cmd_clauses(args):
    from .legal.why import clauses, clauses_text
    s = _session(args)
    items = clauses(s)
    if args.format == "json":
        _out(items)
    elif args.format == "dot":
        from .legal.dot import clauses_dot
        sys.stdout.write(clauses_dot(items))
    else:
        sys.stdout.write(clauses_text(items, args.lang))


@_run
def cmd_export(args):
    from .legal.why import graph_dot, graph_json
    s = _session(args)
    if args.rdf:
        sys.stdout.write(s_rdf(s))
    elif args.format == "dot":
        sys.stdout.write(graph_dot(s, s.graph, args.lang))
    else:
        _out(graph_json(s.graph))


def s_rdf(s) -> str:
    from .legal.rdf import decision_graph
    return decision_graph(s).serialize(format="turtle")


def register(sub) -> None:
    def common(p, formats=("text", "json", "dot")):
        p.add_argument("case", help="case JSON file, or - for stdin")
        p.add_argument("--lang", choices=("zh", "en"), default="zh")
        p.add_argument("--format", choices=formats, default=formats[0])
    p = sub.add_parser("why", aliases=["为什么"], help="the derivation behind one amount, category or flag")
    common(p)
    p.add_argument("target", help="claim:<id>[.step:<what>] | premium | total | applied_category | category:<id> | flag:<kind> | annual:<kind>[.step:<what>]")
    p.set_defaults(func=cmd_why)
    p = sub.add_parser("why-not", aliases=["为什么不"], help="every rule that could have produced TARGET and what failed")
    common(p)
    p.add_argument("target")
    p.add_argument("--minimal", action="store_true", help="also the smallest change of the facts that yields it")
    p.add_argument("--trace", action="store_true", help="the solver's trace: every rule tried, down to the failed literal")
    p.add_argument("--across", action="store_true", help="also what the other jurisdictions would have paid")
    p.set_defaults(func=cmd_why_not)
    p = sub.add_parser("what-if", aliases=["如果"], help="re-evaluate with changes; every amount that changed")
    common(p)
    p.add_argument("--set", action="append", metavar="CHANGE",
                   help="identity+=CAT[:SINCE[..UNTIL]] | identity-=CAT | identity.CAT.until=DATE | claim.ID.FIELD=V | param.ID=V")
    p.set_defaults(func=cmd_what_if)
    p = sub.add_parser("clauses", help="every clause the decision used, in document order, with text")
    common(p)
    p.set_defaults(func=cmd_clauses)
    p = sub.add_parser("export", help="the derivation graph (json, dot) or the decision record (--rdf, Turtle)")
    common(p, ("json", "dot"))
    p.add_argument("--rdf", action="store_true")
    p.set_defaults(func=cmd_export)
