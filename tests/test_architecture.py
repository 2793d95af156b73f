"""The shape of the code: what may import what, and how big a module may grow."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from consult.config import ROOT

PACKAGE = ROOT / "consult"
MAX_LINES = 500
# Demo data is one line per record; it is data, not logic.
EXEMPT = {"consult/demo.py"}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def private_reaches(source: str) -> list[str]:
    """Where `source` imports or uses another consult module's underscore names."""
    tree = ast.parse(source)
    consult_modules = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("consult")
        for alias in node.names
        if (PACKAGE / f"{alias.name}.py").exists() or (PACKAGE / alias.name).is_dir()
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("consult"):
            found += [
                f"{node.lineno}: {node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
            and node.value.id in consult_modules
        ):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_module_reaches_into_another_modules_private_names() -> None:
    """A leading underscore means "this module only": other modules use the public name."""
    found = {
        path.relative_to(ROOT).as_posix(): reaches
        for path in modules()
        if (reaches := private_reaches(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_rule_sees_private_imports_and_uses() -> None:
    source = (
        "from consult.visits import _book_locked\n"
        "from consult import visits\n"
        "visits._place(1)\n"
        "visits.book_visit(1)\n"
    )
    assert private_reaches(source) == ["1: consult.visits._book_locked", "3: visits._place"]


def test_modules_stay_small_enough_to_hold_in_ones_head() -> None:
    too_long = {}
    for path in modules():
        name = path.relative_to(ROOT).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and name not in EXEMPT:
            too_long[name] = lines
    assert too_long == {}


# The commands that commit their work themselves, as a request's end does.
COMMANDS = {"cli.py", "demo.py", "purge.py"}


def commits_in(source: str) -> list[int]:
    """The lines of `source` that commit a transaction: `x.commit()` or `commit()`."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and not node.args
        and (
            (isinstance(node.func, ast.Attribute) and node.func.attr == "commit")
            or (isinstance(node.func, ast.Name) and node.func.id == "commit")
        )
    ]


def test_only_the_unit_of_work_commits() -> None:
    """A request commits once, after its view answered (`consult.database`), and a
    command once its work is done. No service, view or template helper commits."""
    found = {
        path.relative_to(ROOT).as_posix(): lines
        for path in modules()
        if path != PACKAGE / "database.py"
        and path.relative_to(PACKAGE).as_posix() not in COMMANDS
        and (lines := commits_in(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_commit_rule_sees_a_commit() -> None:
    assert commits_in("db.session.commit()\ncommit()\nsession.commit(x)\n") == [1, 2]


def scroll_regions_out_of_reach(html: str) -> list[str]:
    """The openings of scrollable regions that a keyboard cannot reach or that have no name."""
    openings = re.findall(r'<div class="table-scroll"[^>]*>', html)
    return [
        tag
        for tag in openings
        if 'tabindex="0"' not in tag
        or 'role="region"' not in tag
        or not re.search(r"aria-label(ledby)?=", tag)
    ]


def test_every_scrollable_table_can_be_reached_by_keyboard() -> None:
    # A table wider than the screen scrolls: the region must take focus and have a name.
    for template in sorted((ROOT / "templates").rglob("*.html")):
        assert scroll_regions_out_of_reach(template.read_text(encoding="utf-8")) == [], template


def test_the_scroll_rule_sees_a_region_out_of_reach() -> None:
    assert scroll_regions_out_of_reach('<div class="table-scroll"><table></table></div>')
