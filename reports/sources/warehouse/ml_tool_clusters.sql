select * from ml.ml_tool_clusters
