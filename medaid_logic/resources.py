"""The one way to the ASP programs and the KB: package data of medaid_logic.

The repository keeps them at its top, `asp/` and `kb/`; pyproject.toml ships them as the
packages `medaid_logic.asp` and `medaid_logic.kb_files`, so an editable install and a wheel
find them the same way. MEDAID_KB points the KB elsewhere (a policy office's draft).
"""
from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path


def asp_dir() -> Path:
    """The directory of the clingo programs (asp/ of the repository)."""
    return Path(str(files("medaid_logic.asp")))


def asp_program(*parts: str) -> Path:
    """One program file: asp_program("audit", "flip_search.lp")."""
    return asp_dir().joinpath(*parts)


def kb_dir() -> Path:
    """The directory of the Turtle KB: $MEDAID_KB, else the shipped kb/."""
    env = os.environ.get("MEDAID_KB")
    return Path(env) if env else Path(str(files("medaid_logic.kb_files")))
