"""The package's layering (docs/architecture.md): every import goes to the same or a lower layer,
and no two modules import each other, directly or through others.  Function-local imports count."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "simtool"
LAYERS = ["core", "read", "text", "match", "store", "spark", "analyses", "report", "api", "cli"]


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Modules of simtool imported anywhere in ``path`` (``from simtool.x import y`` counts y when it is a module)."""
    tree = ast.parse(path.read_text("utf-8"))
    me = module_name(path)
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("simtool"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = me.split(".")[: len(me.split(".")) - node.level + (path.name == "__init__.py")]
                base = ".".join([*pkg, *([base] if base else [])])
            if not base.startswith("simtool"):
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                out.add(
                    sub
                    if (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists()
                    or (PACKAGE.parent / sub.replace(".", "/")).is_dir()
                    else base
                )
    return {m for m in out if m != me}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None  # the package root: the public API, may re-export anything
    return parts[1]


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_is_in_a_layer() -> None:
    strays = [m for m in graph() if layer_of(m) not in (None, *LAYERS)]
    assert not strays, f"modules outside the layers of docs/architecture.md: {strays}"


def test_imports_follow_the_layer_order() -> None:
    bad = []
    for mod, deps in graph().items():
        mine = layer_of(mod)
        if mine is None:
            continue
        for dep in deps:
            theirs = layer_of(dep)
            if theirs is None:
                if dep == "simtool" and mod.endswith("report.data"):
                    continue  # __version__ only
                bad.append(f"{mod} → {dep} (the package root)")
            elif LAYERS.index(theirs) > LAYERS.index(mine):
                bad.append(f"{mod} ({mine}) → {dep} ({theirs})")
    assert not bad, "imports against the layer order:\n" + "\n".join(bad)


def _cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g.get(v, ())):
            if w not in g:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles() -> None:
    g = {m: {d for d in deps if layer_of(d) is not None} for m, deps in graph().items() if layer_of(m) is not None}
    assert _cycles(g) == []


@pytest.mark.parametrize(
    "edges, expected",
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_cycle_finder(edges: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert _cycles(edges) == expected


def test_the_checker_sees_a_bad_import(tmp_path: Path) -> None:
    bad = PACKAGE / "core" / "_layer_probe.py"
    bad.write_text("def f():\n    from simtool.cli.app import app\n", "utf-8")
    try:
        assert "simtool.cli.app" in imports_of(bad)
        with pytest.raises(AssertionError, match="core._layer_probe"):
            test_imports_follow_the_layer_order()
    finally:
        bad.unlink()
