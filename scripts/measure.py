#!/usr/bin/env python3
"""Runs a command and prints its wall time and peak resident memory as JSON.

  measure.py [--timeout SECONDS] -- CMD [ARGS...]

Peak RSS, in KiB: what the command reports of its own address space, if it prints a line
`peak-rss-kib: N` on stderr when $MEASURE_PEAK_RSS is set (its VmHWM from /proc/self/status),
else getrusage(RUSAGE_CHILDREN).ru_maxrss. The second has a floor of this script's own RSS
(about 14 MiB): Linux records the high-water mark of the address space a child leaves at
exec, which for a child forked (or vforked) from Python is Python's. A 4 MiB process would
read as 14 MiB. On a timeout the child is killed and "timeout": true is printed.
"""
import json, os, re, resource, subprocess, sys, time

args = sys.argv[1:]
timeout = None
if args[:1] == ["--timeout"]:
    timeout, args = float(args[1]), args[2:]
if args[:1] == ["--"]:
    args = args[1:]
start = time.perf_counter()
try:
    env = {**os.environ, "MEASURE_PEAK_RSS": "1"}
    proc = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout, env=env)
    stderr = proc.stderr.decode(errors="replace")
    timed_out, code, err = False, proc.returncode, stderr[-500:]
except subprocess.TimeoutExpired:
    timed_out, code, stderr, err = True, None, "", ""
wall = time.perf_counter() - start
reported = re.findall(r"^peak-rss-kib: (\d+)$", stderr, re.M)
rss, source = (int(reported[-1]), "VmHWM") if reported else (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "rusage")
print(json.dumps({"wall_s": wall, "max_rss_kib": rss, "rss_source": source, "exit": code, "timeout": timed_out, "stderr": err}))
