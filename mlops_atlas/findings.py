"""The headline findings a run ends with: each one a query over the marts and ML tables, in
words, as the paper states them. A finding whose tables a build lacks is left out, never
guessed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb


@dataclass(frozen=True)
class Finding:
    name: str
    sql: str
    #: the sentence, from the query's first row (a dict); None when the row says nothing
    say: Callable[[dict[str, Any]], str | None]


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _ecosystem(row: dict[str, Any]) -> str | None:
    if not row["repositories"]:
        return None
    git_only = f", {row['git_only']:,} more known only from git" if row["git_only"] else ""
    return (
        f"{row['searched']:,} repositories from the GitHub search as of "
        f"{row['as_of']:%Y-%m-%d}{git_only}; {row['with_history']:,} with a git history."
    )


def _learning(row: dict[str, Any]) -> str | None:
    if row["share"] is None:
        return None
    verdict = (
        "as the 2023 study found, a space of learners"
        if row["low"] > 0.5
        else "not clearly the majority the 2023 study found"
    )
    return (
        f"{_pct(row['share'])} of them are learning material: courses, examples, lists (95% "
        f"interval {_pct(row['low'])}–{_pct(row['high'])}, a classifier measured on "
        f"{row['labels']:,} labels); {verdict}."
    )


def _growth(row: dict[str, Any]) -> str | None:
    if row["fit_status"] != "ok":
        return None
    return (
        f"Growth of topic:mlops passed its inflection in {row['inflection']:%B %Y} and stands at "
        f"{_pct(row['share'])} of its fitted saturation ({row['cycle_position']})."
    )


def _mature(row: dict[str, Any]) -> str | None:
    if not row["names"]:
        return None
    return f"The most mature tools by the score: {row['names']}."


def _backtest(row: dict[str, Any]) -> str | None:
    if row["score_auc"] is None:
        return None
    recency = (
        f"; months since the last commit alone gives {row['recency_auc']:.2f}"
        if row["recency_auc"] is not None
        else ""
    )
    return (
        f"The maturity score predicted which repositories were still maintained a year later "
        f"with ROC AUC {row['score_auc']:.2f} (n = {row['n']:,}){recency}."
    )


FINDINGS: tuple[Finding, ...] = (
    Finding(
        "ecosystem",
        """
        select count(*) as repositories,
               count(*) filter (where not is_git_only) as searched,
               count(*) filter (where is_git_only) as git_only,
               count(*) filter (where has_git_history) as with_history,
               (select max(as_of_at) from intermediate.int_as_of) as as_of
        from marts.dim_repositories
        """,
        _ecosystem,
    ),
    Finding(
        "learning material",
        """
        select share_corrected as share, share_corrected_low as low,
               share_corrected_high as high, n_labelled_sample as labels
        from ml.ml_kind_metrics where kind = 'learning_material'
        """,
        _learning,
    ),
    Finding(
        "growth",
        """
        select fit_status, inflection_month as inflection, share_of_saturation as share,
               cycle_position
        from ml.ml_ecosystem_curve where topic = 'mlops'
        """,
        _growth,
    ),
    Finding(
        "most mature",
        """
        select string_agg(full_name || ' (' || round(maturity_score, 2) || ')', ', '
                          order by maturity_score desc) as names
        from (
            select m.full_name, m.maturity_score
            from ml.ml_maturity as m
            inner join ml.ml_repository_kind as k using (repository_id)
            where k.kind = 'tool' and m.maturity_score is not null
            order by m.maturity_score desc
            limit 3
        )
        """,
        _mature,
    ),
    Finding(
        "back-test",
        """
        select max(roc_auc) filter (where predictor = 'maturity_score') as score_auc,
               max(n) filter (where predictor = 'maturity_score') as n,
               max(roc_auc) filter (where predictor = 'months_since_last_commit') as recency_auc
        from ml.ml_backtest_summary where row_type = 'auc'
        """,
        _backtest,
    ),
)


def headline_findings(warehouse: Path) -> list[str]:
    """One sentence per finding the warehouse can state."""
    lines = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for finding in FINDINGS:
            try:
                result = con.execute(finding.sql)
            except duckdb.CatalogException:
                continue  # a table this build does not have
            columns = [d[0] for d in result.description]
            row = result.fetchone()
            sentence = finding.say(dict(zip(columns, row, strict=True))) if row else None
            if sentence:
                lines.append(sentence)
    return lines
