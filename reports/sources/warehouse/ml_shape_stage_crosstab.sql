select * from ml.ml_shape_stage_crosstab
