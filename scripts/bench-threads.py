#!/usr/bin/env python3
"""CPU per event of every thread of an `rtcdp bench` run, the JVM's own threads included.

`rtcdp bench` prints the CPU of the job's task threads and, in three sums, that of the JIT
compilers, the garbage collector and RocksDB's flush and compaction threads. This runs the bench
(Linux only: it reads /proc/<pid>/task), samples every thread's user + system
time from the start of the measured run to its end, and prints the CPU per event of each thread
name (digits folded, so the subtasks of a stage add up).

usage: scripts/bench-threads.py [--jar JAR] [bench options...]
       e.g. scripts/bench-threads.py --events 600000 --profiles 60000 --warmup-events 200000
Run from the repository root; the jar defaults to jobs/target/rtcdp.jar (./rtcdp builds it).
"""
import collections
import os
import re
import subprocess
import sys
import tempfile
import time

TICKS = os.sysconf("SC_CLK_TCK")


def threads(pid):
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[tid] = (name, int(fields[11]) + int(fields[12]))
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return out


def main(argv):
    jar = "jobs/target/rtcdp.jar"
    if len(argv) >= 2 and argv[0] == "--jar":
        jar, argv = argv[1], argv[2:]
    events = 1_000_000
    for i, a in enumerate(argv):
        if a == "--events" and i + 1 < len(argv):
            events = int(argv[i + 1])
    opens = [f"--add-opens=java.base/{p}=ALL-UNNAMED"
             for p in ("java.util", "java.lang", "java.nio", "sun.nio.ch")]
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    cmd = ["java"] + os.environ.get("RTCDP_JAVA_OPTS", "-Xmx4g -XX:+UseParallelGC").split() + opens + \
          ["-jar", jar, "bench"] + argv
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)

    def text():
        with open(log.name) as f:
            return f.read()

    while "measured run" not in text():
        if proc.poll() is not None:
            sys.stdout.write(text())
            return 1
        time.sleep(0.2)
    first = threads(proc.pid)
    last = dict(first)
    while "replayed" not in text() and proc.poll() is None:
        last.update(threads(proc.pid))
        time.sleep(0.5)
    proc.wait()
    sys.stdout.write(text())
    by_name = collections.Counter()
    for tid, (name, ticks) in last.items():
        by_name[re.sub(r"\d+", "#", name)] += ticks - (first[tid][1] if tid in first else 0)
    total = sum(by_name.values())
    print(f"\nCPU per event by thread, measured run ({events} events; /proc, names cut to 15"
          " characters):")
    for name, ticks in by_name.most_common(25):
        us = ticks / TICKS * 1e6 / events
        print(f"{us:8.1f} µs  {100 * ticks / max(total, 1):5.1f} %  {name}")
    print(f"{total / TICKS * 1e6 / events:8.1f} µs  total")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
