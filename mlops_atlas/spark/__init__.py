"""The Spark engine: the same dbt project built on a Spark session over a lake folder.

`build.py` is the one composition (register the lake's raw tables, `dbt build` of the SQL models
and their tests, the ML models run as plain Python on the marts, their tests), run in a child
process by `mlops_atlas.pipeline` so the JVM it starts ends with it.
"""
