"""Stand-ins for dbt's cross-database macros (`dbt.concat`, ...), for sqlfluff's jinja templater.

sqlfluff lints dbt_project/models with the plain jinja templater (fast, no warehouse needed);
it exposes this module as `dbt` in the template context. Each function renders what
dbt-duckdb renders, closely enough to lint.
"""


def concat(fields):
    return "concat(" + ", ".join(fields) + ")"


def cast(field, type_):
    return f"cast({field} as {type_})"


def type_string():
    return "varchar"


def type_bigint():
    return "bigint"


def type_float():
    return "float"


def type_boolean():
    return "boolean"


def type_timestamp():
    return "timestamp"


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"


def datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def split_part(string_text, delimiter_text, part_number):
    return f"split_part({string_text}, {delimiter_text}, {part_number})"
