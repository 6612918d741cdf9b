"""The production package stays the shape a maintainer would merge.

No import cycle between its modules (function-local imports included), no
function above cyclomatic complexity 10 and a low mean, and no development
code (simulators, demo) inside it.
"""

import ast
from pathlib import Path

from radon.complexity import cc_visit

PACKAGE = Path(__file__).resolve().parent.parent / "invenio_orcid_push"
NAME = PACKAGE.name


def _module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules():
    return {
        _module_name(path): path
        for path in PACKAGE.rglob("*.py")
        if "alembic" not in path.parts
    }


def _resolve(module, node, is_package):
    """The package modules an import statement names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = module if is_package else module.rpartition(".")[0]
    for _ in range(max(node.level - 1, 0)):
        base = base.rpartition(".")[0]
    target = node.module or ""
    if node.level:
        target = f"{base}.{target}".strip(".")
    return [target] + [f"{target}.{alias.name}" for alias in node.names]


def import_graph():
    """``{module: {package modules it imports}}``, every import statement counted."""
    modules = _modules()
    graph = {}
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges |= {
                    name
                    for name in _resolve(module, node, is_package)
                    if name in modules and name != module
                }
        graph[module] = edges
    return graph


def _cycle_from(graph, start):
    """A path that comes back to ``start``, or ``None``."""
    stack, seen = [(start, [start])], set()
    while stack:
        module, path = stack.pop()
        for imported in graph[module]:
            if imported == start:
                return path + [start]
            if imported not in seen:
                seen.add(imported)
                stack.append((imported, path + [imported]))
    return None


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    # A submodule importing its own package's __init__ is not a cycle of ours.
    for module in graph:
        graph[module] = {m for m in graph[module] if not module.startswith(m + ".")}
    cycles = [c for c in (_cycle_from(graph, m) for m in sorted(graph)) if c]
    assert cycles == []


def test_the_import_check_sees_function_local_imports(tmp_path):
    source = "def later():\n    from .tasks import push\n"
    tree = ast.parse(source)
    (node,) = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert f"{NAME}.tasks" in _resolve(f"{NAME}.sync", node, is_package=False)


def test_no_development_code_in_the_package():
    names = set(_modules())
    assert not {n for n in names if "simulator" in n or n.endswith(".demo")}


def test_no_function_is_too_complex():
    blocks = []
    for path in _modules().values():
        blocks += cc_visit(path.read_text())
    too_complex = [f"{b.name} ({b.complexity})" for b in blocks if b.complexity > 10]
    mean = sum(b.complexity for b in blocks) / len(blocks)
    assert too_complex == []
    assert mean <= 3.5, f"mean cyclomatic complexity {mean:.2f}"
