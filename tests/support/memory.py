"""How much memory this process holds, and its peak, from /proc: for the tests that prove a hostile
answer (a gzip bomb, a huge key set) is refused without being held, each measured in a child process."""

from __future__ import annotations


def status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
        return True
    except OSError:
        return False
