"""Benchmark how the main job's cost grows with the data: 1x, 3x and 10x the mirror.

    uv run python bench/scale.py [--sizes 1 3 10] [--keep DIR]

For each size N it synthesises, from the mirror's own shapes and a fixed seed:

- an archive of N times the search pages of zimmerman-2023: every repository N times under new
  owners (`<owner>-s<k>`), ids, creation and push dates moved up to half a year earlier, the
  `total_count` of each search N times larger;
- a git mirror with one history per repository of the mirror's manifest and copy: as many
  commits as the real history (its `commits` column), at times spread over its real first and
  last commit, by a pool of authors that grows with the square root of the commits (a few
  write most: Zipf weights) and is its own, but for its two least active authors, drawn from
  people who commit to about four histories each (so the pairs of repositories sharing
  authors grow linearly, as in the mirror: 986 pairs among 1,009 repositories), one merge in
  ten, and as many tags as it has (lightweight, on commits spread over the history); written
  by `git fast-import`;
- the mirror's README texts under each copy's name.

Then it runs the stages as a user does (`mlops-atlas load --archive`, `build`, `report`, each
a fresh process with `ATLAS_MIRROR` set to the synthetic mirror, into a new warehouse) and
prints each stage's seconds and peak memory (the largest process of the stage: the command, or
dbt), and each size's seconds as a multiple of the first size's.

Every size is synthesised before any is measured, and then measured `--repeat` times in rounds
that go up the sizes and back down (1, 3, 10, 10, 3, 1): this machine's speed drifts by a
tenth or more over minutes, and a single run of each size, minutes apart, put that drift into
the multiples. The table keeps each stage's fastest run and the largest peak of its runs.
Writes only to a temporary folder (or `--keep`).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dlt_pipeline.github.named_archives import resolve_archive
from mlops_atlas.paths import ML_CACHE_ENV, PROJECT_ROOT, mirror_root

SEED = 20230118
STAGES_LINE = re.compile(r"Seconds per stage: (.*); ([\d.]+) in all\.")
STAGE = re.compile(r"(.+?) ([\d.]+)(?:, |$)")
#: Runs one command and prints the peak resident memory (KiB) of its largest process.
PEAK = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print('PEAK_KIB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


def _shift(value: str | None, days: float) -> str | None:
    if not value:
        return value
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) + timedelta(days=days)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def copy_name(full_name: str, k: int) -> str:
    owner, _, name = full_name.partition("/")
    return f"{owner}-s{k}/{name}"


def synthesise_archive(source: Path, target: Path, n: int, rng: random.Random) -> None:
    """N copies of every search page of the archive `source` (see the module doc)."""
    (target / "responses").mkdir(parents=True)
    lines = []
    for line in (source / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        body = json.loads((source / entry["body"]).read_text(encoding="utf-8"))
        page = int(re.search(r"[?&]page=(\d+)", entry["url"]).group(1))
        for k in range(n):
            items = []
            for item in body["items"]:
                days = rng.uniform(-182, 0)  # earlier only: nothing after the search
                copy = dict(item)
                copy["id"] = item["id"] + k * 10**10
                copy["full_name"] = copy_name(item["full_name"], k)
                copy["name"] = item["name"]
                copy["owner"] = {
                    **item["owner"],
                    "login": copy["full_name"].split("/")[0],
                    "id": item["owner"]["id"] + k * 10**10,
                }
                for key in ("created_at", "pushed_at", "updated_at"):
                    copy[key] = _shift(item.get(key), days)
                items.append(copy)
            new_page = (page - 1) * n + k + 1
            name = f"{Path(entry['body']).stem}_copy{k}.json"
            out = {**body, "total_count": body["total_count"] * n, "items": items}
            (target / "responses" / name).write_text(json.dumps(out), encoding="utf-8")
            url = re.sub(r"([?&]page=)\d+", rf"\g<1>{new_page}", entry["url"])
            lines.append(json.dumps({**entry, "url": url, "body": f"responses/{name}"}))
    (target / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _fast_import_stream(
    commits: int,
    tags: int,
    start: float,
    end: float,
    rng: random.Random,
    history: int,
    shared: tuple[int, int],
):
    """The `git fast-import` input of one synthetic history (see the module doc)."""
    times = sorted(rng.uniform(start, end) for _ in range(commits))
    pool = max(1, int(commits**0.5))
    weights = [1.0 / (i + 1) for i in range(pool)]
    authors = rng.choices(range(pool), weights=weights, k=commits)
    tagged = set(rng.sample(range(commits), min(tags, commits)))
    for i, (moment, author) in enumerate(zip(times, authors, strict=True)):
        stamp = f"{int(moment)} +0000"
        if pool > 2 and author >= pool - 2:  # the two least active: people of other histories too
            person = shared[pool - 1 - author]
            who = f"Person {person} <person{person}@example.org>"
        else:
            who = f"Author {author} <author{author}.h{history}@example.org>"
        parts = [f"commit refs/heads/main\nmark :{i + 1}\nauthor {who} {stamp}\n"]
        parts.append(f"committer {who} {stamp}\ndata 0\n")
        if i:
            parts.append(f"from :{i}\n")
            if i > 2 and rng.random() < 0.1:
                parts.append(f"merge :{rng.randrange(1, i - 1)}\n")
        parts.append("\n")
        if i in tagged:
            parts.append(f"reset refs/tags/v0.{i}.0\nfrom :{i + 1}\n\n")
        yield "".join(parts)


def synthesise_git(source: Path, target: Path, n: int, rng: random.Random) -> int:
    """N synthetic histories per history of the mirror's manifest; returns the commits made."""
    target.mkdir(parents=True)
    with (source / "MANIFEST.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["dir_name"] and r["commits"]]
    out_rows = []
    made = 0
    # People who commit to more than one history: half as many as histories, so each is in
    # about four and the pairs of histories sharing an author grow with the histories.
    people = max(1, len(rows) * n // 2)
    for row in rows:
        start = datetime.fromisoformat(row["oldest_commit_at"].replace("Z", "+00:00")).timestamp()
        end = datetime.fromisoformat(row["newest_commit_at"].replace("Z", "+00:00")).timestamp()
        commits, tags = int(row["commits"]), int(row["tags"] or 0)
        for k in range(n):
            name = copy_name(row["requested_full_name"], k)
            folder = target / (name.replace("/", "__") + ".git")
            subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(folder)], check=True)
            history = len(out_rows)
            shared = (rng.randrange(people), rng.randrange(people))
            stream = "".join(_fast_import_stream(commits, tags, start, end, rng, history, shared))
            subprocess.run(
                ["git", "-C", str(folder), "fast-import", "--quiet"],
                input=stream.encode(),
                check=True,
            )
            made += commits
            out_rows.append(
                {
                    **row,
                    "requested_full_name": name,
                    "fetched_full_name": name,
                    "dir_name": folder.name,
                    "default_branch": "main",
                }
            )
    with (target / "MANIFEST.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(out_rows)
    return made


def synthesise_readmes(source: Path, target: Path, n: int) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as out:
        for line in src:
            entry = json.loads(line)
            for k in range(n):
                copy = {
                    **entry,
                    "fetched_full_name": copy_name(entry["fetched_full_name"], k),
                    "requested_full_names": [
                        copy_name(name, k) for name in entry["requested_full_names"]
                    ],
                }
                out.write(json.dumps(copy) + "\n")


def run_stage(args: list[str], env: dict[str, str]) -> tuple[float, float, dict[str, float]]:
    """(seconds, peak MB, the command's own seconds per stage) of one `mlops-atlas` command."""
    command = [sys.executable, "-c", PEAK, sys.executable, "-m", "mlops_atlas", *args]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"mlops-atlas {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    peak = int(re.search(r"PEAK_KIB (\d+)", done.stdout).group(1)) / 1024
    match = STAGES_LINE.search((done.stdout + done.stderr).replace("\n", " "))
    stages = {k: float(v) for k, v in STAGE.findall(match.group(1))} if match else {}
    return seconds, peak, stages


def synthesise(size: int, root: Path, mirror: Path) -> tuple[Path, Path]:
    """(archive, git mirror) of `size` times the mirror's data, under `root`."""
    rng = random.Random(SEED + size)
    started = time.perf_counter()
    archive_source, _ = resolve_archive("zimmerman-2023")
    archive = root / f"scale-{size}x"
    synthesise_archive(archive_source, archive, size, rng)
    synthetic = root / "mirror"
    commits = synthesise_git(mirror / "git", synthetic / "git", size, rng)
    synthesise_readmes(
        mirror / "readmes" / "readmes.jsonl", synthetic / "readmes" / "readmes.jsonl", size
    )
    print(
        f"{size}x: synthesised {commits:,} commits in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return archive, synthetic


def measure(
    size: int, root: Path, archive: Path, synthetic: Path
) -> list[tuple[str, float, float]]:
    """(stage, seconds, peak MB) of the three commands over one size, into a new warehouse."""
    env = {**os.environ, "ATLAS_MIRROR": str(synthetic), "COLUMNS": "10000"}
    env.pop("GITHUB_TOKEN", None)
    env.pop(ML_CACHE_ENV, None)  # kept evaluations beside the new warehouse: none, every run
    shutil.rmtree(root / "w", ignore_errors=True)
    shutil.rmtree(root / "site", ignore_errors=True)
    warehouse = str(root / "w" / "atlas.duckdb")
    rows = []
    seconds, peak, inner = run_stage(["load", "--archive", str(archive), "-w", warehouse], env)
    git = sum(v for k, v in inner.items() if k.startswith("git histories"))
    rows += [
        ("load: GitHub replay + READMEs", seconds - git, peak),
        ("load: git histories", git, peak),
    ]
    seconds, peak, _ = run_stage(["build", "-w", warehouse], env)
    rows.append(("dbt build", seconds, peak))
    seconds, peak, _ = run_stage(["report", "-w", warehouse, "--out", str(root / "site")], env)
    rows.append(("reports", seconds, peak))
    print(f"{size}x:", flush=True)
    for name, seconds, peak in rows:
        print(f"  {name:<32}{seconds:>9.1f} s{peak:>9.0f} MB", flush=True)
    return rows


def rounds(sizes: list[int], repeat: int) -> list[int]:
    """The order the sizes are measured in: up the sizes, then back down, `repeat` times."""
    order: list[int] = []
    for k in range(repeat):
        order += sizes if k % 2 == 0 else sizes[::-1]
    return order


def fastest(runs: list[list[tuple[str, float, float]]]) -> list[tuple[str, float, float]]:
    """Per stage, the fastest run's seconds and the largest peak of all runs."""
    return [
        (stage[0][0], min(s for _, s, _ in stage), max(p for _, _, p in stage))
        for stage in zip(*runs, strict=True)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 3, 10])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each size (default 2)")
    parser.add_argument("--keep", type=Path, help="synthesise and build here, and keep it")
    args = parser.parse_args()
    repeat = max(1, args.repeat)
    mirror = mirror_root()
    if mirror is None:
        print("no data mirror: set ATLAS_MIRROR", file=sys.stderr)
        return 2
    os.chdir(PROJECT_ROOT)
    runs: dict[int, list[list[tuple[str, float, float]]]] = {s: [] for s in args.sizes}
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="scale_bench_"))
    try:
        data = {}
        for size in args.sizes:
            folder = base / f"{size}x"
            if folder.exists():
                shutil.rmtree(folder)
            data[size] = (folder, *synthesise(size, folder, mirror))
        for size in rounds(args.sizes, repeat):
            runs[size].append(measure(size, *data[size]))
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    results = {size: fastest(runs[size]) for size in args.sizes}
    first = args.sizes[0]
    print(f"\nfastest of {repeat} runs per stage; peak: the largest of them")
    print(
        f"{'stage':<32}"
        + "".join(f"{f'{s}x s':>10}{f'{s}x MB':>9}{'x ' + str(first) + 'x':>8}" for s in args.sizes)
    )
    for i, (name, _, _) in enumerate(results[first]):
        line = f"{name:<32}"
        for size in args.sizes:
            _, seconds, peak = results[size][i]
            ratio = seconds / results[first][i][1] if results[first][i][1] else float("nan")
            line += f"{seconds:>10.1f}{peak:>9.0f}{ratio:>8.1f}"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
