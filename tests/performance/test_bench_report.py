"""./scripts/bench's measuring loop and report (scripts/lib/bench.py), without servers.

The loop must interleave the scales (every page at every scale in each round, in a shuffled order),
so that a change of the machine's load falls on all of them alike; the report must print the ratios to
the in-server floor and the two page targets. The figures here are made up: nothing is timed.
"""

import argparse
import importlib.util
import random
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("koopstadt_bench_script", ROOT / "scripts/lib/bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeClient:
    """Answers at once and notes the order of the requests, across all scales."""

    def __init__(self, scale: float, log: list) -> None:
        self.scale, self.log = scale, log

    def request(self, method: str, path: str) -> tuple[int, dict, bytes]:
        self.log.append((self.scale, path))
        return 200, {"X-Bench-Queries": "3"}, b"<html>"


def _server(bench, scale: float, log: list):
    server = bench.Server(
        scale=scale,
        database=f"x_s{scale}",
        port=1,
        env={},
        subjects={
            "city": 1,
            "topic": 2,
            "detail_request": 3,
            "topic_name": "t",
            "search_word": "w",
            "export_year": 2025,
        },
        gunicorn=None,
    )
    server.clients = {
        account: FakeClient(scale, log) for account in (None, "coordinator", "staff", "finance")
    }
    return server


def test_every_round_requests_every_page_at_every_scale_in_a_shuffled_order(bench):
    log: list = []
    servers = [_server(bench, 0.1, log), _server(bench, 1.0, log)]
    options = argparse.Namespace(warmup=1, samples=3)

    figures = bench.measure_latency(options, servers, random.Random(3))

    pairs = 2 * len(bench.PAGES)
    assert len(log) == 4 * pairs
    rounds = [log[i : i + pairs] for i in range(0, len(log), pairs)]
    assert all(sorted(r, key=repr) == sorted(rounds[0], key=repr) for r in rounds)  # all pairs, each round
    # Interleaved: within a round the scales alternate, not one scale's pages after the other's.
    switches = sum(1 for a, b in zip(rounds[0], rounds[0][1:], strict=False) if a[0] != b[0])
    assert switches > 2
    assert len({tuple(r) for r in rounds}) == 4  # a new order in each round
    assert set(figures) == {(s, name) for s in (0.1, 1.0) for name, _, _ in bench.PAGES}
    assert figures[(1.0, bench.TRIAGE)]["queries"] == 3


def _results(bench, triage_ms: float, detail_ms: float):
    pages = {
        name: {"queries": 5, "median_ms": 10.0, "p95_ms": 12.0, "throughput_rps": 50.0}
        for name, _, _ in bench.PAGES
    }
    results = []
    for scale, factor in ((0.1, 1.0), (1.0, 1.1)):
        scaled = {name: dict(values) for name, values in pages.items()}
        scaled[bench.FLOOR]["median_ms"] = 5.0
        scaled[bench.TRIAGE]["median_ms"] = triage_ms * factor
        scaled[bench.DETAIL]["median_ms"] = detail_ms * factor
        scaled[bench.FLOOR]["p25_ms"] = 4.0
        scaled[bench.TRIAGE]["p25_ms"] = 12.0 * factor
        scaled[bench.DETAIL]["p25_ms"] = 20.0 * factor
        results.append(
            {
                "scale": scale,
                "requests": 100,
                "departments": 10,
                "pages": scaled,
                "routing": {"median_ms": 20.0, "p95_ms": 30.0, "queries_median": 20},
                "worker": {"per_second": 25.0},
                "accept_to_matching": {"median_ms": 100.0, "p95_ms": 120.0},
            }
        )
    return results


def test_the_report_prints_the_ratios_to_the_floor_and_the_two_page_targets(bench):
    results = _results(bench, triage_ms=18.0, detail_ms=35.0)

    report = bench.table(results)
    targets = bench.page_targets(results)

    assert "× floor @0.1" in report and "× floor @1" in report
    triage_row = next(line for line in report.splitlines() if line.startswith(f"| {bench.TRIAGE} |"))
    assert "| 3.60 | 3.96 |" in triage_row  # 18 / 5 and 19.8 / 5
    assert targets == [
        "met     triage inbox: median 3.6 × @0.1, 4.0 × @1 the floor's (target ≤ 4 ×); fastest quarter 3.0 ×, 3.3 ×",
        "NOT MET request detail, long timeline: median 7.0 × @0.1, 7.7 × @1 the floor's (target ≤ 6 ×); "
        "fastest quarter 5.0 ×, 5.5 ×",
    ]


def test_a_target_missed_at_one_scale_is_not_met(bench):
    results = _results(bench, triage_ms=19.0, detail_ms=25.0)  # triage 3.8 × and 4.18 ×

    targets = bench.page_targets(results)

    assert targets[0].startswith("NOT MET triage inbox: median 3.8 × @0.1, 4.2 × @1")
    assert targets[1].startswith("met     request detail, long timeline: median 5.0 × @0.1, 5.5 × @1")
