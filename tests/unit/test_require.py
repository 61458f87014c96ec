"""A test that cannot run says so through one helper, `tests.conftest.require`: skipped on a
developer's machine, failed under CI — so a green CI means the broker-restart, TLS, cluster
and kill tests ran. No test under tests/ skips any other way."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require, running_in_ci

TESTS = Path(__file__).resolve().parents[1]
SKIPPING = {"skip", "skipif", "importorskip", "xfail", "skipTest", "SkipTest"}


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "yes"])
def test_under_ci_a_test_that_cannot_run_fails(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    assert running_in_ci()
    with pytest.raises(pytest.fail.Exception) as failed:
        require(False, "RabbitMQ is not installed here")
    assert "RabbitMQ is not installed here" in str(failed.value)
    assert "CI" in str(failed.value)


@pytest.mark.parametrize("value", [None, "", "false", "0", "no"])
def test_outside_ci_a_test_that_cannot_run_is_skipped_with_its_reason(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert not running_in_ci()
    with pytest.raises(pytest.skip.Exception) as skipped:
        require(False, "RabbitMQ is not installed here")
    assert str(skipped.value) == "RabbitMQ is not installed here"


@pytest.mark.parametrize("ci", [None, "true"])
def test_a_test_that_can_run_goes_on_in_ci_and_out(monkeypatch, ci):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    assert require(True, "never said") is None


def skips_outside_require(path: Path, root: Path = TESTS) -> list[str]:
    """`pytest.skip`, `pytest.mark.skipif`, `importorskip`, `xfail`, unittest's skips: where a
    file uses one, except inside `require` itself."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "require" and path == root / \
                "conftest.py":
            allowed.update(id(inner) for inner in ast.walk(node))
    return [f"{path.relative_to(root.parent)}:{node.lineno} {node.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in SKIPPING
            and id(node) not in allowed]


def test_no_test_skips_except_through_require():
    found = [hit for path in sorted(TESTS.rglob("*.py")) if path != Path(__file__).resolve()
             for hit in skips_outside_require(path)]
    assert found == []


def test_the_guard_finds_a_skip(tmp_path):
    sample = tmp_path / "tests" / "test_sample.py"
    sample.parent.mkdir()
    sample.write_text("import pytest\n"
                      "pytestmark = pytest.mark.skipif(True, reason='x')\n"
                      "def test_a():\n    pytest.skip('no broker')\n", encoding="utf-8")
    hits = skips_outside_require(sample, root=sample.parent)
    assert [hit.split(" ")[1] for hit in hits] == ["skipif", "skip"]


@pytest.mark.parametrize("ci, outcome, status", [("true", "1 failed", 1), ("", "1 skipped", 0)])
def test_a_run_whose_test_cannot_run_is_red_under_ci(tmp_path, ci, outcome, status):
    """The whole run, as CI runs it: its exit status is what CI reads."""
    sample = tmp_path / "test_needs_a_broker.py"
    sample.write_text("from tests.conftest import require\n"
                      "def test_restart():\n"
                      "    require(False, 'no broker binaries for a private node')\n",
                      encoding="utf-8")
    env = {**os.environ, "CI": ci, "PYTHONPATH": str(TESTS.parent)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "--rootdir", str(tmp_path), str(sample)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == status, run.stdout[-2000:]
    assert outcome in run.stdout
