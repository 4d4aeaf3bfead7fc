select * from ml.ml_label_agreement
