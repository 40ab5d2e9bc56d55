#!/usr/bin/env bash
# Runs the peer benchmark side by side: for each WORKLOAD, our runner
# (`dotnet run ... -- peer WORKLOAD`, one fresh process per run) and CPython's
# cf_bench.py (../shared/bench/python/cf_bench.py from the repo root),
# interleaved, RUNS rounds (default 3). Within a round the order alternates
# (ours first in odd rounds, Python first in even rounds), so a phase of host
# contention does not always hit the same side. Collects every JSON line
# (tagged with "runner") into one file and prints, per figure, our median,
# Python's median and the ratio ours/Python.
#
# Usage: tests/Executors.Benchmarks/run-peer.sh WORKLOAD...
# Env:   RUNS=3        rounds
#        CAPACITY=1    log cf_bench.py cpu_capacity (~2 s) before each round (0 = off)
#        PEER_PY=...   path of cf_bench.py (default ../shared/bench/python/cf_bench.py from the repo root)
#        OUT=...       JSON-lines file (default artifacts/peer/peer-<timestamp>.jsonl, git-ignored)
#        CF_MAP_N1=20000  items of process_map_chunks' chunksize-1 run, for both sides (the README's
#                         figure; cf_bench.py alone defaults to 200,000)
# Figure names: where Python reports start-method variants (process_noop_submit, process_startup:
# spawn_/fork_; cpu_speedup: process2_fork_s), our plain figure is compared with Python's spawn_
# one (.NET workers are always fresh processes) and with process2_fork_s; see FIGURE_MAP below.
# The build happens once, before the rounds; each run then uses `dotnet run --no-build`,
# and each runner times its own workload (process start-up is not part of any figure).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
if [ "$#" -eq 0 ]; then
  echo "usage: $0 WORKLOAD...   (env RUNS=3, CAPACITY=1, PEER_PY, OUT)" >&2
  exit 2
fi
RUNS="${RUNS:-3}"
CAPACITY="${CAPACITY:-1}"
PEER_PY="${PEER_PY:-../shared/bench/python/cf_bench.py}"
PROJECT=tests/Executors.Benchmarks
OUT="${OUT:-artifacts/peer/peer-$(date +%Y%m%dT%H%M%S).jsonl}"
export CF_MAP_N1="${CF_MAP_N1:-20000}"
mkdir -p "$(dirname "$OUT")"
: > "$OUT"

echo "== building $PROJECT (Release) once" >&2
dotnet build -c Release "$PROJECT" -v quiet -nologo >&2

{
  echo "# dotnet: $(dotnet --version)  python: $(python3 --version 2>&1)  nproc: $(nproc)  cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "# started: $(date -Is)  loadavg: $(cut -d' ' -f1-3 /proc/loadavg)  runs=$RUNS  workloads: $*"
} | tee -a "$OUT" >&2

tag() {  # tag RUNNER: prefix every JSON object line on stdin with "runner": RUNNER
  sed -n "s/^{/{\"runner\": \"$1\", /p"
}

run_ours() {
  dotnet run -c Release --no-build --project "$PROJECT" -- peer "$1" | tag executors | tee -a "$OUT" >&2
}

run_python() {
  python3 "$PEER_PY" "$1" | tag python | tee -a "$OUT" >&2
}

for i in $(seq 1 "$RUNS"); do
  if [ "$CAPACITY" = 1 ]; then
    python3 "$PEER_PY" cpu_capacity | tag machine | tee -a "$OUT" >&2
  fi
  for w in "$@"; do
    echo "[$(date +%T)] $w round $i/$RUNS  loadavg: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    if [ $((i % 2)) -eq 1 ]; then
      run_ours "$w"; run_python "$w"
    else
      run_python "$w"; run_ours "$w"
    fi
  done
done
echo "# finished: $(date -Is)  loadavg: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT" >&2
echo "raw results: $OUT" >&2

python3 - "$OUT" <<'PY'
import json, statistics, sys
from collections import OrderedDict

def fmt(v):
    a = abs(v)
    if a >= 1000: return "{:,.0f}".format(v)
    if a >= 100: return "{:.1f}".format(v)
    if a >= 10: return "{:.2f}".format(v)
    return "{:.3f}".format(v)

