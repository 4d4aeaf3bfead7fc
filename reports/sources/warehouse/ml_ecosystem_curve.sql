select * from ml.ml_ecosystem_curve
