"""Run every benchmark in bench/ (each ``*_bench.py`` exposes ``main(argv)``): ``make bench``.

web_bench: requests/s of the API and a page against gunicorn, each as a share of ``GET me/``;
messages_bench: due -> sent latency of messages and a burst of 2,000 with one worker.
Each runs in its own process, with the options given here (each ignores the others'), e.g.
``make bench`` or ``.venv/bin/python bench/run.py --samples 600 --burst 2000``.
"""

import datetime
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    load = os.getloadavg()
    print(
        f"bench run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on "
        f"{os.cpu_count()} cores (load average {load[0]:.1f}: other work shares the machine)",
        flush=True,
    )
    failed = []
    for path in sorted(HERE.glob("*_bench.py")):
        print(f"== {path.stem}", flush=True)
        # Each in its own process: each sets Django up on its own database.
        if subprocess.run([sys.executable, str(path), *sys.argv[1:]], check=False).returncode:
            failed.append(path.stem)
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
