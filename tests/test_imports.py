"""digest imports as a tree: no module needs one that needs it back (no import cycle)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_state  # the import graph, no state

PACKAGE = Path(__file__).resolve().parent.parent / "digest"


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the digest modules it imports, anywhere in it (in functions and under
    TYPE_CHECKING too: an import tucked away is still a tie), with the packages they are in."""
    modules = {module_name(p, package): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the package this module is in
                    up = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join([*up, *([base] if base else [])])
                targets.add(base)
                targets.update(f"{base}.{a.name}" for a in node.names)  # `from pkg import mod`
        edges = set()
        for target in targets:
            parts = target.split(".")
            # Importing a.b.c runs the packages a and a.b first, unless the importer is inside
            # them (a module of a.b runs after a.b has started: its siblings do not loop back).
            for n in range(1, len(parts) + 1):
                prefix = ".".join(parts[:n])
                if prefix in modules and prefix != name and not name.startswith(prefix + "."):
                    edges.add(prefix)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_names_a_cycle() -> None:
    graph = {"digest.config": {"digest.scheduler"}, "digest.scheduler": {"digest.mailer"},
             "digest.mailer": {"digest.config", "digest.models"}, "digest.models": set()}
    assert find_cycle(graph) == ["digest.config", "digest.scheduler", "digest.mailer",
                                 "digest.config"]
    graph["digest.mailer"].discard("digest.config")
    assert find_cycle(graph) is None


def test_the_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    pkg = tmp_path / "digest"
    (pkg / "email").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "email" / "__init__.py").write_text("")
    (pkg / "config.py").write_text("def check():\n    from digest.email.daemon import cron\n")
    (pkg / "email" / "daemon.py").write_text("from . import service\nfrom digest import config\n")
    (pkg / "email" / "service.py").write_text("import digest.models\n")
    (pkg / "models.py").write_text("")
    graph = import_graph(pkg)
    # (a module's own packages are running already when it imports: no edge back to them)
    assert graph["digest.config"] == {"digest.email", "digest.email.daemon"}
    assert graph["digest.email.daemon"] == {"digest.email.service", "digest.config"}
    assert graph["digest.email.service"] == {"digest.models"}
    assert find_cycle(graph) == ["digest.config", "digest.email.daemon", "digest.config"]


def test_digest_has_no_import_cycle() -> None:
    graph = import_graph(PACKAGE)
    assert {"digest.cli", "digest.pipeline", "digest.email.daemon", "digest.schedule"} <= set(graph)
    assert "digest.schedule" in graph["digest.config"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])
