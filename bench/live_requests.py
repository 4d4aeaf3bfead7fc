"""How many GitHub requests a live run makes, per 100 repositories, against the fake GitHub.

Runs discovery for the default topics (from .dlt/config.toml) and the activity load over a
generated population, then an unchanged second run, and prints requests per 100 repositories.
Run: `uv run python bench/live_requests.py [--repos-per-topic 150]`.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

from dlt_pipeline.github.activity_load import load_activity
from dlt_pipeline.github.fake_server import FakeGitHub, make_repo
from dlt_pipeline.github.load import load_github
from dlt_pipeline.github.settings import GitHubSettings

TOKEN = "ghp_benchmark_token_000000000000"


def population(topics: tuple[str, ...], per_topic: int) -> tuple[list[dict], dict[str, dict]]:
    repos, activity = [], {}
    for t_index, topic in enumerate(topics):
        for i in range(per_topic):
            repo_id = t_index * 100_000 + i
            # every fifth repository also carries the first topic, as real MLOps tools do
            topics_of = [topic] + ([topics[0]] if i % 5 == 0 and t_index else [])
            repo = make_repo(
                repo_id,
                f"org{i % 40}/{topic}-{i}",
                topics_of,
                date(2018, 1, 1),
                stars=(i * 53) % 3000,
            )
            repos.append(repo)
            activity[repo["full_name"]] = {
                "releases": [
                    {
                        "id": repo_id * 10 + k,
                        "tag_name": f"v{k}",
                        "published_at": "2024-01-01T00:00:00Z",
                    }
                    for k in range(i % 4)
                ],
                "tags": [{"name": "v0.1", "commit": {"sha": "a"}}],
                "contributors": [
                    {"login": f"u{k}", "type": "User", "contributions": 10}
                    for k in range(1 + i % 7)
                ],
                "issues": [
                    {
                        "id": repo_id * 100 + k,
                        "number": k,
                        "state": "open",
                        "created_at": "2024-01-01T00:00:00Z",
                        "updated_at": f"2024-02-{1 + k:02d}T00:00:00Z",
                        "user": {"login": "x", "type": "User"},
                    }
                    for k in range(i % 5)
                ],
                "star_weeks": [{"week": 1704067200, "total": 3, "days": [1, 0, 0, 1, 0, 1, 0]}],
                "languages": {"Python": 100},
            }
    return repos, activity


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos-per-topic", type=int, default=150)
    args = parser.parse_args()
    topics = GitHubSettings.from_config().topics
    fake = FakeGitHub()
    fake.repos, fake.activity = population(topics, args.repos_per_topic)
    url = fake.start()
    settings = GitHubSettings.from_config(
        base_url=url, search_interval_authenticated=0.0, stats_retry_seconds=0.0
    )
    with tempfile.TemporaryDirectory() as tmp:
        warehouse, archives = Path(tmp) / "w.duckdb", Path(tmp) / "archive"
        discovery = load_github(warehouse, settings=settings, token=TOKEN, archive_dir=archives)
        n_repos = len({r["id"] for r in fake.repos})
        searches = sum(r["path"] == "/search/repositories" for r in fake.requests)
        first = load_activity(
            warehouse, run_id=discovery.run_id, settings=settings, token=TOKEN, archive_dir=archives
        )
        served = len(fake.requests)
        second = load_activity(warehouse, settings=settings, token=TOKEN, archive_dir=archives)
        assert len(fake.requests) - served == second.requests
    fake.stop()
    per100 = 100 / n_repos
    print(
        f"topics: {len(topics)}; distinct repositories: {n_repos}; selected for activity (>= {settings.activity_min_stars} stars): {first.repositories}"
    )
    print(
        f"discovery: {discovery.requests} requests ({searches} search pages + details) = {discovery.requests * per100:.1f} per 100 repositories"
    )
    print(
        f"activity, first run: {first.requests} requests = {first.requests * 100 / max(first.repositories, 1):.1f} per 100 selected repositories"
    )
    counted = second.requests - second.not_modified
    print(
        f"activity, unchanged second run: {second.requests} requests, {second.not_modified} answered 304 (free); "
        f"{counted} counted = {counted * 100 / max(second.repositories, 1):.1f} per 100 selected repositories"
    )


if __name__ == "__main__":
    main()
