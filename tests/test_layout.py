"""The layout keeps the data's direction (load → transform → learn → present) and its promises:
no import runs back up a stage, importing changes nothing, telemetry is off wherever a process
starts, and every knob is documented with the default it really has."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from dlt_pipeline.git.settings import DEFAULT_REMOTE_URL_TEMPLATE
from dlt_pipeline.github.settings import GitHubSettings
from mlops_atlas.paths import DBT_PROJECT_FILE, DLT_CONFIG_FILE, PROJECT_ROOT

#: Project code that every stage may import: facts with no imports of their own stage.
#: (`mlops_atlas.lake`: where a lake's Parquet tables are and how DuckDB reads them, for the
#: loader, the renderer and the comparison alike.)
FOUNDATION = {"mlops_atlas", "mlops_atlas.paths", "mlops_atlas.environment", "mlops_atlas.lake"}

#: Folder (or module prefix) -> the project packages its code may import besides FOUNDATION.
ALLOWED = {
    "dlt_pipeline": {"dlt_pipeline"},
    "ml": {"ml"},
    "dbt_project/models": {"ml"},
    "mlops_atlas/render": {"mlops_atlas.render"},
    "mlops_atlas": {"mlops_atlas", "dlt_pipeline", "ml"},
    "bench": {"mlops_atlas", "dlt_pipeline", "ml"},
}
PROJECT_PACKAGES = ("mlops_atlas", "dlt_pipeline", "ml", "tests", "reports", "bench")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {m for m in found if m.split(".")[0] in PROJECT_PACKAGES}


def _rule_for(relative: str) -> set[str]:
    best = max((folder for folder in ALLOWED if relative.startswith(folder + "/")), key=len)
    return ALLOWED[best]


def test_no_import_runs_back_up_a_stage() -> None:
    wrong = []
    files = {path for folder in ALLOWED for path in (PROJECT_ROOT / folder).rglob("*.py")}
    for path in sorted(files):
        relative = path.relative_to(PROJECT_ROOT).as_posix()
        allowed = _rule_for(relative)
        for module in sorted(_imports(path)):
            if module in FOUNDATION:
                continue
            if not any(module == a or module.startswith(a + ".") for a in allowed):
                wrong.append(f"{relative} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_the_evidence_project_holds_no_python() -> None:
    assert not list((PROJECT_ROOT / "reports").rglob("*.py"))


def test_importing_the_project_changes_no_environment_variable() -> None:
    modules = sorted(
        ".".join(p.relative_to(PROJECT_ROOT).with_suffix("").parts)
        for package in ("mlops_atlas", "dlt_pipeline", "ml")
        for p in (PROJECT_ROOT / package).rglob("*.py")
        if p.name != "__main__.py"
    )
    # third-party libraries may set their own variables on import (scikit-learn sets KMP_*):
    # they are imported before the snapshot, so only the project's own imports are judged
    libraries = ["dlt", "duckdb", "numpy", "pandas", "scipy", "sklearn", "plotly"]
    script = (
        "import importlib, json, os, sys\n"
        f"for m in {libraries!r}:\n"
        "    importlib.import_module(m)\n"
        "before = dict(os.environ)\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m.removesuffix('.__init__'))\n"
        "print(json.dumps({k: v for k, v in os.environ.items() if before.get(k) != v}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DLT_PROJECT_DIR", "DO_NOT_TRACK")}
    env = {k: v for k, v in env.items() if "TELEMETRY" not in k and "ANONYMOUS" not in k}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {}


def test_telemetry_is_off_where_a_process_starts(tmp_path: Path) -> None:
    """The command line switches it off before any command; dlt then resolves it as off. (The
    command ends its process once done, running the exit steps: the check is one of them.)"""
    script = (
        "import atexit, os, sys\n"
        "sys.argv = ['mlops-atlas', '--help']\n"
        "from mlops_atlas import cli\n"
        "from dlt.common.configuration.specs import RuntimeConfiguration\n"
        "from dlt.common.configuration import resolve_configuration\n"
        "def check():\n"
        "    runtime = resolve_configuration(RuntimeConfiguration())\n"
        "    print('RESULT', runtime.dlthub_telemetry, os.environ['DO_NOT_TRACK'],"
        " os.environ['DBT_SEND_ANONYMOUS_USAGE_STATS'], os.environ['DLT_PROJECT_DIR'])\n"
        "atexit.register(check)\n"
        "cli.main()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DLT_PROJECT_DIR"}
    env.update(RUNTIME__DLTHUB_TELEMETRY="true", DO_NOT_TRACK="0")
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    assert line.split()[1:] == ["False", "1", "false", str(PROJECT_ROOT)]
    dbt_flags = yaml.safe_load(DBT_PROJECT_FILE.read_text(encoding="utf-8"))["flags"]
    assert dbt_flags["send_anonymous_usage_stats"] is False


def test_github_settings_defaults_equal_the_shipped_config() -> None:
    shipped = tomllib.loads(DLT_CONFIG_FILE.read_text(encoding="utf-8"))["sources"]["github"]
    defaults = GitHubSettings()
    names = {f.name for f in fields(GitHubSettings)}
    assert set(shipped) == names, "every setting is in .dlt/config.toml, and only settings"
    for name, value in shipped.items():
        expected = tuple(value) if isinstance(value, list) else value
        assert getattr(defaults, name) == expected, name


def test_git_defaults_equal_the_shipped_config() -> None:
    shipped = tomllib.loads(DLT_CONFIG_FILE.read_text(encoding="utf-8"))["sources"]["git"]
    assert shipped == {"remote_url_template": DEFAULT_REMOTE_URL_TEMPLATE}


def test_settings_from_the_environment_are_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCES__GITHUB__MAX_RETRIES", "1")
    monkeypatch.setenv("SOURCES__GITHUB__REQUEST_TIMEOUT", "2.5")
    monkeypatch.setenv("SOURCES__GITHUB__TOPICS", '["a", "b"]')
    settings = GitHubSettings.from_config()
    assert (settings.max_retries, settings.request_timeout, settings.topics) == (1, 2.5, ("a", "b"))
    monkeypatch.setenv("SOURCES__GITHUB__MAX_RETRIES", "many")
    with pytest.raises(ValueError, match=r"sources\.github\.max_retries.*'many'"):
        GitHubSettings.from_config()


def _readme_knobs() -> dict[str, str]:
    """Knob name -> the 'where' cell of the README's knobs table."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Every knob", 1)[1].split("\n## ", 1)[0]
    knobs = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0].startswith("`"):
            knobs[cells[0].strip("`")] = cells[1]
    return knobs


