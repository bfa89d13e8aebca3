"""CPU seconds used so far by a process tree or by a database's PostgreSQL backends.

The load test reads these before and after a run, so that its figures say what one
request cost in CPU on each side (web processes, load generator, database). Unlike
requests per second, that cost does not depend on what else the machine was doing,
and it tells how many cores a city needs for a given rate.

Linux only: it reads ``/proc``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) may hold spaces; the fields after it are plain.
    return text[text.rindex(")") + 2 :].split()


def process_seconds(pid: int, *, reaped_children: bool = False) -> float:
    """User plus system CPU of ``pid``; with ``reaped_children``, of its ended children too."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    # After the name: state ppid … utime(14) stime(15) cutime(16) cstime(17), 1-based.
    utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
    ticks = utime + stime + (cutime + cstime if reaped_children else 0)
    return ticks / _TICKS_PER_SECOND


def children_of(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return children


def tree_seconds(pid: int) -> float:
    """CPU of a server and its workers, including workers that were replaced and reaped."""
    return process_seconds(pid, reaped_children=True) + sum(
        process_seconds(child) for child in children_of(pid)
    )


def database_seconds(url: str, database: str) -> float:
    """CPU of the PostgreSQL backends now connected to ``database`` (same machine only)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        pids = [
            row[0]
            for row in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [database],
            )
        ]
    return sum(process_seconds(pid) for pid in pids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=int, help="a server's process id")
    parser.add_argument("--database", help="database name, with --url")
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    options = parser.parse_args()
    if options.tree is not None:
        print(f"{tree_seconds(options.tree):.2f}")
    else:
        print(f"{database_seconds(options.url, options.database):.2f}")


if __name__ == "__main__":
    main()
