"""The layout of docs/architecture.md holds: no import cycle at import time, and no layer imports a higher one.

Imports are read from the source with ``ast`` (nothing is imported): ``import`` and ``from ... import``
statements anywhere in a module (at the top, or deferred inside functions), plus every ``"az_pz...."``
string literal of a module that calls ``importlib.import_module`` (lazy re-export tables and literal
arguments). ``adapters/`` counts as ``az_pz.adapters``.

* **Cycles**: among the imports that run when a module is imported (top level, outside functions and
  ``if TYPE_CHECKING``), there is no cycle. Importing ``a.b.c`` counts as importing the package ``a.b`` too
  (Python runs its ``__init__`` first), except from inside ``a.b`` itself. Deferred imports may close a loop
  within one layer (the agent registry imports its agents on demand); across layers the layering rule
  forbids them.
* **Layering**: every import, deferred ones included, goes to a module of the same or a lower layer.

The root package ``az_pz`` (the public facade, run before any submodule) is left out of both checks.
``KNOWN_UPWARD`` and ``KNOWN_CYCLES`` hold violations still to be removed (with the planned change that removes
each); none remain.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("core", ("task", "_arrays", "_gumbel", "tree", "tree_select", "tree_expand", "_tree", "_moved", "_memory", "io",
              "atomic_files", "inference", "plots", "durations", "evaluators", "search", "search_config", "search_output", "search_root", "search_leaves",
              "search_arrays", "testing", "symmetry")),
    ("games", ("adapters", "games", "solvers", "obs_checks")),
    ("learning", ("config", "generic_preset", "network", "precision", "bounds", "checkpoint", "replay", "rundir", "schedule",
                  "selfplay", "distributed", "warmstart", "records", "train", "training", "agents.base",
                  "matches.players", "matches.runner", "matches.results", "matches.elo")),
    ("agents", ("agent", "agents", "envs", "export", "onnx_evaluator", "matches", "elo_curve", "yardstick",
                "engines")),
    ("apps", ("cli", "web", "bench", "arena", "elo", "benchmark", "bench_env", "_bench_sections", "workers")),
]
"""Lowest first; a module belongs to the layer of its longest matching prefix (``az_pz.`` left out)."""

KNOWN_UPWARD: dict[tuple[str, str], str] = {}
"""(importer, imported) pairs, ``az_pz.`` left out, that still import upward, and the change that removes each."""

KNOWN_CYCLES: dict[frozenset[str], str] = {}
"""Import-time cycles (strongly connected sets of modules) that remain, and the change that removes each."""


def _modules() -> dict[str, Path]:
    found = {}
    for base, prefix in ((ROOT / "az_pz", ("az_pz",)), (ROOT / "adapters", ("az_pz", "adapters"))):
        for path in base.rglob("*.py"):
            parts = list(prefix) + list(path.relative_to(base).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The az_pz module ``name`` refers to (the longest known prefix: ``pkg.mod.attr`` is ``pkg.mod``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _in_function_or_type_checking(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return True
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def _imports(module: str, path: Path) -> list[tuple[str, bool]]:
    """``(imported module, at import time)`` for every az_pz import of ``module``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    uses_import_module = any(isinstance(n, ast.Attribute) and n.attr == "import_module" or
                             isinstance(n, ast.Name) and n.id == "import_module" for n in ast.walk(tree))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{alias.name}" for alias in node.names]
            if any(name not in MODULES for name in names):
                names.append(base)  # a name from the module itself, not a submodule
        elif uses_import_module and isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.startswith("az_pz.") and " " not in node.value:
                names = [node.value.split(":")[0]]  # "module" or "module:attribute"
        for name in names:
            target = _resolve(name) if name.startswith("az_pz") else None
            if target is not None and target != module:
                found.append((target, not _in_function_or_type_checking(node, parents)))
    return found


def _short(module: str) -> str:
    return module.removeprefix("az_pz.")


def _layer(module: str) -> int:
    short = _short(module)
    best, layer = -1, None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (short == prefix or short.startswith(prefix + ".")) and len(prefix) > best:
                best, layer = len(prefix), index
    assert layer is not None, f"{module} belongs to no layer: add it to LAYERS in {__file__} and docs/architecture.md"
    return layer


def _graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    every, import_time = defaultdict(set), defaultdict(set)
    for module, path in MODULES.items():
        if module == "az_pz":
            continue
        own_packages = {module.rsplit(".", n)[0] for n in range(module.count("."))}
        for target, at_import in _imports(module, path):
            if target == "az_pz":
                continue
            every[module].add(target)
            if at_import:  # importing a.b.c runs the packages a.b (and a) first, unless they hold the importer
                import_time[module] |= {target} | {target.rsplit(".", n)[0] for n in range(1, target.count("."))
                                                   } - own_packages - {"az_pz"}
    return every, import_time


def _cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected sets of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(MODULES):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.add(member)
                    if member == node:
                        break
                if len(members) > 1:
                    found.append(frozenset(_short(m) for m in members))
    return found


def test_every_module_has_a_layer():
    for module in MODULES:
        if module != "az_pz":
            _layer(module)


def test_no_import_cycle_at_import_time():
    _, import_time = _graph()
    cycles = _cycles(import_time)
    unknown = [sorted(c) for c in cycles if c not in KNOWN_CYCLES]
    assert not unknown, f"import cycles: {unknown}"


def test_no_layer_imports_a_higher_one():
    every, _ = _graph()
    upward = sorted(
        (_short(a), _short(b), f"{LAYERS[_layer(a)][0]} -> {LAYERS[_layer(b)][0]}")
        for a, targets in every.items() for b in targets if _layer(b) > _layer(a)
    )
    unknown = [edge for edge in upward if (edge[0], edge[1]) not in KNOWN_UPWARD]
    assert not unknown, f"imports that run up a layer (importer, imported, layers): {unknown}"
    fixed = set(KNOWN_UPWARD) - {(a, b) for a, b, _ in upward}
    assert not fixed, f"no longer imported upward, remove from KNOWN_UPWARD: {sorted(fixed)}"


def test_the_checker_sees_deferred_and_importlib_imports():
    """The parser must see what the checks rely on: a deferred import, an importlib table, a package parent."""
    every, import_time = _graph()
    assert "az_pz.agents.alphazero" in every["az_pz.agents"]  # the registry's deferred import of AlphaZeroAgent
    assert "az_pz.agents.alphazero" not in import_time["az_pz.agents"]
    assert "az_pz.matches" in import_time["az_pz.agents.alphazero"]  # via az_pz.matches.players: the package runs first
    # the shipped cloners' static table (module path strings, imported through importlib) is followed
    assert "az_pz.adapters._classic_cloners" in import_time["az_pz.adapters.cloneable"]
    known = {frozenset(c) for c in _cycles(import_time)}
    assert set(KNOWN_CYCLES) <= known, "a known cycle is gone: remove it from KNOWN_CYCLES"
