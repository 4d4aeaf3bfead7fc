select * from ml.ml_topics
