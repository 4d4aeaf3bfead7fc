select * from ml.ml_cluster_terms
