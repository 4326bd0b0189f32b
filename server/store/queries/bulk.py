"""Set-based writes of many rows in one statement: each column goes as one array parameter, and
``unnest`` turns the arrays back into rows on the server (no statement per row, no thousands of
parameters). Column names come only from the table itself, so the f-strings below carry no outside text.

``update_changed`` writes only the rows whose values differ from what is stored (``IS DISTINCT FROM``, with
JSONB compared as values, not as text), so a caller may hand it every row it evaluated: an unchanged row is
neither written nor seen by triggers (the change feed), and the count says how many were.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

_DIALECT = postgresql.dialect()


def _arrays(table: Table, keys: list[str], rows: list[dict]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The rows as a FROM source, the expression of each key in it, and the parameters.

    Plain columns go as arrays (``unnest(CAST(:c0 AS type[]), ...) WITH ORDINALITY AS v(key, ..., ord)``);
    each JSONB column as one JSON array of all its values, joined back on the position
    (``jsonb_array_elements``): sending JSON inside a text array would make the driver escape every quote of
    every document in Python, which costs more than the whole evaluation."""
    params: dict[str, Any] = {}
    casts, plain, joins, exprs = [], [], [], {}
    for n, key in enumerate(keys):  # every key must be a table column (table.c[key] raises otherwise)
        column_type = table.c[key].type
        if isinstance(column_type, JSONB):
            params[f"c{n}"] = json.dumps([r[key] for r in rows])
            joins.append(f"JOIN jsonb_array_elements(CAST(:c{n} AS jsonb)) WITH ORDINALITY AS j{n}(value, ord) ")
            joins[-1] += f"ON j{n}.ord = v.ord"
            exprs[key] = f"NULLIF(j{n}.value, 'null'::jsonb)"
        else:
            params[f"c{n}"] = [r[key] for r in rows]
            casts.append(f"CAST(:c{n} AS {column_type.compile(dialect=_DIALECT)}[])")
            plain.append(key)
            exprs[key] = f"v.{key}"
    source = f"unnest({', '.join(casts)}) WITH ORDINALITY AS v({', '.join(plain)}, ord) {' '.join(joins)}"
    return source, exprs, params


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """INSERT every row (dicts with the same keys) in one statement."""
    if not rows:
        return
    keys = list(rows[0])
    source, exprs, params = _arrays(table, keys, rows)
    values = ", ".join(exprs[k] for k in keys)
    sql = f"INSERT INTO {table.name} ({', '.join(keys)}) SELECT {values} FROM {source}"  # noqa: S608 - see above
    session.execute(text(sql), params)


def update_changed(session: Session, table: Table, rows: list[dict], *, ignore: tuple[str, ...] = ()) -> int:
    """UPDATE by ``id`` the rows whose values (other than ``ignore``, which are written along) differ from the
    stored ones; returns how many were written."""
    if not rows:
        return 0
    keys = ["id"] + [k for k in rows[0] if k != "id"]
    source, exprs, params = _arrays(table, keys, rows)
    compared = [k for k in keys[1:] if k not in ignore]
    sql = (
        f"UPDATE {table.name} t SET {', '.join(f'{k} = {exprs[k]}' for k in keys[1:])} FROM {source} "  # noqa: S608
        f"WHERE t.id = v.id AND ({', '.join(f't.{k}' for k in compared)}) "
        f"IS DISTINCT FROM ({', '.join(exprs[k] for k in compared)})"
    )
    result = session.execute(text(sql), params)
    return int(result.rowcount)  # type: ignore[attr-defined]  # a CursorResult: an UPDATE's count
