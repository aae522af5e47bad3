"""The domain package never imports streamlit; pages stay the only UI layer."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHURN_FILES = sorted((ROOT / "churn").rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module a file imports (import x / from x import y)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", CHURN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_churn_never_imports_streamlit_or_pages(path):
    assert not imported_modules(path) & {"streamlit", "pages"}


def test_the_check_itself_catches_a_streamlit_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from streamlit import session_state\n")
    assert "streamlit" in imported_modules(bad)


def test_no_pickle_or_eval_in_the_code_that_reads_uploads():
    """Uploaded content is never unpickled or executed."""
    for path in CHURN_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert "pickle" not in imported_modules(path), path
        calls = {
            node.func.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        }
        assert not calls & {"eval", "exec"}, path
