select * from marts.dim_data_sources
