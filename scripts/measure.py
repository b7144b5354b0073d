#!/usr/bin/env python3
"""Runs a command and prints its wall time and peak resident memory as JSON.

  measure.py [--timeout SECONDS] -- CMD [ARGS...]

Peak RSS is the child's (getrusage RUSAGE_CHILDREN ru_maxrss, in KiB on Linux). On a
timeout the child is killed and "timeout": true is printed.
"""
import json, os, resource, subprocess, sys, time

args = sys.argv[1:]
timeout = None
if args[:1] == ["--timeout"]:
    timeout, args = float(args[1]), args[2:]
if args[:1] == ["--"]:
    args = args[1:]
start = time.perf_counter()
try:
    proc = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout, env=os.environ)
    timed_out, code, err = False, proc.returncode, proc.stderr.decode(errors="replace")[-500:]
except subprocess.TimeoutExpired:
    timed_out, code, err = True, None, ""
wall = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall_s": wall, "max_rss_kib": rss, "exit": code, "timeout": timed_out, "stderr": err}))
