"""The code shows the pipeline: rooms in one order, no circles, private names kept private.

Every rule is checked on the real tree and, in a test of its own, on a small broken
tree, so each check is seen to fail when the rule is broken.
"""

import ast
from pathlib import Path

import pytest

from churn import LAYERS
from tests.imports import cycles, graph, imported_top_levels, layer_violations, private_uses, python_files

ROOT = Path(__file__).resolve().parent.parent
CHURN_FILES = python_files(ROOT, "churn")
UI_FILES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
BENCH_FILES = sorted((ROOT / "bench").glob("*.py"))


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{"churn/core/a.py": "source"}`` under ``root``; every folder gets an ``__init__``."""
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        for folder in path.relative_to(root).parents:
            if str(folder) != "." and not (root / folder / "__init__.py").exists():
                (root / folder / "__init__.py").write_text("", encoding="utf-8")
    return root


# ---------------------------------------------------------------- the real tree


def test_every_subpackage_is_a_named_layer():
    rooms = sorted(p.name for p in (ROOT / "churn").iterdir() if (p / "__init__.py").exists())
    assert rooms == sorted(LAYERS)


def test_lower_layers_never_import_higher_ones():
    assert layer_violations(graph(ROOT, "churn"), LAYERS) == []


def test_core_imports_nothing_else_of_churn():
    edges = graph(ROOT, "churn")
    outside = {t for m, ts in edges.items() if m.startswith("churn.core") for t in ts}
    assert {t for t in outside if not t.startswith("churn.core")} == set()


def test_there_are_no_import_cycles():
    assert cycles(graph(ROOT, "churn")) == []


def test_no_module_uses_another_modules_private_names():
    assert private_uses([*CHURN_FILES, *UI_FILES, *BENCH_FILES], ROOT, "churn") == []


def test_pages_do_not_use_each_others_private_names():
    assert private_uses(UI_FILES, ROOT, "pages") == []


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_each_subpackage_names_its_public_api(package):
    """``__all__`` lists names that exist and are public (scikit-learn's ``linear_model`` style)."""
    module = __import__(f"churn.{package}", fromlist=["__all__"])
    assert module.__all__, package
    assert len(module.__all__) == len(set(module.__all__)), "a name is listed twice"
    for name in module.__all__:
        assert not name.startswith("_") and hasattr(module, name), name


@pytest.mark.parametrize("path", CHURN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_churn_never_imports_streamlit_or_pages(path):
    assert not imported_top_levels(path) & {"streamlit", "pages"}


def test_no_pickle_or_eval_in_the_code_that_reads_uploads():
    """Uploaded content is never unpickled or executed."""
    for path in CHURN_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert "pickle" not in imported_top_levels(path), path
        calls = {
            node.func.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        }
        assert not calls & {"eval", "exec"}, path


def test_only_pages_state_touches_session_state():
    """Every ``st.session_state`` key is named once, in ``pages/state.py``."""
    touching = [
        str(path.relative_to(ROOT))
        for path in UI_FILES
        if "session_state"
        in {n.attr for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Attribute)}
    ]
    assert touching == ["pages/state.py"]


def mirror_test_file(module: Path) -> str:
    """The test file that mirrors a module of ``churn/``.

    ``churn/<room>/<module>.py`` → ``tests/test_<module>.py``; commands are tested as
    the CLI (``tests/test_cli_<command>.py``, ``cli.py`` → ``tests/test_cli.py``); the
    report's modules are prefixed (``charts.py`` → ``tests/test_report_charts.py``,
    ``builder.py`` → ``tests/test_report.py``).
    """
    room, name = module.parent.name, module.stem
    if room == "commands":
        return "tests/test_cli.py" if name == "cli" else f"tests/test_cli_{name}.py"
    if room == "report":
        return "tests/test_report.py" if name == "builder" else f"tests/test_report_{name}.py"
    return f"tests/test_{name}.py"


def test_every_module_has_its_own_test_file():
    modules = [p for p in CHURN_FILES if p.name not in ("__init__.py", "__main__.py")]
    missing = [mirror_test_file(p) for p in modules if not (ROOT / mirror_test_file(p)).exists()]
    assert missing == []


# ---------------------------------------------------------------- each check can fail


LAYERS_FOR_TEST = ("core", "ingest", "model")


def test_the_layer_check_catches_a_lower_layer_importing_a_higher_one(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "churn/core/words.py": "X = 1\n",
            "churn/ingest/read.py": "from churn.core.words import X\n",
            "churn/model/fit.py": "from churn.ingest import read\n",
            "churn/core/bad.py": "def f():\n    from churn.model.fit import g\n",  # lazy, still caught
        },
    )
    assert layer_violations(graph(root, "churn"), LAYERS_FOR_TEST) == ["churn.core.bad -> churn.model.fit"]


def test_the_layer_check_catches_an_unknown_room(tmp_path):
    root = write_tree(tmp_path, {"churn/misc/x.py": "", "churn/core/a.py": "from churn.misc import x\n"})
    assert layer_violations(graph(root, "churn"), LAYERS_FOR_TEST) == ["churn.core.a -> churn.misc.x"]


def test_the_cycle_check_catches_a_circle_through_a_package_init(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "churn/model/__init__.py": "from churn.model.fit import fit\n__all__ = ['fit']\n",
            "churn/model/fit.py": "from churn.model.persistence import save\n",
            "churn/model/persistence.py": "def save():\n    from churn.model import fit\n",
            "churn/model/ok.py": "from churn.model.fit import fit\n",
        },
    )
    assert cycles(graph(root, "churn")) == [["churn.model.fit", "churn.model.persistence"]]


def test_the_cycle_check_catches_relative_imports(tmp_path):
    root = write_tree(
        tmp_path, {"churn/core/a.py": "from . import b\n", "churn/core/b.py": "from .a import X\n"}
    )
    assert cycles(graph(root, "churn")) == [["churn.core.a", "churn.core.b"]]


def test_the_private_check_catches_both_ways_of_reaching_in(tmp_path):
    root = write_tree(
        tmp_path,
        {
            "churn/model/features.py": "def _frame():\n    pass\n",
            "churn/model/fit.py": (
                "from churn.model import features\n"
                "from churn.model.features import _frame\n"
                "features._frame()\n"
                "features.__name__\n"
            ),
        },
    )
    found = private_uses(python_files(root, "churn"), root, "churn")
    assert found == [
        "churn.model.fit:2 imports churn.model.features._frame",
        "churn.model.fit:3 uses features._frame",
    ]


def test_the_streamlit_check_catches_a_lazy_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from streamlit import session_state\n")
    assert "streamlit" in imported_top_levels(bad)
