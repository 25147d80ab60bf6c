"""How the workbench is configured: bind address, token, limits (environment or `medaid serve`)."""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024


@dataclass
class Settings:
    token: str | None = None          # required from every page and API call when set
    max_body: int = 10 * MB           # bytes of one request body
    max_batch_lines: int = 10_000     # lines of one batch request
    audit_search: bool = True         # the audit's solver searches (False: static checks only)
    case_store: int = 500             # cases kept in memory for the pages' links (never on disk)
    jurisdiction: str | None = None   # the office's jurisdiction, the blank form's (else the KB's first)

    @classmethod
    def from_env(cls, token_file: str | None = None, **overrides) -> "Settings":
        token = os.environ.get("MEDAID_TOKEN") or None
        path = token_file or os.environ.get("MEDAID_TOKEN_FILE")
        if path:
            token = Path(path).read_text(encoding="utf-8").strip() or None
        s = cls(token=token,
                max_body=int(os.environ.get("MEDAID_MAX_BODY", 10 * MB)),
                max_batch_lines=int(os.environ.get("MEDAID_MAX_BATCH_LINES", 10_000)),
                jurisdiction=os.environ.get("MEDAID_JURISDICTION") or None)
        for k, v in overrides.items():
            if v is not None:
                setattr(s, k, v)
        return s


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
