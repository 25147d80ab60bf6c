"""No import cycles in the package: the graph of who imports whom, built from the source with
`ast` (imports at module level and inside function bodies alike), has no cycle."""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "medaid_logic"
NAME = PACKAGE.name



def _module(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, modules: set[str], root: Path) -> set[str]:
    """The package modules `path` imports, wherever the import statement stands."""
    me = _module(path, root)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # `from . import x` imports the module x when there is one, else a name of the package
            names = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in modules else origin for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in modules:   # `import a.b.c` of a name inside a module
                name = name.rpartition(".")[0]
            if name and name != me:
                out.add(name)
    return out


def import_graph(root: Path = PACKAGE) -> nx.DiGraph:
    files = sorted(root.rglob("*.py"))
    modules = {_module(f, root) for f in files}
    g = nx.DiGraph()
    g.add_nodes_from(modules)
    for f in files:
        for target in _imports(f, modules, root):
            g.add_edge(_module(f, root), target)
    return g


def test_graph_sees_every_form_of_import(tmp_path):
    """A cycle closed by an import inside a function body, a relative `from .. import` and an
    absolute `import pkg.mod` are all found."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from .sub import b\n    return b\n")
    (pkg / "sub" / "b.py").write_text("from .. import c\n")
    (pkg / "c.py").write_text("import pkg.a\n")
    (pkg / "d.py").write_text("from .a import f\n")
    g = import_graph(pkg)
    assert set(g.edges) == {("pkg.a", "pkg.sub.b"), ("pkg.sub.b", "pkg.c"), ("pkg.c", "pkg.a"), ("pkg.d", "pkg.a")}
    assert nx.find_cycle(g)


def test_graph_of_the_package():
    g = import_graph()
    assert all(n.startswith(NAME) for n in g)
    assert g.has_edge("medaid_logic.batch", "medaid_logic.cluster")          # inside run_batch
    assert g.has_edge("medaid_logic.legal.explainer", "medaid_logic.legal.why")


def test_no_import_cycle():
    g = import_graph()
    cycles = sorted(nx.simple_cycles(g), key=len)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c + [c[0]]) for c in cycles[:10])
