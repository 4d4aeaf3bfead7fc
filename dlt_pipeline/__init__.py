"""The load stage: GitHub (dlt REST source with record and replay) and git histories into the
warehouse's raw datasets. Importing it changes nothing (see `mlops_atlas.environment`)."""
