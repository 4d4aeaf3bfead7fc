select * from ml.ml_maturity_weights
