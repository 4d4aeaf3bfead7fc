select * from marts.fct_topic_cooccurrence
