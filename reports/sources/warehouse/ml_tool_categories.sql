select * from ml.ml_tool_categories
