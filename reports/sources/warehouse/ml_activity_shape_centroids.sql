select * from ml.ml_activity_shape_centroids
