"""Calendar dates in SQL, the same on SQLite and PostgreSQL.

Moments are stored in UTC; people count days on the Beijing calendar (DESIGN §3). The two
databases spell date arithmetic differently, so each expression here compiles to its own
dialect's SQL. Shanghai has kept UTC+8 without daylight saving since 1991, so SQLite's fixed
'+8 hours' and PostgreSQL's 'Asia/Shanghai' agree for any date the platform stores. The
classes are named in lower case, like the SQL functions they stand for.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

ZONE = "Asia/Shanghai"


class local_day(FunctionElement[int]):
    """Days since 1970-01-01 of the Beijing date of a UTC moment: differences are calendar days."""

    type = Integer()
    inherit_cache = True
    name = "local_day"


class local_ymd(FunctionElement[int]):
    """The Beijing date of a UTC moment as the integer YYYYMMDD (compares like the date)."""

    type = Integer()
    inherit_cache = True
    name = "local_ymd"


class date_ymd(FunctionElement[int]):
    """A DATE column as the integer YYYYMMDD."""

    type = Integer()
    inherit_cache = True
    name = "date_ymd"


class local_year(FunctionElement[int]):
    """The Beijing calendar year of a UTC moment."""

    type = Integer()
    inherit_cache = True
    name = "local_year"


def _arg(element: FunctionElement[Any], compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(local_day, "sqlite")
def _local_day_sqlite(element: local_day, compiler: Any, **kw: Any) -> str:
    # julianday of two midnights differs by a whole number: the cast is exact
    return f"CAST(julianday(date({_arg(element, compiler, **kw)}, '+8 hours')) - julianday('1970-01-01') AS INTEGER)"


@compiles(local_day, "postgresql")
def _local_day_pg(element: local_day, compiler: Any, **kw: Any) -> str:
    return f"(CAST(({_arg(element, compiler, **kw)}) AT TIME ZONE '{ZONE}' AS DATE) - DATE '1970-01-01')"


@compiles(local_ymd, "sqlite")
def _local_ymd_sqlite(element: local_ymd, compiler: Any, **kw: Any) -> str:
    return f"CAST(strftime('%Y%m%d', {_arg(element, compiler, **kw)}, '+8 hours') AS INTEGER)"


@compiles(local_ymd, "postgresql")
def _local_ymd_pg(element: local_ymd, compiler: Any, **kw: Any) -> str:
    return f"CAST(to_char(({_arg(element, compiler, **kw)}) AT TIME ZONE '{ZONE}', 'YYYYMMDD') AS INTEGER)"


@compiles(date_ymd, "sqlite")
def _date_ymd_sqlite(element: date_ymd, compiler: Any, **kw: Any) -> str:
    return f"CAST(strftime('%Y%m%d', {_arg(element, compiler, **kw)}) AS INTEGER)"


@compiles(date_ymd, "postgresql")
def _date_ymd_pg(element: date_ymd, compiler: Any, **kw: Any) -> str:
    return f"CAST(to_char({_arg(element, compiler, **kw)}, 'YYYYMMDD') AS INTEGER)"


@compiles(local_year, "sqlite")
def _local_year_sqlite(element: local_year, compiler: Any, **kw: Any) -> str:
    return f"CAST(strftime('%Y', {_arg(element, compiler, **kw)}, '+8 hours') AS INTEGER)"


@compiles(local_year, "postgresql")
def _local_year_pg(element: local_year, compiler: Any, **kw: Any) -> str:
    return f"CAST(EXTRACT(YEAR FROM ({_arg(element, compiler, **kw)}) AT TIME ZONE '{ZONE}') AS INTEGER)"
