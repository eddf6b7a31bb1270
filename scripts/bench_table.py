#!/usr/bin/env python3
"""Tables of ratios from cachet's Google Benchmark JSON (scripts/bench).

Usage: bench_table.py [--csv FILE] RESULT.json...

Benchmark names read <op>/<impl>/<sync>/<key>/<size>/<keys>[/<batch>]. For
each cachet case (impl lru or dict) the table gives cachet's ns per item, the
ns of the baseline with the same guarantee (lru: baseline_classic_lru, dict:
baseline_classic_map, same sync), their ratio, and the ratio to the floor:
the raw boost::unordered_flat_map (hit: find alone; set, erase, get_many: the
same operation on the bare map) or, for a miss, the plain function call.

ns per item is 1e9 / items_per_second (an item: one call, one erased key,
one key of a get_many batch), the median over repetitions. Google Benchmark
computes that rate from CPU time (erase: from the timed region's wall time),
which discounts the time the process waited for a core. "spread" is
(max - min) / median of cachet's repetitions: the noise of that case.
Standard library only.
"""

import argparse
import csv
import json
import statistics
import sys
from collections import defaultdict

CACHET = ("lru", "sieve", "s3fifo", "w_tinylfu", "dict")
# The bounded storages are set against the hand-written LRU, dict against the map.
SAME_GUARANTEE = {"lru": "baseline_classic_lru", "sieve": "baseline_classic_lru", "s3fifo": "baseline_classic_lru",
                  "w_tinylfu": "baseline_classic_lru", "dict": "baseline_classic_map"}
OPS = ("hit", "miss", "mixed", "set", "erase", "get_many")
OP_TITLES = {
    "hit": "Hit path: f(key), all hits",
    "miss": "Miss path: f(key) with a fresh key (call + insert + evict)",
    "mixed": "Mixed: f(key) over 2 x size keys (hits, misses, evictions)",
    "set": "set(value, key) over present keys",
    "erase": "erase(key) of present keys",
    "get_many": "get_many(batch), all hits (ns per key)",
}


def load(paths):
    """name -> list of ns per item (one per repetition)."""
    samples = defaultdict(list)
    errors = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        for b in data.get("benchmarks", []):
            if b.get("run_type", "iteration") != "iteration":
                continue
            name = "/".join(p for p in b.get("run_name", b["name"]).split("/")
                            if p not in ("manual_time", "real_time") and not p.startswith("iterations:"))
            if b.get("error_occurred"):
                errors.append(f"{name}: {b.get('error_message', 'error')}")
                continue
            rate = b.get("items_per_second")
            if rate:
                samples[name].append(1e9 / rate)
            else:
                scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
                samples[name].append(b["real_time"] * scale)
    return samples, errors


def parse(name):
    parts = [p for p in name.split("/") if p not in ("manual_time", "real_time")]
    if len(parts) < 6:
        return None
    op, impl, sync, key, size, keys = parts[:6]
    batch = parts[6] if len(parts) > 6 else ""
    return dict(op=op, impl=impl, sync=sync, key=key, size=size, keys=keys, batch=batch)


def join(op, impl, sync, key, size, keys, batch):
    return "/".join([op, impl, sync, key, size, keys] + ([batch] if batch else []))


def median(xs):
    return statistics.median(xs) if xs else None


def spread(xs):
    if len(xs) < 2:
        return None
    m = statistics.median(xs)
    return (max(xs) - min(xs)) / m if m else None


def fmt_ns(x):
    if x is None:
        return "-"
    return f"{x:.1f}" if x < 100 else f"{x:.0f}"


def fmt_ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}x"


def floor_name(c):
    if c["op"] == "hit":
        return join("hit", "baseline_flat_find", "unsync", c["key"], c["size"], c["keys"], c["batch"])
    if c["op"] == "miss":
        return join("miss", "baseline_plain_call", "unsync", c["key"], c["size"], c["keys"], c["batch"])
    if c["op"] in ("set", "erase", "get_many"):
        return join(c["op"], "baseline_flat_map", "unsync", c["key"], c["size"], c["keys"], c["batch"])
    return None


