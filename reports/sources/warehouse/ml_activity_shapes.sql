select * from ml.ml_activity_shapes
