"""Stand-in for dbt's `modules` context (re, datetime), for sqlfluff's jinja templater."""

import datetime
import re

__all__ = ["datetime", "re"]