def test_the_readme_lists_every_knob_where_it_lives() -> None:
    knobs = _readme_knobs()
    dlt_config = tomllib.loads(DLT_CONFIG_FILE.read_text(encoding="utf-8"))
    dbt_vars = yaml.safe_load(DBT_PROJECT_FILE.read_text(encoding="utf-8"))["vars"]
    expected = {
        f"sources.{source}.{k}": ".dlt/config.toml"
        for source in ("github", "git")
        for k in dlt_config["sources"][source]
    }
    expected.update({k: "dbt_project.yml" for k in dbt_vars})
    missing = sorted(set(expected) - set(knobs))
    assert not missing, f"README knobs table lacks {missing}"
    for name, where in expected.items():
        assert where in knobs[name], f"{name}: README says {knobs[name]!r}"


def test_the_readme_images_are_committed_and_small() -> None:
    """The README's opening shows screenshots of the paper and the explorer; each is a file in
    the repository (a broken image is the first thing a visitor would see), kept small."""
    import re

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    images = re.findall(r'<img src="([^"]+)"', readme) + re.findall(
        r"!\[[^\]]*\]\(([^)]+)\)", readme
    )
    local = [i for i in images if not i.startswith(("http://", "https://"))]
    assert {"docs/screenshots/paper.jpg", "docs/screenshots/explorer.jpg"} <= set(local)
    for image in local:
        path = PROJECT_ROOT / image
        assert path.is_file(), f"README shows {image}, which is not in the repository"
        assert path.stat().st_size < 400_000, f"{image} is {path.stat().st_size:,} bytes"
