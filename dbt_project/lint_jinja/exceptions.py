"""Stand-in for dbt's `exceptions` context, for sqlfluff's jinja templater."""


def raise_compiler_error(message):
    raise ValueError(message)
