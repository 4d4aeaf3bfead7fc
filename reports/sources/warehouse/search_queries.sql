select * from staging.stg_github__search_queries
