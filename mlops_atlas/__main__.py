"""`python -m mlops_atlas ...`: the same commands as `mlops-atlas`."""

from mlops_atlas.cli import main

main(prog_name="python -m mlops_atlas")
