select * from marts.fct_organisation_domains
