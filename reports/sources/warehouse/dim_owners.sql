select * from marts.dim_owners
