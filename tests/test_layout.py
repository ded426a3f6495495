"""The storage boundary holds: no module of digest outside digest/storage/ runs SQL.

Looks, in every module's source, for the calls that run SQL on a DB-API connection
(execute, executemany, executescript) and for string literals that open with an SQL
statement; each finding is reported as file:line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

DIGEST = Path(__file__).resolve().parent.parent / "digest"
SQL_CALLS = {"execute", "executemany", "executescript"}
# An SQL statement: a keyword that opens one, followed by what such a statement holds.
SQL_STATEMENT = re.compile(
    r"^\s*(?:SELECT\s.+\sFROM\s|INSERT\s+(?:OR\s+\w+\s+)?INTO\s|UPDATE\s+\w+\s+SET\s|"
    r"DELETE\s+FROM\s|(?:CREATE|ALTER|DROP)\s+(?:TABLE|INDEX)\s|PRAGMA\s|"
    r"BEGIN(?:\s+(?:IMMEDIATE|EXCLUSIVE))?\s*$|COMMIT\s*$|ROLLBACK\s*$)",
    re.IGNORECASE | re.DOTALL)


def sql_sites(source: str) -> list[tuple[int, str]]:
    """(line, what) of the SQL calls and SQL string literals in a module's source, one a line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_CALLS):
            found.append((node.lineno, f".{node.func.attr}("))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if SQL_STATEMENT.match(node.value):
                found.append((node.lineno, repr(node.value[:40])))
        elif isinstance(node, ast.JoinedStr):  # an f-string: its literal parts, joined
            text = "".join(v.value for v in node.values
                           if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if SQL_STATEMENT.match(text):
                found.append((node.lineno, repr(text[:40])))
    return sorted(dict(sorted(found, reverse=True)).items())  # one finding a line


def test_sql_runs_only_inside_storage() -> None:
    outside = [p for p in sorted(DIGEST.rglob("*.py")) if "storage" not in p.relative_to(DIGEST).parts]
    assert len(outside) > 10
    findings = [f"{path.relative_to(DIGEST.parent)}:{line}: {what}"
                for path in outside for line, what in sql_sites(path.read_text(encoding="utf-8"))]
    assert not findings, "SQL outside digest/storage/:\n" + "\n".join(findings)


def test_the_check_finds_sql_calls_and_statements() -> None:
    source = '''
db.execute("SELECT 1")
conn.executemany(sql, rows)
cur.executescript(script)
QUERY = "SELECT id, title FROM stories WHERE id = ?"
INSERT = "insert or ignore into files values (?, ?)"
DDL = "CREATE TABLE t (x)"
f"UPDATE outbox SET state = {state} WHERE id = ?"
"BEGIN IMMEDIATE"
'''
    assert [line for line, _ in sql_sites(source)] == [2, 3, 4, 5, 6, 7, 8, 9]


def test_the_check_leaves_prose_alone() -> None:
    source = '''
"""Select the stories that matter, then update the reader."""
help = "delete the outbox's dropped messages from the listing"
words = ["select", "update", "from"]
smtp.execute_command(b"DATA")
'''
    assert sql_sites(source) == []


def test_storage_itself_is_seen_running_sql() -> None:
    """The check reads the storage package like any other: it would see its SQL."""
    source = (DIGEST / "storage" / "ledger.py").read_text(encoding="utf-8")
    assert len(sql_sites(source)) > 20
