-- One row per scored repository and maturity signal: the signal's raw value (from
-- fct_repository_signals, the column ml_maturity_weights names), its normalised value, weight
-- and contribution (from ml_maturity's normalised__<signal> and contribution__<signal>
-- columns, looked up by name through each row as JSON). Made once in each DuckDB session of
-- the renderer, so a repository page reads its rows rather than turning two rows into JSON.
with m as (
    select t.repository_id, t.full_name, to_json(t) as j
    from ml.ml_maturity as t
),
s as (
    select t.repository_id, to_json(t) as j
    from marts.fct_repository_signals as t
)
select
    m.full_name,
    w.signal,
    w.source_column,
    case s.j ->> w.source_column
        when 'true' then 1.0
        when 'false' then 0.0
        else (s.j ->> w.source_column)::double
    end as raw_value,
    (m.j ->> ('normalised__' || w.signal))::double as normalised,
    w.weight,
    (m.j ->> ('contribution__' || w.signal))::double as contribution
from ml.ml_maturity_weights as w
cross join m
left join s on s.repository_id = m.repository_id