def rows_for(samples):
    rows = []
    for name in samples:
        c = parse(name)
        if not c or c["impl"] not in CACHET:
            continue
        base = join(c["op"], SAME_GUARANTEE[c["impl"]], c["sync"], c["key"], c["size"], c["keys"], c["batch"])
        floor = floor_name(c)
        robin = join("hit", "baseline_robin_find", "unsync", c["key"], c["size"], c["keys"], "") if c["op"] == "hit" else None
        ns = median(samples[name])
        row = dict(c)
        row.update(
            name=name,
            cachet_ns=ns,
            baseline=base,
            baseline_ns=median(samples.get(base, [])),
            floor=floor,
            floor_ns=median(samples.get(floor, [])) if floor else None,
            robin_ns=median(samples.get(robin, [])) if robin else None,
            spread=spread(samples[name]),
            reps=len(samples[name]),
        )
        rows.append(row)
    order = {op: i for i, op in enumerate(OPS)}
    size_order = {"10k": 0, "1M": 1}
    rows.sort(key=lambda r: (order.get(r["op"], 99), r["impl"], r["sync"] != "unsync", r["key"] != "int",
                             size_order.get(r["size"], 9), r["keys"], int(r["batch"] or 0)))
    return rows


def ratio(a, b):
    return a / b if a is not None and b else None


def print_tables(rows, out):
    by_op = defaultdict(list)
    for r in rows:
        by_op[r["op"]].append(r)
    for op in OPS:
        if op not in by_op:
            continue
        floor_title = {"hit": "flat find", "miss": "plain call"}.get(op, "flat map")
        out.write(f"\n### {OP_TITLES[op]}\n\n")
        head = ["case", "cachet ns", "baseline ns", "**ratio**"]
        if op != "mixed":
            head += [f"{floor_title} ns", f"vs {floor_title}"]
        if op == "hit":
            head += ["robin find ns", "vs robin find"]
        head += ["spread"]
        out.write("| " + " | ".join(head) + " |\n")
        out.write("| --- |" + " ---: |" * (len(head) - 1) + "\n")
        for r in by_op[op]:
            case = "/".join([r["impl"], r["sync"], r["key"], r["size"], r["keys"]] + ([r["batch"]] if r["batch"] else []))
            cells = [case, fmt_ns(r["cachet_ns"]), fmt_ns(r["baseline_ns"]),
                     f"**{fmt_ratio(r['cachet_ns'], r['baseline_ns'])}**"]
            if op != "mixed":
                cells += [fmt_ns(r["floor_ns"]), fmt_ratio(r["cachet_ns"], r["floor_ns"])]
            if op == "hit":
                cells += [fmt_ns(r["robin_ns"]), fmt_ratio(r["cachet_ns"], r["robin_ns"])]
            cells += [f"{100 * r['spread']:.0f}%" if r["spread"] is not None else "-"]
            out.write("| " + " | ".join(cells) + " |\n")


def goals(rows, out):
    """The issue's goals that these benchmarks measure (hit path, Zipf)."""
    def find(impl, sync, key, size):
        for r in rows:
            if (r["op"], r["impl"], r["sync"], r["key"], r["size"], r["keys"]) == ("hit", impl, sync, key, size, "zipf"):
                return r
        return None

    out.write("\n### Goals (hit path, Zipf 0.99)\n\n")
    out.write("| goal | case | ratio | met |\n| --- | --- | ---: | --- |\n")
    for sync, limit in (("unsync", 0.5), ("mutex", 1.0)):
        for key in ("int", "string", "dense"):
            for size in ("10k", "1M"):
                r = find("lru", sync, key, size)
                if not r:
                    continue
                x = ratio(r["cachet_ns"], r["baseline_ns"])
                met = "-" if x is None else ("met" if x <= limit else "missed")
                out.write(f"| lru + {sync} <= {limit}x hand-written | {key}/{size} | {fmt_ratio(r['cachet_ns'], r['baseline_ns'])} | {met} |\n")
    # The FIFO-based storages (issue 11): against the hand-written LRU and the raw find.
    for impl in ("sieve", "s3fifo"):
        for key in ("int", "string", "dense"):
            for size in ("10k", "1M"):
                r = find(impl, "unsync", key, size)
                if not r:
                    continue
                for what, base_ns, limit in (("hand-written LRU", r["baseline_ns"], 0.5),
                                             ("flat_map find", r["floor_ns"], 3.0)):
                    x = ratio(r["cachet_ns"], base_ns)
                    met = "-" if x is None else ("met" if x <= limit else "missed")
                    out.write(f"| {impl} <= {limit}x {what} | {key}/{size} | {fmt_ratio(r['cachet_ns'], base_ns)} | {met} |\n")
    # w_tinylfu's hit (a use counted in its node) against cachet's own lru.
    for key in ("int", "string", "dense"):
        for size in ("10k", "1M"):
            r, lru = find("w_tinylfu", "unsync", key, size), find("lru", "unsync", key, size)
            if not r or not lru:
                continue
            x = ratio(r["cachet_ns"], lru["cachet_ns"])
            met = "-" if x is None else ("met" if x <= 1.0 else "missed")
            out.write(f"| w_tinylfu <= 1.0x lru | {key}/{size} | {fmt_ratio(r['cachet_ns'], lru['cachet_ns'])} | {met} |\n")


