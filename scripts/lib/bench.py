"""./scripts/bench: how the portal's cost grows with data (docs/performance.md).

For each scale it makes a fresh PostgreSQL database from a migrated template, fills it with
``generate_load_data --scale N``, starts the portal in production mode under gunicorn (loopback only)
and one Celery worker on Redis, and measures every key page from this separate process:
SQL queries per request (counted by the server, header X-Bench-Queries), median and p95 latency of
sequential requests, and throughput with N concurrent clients for a bounded time. Two baselines
run in the same server: a constant string and a plain 25-row table made with one query.
Then the Celery figures: routing one request (service timed in-process), requests routed per
second by one worker, and the end-to-end time from a city contact's accept to "matching".

Prints one table and writes JSON (bench-results/). Needs PostgreSQL and Redis (see --help).
"""

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import datetime
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
BIN = Path(PY).parent
TEMPLATE_DB = "koopstadt_bench_template"
PASSWORD = "koopstadt-bench-" + "load"

# name, account, path (filled in from the prepared subjects), what it is
PAGES = [
    ("baseline: constant", None, "/bench/constant/"),
    ("baseline: 25 rows, 1 query", None, "/bench/rows/"),
    ("triage inbox", "coordinator", "/triage/"),
    (
        "triage inbox, filtered",
        "coordinator",
        "/triage/?status=all&requester_city={city}&topic={topic}&sort=newest",
    ),
    ("Meine Anfragen", "staff", "/anfragen/"),
    ("request detail, long timeline", "coordinator", "/anfragen/{detail_request}/"),
    ("expert search", "coordinator", "/expertenpool/?q={topic_name}&topic={topic}"),
    ("knowledge base search", "staff", "/wissen/?q={search_word}"),
    ("finance queue", "finance", "/finanzen/"),
    ("dashboard", "coordinator", "/statistik/"),
    ("city matrix", "coordinator", "/statistik/staedte/"),
    ("CSV export of a year", "coordinator", "/statistik/export/requests_by_city.csv?year={export_year}"),
]


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


# --- services ------------------------------------------------------------------------------------


def db_url(base: str, name: str) -> str:
    return f"{base.rstrip('/')}/{name}"


def admin_connection(base: str) -> psycopg.Connection:
    return psycopg.connect(db_url(base, "postgres"), autocommit=True)


def database_exists(base: str, name: str) -> bool:
    with admin_connection(base) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def drop_database(base: str, name: str) -> None:
    with admin_connection(base) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args: list[str], env: dict[str, str], *, capture: bool = False) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, text=True, capture_output=capture, check=False)
    if result.returncode != 0:
        if capture:
            sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"failed ({result.returncode}): {' '.join(args)}")
    return result.stdout if capture else ""