def lower_is_better(name):
    # *_us / *_ms / *_s figures (and *_us_per_task) are durations; *_per_s and speedups are rates.
    if name.endswith("_per_s") or "speedup" in name:
        return False
    return any(part in ("us", "ms", "s") for part in name.split("_"))

# Our figure -> the Python figure it is compared with, where the names differ.
FIGURE_MAP = {
    ("process_noop_submit", "tasks_per_s"): "spawn_tasks_per_s",
    ("process_noop_submit", "submit_only_us_per_task"): "spawn_submit_only_us_per_task",
    ("process_startup", "first_result_ms"): "spawn_first_result_ms",
    ("process_startup", "both_workers_ms"): "spawn_both_workers_ms",
    ("process_startup", "shutdown_ms"): "spawn_shutdown_ms",
    ("cpu_speedup", "process2_s"): "process2_fork_s",
}

recs = OrderedDict()   # (runner, workload) -> [record]
caps = []
with open(sys.argv[1]) as fh:
    for line in fh:
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        if r["runner"] == "machine":
            caps.append(r["figures"].get("parallel_capacity"))
            continue
        recs.setdefault((r["runner"], r["workload"]), []).append(r)

workloads = list(OrderedDict.fromkeys(w for (_, w) in recs))
print("| workload | figure | better | Executors (median) | Python (median) | ours / Python | runs (ours, py) |")
print("|---|---|---|---:|---:|---:|---|")
raw_rows = []
for w in workloads:
    ours = recs.get(("executors", w), [])
    py = recs.get(("python", w), [])
    # Rows: (our name, Python name). Ours first (each with its Python twin), then Python-only figures.
    ours_names = list(OrderedDict.fromkeys(k for r in ours for k in r["figures"]))
    rows = [(n, FIGURE_MAP.get((w, n), n)) for n in ours_names]
    mapped = {p for (_, p) in rows}
    rows += [(None, k) for k in OrderedDict.fromkeys(k for r in py for k in r["figures"]) if k not in mapped]
    for on, pn in rows:
        n = on if on is not None else pn
        ov = [r["figures"][on] for r in ours if on in r["figures"]] if on is not None else []
        pv = [r["figures"][pn] for r in py if pn in r["figures"]]
        if on is not None and pn != on:
            n = "{} (py: {})".format(on, pn)
        om = statistics.median(ov) if ov else None
        pm = statistics.median(pv) if pv else None
        ratio = "{:.2f}".format(om / pm) if om is not None and pm else "-"
        better = "lower" if lower_is_better(on if on is not None else pn) else "higher"
        print("| {} | {} | {} | {} | {} | {} | {}, {} |".format(
            w, n, better, fmt(om) if om is not None else "-", fmt(pm) if pm is not None else "-",
            ratio, len(ov), len(pv)))
    for k in OrderedDict.fromkeys(k for r in ours for k in r["info"]):
        vals = [r["info"][k] for r in ours if isinstance(r["info"].get(k), (int, float)) and not isinstance(r["info"].get(k), bool)]
        if k.startswith("raw_") and vals:
            raw_rows.append((w, k, statistics.median(vals), len(vals)))
print()
print("Ratio = Executors median / Python median. For 'higher' figures (rates) a ratio > 1 means Executors is faster;")
print("for 'lower' figures (*_us, *_ms, *_s: durations) lower is better, so a ratio < 1 means Executors is faster.")
if raw_rows:
    print()
    print("For scale, raw baselines in the same Executors runs (info, median: raw_threadpool_* = the .NET ThreadPool, raw_pipe_* = a pipe round trip to a cat child):")
    print()
    print("| workload | info figure | median | runs |")
    print("|---|---|---:|---:|")
    for w, k, m, c in raw_rows:
        print("| {} | {} | {} | {} |".format(w, k, fmt(m), c))
if caps:
    print()
    print("Machine check before each round (cf_bench.py cpu_capacity, 2.0 = two full CPUs): " +
          ", ".join("{:.2f}".format(c) for c in caps if c is not None))
PY
