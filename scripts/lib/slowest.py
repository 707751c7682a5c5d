"""Print the ten slowest tests of one or more JUnit XML reports (scripts/test writes them)."""

import sys
import xml.etree.ElementTree as ET  # our own pytest reports, not outside input
from pathlib import Path


def main(paths: list[str]) -> None:
    timings: list[tuple[float, str]] = []
    total = 0.0
    for path in paths:
        if not Path(path).exists():
            continue
        root = ET.parse(path).getroot()  # noqa: S314
        for suite in root.iter("testsuite"):
            total += float(suite.get("time", 0))
        for case in root.iter("testcase"):
            name = f"{case.get('classname', '').replace('.', '/')}.py::{case.get('name')}"
            timings.append((float(case.get("time", 0)), name))
    if not timings:
        return
    print(f"\nThe ten slowest tests (of {len(timings)}; the parts took {total:.0f} s):")
    for seconds, name in sorted(timings, reverse=True)[:10]:
        print(f"  {seconds:7.1f} s  {name}")


if __name__ == "__main__":
    main(sys.argv[1:])
