"""Stand-in for dbt's `adapter` object, for sqlfluff's jinja templater.

`adapter.dispatch(name)` returns a function that renders the macro as a plain SQL function call
(`month_series(a, b)`): sqlfluff only needs SQL it can parse, and the engine bodies live in
dbt_project/macros/portable.sql alone.
"""


def dispatch(macro_name, macro_namespace=None):
    def call(*args, **kwargs):
        return f"{macro_name}({', '.join(str(a) for a in args)})"

    return call
