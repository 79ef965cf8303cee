"""The package's plan, read from its source with `ast` (nothing is imported): the wings and
their order, no import cycles, the hook server an opt-in wing nothing else imports, a short
top, empty package faces, one class per name, and a test for every module (see
[Design](../docs/pages/design.md#wings))."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ffhooks"

# Lowest first: a module may import from its own layer and the layers below, never above.
# A wing (a folder) is one layer; the modules at the top of the package each sit where what
# they import puts them (the front door, `main`, near the top; what everything shares below).
LAYERS: list[set[str]] = [
    {"ffhooks", "errors", "records", "layout", "caller"},
    {"clock", "progress"},
    {"fsio"},
    {"jsondoc"},
    {"summary"},
    {"validator"},
    {"queue"},
    {"git"},
    {"config"},
    {"store"},
    {"context"},
    {"trust"},
    {"fold"},
    {"report"},
    {"people"},
    {"org"},  # an organisation's dataset: many repositories' reports
    {"recovery"},
    {"migrate"},
    {"hook"},
    {"error_handler"},
    {"cli"},
    {"commands"},
    {"main", "__main__"},
    {"server"},  # opt-in: nothing below imports it
]

# Imports that break a rule today, each with why it is not fixed here. Do not add to this
# list: fix the code (move the function to where it belongs).
KNOWN_UPWARD = {
    # The front door hands `ffhooks hook` to the opt-in server, and only where the user
    # turned it on (hook/server_switch.py): the hook entry is the team's, the choice each
    # user's, so the choice is made where the hook starts. (The `server` command is the
    # wing's own, dispatched by name as every command is.)
    ("ffhooks.main", "ffhooks.server.client"),
}
KNOWN_SERVER_USERS = {("ffhooks.main", "ffhooks.server.client")}  # the one door, guarded

# Where each module without a test file of its own (tests/<wing>/<module>_test.py) is tested.
TESTED_BY: dict[str, list[str]] = {
    "ffhooks.commands.prune": ["recovery/retention_test.py"],
    "ffhooks.commands.audit": ["report/audit_test.py"],
    "ffhooks.hook.server_switch": ["server/server_test.py"],
    "ffhooks.server.command": ["server/server_test.py"],
    "ffhooks.caller": ["hook/output_test.py", "server/server_test.py"],
    "ffhooks.config": ["commands/init_test.py", "scenarios/sparse_checkout_test.py"],
    "ffhooks.context": ["main_test.py", "scenarios/commit_path_test.py"],
    "ffhooks.error_handler": ["main_test.py", "scenarios/bad_input_test.py"],
    "ffhooks.errors": ["scenarios/bad_input_test.py"],
    "ffhooks.layout": ["scenarios/commit_path_test.py", "commands/hook_test.py"],
    "ffhooks.progress": ["store/importers_test.py", "migrate/run_test.py"],
    "ffhooks.queue": ["recovery/recovery_test.py", "recovery/daemon_test.py"],
    "ffhooks.cli.parser": ["main_test.py", "commands/completion_test.py"],
    "ffhooks.cli.team_options": ["main_test.py", "scenarios/bad_input_test.py"],
    "ffhooks.cli.user_options": ["main_test.py", "scenarios/bad_input_test.py"],
    "ffhooks.git.ahead": ["git/plumbing_test.py", "commands/hook_test.py"],
    "ffhooks.git.merge_config": ["scenarios/merges_test.py", "commands/init_test.py"],
    "ffhooks.git.objects": ["trust/verify_test.py", "report/report_test.py"],
    "ffhooks.validator.messages": ["validator/schema_test.py"],
    "ffhooks.store.open": ["scenarios/one_writer_test.py", "scenarios/identity_test.py"],
    "ffhooks.store.rules": ["store/sessions_test.py", "store/timer_test.py"],
    "ffhooks.store.snapshot": ["scenarios/wipe_test.py", "store/snapshot_area_test.py"],
    "ffhooks.store.undo": ["commands/undo_test.py", "scenarios/undo_rename_test.py"],
    "ffhooks.fold.compact": ["scenarios/add_only_test.py", "scenarios/formatters_test.py"],
    "ffhooks.fold.notices": ["commands/hook_test.py", "scenarios/commit_path_test.py"],
    "ffhooks.fold.run": ["fold/aggregate_test.py", "scenarios/commit_path_test.py"],
    "ffhooks.fold.uncommitted": ["scenarios/rollout_test.py", "store/timer_test.py"],
    "ffhooks.trust.changes": ["summary_test.py", "trust/verify_test.py"],
    "ffhooks.trust.sshformat": ["trust/sshsig_test.py"],
    "ffhooks.report.billing": ["report/report_test.py", "report/closing_test.py"],
    "ffhooks.report.render": ["report/report_test.py"],
    "ffhooks.org.collect": ["org/dataset_test.py"],
    "ffhooks.org.sources": ["org/dataset_test.py"],
    "ffhooks.commands.collect": ["org/dataset_test.py"],
    "ffhooks.recovery.daemon_state": ["recovery/daemon_test.py"],
    "ffhooks.recovery.merge": ["recovery/restore_test.py"],
    "ffhooks.migrate.jsonscan": ["migrate/jsonstream_test.py", "migrate/entries_test.py"],
    "ffhooks.hook.clone_setup": ["commands/init_test.py", "scenarios/rollout_test.py"],
    "ffhooks.hook.definitions": ["commands/init_test.py"],
    "ffhooks.hook.wiring": ["scenarios/rollout_test.py", "recovery/recovery_test.py"],
    "ffhooks.server.client": ["server/server_test.py"],
    # commands: where each is run
    "ffhooks.commands._common": ["scenarios/rollout_test.py", "scenarios/bad_input_test.py"],
    "ffhooks.commands.add": ["store/sessions_test.py", "scenarios/user_names_test.py"],
    "ffhooks.commands.aggregate": ["fold/aggregate_test.py", "scenarios/commit_path_test.py"],
    "ffhooks.commands.cancel": ["store/timer_test.py"],
    "ffhooks.commands.close": ["report/closing_test.py"],
    "ffhooks.commands.compact": ["scenarios/add_only_test.py", "scenarios/formatters_test.py"],
    "ffhooks.commands.daemon": ["recovery/daemon_test.py"],
    "ffhooks.commands.edit": ["store/timer_test.py", "store/sessions_test.py"],
    "ffhooks.commands.guard": ["scenarios/commit_path_test.py", "commands/hook_test.py"],
    "ffhooks.hook.guard": ["scenarios/commit_path_test.py", "commands/hook_test.py"],
    "ffhooks.hook.validate": ["commands/hook_test.py", "validator/checks_test.py"],
    "ffhooks.commands.health": ["recovery/daemon_test.py"],
    "ffhooks.commands.import_": ["store/importers_test.py"],
    "ffhooks.commands.log": ["store/sessions_test.py"],
    "ffhooks.commands.migrate": ["migrate/run_test.py"],
    "ffhooks.commands.pause": ["store/timer_test.py"],
    "ffhooks.commands.recover": ["recovery/recovery_test.py", "scenarios/wipe_test.py"],
    "ffhooks.commands.remove": ["store/sessions_test.py", "report/closing_test.py"],
    "ffhooks.commands.report": ["report/report_test.py", "report/html_page_test.py"],
    "ffhooks.commands.restart": ["store/timer_test.py"],
    "ffhooks.commands.resume": ["store/timer_test.py"],
    "ffhooks.commands.schema": ["main_test.py", "validator/schema_test.py"],
    "ffhooks.commands.snapshot": ["recovery/restore_test.py", "recovery/recovery_test.py"],
    "ffhooks.commands.start": ["store/timer_test.py"],
    "ffhooks.commands.status": ["store/timer_test.py", "scenarios/rollout_test.py"],
    "ffhooks.commands.stop": ["store/timer_test.py"],
    "ffhooks.commands.store": ["scenarios/crash_test.py", "scenarios/wipe_test.py"],
    "ffhooks.commands.validate": ["validator/checks_test.py"],
    "ffhooks.commands.verify": ["trust/verify_test.py", "trust/signing_test.py"],
    "ffhooks.commands.export": ["people/worklogs_test.py", "people/personal_test.py"],
    "ffhooks.people.formats": ["people/worklogs_test.py"],
    "ffhooks.commands.erase": ["people/erasure_test.py"],
    "ffhooks.trust.erased": ["people/erasure_test.py", "validator/schema_test.py"],
}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _type_checking_only(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            skipped.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return skipped


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The ffhooks modules `name` imports when it runs (at its top or inside a function;
    not what it imports for type checking only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            targets = [
                f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                for a in node.names
            ]
        else:
            continue
        for target in targets:
            if target.split(".")[0] == "ffhooks" and target != name:
                assert target in known, f"{name} imports {target}, which does not exist"
                yield target


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: set(imports(name, path, known)) for name, path in known.items()}


def place(module: str) -> str:
    """A module's wing, or its own name at the top of the package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "ffhooks"


