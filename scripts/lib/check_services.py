"""Say whether a service the test suite wants is reachable: check_services.py database|redis URL."""

import sys
from urllib.parse import urlsplit


def database(url: str) -> None:
    """Reach the server through its maintenance database and create the named database if missing.

    The test run creates its own ``test_<name>`` database; the named one is needed by management
    commands such as ``makemigrations --check`` that look at the migration history.
    """
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "koopstadt"
    with psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        connect_timeout=3,
        autocommit=True,
    ) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def redis(url: str) -> None:
    import redis as redis_client

    redis_client.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()


if __name__ == "__main__":
    kind, url = sys.argv[1], sys.argv[2]
    try:
        {"database": database, "redis": redis}[kind](url)
    except Exception as exc:
        print(f"{kind} at {url} is not reachable: {exc}", file=sys.stderr)
        sys.exit(1)
