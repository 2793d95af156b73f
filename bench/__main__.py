"""`python -m bench`: run every benchmark module `bench/bench_*.py` in turn."""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
from datetime import UTC, datetime

import bench


def main() -> None:
    python = f"{platform.python_implementation()} {platform.python_version()}"
    machine = f"{platform.machine()}, {os.cpu_count()} cores"
    print(f"# {datetime.now(UTC):%Y-%m-%d}, {machine}, {python}")
    for module in sorted(m.name for m in pkgutil.iter_modules(bench.__path__)):
        if module.startswith("bench_"):
            importlib.import_module(f"bench.{module}").main()


if __name__ == "__main__":
    main()
