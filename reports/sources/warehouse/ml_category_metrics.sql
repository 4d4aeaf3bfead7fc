select * from ml.ml_category_metrics
