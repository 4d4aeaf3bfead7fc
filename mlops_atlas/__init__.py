"""MLOps Atlas: which open-source MLOps tools exist, what each does, and how mature it is.

The stages are top-level folders, in the order the data flows: `dlt_pipeline` (load),
`dbt_project` (transform), `ml` (learn, run inside `dbt build`), `reports` (the Evidence pages,
drawn by `mlops_atlas.render`). This package is the front door: `pipeline` composes the stages,
`cli` is the command line over it, `paths` and `environment` are the facts every stage shares.
Importing it changes nothing: no environment variable, file or network is touched.
"""

__version__ = "0.1.0"
