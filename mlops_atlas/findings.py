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
    if row["fit_status"] != "ok" or row["finding_status"] != "finding":
        return None
    corrected = (
        f"; corrected for the repositories GitHub's search cap left out, "
        f"{row['corrected_inflection']:%B %Y}"
        if row["corrected_inflection"] is not None
        else ""
    )
    return (
        f"New repositories per month peaked around {row['inflection']:%B %Y} on a fitted logistic "
        f"curve{corrected}; the ecosystem stands at {_pct(row['share'])} of its fitted "
        f"saturation ({row['cycle_position']})."
    )


def _mature(row: dict[str, Any]) -> str | None:
    if not row["names"]:
        return None
    return (
        f"The most mature tools among the {row['compared']:,} scored on search and git signals "
        f"alike: {row['names']}."
    )


def _backtest(row: dict[str, Any]) -> str | None:
    if row["score_auc"] is None or row["recency_auc"] is None:
        return None
    if row["high"] < 0:
        verdict = "worse than"
    elif row["low"] > 0:
        verdict = "better than"
    else:
        verdict = "no better than"
    return (
        f"Back-tested at rolling origins, the maturity score predicted which repositories were "
        f"still maintained a year later {verdict} the months since their last commit alone: "
        f"ROC AUC {row['score_auc']:.2f} against {row['recency_auc']:.2f} (difference "
        f"{row['difference']:+.3f}, 95% interval {row['low']:+.3f} to {row['high']:+.3f}; "
        f"n = {row['n']:,} repository-origins)."
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
        from ml.ml_kind_shares where kind = 'learning_material'
        """,
        _learning,
    ),
    Finding(
        "growth",
        """
        select a.fit_status, a.finding_status, a.inflection_month as inflection,
               a.share_of_saturation as share, a.cycle_position,
               c.inflection_month as corrected_inflection
        from ml.ml_ecosystem_curve as a
        left join ml.ml_ecosystem_curve as c
            on c.topic = 'all, corrected for the search cap' and c.finding_status = 'finding'
        where a.topic = 'all'
        """,
        _growth,
    ),
    Finding(
        "most mature",
        """
        select string_agg(full_name || ' (' || round(maturity_score, 2) || ')', ', '
                          order by maturity_score desc) as names,
               max(compared) as compared
        from (
            select m.full_name, m.maturity_score, count(*) over () as compared
            from ml.ml_maturity as m
            inner join ml.ml_repository_kind as k using (repository_id)
            where k.kind = 'tool' and m.evidence_level = 'search + git'
            qualify row_number() over (order by m.maturity_score desc, m.full_name) <= 3
        )
        """,
        _mature,
    ),
    Finding(
        "back-test",
        """
        select max(roc_auc) filter (where predictor = 'maturity_score') as score_auc,
               max(n) filter (where predictor = 'maturity_score') as n,
               max(roc_auc) filter (where predictor = 'months_since_last_commit') as recency_auc,
               max(auc_difference) filter (where predictor = 'maturity_score') as difference,
               max(difference_low) filter (where predictor = 'maturity_score') as low,
               max(difference_high) filter (where predictor = 'maturity_score') as high
        from ml.ml_backtest_summary
        where row_type = 'auc' and outcome = 'maintained' and origin_label = 'pooled'
            and population = 'all'
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
