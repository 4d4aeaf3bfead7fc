select * from marts.fct_languages
