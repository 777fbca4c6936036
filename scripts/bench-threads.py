#!/usr/bin/env python3
"""CPU per event of every thread of an `rtcdp bench` run, the JVM's own threads included.

`rtcdp bench` prints the CPU of the job's task threads and, in three sums, that of the JIT
compilers, the garbage collector and RocksDB's flush and compaction threads. This runs the bench
(Linux only: it reads /proc/<pid>/task), samples every thread's user + system
time from the start of the measured run to its end, and prints the CPU per event of each thread
name (digits folded, so the subtasks of a stage add up).

With --perf SECONDS it also records the JVM with `perf` for that long in the measured run (from 3 s
after its start) and prints each thread's share of the samples by library: RocksDB's native code
(which JFR's execution samples never see: a thread inside a JNI call is not sampled), the
JIT-compiled Java code, the JVM itself (compilers, GC), the kernel, the rest; then the RocksDB
functions that take the most, named from the symbol table of the jar's librocksdbjni (needs `perf`
and binutils' `nm`; docs/bench/2026-12-08-rocksdb-native-and-state-writes.md).

usage: scripts/bench-threads.py [--jar JAR] [--perf SECONDS] [bench options...]
       e.g. scripts/bench-threads.py --events 600000 --profiles 60000 --warmup-events 200000
Run from the repository root; the jar defaults to jobs/target/rtcdp.jar (./rtcdp builds it).
"""
import bisect
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

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


def library(dso):
    if "rocksdb" in dso:
        return "RocksDB"
    if "[JIT]" in dso:
        return "Java (JIT)"
    if "libjvm" in dso:
        return "JVM"
    if "kernel" in dso:
        return "kernel"
    return "other"


def rocksdb_symbols(jar):
    """(start addresses, names) of the functions of the jar's RocksDB library, sorted."""
    with zipfile.ZipFile(jar) as z, tempfile.TemporaryDirectory() as tmp:
        names = [n for n in z.namelist() if n.endswith("librocksdbjni-linux64.so")]
        if not names:
            return [], []
        lib = z.extract(names[0], tmp)
        out = subprocess.run(["nm", "-C", "--defined-only", lib],
                             capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1].lower() in ("t", "w"):
            syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def perf_report(data, jar):
    """Each thread's share of the samples by library, then RocksDB's top functions."""
    out = subprocess.run(["perf", "report", "-i", data, "--no-children", "-n", "--sort", "comm,dso,sym",
                          "-q", "-g", "none", "--field-separator=;"],
                         capture_output=True, text=True).stdout
    addrs, names = rocksdb_symbols(jar)
    by_thread = collections.defaultdict(collections.Counter)
    rocks = collections.Counter()
    for line in out.splitlines():
        fields = [f.strip() for f in line.split(";")]
        if len(fields) < 5 or not fields[1].isdigit():
            continue
        samples, comm, dso, sym = int(fields[1]), fields[2], fields[3], fields[4]
        kind = library(dso)
        by_thread[re.sub(r"\d+", "#", comm)][kind] += samples
        if kind == "RocksDB":
            sym = sym.split("] ", 1)[-1]
            if sym.startswith("0x") and addrs:
                i = bisect.bisect_right(addrs, int(sym, 16)) - 1
                sym = names[i] if i >= 0 else sym
            rocks[re.sub(r"\(.*", "", sym)] += samples
    all_samples = sum(sum(c.values()) for c in by_thread.values())
    if all_samples == 0:
        print("\nperf recorded no samples of the JVM (kernel.perf_event_paranoid too strict?)")
        return
    kinds = ["RocksDB", "Java (JIT)", "JVM", "kernel", "other"]
    print("\nShare of the JVM's perf samples by thread and library (%):")
    print(f"{'thread':18s} {'all':>6s} " + " ".join(f"{k:>10s}" for k in kinds))
    for name, c in sorted(by_thread.items(), key=lambda x: -sum(x[1].values()))[:20]:
        print(f"{name:18s} {100 * sum(c.values()) / all_samples:6.1f} "
              + " ".join(f"{100 * c[k] / all_samples:10.1f}" for k in kinds))
    total = sum(c["RocksDB"] for c in by_thread.values())
    print(f"RocksDB in all threads: {100 * total / all_samples:.1f} % of {all_samples} samples;"
          " its top functions (% of all samples; named by the nearest symbol before the address):")
    for sym, samples in rocks.most_common(12):
        print(f"{100 * samples / all_samples:6.2f}  {sym[:120]}")


def main(argv):
    jar = "jobs/target/rtcdp.jar"
    perf_seconds = 0
    while len(argv) >= 2 and argv[0] in ("--jar", "--perf"):
        if argv[0] == "--jar":
            jar = argv[1]
        else:
            if not argv[1].isdigit() or int(argv[1]) == 0:
                print(f"bench-threads: --perf takes a whole number of seconds, not {argv[1]!r}",
                      file=sys.stderr)
                return 2
            perf_seconds = int(argv[1])
        argv = argv[2:]
    if perf_seconds:
        missing = [tool for tool in ("perf", "nm") if shutil.which(tool) is None]
        if missing:
            print(f"bench-threads: --perf needs {' and '.join(missing)} (Debian: linux-perf, binutils)",
                  file=sys.stderr)
            return 2
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
    recorder = None
    data = os.path.join(tempfile.gettempdir(), f"bench-threads-{proc.pid}.perf")
    started = time.time()
    while "replayed" not in text() and proc.poll() is None:
        last.update(threads(proc.pid))
        if perf_seconds and recorder is None and time.time() - started >= 3:
            recorder = subprocess.Popen(
                ["perf", "record", "-F", "997", "-p", str(proc.pid), "-o", data, "--",
                 "sleep", str(perf_seconds)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
    proc.wait()
    sys.stdout.write(text())
    if recorder is not None:
        recorder.wait()
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
    if recorder is not None:
        perf_report(data, jar)
        os.remove(data)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
