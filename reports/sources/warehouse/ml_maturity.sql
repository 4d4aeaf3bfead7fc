select * from ml.ml_maturity
