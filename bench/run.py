"""Run every benchmark in bench/ (each `bench/<name>.py` with a main()), one after another.

    .venv/bin/python bench/run.py                 # all of them
    .venv/bin/python bench/run.py api_enterprises # by name

Each prints its table and writes bench/results/<name>.json.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


# Scripts with a main() that are not benchmarks: this runner, and the province dataset generator
# (the benchmarks that use it build or reuse it themselves).
NOT_BENCHMARKS = ("run", "province")


def benchmarks() -> list[str]:
    names = []
    for path in sorted(HERE.glob("*.py")):
        if path.name.startswith("_") or path.stem in NOT_BENCHMARKS:
            continue
        if "def main(" in path.read_text(encoding="utf-8"):
            names.append(path.stem)
    return names


def main() -> int:
    wanted = sys.argv[1:] or benchmarks()
    failed = []
    for name in wanted:
        print(f"\n### {name}", flush=True)
        code = subprocess.call([sys.executable, str(HERE / f"{name}.py")])
        if code:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
