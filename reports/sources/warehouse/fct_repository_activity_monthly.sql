select * from marts.fct_repository_activity_monthly
