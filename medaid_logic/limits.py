"""How much one case may ask of the engine: bounded input, bounded work.

Each limit has a default, an environment variable (MEDAID_<NAME>) and, in the CLI, a flag
(--max-claims, --max-case-bytes). A case beyond a limit is bad input: exit 2 (its own error
record in a batch) naming where the limit was hit.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

# cases grounded together in one solver call, and the lines of a batch partition: 500 grounds
# faster per case than 250 or 1,000 (a call's fixed cost against the interning table's growth)
CHUNK = 500


@dataclass(frozen=True)
class Limits:
    max_claims: int = 400             # claims in one case (the error names `claims`)
    max_identities: int = 50          # identities of one applicant
    max_case_bytes: int = 1_000_000   # one case's JSON text (one batch line), in UTF-8 bytes
    max_depth: int = 32               # JSON nesting (the case format needs 5)
    claims_per_solve: int = 20_000    # a batch chunk is cut so one solver call grounds at most this many claims

    @classmethod
    def from_env(cls, environ=os.environ) -> "Limits":
        values = {}
        for f in fields(cls):
            raw = environ.get(f"MEDAID_{f.name.upper()}")
            if raw is not None:
                if not (raw.isascii() and raw.isdigit() and int(raw) > 0):
                    raise ValueError(f"MEDAID_{f.name.upper()} must be a positive whole number, not {raw!r}")
                values[f.name] = int(raw)
        return cls(**values)


_current: Limits | None = None


def current() -> Limits:
    """The limits in force: the environment's, read once (a bad value raises ValueError)."""
    global _current
    if _current is None:
        _current = Limits.from_env()
    return _current


def reset() -> None:
    """Back to the environment's limits (each CLI command starts from them)."""
    global _current
    _current = None


def configure(**changes) -> Limits:
    """Set limits for this process (and the batch workers it forks); None leaves a limit as it is."""
    global _current
    _current = replace(current(), **{k: v for k, v in changes.items() if v is not None})
    return _current
