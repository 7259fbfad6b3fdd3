"""The rules of the house that code review forgets: every mutating service authorizes, and domains meet only
through each other's service, schemas and package surface."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "derek"
MUTATING_PREFIXES = (
    "create_",
    "update_",
    "delete_",
    "set_",
    "revoke_",
    "add_",
    "remove_",
    "reorder_",
    "publish_",
    "restore_",
    "move_",
)
# Packages every domain may use: the shared kernel, and the web layer (only from adapters, see below).
SHARED = {"core", "web"}
NOT_DOMAINS = SHARED | {"migrations", "locale"}
# besides the package itself (its __init__); a domain may split its service into modules named *_service
SURFACE = {"service", "schemas"}
# Imports that break the rule today, by (importing domain, imported module), each with what to do instead.
# A test fails once one is no longer used, so this list only shrinks.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("interop", "derek.catalog.search"): "import SearchQuery from derek.catalog.service (re-exported there)",
    ("interop", "derek.catalog.uploads"): "give catalog a service-level way to store an upload",
}
# Modules that adapt HTTP to services; only they (and the web package itself) may import derek.web.
ADAPTER_NAMES = {"api", "views", "ckan_api"}


def service_modules() -> list[Path]:
    return sorted(SRC.glob("*/*service.py")) + [SRC / "core" / "accounts.py"]


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def calls_of(node: ast.AST) -> set[str]:
    names: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            if isinstance(sub.func, ast.Name):
                names.add(sub.func.id)
            elif isinstance(sub.func, ast.Attribute):
                names.add(sub.func.attr)
    return names


def authorizing_functions(tree: ast.Module) -> set[str]:
    """Module functions that call authorize( themselves or through other functions of the module."""
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    calls = {name: calls_of(fn) for name, fn in functions.items()}
    found = {name for name, called in calls.items() if "authorize" in called}
    grew = True
    while grew:
        more = {name for name, called in calls.items() if called & found} - found
        found |= more
        grew = bool(more)
    return found


def mutating_functions(tree: ast.Module) -> list[str]:
    return [
        n.name
        for n in tree.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name.startswith(MUTATING_PREFIXES)
    ]


@pytest.mark.parametrize("path", service_modules(), ids=lambda p: module_name(p))
def test_every_mutating_service_authorizes(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    mutating = mutating_functions(tree)
    authorizing = authorizing_functions(tree)
    missing = [name for name in mutating if name not in authorizing]
    assert not missing, f"{module_name(path)}: {missing} change data without calling authorize("


def test_the_authorize_check_finds_a_missing_call() -> None:
    """The checker itself: a service that forgets authorize( is caught, one that delegates is not."""
    source = (
        "def create_x(session, actor):\n    authorize(actor, 'x.create')\n"
        "def update_x(session, actor):\n    create_x(session, actor)\n"
        "def delete_x(session, actor):\n    session.delete(1)\n"
        "def read_x(session, actor):\n    return 1\n"
    )
    tree = ast.parse(source)
    authorizing = authorizing_functions(tree)
    assert [n for n in mutating_functions(tree) if n not in authorizing] == ["delete_x"]


def test_there_are_services_to_check() -> None:
    names = {module_name(p) for p in service_modules()}
    assert {"derek.catalog.service", "derek.core.accounts"} <= names
    counted = sum(
        len(mutating_functions(ast.parse(p.read_text(encoding="utf-8")))) for p in service_modules()
    )
    assert counted >= 10  # organizations, datasets, resources, users, memberships, tokens


def imports_of(path: Path) -> Iterator[tuple[str, int]]:
    """Every derek module a file imports (at any depth, also inside functions), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("derek"):
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if not target.startswith("derek"):
                continue
            # "from derek.catalog import service" imports the module derek.catalog.service
            for alias in node.names:
                yield f"{target}.{alias.name}", node.lineno


def is_package_module(module: str) -> bool:
    parts = module.split(".")
    return (SRC.joinpath(*parts[1:]).with_suffix(".py")).is_file() or SRC.joinpath(*parts[1:]).is_dir()


def cross_domain_violations() -> list[tuple[str, str, int]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        here = module_name(path)
        own = here.split(".")[1] if here.count(".") >= 1 else None
        if own is None or own in NOT_DOMAINS or not (SRC / own).is_dir():
            continue
        for target, line in imports_of(path):
            parts = target.split(".")
            other = parts[1] if len(parts) > 1 else None
            if other is None or other == own or other in NOT_DOMAINS or not (SRC / other).is_dir():
                continue
            # the nearest real module: "derek.catalog.service.Upload" -> "derek.catalog.service"
            while len(parts) > 2 and not is_package_module(".".join(parts)):
                parts.pop()
            if len(parts) == 2 or parts[2] in SURFACE or parts[2].endswith("_service"):
                continue
            found.append((here, ".".join(parts), line))
    return found


def test_domains_meet_only_through_service_schemas_and_package() -> None:
    bad = [
        f"{here}:{line} imports {target}"
        for here, target, line in cross_domain_violations()
        if (here.split(".")[1], target) not in KNOWN_EXCEPTIONS
    ]
    assert not bad, "use the other domain's service, schemas or package instead:\n" + "\n".join(bad)


def test_known_exceptions_are_still_needed() -> None:
    present = {(here.split(".")[1], target) for here, target, _line in cross_domain_violations()}
    fixed = [f"{k[0]} -> {k[1]}" for k in KNOWN_EXCEPTIONS if k not in present]
    assert not fixed, f"fixed, so remove from KNOWN_EXCEPTIONS: {fixed}"


def non_adapter_modules() -> list[Path]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).parts
        if len(parts) < 2 or parts[0] in ("web", "migrations"):
            continue
        stem = path.stem
        if stem in ADAPTER_NAMES or stem.endswith(("_views", "_api")) or parts[0] == "interop":
            continue
        out.append(path)
    return out


def test_services_and_models_never_import_the_web_layer() -> None:
    checked = non_adapter_modules()
    assert SRC / "catalog" / "service.py" in checked and SRC / "core" / "accounts.py" in checked
    bad = [
        f"{module_name(p)}:{line} imports {target}"
        for p in checked
        for target, line in imports_of(p)
        if target == "derek.web" or target.startswith("derek.web.")
    ]
    assert not bad, "services, policies, models and the kernel must not know about HTTP:\n" + "\n".join(bad)


def test_the_kernel_depends_on_no_domain() -> None:
    bad = []
    for path in sorted((SRC / "core").glob("*.py")):
        if path.stem in ADAPTER_NAMES:
            continue
        for target, line in imports_of(path):
            other = target.split(".")[1] if target.count(".") >= 1 else ""
            if other and other not in ("core", "config") and (SRC / other).is_dir():
                bad.append(f"{module_name(path)}:{line} imports {target}")
    assert not bad, "derek.core is the shared kernel; domains depend on it, not the reverse:\n" + "\n".join(
        bad
    )
