#!/usr/bin/env bash
# Makes the benchmark plots (PNG, gnuplot) from the results of scripts/bench:
#   docs/img/bench_hit_ratio.png   hit path: cachet / hand-written baseline of
#                                  the same guarantee, by size (Zipf, uniform)
#   docs/img/bench_hit_floor.png   hit path: cachet / raw flat_map find, by size
#   docs/img/bench_hitratio.png    hit ratio by capacity, per trace (every
#                                  policy hitratio ran: lru, sieve, s3fifo,
#                                  w_tinylfu, Caffeine, fifo, the clairvoyant
#                                  optimum; the unbounded line)
# Usage: bash scripts/bench_plots.sh [RESULTS_DIR [OUT_DIR]]
# (defaults: build-bench/results, docs/img). Installs gnuplot-nox when run
# as root.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=SCRIPTDIR/lib/deps.sh
source "$root/scripts/lib/deps.sh"

results=$(cachet_abs_path "${1:-$root/build-bench/results}")
out=$(cachet_abs_path "${2:-$root/docs/img}")
for f in ratios.csv hitratio.csv; do
  if [[ ! -f "$results/$f" ]]; then
    echo "scripts/bench_plots.sh: $results/$f is missing; run scripts/bench first" >&2
    exit 1
  fi
done

cachet_install_packages gnuplot-nox python3
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Data files and the gnuplot script, written by python (standard library).
python3 - "$results" "$work" "$out" <<'PY'
import csv, os, sys

results, work, out = sys.argv[1:4]

def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None

rows = list(csv.DictReader(open(os.path.join(results, "ratios.csv"))))
hit = [r for r in rows if r["op"] == "hit"]
series = [(impl, sync, key) for impl in ("lru", "dict") for sync in ("unsync", "mutex") for key in ("int", "string")]
sizes = ["10k", "1M"]

def hit_table(keys, column, path):
    with open(path, "w") as f:
        f.write("size " + " ".join(f'"{i} {s} {k}"' for i, s, k in series) + "\n")
        for size in sizes:
            cells = []
            for impl, sync, key in series:
                v = next((num(r[column]) for r in hit if (r["impl"], r["sync"], r["key"], r["size"], r["keys"]) ==
                          (impl, sync, key, size, keys)), None)
                cells.append("NaN" if v is None else f"{v:.4f}")
            f.write(size + " " + " ".join(cells) + "\n")

for keys in ("zipf", "uniform"):
    hit_table(keys, "ratio", os.path.join(work, f"ratio_{keys}.dat"))
    hit_table(keys, "ratio_to_floor", os.path.join(work, f"floor_{keys}.dat"))

traces = {}
for r in csv.DictReader(open(os.path.join(results, "hitratio.csv"))):
    traces.setdefault(r["trace"], []).append(r)
names = list(traces)
# Every policy hitratio ran (Caffeine and the storages beside lru where present).
curves = [("opt", "clairvoyant optimum", "#2ca02c"), ("lru", "cachet::lru", "#1f77b4"),
          ("sieve", "cachet::sieve", "#9467bd"), ("s3fifo", "cachet::s3fifo", "#d62728"),
          ("w_tinylfu", "cachet::w_tinylfu", "#8c564b"), ("caffeine", "Caffeine", "#e377c2"),
          ("fifo", "fifo", "#ff7f0e")]
for i, name in enumerate(names):
    for policy, _, _ in curves:
        points = [r for r in traces[name] if r["policy"] == policy]
        if not points:
            continue
        with open(os.path.join(work, f"trace{i}_{policy}.dat"), "w") as f:
            for r in points:
                f.write(f'{r["capacity"]} {100 * float(r["hit_ratio"]):.4f}\n')