def layer(module: str) -> int:
    where = place(module)
    found = [i for i, group in enumerate(LAYERS) if where in group]
    assert found, f"{module} is in no layer: add its wing or name to LAYERS"
    return found[0]


def test_no_command_calls_another() -> None:
    """One module per command; what two commands share is in `commands/_common.py` or in
    the wing that does the work, never in another command."""
    calls = sorted(
        f"{module} imports {target}"
        for module, targets in graph().items()
        if place(module) == "commands"
        for target in targets
        if place(target) == "commands" and target != "ffhooks.commands._common"
    )
    assert calls == []


def test_no_import_cycles() -> None:
    edges = graph()
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> None:
        if module in path:
            raise AssertionError("import cycle: " + " -> ".join([*path, module]))
        if module in done:
            return
        path.append(module)
        for target in sorted(edges[module]):
            visit(target)
        path.pop()
        done.add(module)

    for module in sorted(edges):
        visit(module)


def test_no_upward_imports() -> None:
    upward = {
        (module, target)
        for module, targets in graph().items()
        for target in targets
        if layer(target) > layer(module)
    }
    assert upward - KNOWN_UPWARD == set()
    assert KNOWN_UPWARD - upward == set(), "fixed: take it off KNOWN_UPWARD"


def test_nothing_outside_the_server_imports_it() -> None:
    users = {
        (module, target)
        for module, targets in graph().items()
        for target in targets
        if place(target) == "server" and place(module) != "server"
    }
    assert users - KNOWN_SERVER_USERS == set()
    assert KNOWN_SERVER_USERS - users == set(), "fixed: take it off KNOWN_SERVER_USERS"


