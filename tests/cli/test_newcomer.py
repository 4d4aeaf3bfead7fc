"""What a newcomer meets: help that documents every option in the same words, a read-only SQL
prompt, a local server for the site, and progress with counts on every long step."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import duckdb
import typer.main
from typer.testing import CliRunner

from mlops_atlas.cli import app
from mlops_atlas.paths import dbt_target_for
from tests.cli.commands import run_cli
from tests.git.gitrepo import commit, init_repo, write_manifest


def _commands(group, prefix: tuple[str, ...] = ()):
    """(path, command) of every command under a click group (Typer's or click's own)."""
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))


def test_every_option_is_documented_alike_and_shows_no_bool_metavar() -> None:
    root = typer.main.get_command(app)
    helps: dict[str, set[str]] = {}
    for path, command in _commands(root):
        assert command.help and command.short_help, path
        for param in command.params:
            assert getattr(param, "help", None), f"{' '.join(path)}: {param.name} has no help"
            helps.setdefault(param.opts[0], set()).add(param.help)
        shown = CliRunner().invoke(app, [*path, "--help"])
        assert shown.exit_code == 0 and "<bool>" not in shown.output, path
    same_everywhere = {opt: texts for opt, texts in helps.items() if len(texts) > 1}
    assert not same_everywhere, f"options described differently: {same_everywhere}"
    run_options = {p.opts[0] for p in root.commands["run"].params}
    for stage in ("load", "build", "report"):
        stage_options = {p.opts[0] for p in root.commands[stage].params}
        assert stage_options <= run_options, f"run lacks {stage_options - run_options}"


def test_sql_answers_names_the_tables_and_refuses_to_write(
    mirror_warehouse: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "atlas.duckdb"
    warehouse.write_bytes(mirror_warehouse.read_bytes())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        count = con.execute("select count(*) from marts.dim_repositories").fetchone()[0]
    done = run_cli(
        "sql",
        "select count(*) as n from marts.dim_repositories",
        "-w",
        str(warehouse),
        cwd=tmp_path,
    )
    assert done.returncode == 0 and f"{count}" in done.stdout
    wrong = run_cli("sql", "select * from marts.dim_repository", "-w", str(warehouse), cwd=tmp_path)
    message = " ".join(wrong.stderr.split())
    assert wrong.returncode == 1 and message.count("error:") == 1
    assert "dim_repository" in message and "marts.dim_repositories" in message
    assert "ml.ml_maturity" in message
    for write in (
        "delete from marts.dim_repositories",
        "create table marts.x as select 1",
        f"copy (select 1) to '{tmp_path / 'leak.csv'}'",
    ):
        refused = run_cli("sql", write, "-w", str(warehouse), cwd=tmp_path)
        assert refused.returncode == 1 and "error:" in refused.stderr, write
    assert not (tmp_path / "leak.csv").exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_repositories").fetchone()[0] == count
    prompt = subprocess.run(
        [sys.executable, "-m", "mlops_atlas", "sql", "-w", str(warehouse)],
        input="select 41 + 1 as answer\nselect * from nope\n\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert prompt.returncode == 0 and "42" in prompt.stdout and "nope" in prompt.stderr


def test_serve_answers_on_localhost_and_stops(real_site, tmp_path: Path) -> None:
    # A long folder name (with brackets, which the console must not read as markup): the line
    # naming it and the URL stays one line, whatever the terminal's width.
    site = tmp_path / ("a-folder-with-a-long-name-[red]-" * 4) / "site"
    site.parent.mkdir()
    site.symlink_to(real_site[0], target_is_directory=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "mlops_atlas", "serve", "--out", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        # A shell without job control starts background commands with SIGINT ignored, and
        # Python then never turns it into KeyboardInterrupt: restore the default, as a terminal has.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert f"Serving {site} at http://127.0.0.1:" in line
        url = next(word for word in line.split() if word.startswith("http://127.0.0.1:"))
        with urllib.request.urlopen(url + "index.html", timeout=10) as response:
            assert response.status == 200 and b"MLOps Atlas" in response.read()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    assert server.returncode == 0


def _tiny_mirror(root: Path) -> Path:
    git_dir = root / "git"
    for name in ("acme__one", "acme__two"):
        repo = init_repo(root / "work" / name)
        commit(repo, "first", "2022-01-01T00:00:00+00:00")
        subprocess.run(
            ["git", "clone", "-q", "--bare", str(repo), str(git_dir / f"{name}.git")], check=True
        )
    write_manifest(
        git_dir,
        [
            {
                "requested_full_name": n.replace("__", "/"),
                "dir_name": f"{n}.git",
                "snapshot_taken_at": "2024-01-01T00:00:00Z",
            }
            for n in ("acme__one", "acme__two")
        ],
    )
    archive = root / "archive"
    (archive / "responses").mkdir(parents=True)
    (archive / "responses" / "p.json").write_text(
        json.dumps({"total_count": 0, "incomplete_results": False, "items": []})
    )
    (archive / "manifest.jsonl").write_text(
        json.dumps(
            {
                "url": "https://api.github.com/search/repositories?q=topic:mlops&page=1",
                "status": 200,
                "body": "responses/p.json",
                "recorded_at": "2024-01-01T00:00:00Z",
            }
        )
        + "\n"
    )
    return root


def test_a_load_counts_its_histories_and_keeps_library_notices_in_a_log(tmp_path: Path) -> None:
    mirror = _tiny_mirror(tmp_path / "mirror")
    warehouse = tmp_path / "w" / "atlas.duckdb"
    done = run_cli(
        "load",
        "--archive",
        str(mirror / "archive"),
        "-w",
        str(warehouse),
        cwd=tmp_path,
        env={"ATLAS_MIRROR": str(mirror)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "git histories (mirror): 2 of 2" in done.stderr
    assert "|[WARNING]|" not in done.stderr, "dlt's notices go to the log file"
    assert (warehouse.parent / "logs" / "mlops-atlas.log").is_file()


def test_the_main_job_counts_dbt_nodes_and_pages(
    stage_counts: dict, real_site, mirror_warehouse: Path
) -> None:
    _, rendered = real_site
    done, total = stage_counts["dbt build"]
    # every node dbt reported on: models, seeds and data tests
    ran = json.loads((dbt_target_for(mirror_warehouse) / "run_results.json").read_text())
    assert done == total == len(ran["results"]) > 150
    assert stage_counts["reports"] == (len(rendered.pages), len(rendered.pages))
    git_done, git_total = stage_counts["git histories (mirror)"]
    assert git_done == git_total > 0


def test_the_run_ends_with_five_findings_each_from_the_tables(mirror_warehouse: Path) -> None:
    from mlops_atlas.findings import headline_findings

    lines = headline_findings(mirror_warehouse)
    assert len(lines) == 5, lines
    with duckdb.connect(str(mirror_warehouse), read_only=True) as con:
        searched = con.execute(
            "select count(*) from marts.dim_repositories where not is_git_only"
        ).fetchone()[0]
        share = con.execute(
            "select share_corrected from ml.ml_kind_shares where kind = 'learning_material'"
        ).fetchone()[0]
        best = con.execute(
            "select m.full_name from ml.ml_maturity as m "
            "join ml.ml_repository_kind as k using (repository_id) "
            "where k.kind = 'tool' and m.evidence_level = 'search + git' "
            "order by m.maturity_score desc, m.full_name limit 1"
        ).fetchone()[0]
    assert lines[0].startswith(f"{searched:,} repositories")
    assert f"{100 * share:.0f}% of them are learning material" in lines[1]
    assert best in lines[3]
    assert "ROC AUC" in lines[4] and "repository-origins" in lines[4]
