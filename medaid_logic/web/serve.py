"""`medaid serve`: the workbench on 127.0.0.1:8000 (registered by cli.py's PLUGINS).

Any other bind address needs a token (MEDAID_TOKEN, or a file: --token-file / MEDAID_TOKEN_FILE)
that every page and API call must present. Nothing of a case is logged: the access log is off."""
from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser("serve", help="the workbench: JSON API under /api/v1 and web pages (127.0.0.1 by default)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--token-file", help="a file holding the access token (else env MEDAID_TOKEN)")
    p.add_argument("--max-body", type=int, help="largest request body in bytes (default 10 MB)")
    p.add_argument("--max-batch-lines", type=int, help="most lines of one batch request (default 10000)")
    p.add_argument("--jurisdiction", help="the office's jurisdiction, which a blank case form starts with "
                   "(else env MEDAID_JURISDICTION, else the first of the KB)")
    p.set_defaults(func=cmd_serve)


def cmd_serve(args) -> int:
    import uvicorn

    from . import service
    from .app import create_app
    from .settings import Settings, is_loopback
    try:
        settings = Settings.from_env(args.token_file, max_body=args.max_body, max_batch_lines=args.max_batch_lines,
                                     jurisdiction=args.jurisdiction)
    except OSError as exc:
        print(f"medaid serve: --token-file: {exc.strerror}", file=sys.stderr)
        return 2
    known = service.engine().kb.jurisdictions
    if settings.jurisdiction is not None and settings.jurisdiction not in known:
        print(f"medaid serve: --jurisdiction {settings.jurisdiction!r} is not in the KB; one of {', '.join(known)}",
              file=sys.stderr)
        return 2
    if not is_loopback(args.host) and not settings.token:
        print(f"medaid serve: --host {args.host} is not a loopback address: set MEDAID_TOKEN or --token-file "
              "so every page and API call must present the token", file=sys.stderr)
        return 2
    print(f"medaid serve: http://{args.host}:{args.port}/", file=sys.stderr)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, access_log=False, log_level="warning")
    return 0