def persistent_goals(samples, out):
    """bench_persistent: cachet::sqlite hits against the simplest hand-written SQLite cache."""
    cachet, simple = samples.get("get/sqlite/10k"), samples.get("get/baseline_simple_sqlite/10k")
    if not cachet or not simple:
        return
    x = statistics.median(simple) / statistics.median(cachet)  # throughput ratio
    out.write("\n### Goal (persistent storages)\n\n| goal | cachet | hand-written | throughput ratio | met |\n"
              "| --- | ---: | ---: | ---: | --- |\n")
    out.write(f"| sqlite hit >= 0.8x the simplest hand-written SQLite cache | {fmt_ns(statistics.median(cachet))} |"
              f" {fmt_ns(statistics.median(simple))} | {x:.2f}x | {'met' if x >= 0.8 else 'missed'} |\n")


def remote_goals(samples, out):
    """bench_remote: the remote storages against the servers' own clients, same run."""
    pairs = [
        ("redis get >= 0.9x redis-benchmark -P 1", "get/redis/1k", "get/baseline_redis_benchmark/1", 0.9),
        ("redis get_many(16) per key >= 0.8x redis-benchmark -P 16", "get_many/redis/1k/16",
         "get_many/baseline_redis_benchmark/16", 0.8),
        ("redis get vs hiredis GET", "get/redis/1k", "get/baseline_hiredis/1k/1", None),
        ("redis get_many(16) vs 16 pipelined GETs", "get_many/redis/1k/16", "get_many/baseline_hiredis/1k/16", None),
        ("memcached get vs libmemcached", "get/memcached/1k", "get/baseline_libmemcached/1k/1", None),
        ("memcached get_many(16) vs memcached_mget", "get_many/memcached/1k/16", "get_many/baseline_libmemcached/1k/16",
         None),
    ]
    rows = [(g, samples.get(c), samples.get(b), limit) for g, c, b, limit in pairs if samples.get(c) and samples.get(b)]
    if not rows:
        return
    out.write("\n### Goals (remote storages)\n\n| goal | cachet | baseline | throughput ratio | met |\n"
              "| --- | ---: | ---: | ---: | --- |\n")
    for goal, cachet, base, limit in rows:
        x = statistics.median(base) / statistics.median(cachet)
        met = "-" if limit is None else ("met" if x >= limit else "missed")
        out.write(f"| {goal} | {fmt_ns(statistics.median(cachet))} | {fmt_ns(statistics.median(base))} | {x:.2f}x | {met} |\n")


def write_csv(rows, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["op", "impl", "sync", "key", "size", "keys", "batch", "cachet_ns", "baseline_ns", "ratio",
                    "floor_ns", "ratio_to_floor", "robin_ns", "spread", "repetitions"])
        for r in rows:
            w.writerow([r["op"], r["impl"], r["sync"], r["key"], r["size"], r["keys"], r["batch"],
                        r["cachet_ns"], r["baseline_ns"], ratio(r["cachet_ns"], r["baseline_ns"]),
                        r["floor_ns"], ratio(r["cachet_ns"], r["floor_ns"]), r["robin_ns"], r["spread"], r["reps"]])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", help="also write the rows as CSV (for scripts/bench_plots.sh)")
    ap.add_argument("json", nargs="+")
    args = ap.parse_args()
    samples, errors = load(args.json)
    rows = rows_for(samples)
    if not rows:
        print("bench_table.py: no cachet benchmark in " + ", ".join(args.json), file=sys.stderr)
        return 1
    reps = sorted({r["reps"] for r in rows})
    spreads = sorted(r["spread"] for r in rows if r["spread"] is not None)
    out = sys.stdout
    out.write("ns per item, median of " + "/".join(map(str, reps)) + " repetition(s); ratio = cachet / baseline of the"
              " same guarantee (< 1: cachet is faster)\n")
    if spreads:
        out.write(f"noise: spread (max - min) / median of cachet's repetitions: median {100 * statistics.median(spreads):.0f}%,"
                  f" worst {100 * spreads[-1]:.0f}%\n")
    print_tables(rows, out)
    goals(rows, out)
    persistent_goals(samples, out)
    remote_goals(samples, out)
    if errors:
        out.write("\nbenchmarks that reported an error:\n" + "".join(f"- {e}\n" for e in errors))
    if args.csv:
        write_csv(rows, args.csv)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
