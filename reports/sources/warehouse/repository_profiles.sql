-- One row per repository with what the pages list about it: dim_repositories with its kind,
-- task category, text cluster, maturity score and lifecycle stage (and the stage rule's
-- condition). Made once in each DuckDB session of the renderer, so each of the thousand
-- repository pages, each owner's page and each of the explorer's filters read one table
-- rather than joining up to six.
select
    r.repository_id,
    r.full_name,
    r.owner_login,
    r.description,
    r.language,
    r.license_spdx_id,
    r.stars,
    r.forks,
    r.open_issues,
    r.created_at,
    r.pushed_at,
    r.is_archived,
    r.is_git_only,
    k.kind,
    k.confidence as kind_confidence,
    k.label_kind,
    c.category,
    c.primary_category,
    c.confidence as category_confidence,
    c.secondary_category,
    c.label_primary_category,
    cl.cluster_name,
    m.maturity_score,
    m.score_low,
    m.score_high,
    m.evidence_level,
    m.rank_in_evidence,
    m.repositories_in_evidence,
    m.coverage,
    m.signals_measured,
    m.signals_used,
    m.stage,
    m.stage_rule,
    m.stage_reason,
    m.stage_position,
    sr.condition as stage_condition,
    m.months_observed,
    m.first_month,
    m.commits_last_12m,
    m.commits_prev_12m,
    m.growth_ratio,
    m.level_3m,
    m.peak_24m,
    m.peak_24m_month,
    m.months_since_peak_24m,
    m.level_to_peak_24m,
    m.active_months_last_12m,
    m.cv_last_12m,
    m.authors_last_12m,
    m.authors_prev_12m,
    m.releases_last_12m,
    m.months_since_activity
from marts.dim_repositories as r
left join ml.ml_repository_kind as k on k.repository_id = r.repository_id
left join ml.ml_tool_categories as c on c.repository_id = r.repository_id
left join ml.ml_tool_clusters as cl on cl.repository_id = r.repository_id
left join ml.ml_maturity as m on m.repository_id = r.repository_id
left join ml.ml_stage_rules as sr on sr.stage_rule = m.stage_rule
