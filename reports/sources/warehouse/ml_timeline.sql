select * from ml.ml_timeline