ncol = len(series)
colors = ["#1f77b4", "#6baed6", "#d62728", "#fc9272", "#2ca02c", "#98df8a", "#9467bd", "#c5b0d5"]
g = []
g.append('set terminal pngcairo size 1400,600 font "DejaVu Sans,11" noenhanced')
g.append('set style data histograms')
g.append('set style histogram clustered gap 1')
g.append('set style fill solid 0.9 border -1')
g.append('set boxwidth 0.9')
g.append('set grid ytics')
g.append('set key inside top center horizontal maxrows 2 font ",10" samplen 1.5')
g.append('set offsets 0, 0, graph 0.3, 0')
for c in range(ncol):
    g.append(f'set linetype {c + 1} lc rgb "{colors[c]}"')

def histogram(prefix, png, title, ylabel, lines):
    g.append(f'set output "{os.path.join(out, png)}"')
    g.append(f'set multiplot layout 1,2 title "{title}"')
    for keys in ("zipf", "uniform"):
        g.append(f'set title "{keys} keys"')
        g.append(f'set ylabel "{ylabel}"')
        g.append('unset arrow')
        for y, label in lines:
            g.append(f'set arrow from graph 0, first {y} to graph 1, first {y} nohead dt 2 lw 1.5 lc rgb "black" front')
        g.append('set yrange [0:*]')
        data = os.path.join(work, f"{prefix}_{keys}.dat")
        g.append("plot " + ", ".join(f'"{data}" using {c + 2}:xtic(1) title columnheader({c + 2}) lt {c + 1}'
                                      for c in range(ncol)))
    g.append('unset multiplot')

histogram("ratio", "bench_hit_ratio.png",
          "Hit path: cachet / hand-written cache of the same guarantee (lower is better; dashed: 1.0 and the 0.5 goal of lru unsync)",
          "time ratio", [(1.0, "hand-written"), (0.5, "goal")])
histogram("floor", "bench_hit_floor.png",
          "Hit path: cachet / raw boost::unordered_flat_map::find (the floor; dashed: 1.0)",
          "time ratio", [(1.0, "raw find")])

cols = 3
rows_n = (len(names) + cols - 1) // cols
g.append(f'set terminal pngcairo size 1500,{500 * rows_n} font "DejaVu Sans,11" noenhanced')
g.append(f'set output "{os.path.join(out, "bench_hitratio.png")}"')
g.append('unset arrow')
g.append('set offsets 0, 0, 0, 0')
g.append('set style data linespoints')
g.append('set logscale x')
g.append('set yrange [0:100]')
g.append('set grid xtics ytics')
g.append('set key below horizontal maxrows 2 font ",9" samplen 1.5')
g.append('set xlabel "capacity (entries)"')
g.append('set ylabel "hit ratio (%)"')
g.append(f'set multiplot layout {rows_n},{cols} title "Hit ratio by capacity (cache2k traces: headissue GmbH / Jens Wilke, CC BY 4.0)"')
for i, name in enumerate(names):
    unbounded = next((100 * float(r["hit_ratio"]) for r in traces[name] if r["policy"] == "unbounded"), None)
    first = traces[name][0]
    g.append(f'set title "{name} ({int(first["accesses"]):,} accesses, {int(first["distinct"]):,} keys)"')
    parts = [f'"{os.path.join(work, f"trace{i}_{policy}.dat")}" using 1:2 title "{title}" lw 2 lc rgb "{color}"'
             for policy, title, color in curves if os.path.exists(os.path.join(work, f"trace{i}_{policy}.dat"))]
    if unbounded is not None:
        parts.append(f'{unbounded:.4f} title "unbounded (dict)" with lines dt 2 lw 1.5 lc rgb "black"')
    g.append("plot " + ", ".join(parts))
g.append('unset multiplot')
open(os.path.join(work, "plots.gp"), "w").write("\n".join(g) + "\n")
PY

gnuplot "$work/plots.gp"
echo "scripts/bench_plots.sh: wrote $out/bench_hit_ratio.png, $out/bench_hit_floor.png, $out/bench_hitratio.png"