def base_env(options: argparse.Namespace, database: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "DATABASE_"))}
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=options.secret_key,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=db_url(options.database_url, database),
        CELERY_BROKER_URL=options.redis_url,
        CELERY_TASK_ALWAYS_EAGER="0",
        # One worker consumes the default queue and does all the work (production separates queues).
        CELERY_SEPARATE_QUEUES="0",
        CACHE_URL=options.cache_url,
        KOOPSTADT_BENCH="1",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        STATIC_ROOT=str(ROOT / "var" / "bench" / "static"),
        MEDIA_ROOT=str(ROOT / "var" / "bench" / "media"),
        LOG_LEVEL="WARNING",
        # No worker recycling in the middle of a measurement (production restarts every 2,000 requests).
        GUNICORN_MAX_REQUESTS="0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def make_database(options: argparse.Namespace, scale: float) -> str:
    name = "koopstadt_bench_s" + str(scale).replace(".", "_")
    if options.keep_data and database_exists(options.database_url, name):
        say(f"scale {scale}: reusing database {name} (--keep-data)")
        return name
    if not options.template_ready:
        say("migrating a template database")
        drop_database(options.database_url, TEMPLATE_DB)
        with admin_connection(options.database_url) as conn:
            conn.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
        run([PY, "manage.py", "migrate", "-v", "0"], base_env(options, TEMPLATE_DB))
        options.template_ready = True
    drop_database(options.database_url, name)
    with admin_connection(options.database_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"')
    say(f"scale {scale}: generating load data in {name}")
    started = time.perf_counter()
    run([PY, "manage.py", "generate_load_data", "--scale", str(scale)], base_env(options, name))
    say(f"scale {scale}: load data in {time.perf_counter() - started:.1f} s")
    with psycopg.connect(db_url(options.database_url, name), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return name


class Processes:
    """gunicorn and the Celery worker for one scale; stopped on exit whatever happens."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        handle = log.open("w")
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.procs.clear()


# --- HTTP client ---------------------------------------------------------------------------------


class Client:
    """One keep-alive connection with a cookie jar, speaking to gunicorn as the TLS proxy would."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.cookies = dict(cookies or {})
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, bytes]:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Accept-Language": "de",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
            headers["Referer"] = f"https://127.0.0.1:{self.port}{path}"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response.status, dict(response.getheaders()), payload

    def csrf(self) -> str:
        for key, value in self.cookies.items():
            if key.endswith("csrftoken"):
                return value
        raise RuntimeError("no CSRF cookie")


def log_in(port: int, email: str) -> dict[str, str]:
    client = Client(port)
    status, _, page = client.request("GET", "/konto/anmelden/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert status == 200 and token, f"log-in page: {status}"
    status, _, _ = client.request(
        "POST",
        "/konto/anmelden/",
        {"csrfmiddlewaretoken": token.group(1).decode(), "username": email, "password": PASSWORD},
    )
    if status != 302:
        raise SystemExit(f"log-in of {email} failed ({status})")
    return client.cookies


def wait_for_http(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn stopped; see var/bench/gunicorn.log")
        try:
            status, _, _ = Client(port).request("GET", "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_page(port: int, cookies: dict[str, str] | None, path: str, options: argparse.Namespace) -> dict:
    client = Client(port, cookies)
    queries: list[int] = []
    latencies: list[float] = []
    sizes = set()
    for i in range(options.warmup + options.samples):
        started = time.perf_counter()
        status, headers, body = client.request("GET", path)
        elapsed = time.perf_counter() - started
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}")
        if i >= options.warmup:
            latencies.append(elapsed)
            queries.append(int(headers.get("X-Bench-Queries", "-1")))
            sizes.add(len(body))

    done = [0]
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + options.duration

    def load() -> None:
        own = Client(port, cookies)
        count = failed = 0
        while time.perf_counter() < deadline:
            status, _, _ = own.request("GET", path)
            if status == 200:
                count += 1
            else:
                failed += 1
        with lock:
            done[0] += count
            errors[0] += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=load) for _ in range(options.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "queries": statistics.median(queries),
        "queries_min": min(queries),
        "queries_max": max(queries),
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "throughput_rps": done[0] / elapsed,
        "errors": errors[0],
        "bytes": max(sizes),
    }


# --- one scale -----------------------------------------------------------------------------------


def bench_scale(options: argparse.Namespace, scale: float) -> dict:
    database = make_database(options, scale)
    env = base_env(options, database)
    work = ROOT / "var" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    broker = redis.Redis.from_url(options.redis_url)
    broker.flushdb()
    redis.Redis.from_url(options.cache_url).flushdb()

    say(
        f"scale {scale}: preparing the subjects and {options.route_sample + options.throughput_sample + options.e2e_sample} submitted requests"
    )
    subjects_file = work / f"subjects-{scale}.json"
    prepare_env = dict(env, CELERY_TASK_ALWAYS_EAGER="1")
    run(
        [
            PY,
            "scripts/lib/bench_django.py",
            "prepare",
            str(subjects_file),
            PASSWORD,
            str(options.route_sample),
            str(options.throughput_sample),
            str(options.e2e_sample),
        ],
        prepare_env,
        capture=True,
    )
    subjects = json.loads(subjects_file.read_text())
    result: dict = {
        "scale": scale,
        "requests": subjects["requests_total"],
        "departments": subjects["departments_total"],
        "pages": {},
    }

    processes = Processes()
    try:
        gunicorn = processes.start(
            [
                str(BIN / "gunicorn"),
                "-c",
                "koopstadt/gunicorn.conf.py",
                "koopstadt.wsgi",
                "--bind",
                f"127.0.0.1:{options.port}",
                "--workers",
                str(options.web_workers),
                "--access-logfile",
                "-" if options.access_log else "/dev/null",
            ],
            env,
            work / f"gunicorn-{scale}.log",
        )
        wait_for_http(options.port, gunicorn)
        sessions = {role: log_in(options.port, email) for role, email in subjects["accounts"].items()}

        for name, account, template in PAGES:
            path = template.format(
                **{
                    k: urllib.parse.quote(str(v))
                    for k, v in subjects.items()
                    if not isinstance(v, (list, dict))
                }
            )
            figures = measure_page(options.port, sessions.get(account) if account else None, path, options)
            figures["path"] = path
            result["pages"][name] = figures
            say(
                f"scale {scale}: {name:32} q={figures['queries']:>4} median={figures['median_ms']:7.1f} ms "
                f"p95={figures['p95_ms']:7.1f} ms {figures['throughput_rps']:7.1f}/s"
            )

        # Celery: routing in-process first (the worker is not running yet), then one worker.
        route_ids = work / "route-ids.json"
        route_ids.write_text(json.dumps(subjects["route_sample"]))
        result["routing"] = json.loads(
            run([PY, "scripts/lib/bench_django.py", "route-timing", str(route_ids)], env, capture=True)
        )
        worker = processes.start(
            [
                str(BIN / "celery"),
                "-A",
                "koopstadt",
                "worker",
                "--concurrency",
                "1",
                "--pool",
                "prefork",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname",
                f"bench-{os.getpid()}@%h",
            ],
            env,
            work / f"worker-{scale}.log",
        )
        wait_for_queue(broker, worker)
        throughput_ids = work / "throughput-ids.json"
        throughput_ids.write_text(json.dumps(subjects["throughput_sample"]))
        result["worker"] = json.loads(
            run(
                [PY, "scripts/lib/bench_django.py", "route-throughput", str(throughput_ids)],
                env,
                capture=True,
            )
        )
        wait_for_queue(broker, worker)
        result["accept_to_matching"] = accept_to_matching(
            options, sessions["contact"], subjects["e2e_sample"], database, broker, worker
        )
        say(
            f"scale {scale}: routing one request median={result['routing']['median_ms']:.1f} ms "
            f"p95={result['routing']['p95_ms']:.1f} ms; one worker {result['worker']['per_second']:.1f} requests/s; "
            f"accept→matching median={result['accept_to_matching']['median_ms']:.0f} ms"
        )
    finally:
        processes.stop()
    if not options.keep_data:
        drop_database(options.database_url, database)
    return result


def wait_for_queue(broker: redis.Redis, worker: subprocess.Popen, timeout: float = 300) -> None:
    """Until the worker answers and the default queue is empty (earlier notifications are sent)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if worker.poll() is not None:
            raise SystemExit("the Celery worker stopped; see var/bench/worker-*.log")
        if broker.llen("celery") == 0 and broker.exists("_kombu.binding.celery"):
            time.sleep(0.5)
            if broker.llen("celery") == 0:
                return
        time.sleep(0.2)
    raise SystemExit("the Celery queue did not drain")


def accept_to_matching(
    options: argparse.Namespace,
    cookies: dict,
    ids: list[int],
    database: str,
    broker: redis.Redis,
    worker: subprocess.Popen,
) -> dict:
    """A city contact accepts in the browser's way (POST); time until the request is in matching."""
    client = Client(options.port, cookies)
    seconds = []
    with psycopg.connect(db_url(options.database_url, database), autocommit=True) as conn:
        for request_id in ids:
            started = time.perf_counter()
            status, _, _ = client.request(
                "POST",
                f"/anfragen/{request_id}/schritt/accept/",
                {
                    "csrfmiddlewaretoken": client.csrf(),
                    "accept-expected_status": "submitted",
                    "accept-comment": "",
                },
            )
            if status != 302:
                raise SystemExit(f"accept of request {request_id}: HTTP {status}")
            while True:
                row = conn.execute(
                    "SELECT status FROM exchanges_exchangerequest WHERE id = %s", [request_id]
                ).fetchone()
                if row[0] == "matching":
                    break
                if time.perf_counter() - started > 60:
                    raise SystemExit(f"request {request_id} was not routed within 60 s (status {row[0]})")
                time.sleep(0.002)
            seconds.append(time.perf_counter() - started)
            wait_for_queue(broker, worker)
    return {
        "count": len(ids),
        "median_ms": statistics.median(seconds) * 1000,
        "p95_ms": percentile(seconds, 0.95) * 1000,
    }


# --- report --------------------------------------------------------------------------------------


def table(results: list[dict]) -> str:
    scales = [r["scale"] for r in results]
    lines = []
    head = (
        "| page | "
        + " | ".join(f"queries @{s}" for s in scales)
        + " | "
        + " | ".join(f"median / p95 ms @{s}" for s in scales)
        + " | "
        + " | ".join(f"req/s @{s}" for s in scales)
        + " |"
    )
    lines.append(head)
    lines.append("|" + "---|" * (1 + 3 * len(scales)))
    for name, _, _ in PAGES:
        row = [name]
        row += [f"{r['pages'][name]['queries']:g}" for r in results]
        row += [f"{r['pages'][name]['median_ms']:.1f} / {r['pages'][name]['p95_ms']:.1f}" for r in results]
        row += [f"{r['pages'][name]['throughput_rps']:.0f}" for r in results]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    lines.append("| Celery | " + " | ".join(f"@{s}" for s in scales) + " |")
    lines.append("|" + "---|" * (1 + len(scales)))
    lines.append(
        "| routing one request, median / p95 ms (queries) | "
        + " | ".join(
            f"{r['routing']['median_ms']:.1f} / {r['routing']['p95_ms']:.1f} ({r['routing']['queries_median']:g})"
            for r in results
        )
        + " |"
    )
    lines.append(
        "| requests routed per second, one worker | "
        + " | ".join(f"{r['worker']['per_second']:.1f}" for r in results)
        + " |"
    )
    lines.append(
        "| accept → matching, median / p95 ms | "
        + " | ".join(
            f"{r['accept_to_matching']['median_ms']:.0f} / {r['accept_to_matching']['p95_ms']:.0f}"
            for r in results
        )
        + " |"
    )
    lines.append(
        "| requests / departments in the database | "
        + " | ".join(f"{r['requests']:,} / {r['departments']:,}" for r in results)
        + " |"
    )
    return "\n".join(lines)


def targets(results: list[dict]) -> list[str]:
    """The issue's targets, checked on this run's figures (ratios within one run)."""
    small, large = results[0], results[-1]
    out = []
    for name, account, _ in PAGES:
        if account is None:
            continue
        counts = {r["pages"][name]["queries"] for r in results}
        worst = max(counts)
        ok = len(counts) == 1 and worst <= 15
        out.append(f"{'ok ' if ok else 'MISS'} {name}: queries {sorted(counts)} (same at every scale, ≤ 15)")
        ratio = large["pages"][name]["median_ms"] / small["pages"][name]["median_ms"]
        out.append(
            f"{'ok ' if ratio <= 1.5 else 'MISS'} {name}: median @{large['scale']} / @{small['scale']} = {ratio:.2f} (≤ 1.5)"
        )
    base_rows = large["pages"]["baseline: 25 rows, 1 query"]
    triage = large["pages"]["triage inbox"]["throughput_rps"] / base_rows["throughput_rps"]
    out.append(
        f"{'ok ' if triage >= 0.5 else 'MISS'} triage throughput = {triage:.0%} of the 25-row baseline @{large['scale']} (≥ 50 %)"
    )
    dash = large["pages"]["dashboard"]["median_ms"] / base_rows["median_ms"]
    out.append(
        f"{'ok ' if dash <= 4 else 'MISS'} dashboard median = {dash:.1f} × the 25-row baseline @{large['scale']} (≤ 4)"
    )
    routing = large["routing"]["median_ms"] / small["routing"]["median_ms"]
    out.append(
        f"{'ok ' if routing <= 2 else 'MISS'} routing one request @{large['scale']} / @{small['scale']} = {routing:.2f} (≤ 2)"
    )
    per_second = large["worker"]["per_second"]
    out.append(
        f"{'ok ' if per_second >= 20 else 'MISS'} one worker routes {per_second:.1f} requests/s @{large['scale']} (≥ 20)"
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scales", default="0.1,1,5", help="comma-separated load-data scales (default 0.1,1,5)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="scales 0.1 and 0.5, fewer samples: under 10 minutes"
    )
    parser.add_argument("--samples", type=int, default=40, help="sequential requests per page for median/p95")
    parser.add_argument(
        "--warmup", type=int, default=None, help="unmeasured requests per page (default: 2 per web worker)"
    )
    parser.add_argument("--duration", type=float, default=8.0, help="seconds of concurrent load per page")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 0)) or None)
    parser.add_argument("--route-sample", type=int, default=40)
    parser.add_argument("--throughput-sample", type=int, default=200)
    parser.add_argument("--e2e-sample", type=int, default=10)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (no database name); databases koopstadt_bench_* are made and dropped",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        help="broker (this Redis database is emptied)",
    )
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/15"),
        help="cache (this Redis database is emptied)",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--keep-data", action="store_true", help="keep the databases and reuse them next time"
    )
    parser.add_argument("--access-log", action="store_true", help="gunicorn access log into var/bench/")
    parser.add_argument(
        "--json", type=Path, help="where to write the figures (default bench-results/bench-<time>.json)"
    )
    options = parser.parse_args()
    if options.quick:
        options.scales = "0.1,0.5"
        options.samples, options.duration = 20, 3.0
        options.route_sample, options.throughput_sample, options.e2e_sample = 20, 60, 5
    if options.web_workers is None:
        options.web_workers = 2 * (os.cpu_count() or 1) + 1
    if options.warmup is None:
        options.warmup = 2 * options.web_workers
    options.secret_key = secrets.token_urlsafe(50)
    options.template_ready = False
    scales = [float(s) for s in options.scales.split(",")]

    env = base_env(options, TEMPLATE_DB)
    say("collectstatic (production storage)")
    run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)

    started = datetime.now().astimezone()
    results = [bench_scale(options, scale) for scale in scales]
    machine = {
        "date": started.strftime("%d.%m.%Y %H:%M"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "web_workers": options.web_workers,
        "concurrency": options.concurrency,
        "samples": options.samples,
        "duration_s": options.duration,
        "minutes": round((datetime.now().astimezone() - started).total_seconds() / 60, 1),
    }
    with psycopg.connect(db_url(options.database_url, "postgres")) as conn:
        machine["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    report = table(results)
    checks = targets(results) if len(results) > 1 else []
    print()
    print(
        f"koopstadt benchmark, {machine['date']}, {machine['cpus']} CPUs, PostgreSQL {machine['postgresql']}, "
        f"gunicorn {options.web_workers} workers, {options.concurrency} concurrent clients, {machine['minutes']} min"
    )
    print(report)
    print()
    print("\n".join(checks))
    out = options.json or ROOT / "bench-results" / f"bench-{started:%Y%m%d-%H%M}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": machine, "results": results, "targets": checks}, indent=1))
    print(f"\nJSON: {out}")


if __name__ == "__main__":
    main()
