"""`python -m dlt_pipeline ...`: the same commands as `mlops-atlas`."""

from dlt_pipeline.cli import app

app(prog_name="python -m dlt_pipeline")
