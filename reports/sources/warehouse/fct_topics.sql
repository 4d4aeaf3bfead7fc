select * from marts.fct_topics
