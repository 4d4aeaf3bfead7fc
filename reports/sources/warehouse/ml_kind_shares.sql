select * from ml.ml_kind_shares
