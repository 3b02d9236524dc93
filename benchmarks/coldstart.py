"""Cold start: whole fresh processes that import, build a client and make one GetLicense (the SDK, the pydantic floor
and plain boto3), run in alternation; median wall time and peak memory (ru_maxrss) of each, as ratios.

The three programs are `benchmarks/_coldstart_program.py sdk|floor|boto3`, answered by the same canned bytes. Bytecode
is compiled once by a warm-up round into a private cache (`PYTHONPYCACHEPREFIX`), as an installed package has it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["measure", "run"]

PROGRAM = Path(__file__).with_name("_coldstart_program.py")
VARIANTS = ("sdk", "floor", "boto3")
_ENV = {
    "AWS_ACCESS_KEY_ID": "123456789012",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def _once(variant: str, env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, peak resident memory (MiB) and CPU seconds of one fresh process."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, str(PROGRAM), variant], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{PROGRAM.name} {variant} exited with {child.returncode}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def measure(rounds: int = 21) -> dict[str, tuple[float, float, float]]:
    """Median wall seconds, peak MiB and CPU seconds per variant over `rounds` alternating rounds (after a warm-up)."""
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(_ENV, PYTHONPYCACHEPREFIX=cache)
        for variant in VARIANTS:
            _once(variant, env)
        samples: dict[str, list[tuple[float, float, float]]] = {v: [] for v in VARIANTS}
        for index in range(rounds):
            order = VARIANTS if index % 2 == 0 else VARIANTS[::-1]
            for variant in order:
                samples[variant].append(_once(variant, env))
    return {
        v: (
            statistics.median(w for w, _, _ in s),
            statistics.median(m for _, m, _ in s),
            statistics.median(c for *_, c in s),
        )
        for v, s in samples.items()
    }


def run() -> list[str]:
    found = measure()
    (sdk_wall, sdk_mem, sdk_cpu), (floor_wall, floor_mem, floor_cpu), (boto_wall, boto_mem, boto_cpu) = (
        found[v] for v in VARIANTS
    )
    return [
        f"cold start (import, client, one GetLicense; wall, median): SDK {sdk_wall * 1e3:.0f} ms vs floor "
        f"{floor_wall * 1e3:.0f} ms = {sdk_wall / floor_wall:.2f}x  [target <= 1.05x] "
        f"({(sdk_wall - floor_wall) * 1e3:+.0f} ms); vs boto3 {boto_wall * 1e3:.0f} ms = {sdk_wall / boto_wall:.2f}x",
        f"cold start peak memory (ru_maxrss, median): SDK {sdk_mem:.1f} MiB vs floor {floor_mem:.1f} MiB "
        f"= {sdk_mem / floor_mem:.2f}x  [target <= 1.05x]; vs boto3 {boto_mem:.1f} MiB = {sdk_mem / boto_mem:.2f}x",
        f"cold start CPU (user + sys, median; for reference): SDK {sdk_cpu * 1e3:.0f} ms vs floor "
        f"{floor_cpu * 1e3:.0f} ms = {sdk_cpu / floor_cpu:.2f}x; vs boto3 {boto_cpu * 1e3:.0f} ms = "
        f"{sdk_cpu / boto_cpu:.2f}x",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
