select * from ml.ml_category_curve_fitted
