"""commonweal.tlog as a library: no Django, declared exports, the house style for a spec library."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import commonweal.tlog as tlog

PACKAGE = Path(tlog.__file__).parent
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
SPECS = ("RFC ", "c2sp.org/", "golang.org/")


def test_importing_tlog_loads_no_django():
    code = "import sys, commonweal.tlog; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("module", MODULES)
def test_no_django_imports_in_source(module):
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not any(a.name.split(".")[0] == "django" for a in node.names)
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.module.split(".")[0] != "django"


@pytest.mark.parametrize("module", MODULES)
def test_module_declares_all_and_cites_its_spec(module):
    mod = __import__(f"commonweal.tlog.{module}", fromlist=["__all__"])
    assert mod.__doc__.startswith(SPECS), module
    for name in mod.__all__:
        assert hasattr(mod, name), name
        assert getattr(tlog, name) is getattr(mod, name), f"{name} is not re-exported"


def test_package_exports_everything_once():
    names = [n for m in MODULES for n in __import__(f"commonweal.tlog.{m}", fromlist=["__all__"]).__all__]
    assert sorted(names) == sorted(tlog.__all__)
    assert len(set(names)) == len(names)


PUBLIC = [(name, getattr(tlog, name)) for name in tlog.__all__]


@pytest.mark.parametrize(("name", "obj"), [p for p in PUBLIC if inspect.isfunction(p[1])], ids=lambda v: v if isinstance(v, str) else "")
def test_public_functions_cite_their_spec(name, obj):
    assert (obj.__doc__ or "").startswith(SPECS), name


@pytest.mark.parametrize(
    ("name", "obj"), [p for p in PUBLIC if inspect.isclass(p[1]) and dataclasses.is_dataclass(p[1])], ids=lambda v: v if isinstance(v, str) else ""
)
def test_dataclasses_are_frozen_slotted_keyword_only_with_field_docs(name, obj):
    assert obj.__dataclass_params__.frozen
    assert "__slots__" in obj.__dict__
    assert all(f.kw_only for f in dataclasses.fields(obj) if f.init)
    # One docstring line under each field.
    cls = next(
        n for n in ast.walk(ast.parse(Path(inspect.getfile(obj)).read_text())) if isinstance(n, ast.ClassDef) and n.name == name
    )
    body = cls.body
    for i, stmt in enumerate(body):
        if isinstance(stmt, ast.AnnAssign):
            doc = body[i + 1] if i + 1 < len(body) else None
            assert isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant), f"{name}.{stmt.target.id}"
            assert "\n" not in doc.value.value.strip()
