"""The templates' one environment (auto-escaping), shared by the pages and the decision letter."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import view

TEMPLATES = Path(__file__).resolve().parent / "templates"
env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)
env.globals["change_text"] = view.change_text
env.filters["ymd"] = lambda n: f"{n // 10000}-{n // 100 % 100:02d}-{n % 100:02d}" if isinstance(n, int) and n < 99990000 else ""
