"""Which KBs passed their SHACL shapes: a KB is validated once per content, not once per command.

pySHACL takes about half a second of CPU, in every `medaid` command and in every batch, for the
same files. A KB that passed leaves a marker named by the digest of everything the verdict
depends on: its Turtle files (shapes.ttl among them, names and bytes), the code that validates
(kb.py) and the versions of pySHACL and rdflib. Any change to any of them is another digest, so
a marker can only ever say what validating again would say. A KB that fails leaves nothing.

The markers live in $MEDAID_CACHE_DIR, else $XDG_CACHE_HOME/medaid-logic, else
~/.cache/medaid-logic; MEDAID_CACHE_DIR set empty turns them off. A cache that cannot be read or
written is no cache: the KB is validated as if it were the first time. `medaid kb validate`
always validates.
"""
from __future__ import annotations

import hashlib
import os
from importlib.metadata import version
from pathlib import Path

_KB_CODE = Path(__file__).with_name("kb.py")


def cache_dir() -> Path | None:
    env = os.environ.get("MEDAID_CACHE_DIR")
    if env is not None:
        return Path(env) if env else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "medaid-logic"


def digest(sources: dict[str, bytes]) -> str:
    """Of a KB's Turtle files (KB.sources: name → bytes, shapes.ttl among them) and the validator."""
    h = hashlib.sha256(b"medaid-logic shapes\0")
    for name in ("pyshacl", "rdflib"):
        h.update(f"{name} {version(name)}\0".encode())
    h.update(_KB_CODE.read_bytes() + b"\0")
    for name in sorted(sources):
        h.update(name.encode() + b"\0" + sources[name] + b"\0")
    return h.hexdigest()


def _marker(sources: dict[str, bytes]) -> Path | None:
    root = cache_dir()
    return root / "shapes-passed" / digest(sources) if root else None


def passed(sources: dict[str, bytes]) -> bool:
    """Whether these very files (and validator) passed their shapes before."""
    marker = _marker(sources)
    try:
        return marker is not None and marker.read_text() == marker.name
    except OSError:
        return False


def remember(sources: dict[str, bytes]) -> None:
    """Note that these files passed their shapes (the marker written whole, then renamed)."""
    marker = _marker(sources)
    if marker is None:
        return
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        tmp = marker.with_name(f".{marker.name}.{os.getpid()}.tmp")
        tmp.write_text(marker.name)
        os.replace(tmp, marker)
    except OSError:
        pass
