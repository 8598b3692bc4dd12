"""The training entry points restart themselves once with glibc's heap tunables set (kinema_py/heap.py)."""

import os
import subprocess
import sys
from pathlib import Path

PY = Path(__file__).resolve().parents[1]
SCRIPT = "from kinema_py.heap import reuse_heap; import os; print('pid', os.getpid(), flush=True); reuse_heap(); print('env', os.environ.get('MALLOC_MMAP_MAX_'), os.environ.get('MALLOC_TRIM_THRESHOLD_'))"


def run(extra: dict[str, str]) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "KINEMA_SYSTEM_MALLOC"}
    env.update(PYTHONPATH=str(PY), **extra)
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


def test_restarts_once_with_the_tunables_and_keeps_its_arguments():
    lines = run({})
    assert [l.split()[0] for l in lines] == ["pid", "pid", "env"]  # ran twice, then went on
    assert lines[-1] == "env 0 100000000000"


def test_a_user_setting_wins_and_no_restart_happens():
    lines = run({"MALLOC_MMAP_MAX_": "7", "MALLOC_TRIM_THRESHOLD_": "5"})
    assert lines == [lines[0], "env 7 5"]


def test_can_be_turned_off():
    lines = run({"KINEMA_SYSTEM_MALLOC": "1"})
    assert lines == [lines[0], "env None None"]