def test_a_short_top() -> None:
    top = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top) <= 20, sorted(top)
    assert not [p for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"
                and not (p / "__init__.py").exists()]  # fmt: skip


def test_package_faces_are_empty() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        if init.parent == PACKAGE:
            body = ast.parse(init.read_text(encoding="utf-8")).body
            assert [type(node) for node in body] == [ast.Expr, ast.Assign]  # docstring, version
            assert ast.unparse(body[1]).startswith("__version__ = ")
        else:
            assert init.read_bytes() == b"", f"{init.relative_to(ROOT)} must stay empty"


def test_one_class_per_name() -> None:
    seen: dict[str, list[str]] = {}
    for module, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                seen.setdefault(node.name, []).append(module)
    twice = {name for name, where in seen.items() if len(where) > 1}
    assert twice == set(), {name: seen[name] for name in twice}


def test_records_of_more_than_three_fields_are_built_with_keywords() -> None:
    """A NamedTuple of four fields or more is built naming each (`Cls(*parsed)`, the record of
    a sequence in its own order, aside): a field added or moved cannot shift the others."""
    trees = {m: ast.parse(p.read_text(encoding="utf-8")) for m, p in modules().items()}
    wide = {
        node.name
        for tree in trees.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(ast.unparse(base).endswith("NamedTuple") for base in node.bases)
        and sum(isinstance(item, ast.AnnAssign) for item in node.body) > 3
    }
    positional = [
        f"{module}:{node.lineno} {name}"
        for module, tree in trees.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (name := getattr(node.func, "id", None) or getattr(node.func, "attr", None)) in wide
        and any(not isinstance(arg, ast.Starred) for arg in node.args)
    ]
    assert wide and positional == []


def test_every_module_has_a_test() -> None:
    untested = []
    for module, path in modules().items():
        if path.name in ("__init__.py", "__main__.py"):
            continue
        wing = place(module) if module.count(".") > 1 else ""
        own = ROOT / "tests" / wing / f"{module.rsplit('.', 1)[1]}_test.py"
        named = [ROOT / "tests" / rel for rel in TESTED_BY.get(module, [])]
        if not own.exists() and not named:
            untested.append(module)
        for test in named:
            assert test.exists(), f"{module}: {test.relative_to(ROOT)} does not exist"
    assert untested == [], "give each a test file, or name its tests in TESTED_BY"
