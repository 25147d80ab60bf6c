"""What a KB's files yield, remembered by their digest: that they passed their SHACL shapes, and
the KB read from them. Every `medaid` command and every batch would otherwise parse the same
Turtle again (0.14 s) and validate it again (pySHACL: 0.5 s of CPU).

The digest covers everything the two depend on: the Turtle files (names and bytes, shapes.ttl
among them: KB.sources, the very bytes parsed), the package's own code (every .py file of
medaid_logic: what reads the files and what converts their figures), and the versions of
Python, pySHACL and rdflib. Any change to any of them is another digest, so an entry can only
ever say what reading or validating again would give. Entries, in $MEDAID_CACHE_DIR, else
$XDG_CACHE_HOME/medaid-logic, else ~/.cache/medaid-logic (MEDAID_CACHE_DIR set empty: none):

- shapes-passed/DIGEST: these files passed their shapes. A KB that fails leaves none, and
  `medaid kb validate` always validates.
- kb/DIGEST.pickle: the KB read from them (loaded in 0.04 s); the newest KEEP are kept. A
  pickle is code to the process that loads it: the directory must be the user's own, as
  ~/.cache is, never one that others can write.

A cache that cannot be read or written is no cache: the KB is read and validated as if for the
first time.
"""
from __future__ import annotations

import copyreg
import functools
import hashlib
import io
import os
import pickle
import sys
from importlib.metadata import version
from pathlib import Path

import clingo

KEEP = 16  # KBs kept: a policy office editing a draft makes one per version it runs


def cache_dir() -> Path | None:
    env = os.environ.get("MEDAID_CACHE_DIR")
    if env is not None:
        return Path(env) if env else None
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = Path(os.path.expanduser("~"))
        if not home.is_absolute():  # no home directory: no cache, rather than one under ./~
            return None
        base = home / ".cache"
    return Path(base) / "medaid-logic"


@functools.cache
def _code() -> bytes:
    """The package's code and the libraries' versions (read once per process)."""
    h = hashlib.sha256()
    h.update(f"python {sys.version}\0".encode())
    for name in ("pyshacl", "rdflib"):
        h.update(f"{name} {version(name)}\0".encode())
    package = Path(__file__).parent
    for f in sorted(package.rglob("*.py")):
        h.update(str(f.relative_to(package)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.digest()


def digest(sources: dict[str, bytes]) -> str:
    """Of a KB's Turtle files (KB.sources: name → bytes) and of what reads and validates them."""
    h = hashlib.sha256(b"medaid-logic kb\0" + _code())
    for name in sorted(sources):
        h.update(name.encode() + b"\0" + sources[name] + b"\0")
    return h.hexdigest()


def _entry(sources: dict[str, bytes], kind: str, suffix: str = "") -> Path | None:
    root = cache_dir()
    return root / kind / (digest(sources) + suffix) if root else None


def _write(path: Path, data: bytes) -> None:
    """Written whole, then renamed: a reader sees the entry complete or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def passed(sources: dict[str, bytes]) -> bool:
    """Whether these very files (and validator) passed their shapes before."""
    marker = _entry(sources, "shapes-passed")
    try:
        return marker is not None and marker.read_text() == marker.name
    except OSError:
        return False


def remember_passed(sources: dict[str, bytes]) -> None:
    marker = _entry(sources, "shapes-passed")
    if marker is not None:
        try:
            _write(marker, marker.name.encode())
        except OSError:
            pass


def load(sources: dict[str, bytes]):
    """What was stored for these very files (the KB read from them), or None."""
    path = _entry(sources, "kb", ".pickle")
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            kb = pickle.load(f)
        os.utime(path)  # the newest KEEP stay: this one was used now
    except Exception:  # none yet, cut short, unreadable: read the Turtle
        return None
    return kb


def store(sources: dict[str, bytes], kb) -> None:
    """The KB just read from these files, for the next process; the oldest beyond KEEP removed."""
    path = _entry(sources, "kb", ".pickle")
    if path is None:
        return
    try:
        buf = io.BytesIO()
        pickler = pickle.Pickler(buf, pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = {**copyreg.dispatch_table, clingo.Symbol: _symbol}
        pickler.dump(kb)
        _write(path, buf.getvalue())
        entries = sorted(path.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        pass


def _symbol(sym: "clingo.Symbol"):
    """A clingo symbol pickled as its text: the object holds a handle into this process's symbol
    table, which another process reading the pickle does not have (it crashed there)."""
    return clingo.parse_term, (str(sym),)
