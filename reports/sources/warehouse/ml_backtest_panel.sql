select * from ml.ml_backtest_panel
