-- GitHub search queries per loaded run: the total GitHub reported (total_count) against the
-- items it returned. No staging model covers raw_github.search_queries yet, so this reads the
-- loaded table; swap it for a staging model when one exists.
select
    run_id,
    query,
    search_topic,
    total_count,
    items as items_returned,
    pages,
    incomplete_results,
    recorded_at::timestamp as recorded_at
from raw_github.search_queries
