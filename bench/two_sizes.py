"""What the page benches at two sizes share (bench/pipeline.py, bench/matrix.py): the command
line (--sizes baseline,large, --requests, --database-url), a site per size built in a temporary
folder or on a PostgreSQL server, and the count of SQL statements each request sends."""

import argparse
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sqlalchemy import event

from bench.versus import NOT_QUERIES


@contextmanager
def sites(description: str, default_sizes: str, default_requests: int, name: str,
          site: Callable) -> Iterator[tuple[list, argparse.Namespace, list]]:
    """(the sites, one per size, from `site(size, server_url, tmp, counter)`; the arguments;
    the counter, whose [0] the engines' statements add to)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", default=default_sizes, help="baseline,large")
    parser.add_argument("--requests", type=int, default=default_requests,
                        help="timed requests per size and page")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="postgresql://... server (default: SQLite files)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if len(sizes) != 2:
        parser.error("--sizes takes two sizes: the baseline and the large one")
    counter = [0]  # statements sent by the request in flight; requests run one at a time
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp, ExitStack() as stack:
        yield ([stack.enter_context(site(n, args.database_url, Path(tmp), counter))
                for n in sizes], args, counter)


def count_statements(engine, counter: list) -> None:
    """Every statement `engine` sends, transaction control aside, adds one to counter[0]."""
    def count(conn, cursor, statement, *_):
        if not statement.lstrip().upper().startswith(NOT_QUERIES):
            counter[0] += 1
    event.listen(engine, "before_cursor_execute", count)
