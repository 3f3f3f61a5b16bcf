"""`python -m bench --update` reruns some benchmarks and keeps the other modules' rows."""

from __future__ import annotations

import sys
import types

import pytest

import bench.__main__ as runner


@pytest.fixture
def two_benchmarks(tmp_path, monkeypatch):
    """bench.alpha and bench.beta, whose figure is whatever `value[name]` says, writing into tmp_path."""
    value = {"alpha": 1.0, "beta": 2.0}
    for name in value:
        module = types.ModuleType(f"bench.{name}")
        module.run = lambda name=name: [{"name": f"{name} figure", "value": value[name], "unit": "x",
                                         "target": ">= 1", "met": value[name] >= 1}]
        monkeypatch.setitem(sys.modules, f"bench.{name}", module)
    monkeypatch.setattr(runner, "MODULES", ["alpha", "beta"])
    monkeypatch.setattr(runner, "RESULTS", tmp_path / "results.md")
    monkeypatch.setattr(runner, "RESULTS_JSON", tmp_path / "results.json")
    return value


def test_update_replaces_only_the_rows_of_the_modules_it_reruns(two_benchmarks, capsys):
    assert runner.main([]) == 0
    two_benchmarks.update(alpha=0.5, beta=9.0)
    assert runner.main(["--update", "alpha"]) == 0
    rows = runner.load_previous()
    assert [(r["module"], r["value"]) for r in rows] == [("alpha", 0.5), ("beta", 2.0)]
    md = runner.RESULTS.read_text()
    assert "| alpha figure | 0.5 x |" in md and "| beta figure | 2 x |" in md
    assert "Targets missed: alpha figure." in md
    assert "--update alpha" in md


def test_a_full_run_replaces_every_row(two_benchmarks):
    assert runner.main(["--update", "beta"]) == 0
    two_benchmarks["beta"] = 3.0
    assert runner.main(["alpha", "beta"]) == 0
    assert [r["value"] for r in runner.load_previous()] == [1.0, 3.0]


def test_no_write_leaves_the_results_alone(two_benchmarks):
    assert runner.main(["--no-write"]) == 0
    assert not runner.RESULTS.exists() and not runner.RESULTS_JSON.exists()


def test_an_unknown_benchmark_is_a_usage_error(two_benchmarks, capsys):
    with pytest.raises(SystemExit) as stop:
        runner.main(["gamma"])
    assert stop.value.code == 2
    assert "no such benchmark: gamma" in capsys.readouterr().err
