select * from marts.fct_licenses
