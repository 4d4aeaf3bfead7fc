select * from ml.ml_backtest
