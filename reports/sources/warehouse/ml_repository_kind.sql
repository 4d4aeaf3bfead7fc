select * from ml.ml_repository_kind
