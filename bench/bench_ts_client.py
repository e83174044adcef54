"""`make bench`'s way to run ``bench_ts_client.mjs`` (the TypeScript client's figures).

python bench/bench_ts_client.py [--quick]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    node = shutil.which("node")
    if node is None:
        print("node is not on PATH: the TypeScript client's benchmark needs Node 20")
        return 1
    env = {**os.environ, "WIRETYPE_PYTHON": sys.executable}
    script = str(HERE / "bench_ts_client.mjs")
    return subprocess.run([node, script, *sys.argv[1:]], env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
