"""`medaid audit`: the policy-consistency audit (docs/AUDIT.md). Registered by cli.py."""
from __future__ import annotations

import sys

SEVERITIES = ("info", "low", "medium", "high")


def register(subparsers) -> None:
    p = subparsers.add_parser("audit", help="policy-consistency audit of the KB: gaps, conflicts, city vs province, time, precedence, safety")
    p.add_argument("--jurisdiction", default=None)
    p.add_argument("--format", choices=("text", "json", "md"), default="text")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--fail-on", choices=SEVERITIES, default=None, dest="fail_on",
                   help="exit 1 when a finding at or above this severity exists")
    p.add_argument("--kb", default=None, help="a KB directory (default: kb/)")
    p.add_argument("--no-search", action="store_true", help="static checks only (no solver searches)")
    p.add_argument("--full", action="store_true", help="text format: quote each clause's whole article, not only its deciding sentence")
    p.set_defaults(func=cmd_audit)


def cmd_audit(args) -> int:
    from .audit import at_or_above, run_audit
    from .audit.render import render_json, render_md, render_text
    from .errors import KBError
    try:
        report = run_audit(args.kb, args.jurisdiction, search=not args.no_search)
    except KBError as exc:
        print(f"medaid audit: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        sys.stdout.write(render_json(report))
    elif args.format == "md":
        sys.stdout.write(render_md(report, args.lang))
    else:
        sys.stdout.write(render_text(report, args.lang, full=args.full))
    if args.fail_on and at_or_above(report, args.fail_on):
        return 1
    return 0
