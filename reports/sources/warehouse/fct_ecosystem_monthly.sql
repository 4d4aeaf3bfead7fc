select * from marts.fct_ecosystem_monthly
