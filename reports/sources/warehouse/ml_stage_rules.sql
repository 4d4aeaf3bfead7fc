select * from ml.ml_stage_rules
