select * from ml.ml_backtest_summary
