"""`python -m mlops_atlas ...`: the same commands as `mlops-atlas`."""

from mlops_atlas.cli import main

if __name__ == "__main__":  # not when a worker process imports it
    main(prog_name="python -m mlops_atlas")
