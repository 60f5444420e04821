#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# tools/bench/report.py: turn one tools/bench/run results directory into
# the comparison.
#
# usage: report.py [-o OUTDIR] RESULTS_DIR [RESULTS_DIR...]
#
# Reads console.log (the guest's framed runs), hostload.log (the host's
# stamps at every frame) and meta.txt of each results directory (several:
# their runs are merged; ratios pair runs of the same boot and
# repetition only); writes results.json (every run), summary.json,
# table.txt, perf.md and batch.png (gnuplot, when there is more than one
# batch size) into OUTDIR (default: the first directory), and prints
# table.txt.
#
# Per run: chains/s is CHAINS over the wall time `vqbench time` measured
# around the whole program (setup included, for all three alike); CPU
# ns/chain is the guest's /proc/stat busy time of all vCPUs over CHAINS;
# kicks and calls: virtio_test's instrumented counters (eventfd writes,
# call eventfd counts read), the vqtest device's QUEUE_STATS kicks and
# calls; csw/ch: context switches of the program's threads (the vhost
# worker is one of virtio_test's) plus kworker timeslices, per chain;
# ipi/ch: rescheduling and function-call IPIs of all vCPUs per chain. A run is contended when other host processes used more than
# CONTENDED_CPU CPUs on average while it ran; medians use the clean runs
# when at least MIN_CLEAN remain, else all runs (and say so).
import json
import os
import re
import statistics
import subprocess
import sys

CONTENDED_CPU = 0.25
MIN_CLEAN = 3
BENCHES = ["vhost_test", "vqtest", "vqtest-inline", "vqtest-process",
           "vqtest-ring", "ringtest-sleep", "ringtest-poll"]


def parse_kv(s):
    return dict(re.findall(r"(\w+)=(\S+)", s))


def load_meta(d):
    meta = {}
    try:
        with open(os.path.join(d, "meta.txt")) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    meta[k] = v
    except OSError:
        pass
    return meta


def load_host(d):
    """id -> {begin: (epoch, load1, busy, qemu), end: ...}, hz, ncpu"""
    marks, hz, ncpu = {}, 100, 1
    try:
        f = open(os.path.join(d, "hostload.log"))
    except OSError:
        return marks, hz, ncpu
    with f:
        for line in f:
            if line.startswith("#"):
                m = re.search(r"hz=(\d+) ncpu=(\d+)", line)
                if m:
                    hz, ncpu = int(m.group(1)), int(m.group(2))
                continue
            parts = line.split(None, 4)
            if len(parts) < 5:
                continue
            epoch, load1, busy, q, marker = parts
            m = re.match(r"REP-(BEGIN|END) id=(\d+)", marker)
            if not m:
                continue
            marks.setdefault(int(m.group(2)), {})[m.group(1).lower()] = (
                float(epoch), float(load1), int(busy), int(q or 0))
    return marks, hz, ncpu


def parse_console(d):
    runs, lifecycle, info, sweep = [], [], [], []
    cur = None
    in_lc = in_sweep = False
    with open(os.path.join(d, "console.log"), errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if "BENCH-INFO" in line:
                info.append(line.split("BENCH-INFO", 1)[1].strip())
            if "BENCH-REP-BEGIN" in line:
                kv = parse_kv(line.split("BENCH-REP-BEGIN", 1)[1])
                cur = {"id": int(kv["id"]), "bench": kv["bench"],
                       "place": kv["place"], "feat": kv["feat"],
                       "batch": int(kv["batch"]), "rep": int(kv["rep"])}
                continue
            if "BENCH-REP-END" in line and cur is not None:
                kv = parse_kv(line.split("BENCH-REP-END", 1)[1])
                cur["rc"] = int(kv.get("rc", -1))
                runs.append(cur)
                cur = None
                continue
            if "BENCH-SWEEP-BEGIN" in line:
                in_sweep = True
                continue
            if "BENCH-SWEEP-END" in line:
                in_sweep = False
                continue
            if in_sweep:
                if re.match(r"^#|^\d+ ", line):
                    sweep.append(line)
                continue
            if "BENCH-LIFECYCLE-BEGIN" in line:
                in_lc = True
                continue
            if "BENCH-LIFECYCLE-END" in line:
                in_lc = False
                continue
            j = None
            if line.startswith("{") and line.endswith("}"):
                try:
                    j = json.loads(line)
                except ValueError:
                    j = None
            if in_lc and j:
                lifecycle.append(j)
                continue
            if cur is None:
                continue
            if j and j.get("type") == "time":
                cur["time"] = j
            elif j and j.get("type") == "run":
                cur["vq"] = j
            elif line.startswith("vt-counters:"):
                cur["vt"] = {k: int(v) for k, v in parse_kv(line).items()}
            elif "Assertion" in line or "error" in line.lower():
                cur.setdefault("errors", []).append(line)
    return runs, lifecycle, info, sweep


def enrich(runs, marks, hz, ncpu):
    for r in runs:
        t = r.get("time", {})
        chains = t.get("chains") or 0
        wall = t.get("wall_ns") or 0
        r["ok"] = r.get("rc") == 0 and t.get("rc") == 0 and wall > 0
        r["chains"] = chains
        r["cps"] = chains * 1e9 / wall if r["ok"] else None
        if r["ok"] and chains:
            r["csw_per_chain"] = (t.get("child_vcsw", 0) + t.get("child_ivcsw", 0)
                                  + t.get("kworker_slices", 0)) / chains
            if "ipi_res" in t:
                r["ipi_per_chain"] = (t["ipi_res"] + t.get("ipi_cal", 0)) / chains
        busy = t.get("busy_ns", -1)
        r["cpu_ns_per_chain"] = busy / chains if r["ok"] and busy >= 0 else None
        k = c = None
        if "vt" in r:
            k, c = r["vt"].get("kicks"), r["vt"].get("calls")
        elif "vq" in r and "kicks" in r["vq"]:
            k, c = r["vq"]["kicks"], r["vq"]["calls"]
            r["vq_cps"] = r["vq"].get("chains_per_sec")
            r["worker_runs"] = r["vq"].get("worker_runs")
            r["budget_exhausted"] = r["vq"].get("budget_exhausted")
        if k is not None and chains:
            r["kicks_per_chain"] = k / chains
            r["calls_per_chain"] = c / chains
            r["kc_per_chain"] = (k + c) / chains
        m = marks.get(r["id"], {})
        if "begin" in m and "end" in m:
            e0, l0, b0, q0 = m["begin"]
            e1, l1, b1, q1 = m["end"]
            dt = max(e1 - e0, 1e-6)
            other = ((b1 - b0) - (q1 - q0)) / hz / dt
            r["host_load_begin"], r["host_load_end"] = l0, l1
            r["host_other_cpu"] = round(max(other, 0.0), 3)
            r["host_seconds"] = round(dt, 3)
            r["contended"] = other > CONTENDED_CPU
        else:
            r["contended"] = None


def med(v):
    return statistics.median(v) if v else None


def summarize(runs):
    groups = {}
    for r in runs:
        key = (r["place"], r["feat"], r["batch"], r["bench"])
        groups.setdefault(key, []).append(r)
    out = {}
    for key, rs in groups.items():
        ok = [r for r in rs if r["ok"]]
        clean = [r for r in ok if r.get("contended") is False]
        use = clean if len(clean) >= MIN_CLEAN else ok
        cps = [r["cps"] for r in use]
        s = {
            "runs": len(rs), "ok": len(ok), "clean": len(clean),
            "used": len(use), "used_contended": len(use) > len(clean),
            "median": med(cps), "min": min(cps) if cps else None,
            "max": max(cps) if cps else None,
        }
        for f in ("kicks_per_chain", "calls_per_chain", "kc_per_chain",
                  "cpu_ns_per_chain", "csw_per_chain", "ipi_per_chain"):
            v = [r[f] for r in use if r.get(f) is not None]
            s[f] = med(v)
        out[key] = s
    return out


def paired(runs, place, feat, batch, a, b):
    """median and range of per-rep a/b chains/s ratios (same rep, clean)"""
    by = {}
    for r in runs:
        if (r["place"], r["feat"], r["batch"]) == (place, feat, batch) and r["ok"]:
            by.setdefault((r.get("src", ""), r["rep"]), {})[r["bench"]] = r
    ratios, clean = [], []
    for rep, d in sorted(by.items()):
        if a in d and b in d:
            x = d[a]["cps"] / d[b]["cps"]
            ratios.append(x)
            if not d[a].get("contended") and not d[b].get("contended"):
                clean.append(x)
    use = clean if len(clean) >= MIN_CLEAN else ratios
    if not use:
        return None
    return {"median": med(use), "min": min(use), "max": max(use),
            "n": len(use), "clean": len(clean)}


def fmt_rate(v):
    if v is None:
        return "-"
    if v >= 1e6:
        return "%.2fM" % (v / 1e6)
    return "%.1fk" % (v / 1e3)


def fmt_cell(s):
    if not s or s["median"] is None:
        return "-"
    flag = "*" if s["used_contended"] else ""
    return "%s [%s-%s]%s" % (fmt_rate(s["median"]), fmt_rate(s["min"]),
                             fmt_rate(s["max"]), flag)


def fmt_num(v, f="%.3f"):
    return "-" if v is None else f % v


def lifecycle_summary(lc):
    out = {}
    for fds in (False, True):
        reps = [j for j in lc if j.get("type") == "lifecycle"
                and j.get("fds") == fds]
        if not reps:
            continue
        out["fds" if fds else "nofds"] = {
            "queues": reps[0]["queues"], "num": reps[0]["num"],
            "reps": len(reps),
            "total_ms": med([j["total_ms"] for j in reps]),
            "total_ms_max": max(j["total_ms"] for j in reps),
            "create_ms": med([j["create_ms"] for j in reps]),
            "destroy_ms": med([j["destroy_ms"] for j in reps]),
            "slab_bytes_per_queue": med([j["slab_bytes_per_queue"] for j in reps]),
            "memfree_drop_per_queue": med([j["memfree_drop_per_queue"] for j in reps]),
            "target_bytes_per_queue": reps[0]["target_bytes_per_queue"],
            "top_caches": reps[-1].get("top_caches", []),
        }
    return out


def verdict(ok):
    if ok is None:
        return "(info)"
    return "MET" if ok else "MISSED"


def fmt_ratio(pr):
    if not pr:
        return "-"
    return "%.2f [%.2f-%.2f]" % (pr["median"], pr["min"], pr["max"])


def build_table(meta, info, runs, summ, lc):
    places = [p for p in ("same", "split") if any(k[0] == p for k in summ)]
    feats = [f for f in ("default", "noeidx", "noind") if any(k[1] == f for k in summ)]
    batches = sorted({k[2] for k in summ})
    lines = []
    lines.append("vqtest vs vhost_test vs ringtest: Debian %s, QEMU TCG, 2 vCPUs, %s"
                 % (meta.get("kernel", "?"), meta.get("date", "?")[:10]))
    lines.append("work: 1,048,576 x 1 KiB device-readable buffers, ring 256, virtio_test's "
                 "loop; %s repetitions; chains/s median [min-max]; ratios are per-"
                 "repetition pairs, median [min-max]; * = includes contended runs"
                 % meta.get("reps", "?"))
    lines.append("")
    hdr = "%-5s %-7s %5s  %-15s %-26s %-19s %-19s %8s %8s %8s %9s %7s %7s" % (
        "place", "feat", "batch", "bench", "chains/s", "x vhost_test",
        "x ringtest-sleep", "kick/ch", "call/ch", "k+c/ch", "cpu ns/ch",
        "csw/ch", "ipi/ch")
    lines.append(hdr)
    lines.append("-" * len(hdr))
    targets = []
    for p in places:
        for f in feats:
            for b in batches:
                g = {bn: summ.get((p, f, b, bn)) for bn in BENCHES}
                if not any(g.values()):
                    continue
                first = True
                for bn in BENCHES:
                    s = g[bn]
                    if not s:
                        continue
                    pv = paired(runs, p, f, b, bn, "vhost_test") if bn != "vhost_test" else None
                    pr = paired(runs, p, f, b, bn, "ringtest-sleep") if not bn.startswith("ringtest") else None
                    lines.append("%-5s %-7s %5s  %-15s %-26s %-19s %-19s %8s %8s %8s %9s %7s %7s" % (
                        p if first else "", f if first else "", str(b) if first else "",
                        bn, fmt_cell(s), fmt_ratio(pv), fmt_ratio(pr),
                        fmt_num(s["kicks_per_chain"], "%.4f"),
                        fmt_num(s["calls_per_chain"], "%.4f"),
                        fmt_num(s["kc_per_chain"], "%.4f"),
                        fmt_num(s["cpu_ns_per_chain"], "%.0f"),
                        fmt_num(s["csw_per_chain"], "%.3f"),
                        fmt_num(s["ipi_per_chain"], "%.3f")))
                    first = False
                pr = paired(runs, p, f, b, "vqtest", "vhost_test")
                rr = paired(runs, p, f, b, "vqtest", "ringtest-sleep")
                kc_v = g["vhost_test"]["kc_per_chain"] if g["vhost_test"] else None
                kc_q = g["vqtest"]["kc_per_chain"] if g["vqtest"] else None
                if f == "default" and pr:
                    if b == 1 and p == "same":
                        targets.append(("vqtest >= 2.0x vhost_test, batch 1, same vCPU",
                                        "%.2fx" % pr["median"], pr["median"] >= 2.0))
                    if b == 64:
                        targets.append(("vqtest >= 1.3x vhost_test, batch 64, %s" % p,
                                        "%.2fx" % pr["median"], pr["median"] >= 1.3))
                if f == "default" and b == 64 and rr:
                    targets.append(("vqtest >= 0.67x ringtest-sleep, batch 64, %s" % p,
                                    "%.2fx" % rr["median"], rr["median"] >= 0.67))
                rq = paired(runs, p, f, b, "vqtest-ring", "ringtest-sleep")
                if f == "default" and b == 64 and rq:
                    targets.append(("vqtest-ring (ringtest's loop) >= 0.67x ringtest-sleep, b64, %s" % p,
                                    "%.2fx" % rq["median"], rq["median"] >= 0.67))
                if kc_v is not None and kc_q is not None:
                    targets.append(("kicks+calls/chain <= vhost_test's, %s %s b%d" % (p, f, b),
                                    "%.4f vs %.4f" % (kc_q, kc_v), kc_q <= kc_v + 1e-9))
                pi = paired(runs, p, f, b, "vqtest-inline", "vhost_test")
                if pi and f == "default" and p == "same":
                    want = 2.0 if b == 1 else 1.3
                    targets.append(("vqtest-inline (kicks served in the kicking thread) >= %.1fx vhost_test, batch %d, same" % (want, b),
                                    "%.2fx" % pi["median"], pi["median"] >= want))
                ki = g["vqtest-inline"]["kc_per_chain"] if g["vqtest-inline"] else None
                if kc_v is not None and ki is not None:
                    targets.append(("vqtest-inline kicks+calls/chain <= vhost_test's, %s %s b%d" % (p, f, b),
                                    "%.4f vs %.4f" % (ki, kc_v), ki <= kc_v + 1e-9))
                pp = paired(runs, p, f, b, "vqtest-process", "vhost_test")
                if pp:
                    targets.append(("(vqtest-process, synchronous kicks) vs vhost_test, %s b%d" % (p, b),
                                    "%.2fx" % pp["median"], None))
    lines.append("")
    ls = lifecycle_summary(lc)
    if ls:
        lines.append("kernel memory and lifecycle (vqbench lifecycle, median of reps):")
        for k, v in ls.items():
            lines.append("  %d queues of %d, %s: create %.1f ms, destroy %.1f ms, total %.1f ms (max %.1f); "
                         "slab %.0f B/queue, MemFree drop %.0f B/queue; grew: %s" % (
                             v["queues"], v["num"],
                             "with kick+call eventfds" if k == "fds" else "no eventfds",
                             v["create_ms"], v["destroy_ms"], v["total_ms"],
                             v["total_ms_max"], v["slab_bytes_per_queue"],
                             v["memfree_drop_per_queue"],
                             ", ".join("%s %.0f" % (c["name"], c["bytes_per_queue"])
                                       for c in v["top_caches"]) or "-"))
        n = ls.get("nofds")
        if n:
            targets.append(("kernel memory per queue <= 4 KiB + 16 B/entry (%d B)" % n["target_bytes_per_queue"],
                            "%.0f B" % n["slab_bytes_per_queue"],
                            n["slab_bytes_per_queue"] <= n["target_bytes_per_queue"]))
            targets.append(("1,000 queues created and destroyed < 1 s",
                            "%.1f ms" % n["total_ms"], n["total_ms"] < 1000))
        lines.append("")
    tr = paired(runs, "same", "default", 64, "vqtest-trace", "vqtest-notrace")
    if tr:
        st = summ.get(("same", "default", 64, "vqtest-trace"))
        sn = summ.get(("same", "default", 64, "vqtest-notrace"))
        lines.append("tracepoints, disabled (synchronous kicks, batch 64: device-bound): "
                     "with %s, without %s chains/s; with/without %s; cpu ns/chain %s vs %s"
                     % (fmt_cell(st), fmt_cell(sn), fmt_ratio(tr),
                        fmt_num(st["cpu_ns_per_chain"] if st else None, "%.0f"),
                        fmt_num(sn["cpu_ns_per_chain"] if sn else None, "%.0f")))
        lines.append("")
        targets.append(("disabled tracepoints cost < 2%",
                        "%.1f%%" % ((1 - tr["median"]) * 100), tr["median"] > 0.98))
    if targets:
        lines.append("targets (issue 7):")
        for name, val, ok in targets:
            lines.append("  %-62s %-22s %s" % (name, val, verdict(ok)))
        lines.append("")
    cont = [r for r in runs if r.get("contended")]
    nomark = [r for r in runs if r.get("contended") is None]
    lines.append("host load: %d of %d runs contended (other host processes > %.2f CPU); "
                 "host load1 %s to %s" % (
                     len(cont), len(runs), CONTENDED_CPU,
                     fmt_num(min((r["host_load_begin"] for r in runs if "host_load_begin" in r), default=None), "%.2f"),
                     fmt_num(max((r["host_load_end"] for r in runs if "host_load_end" in r), default=None), "%.2f")))
    for r in cont:
        lines.append("  contended: %s id %d %s %s %s b%d rep %d: other %.2f CPU, load %.2f->%.2f" % (
            r.get("src", ""), r["id"], r["bench"], r["place"], r["feat"], r["batch"], r["rep"],
            r["host_other_cpu"], r["host_load_begin"], r["host_load_end"]))
    if nomark:
        lines.append("  %d runs without host stamps" % len(nomark))
    bad = [r for r in runs if not r["ok"]]
    for r in bad:
        lines.append("  FAILED: %s id %d %s %s %s b%d rep %d rc %s %s" % (
            r.get("src", ""), r["id"], r["bench"], r["place"], r["feat"], r["batch"], r["rep"],
            r.get("rc"), "; ".join(r.get("errors", []))[:200]))
    if info:
        lines.append("guest: " + " | ".join(info))
    if meta.get("sources"):
        lines.append("runs from: %s" % meta["sources"])
    lines.append("source: %s %s (image %s), vqtest %s; %s" % (
        meta.get("source_package", "?"), meta.get("source_version", "?"),
        meta.get("image_version", "?"), meta.get("vqtest_commit", "?"),
        meta.get("qemu", "?")))
    return "\n".join(lines) + "\n", targets


def perf_md(meta, summ, runs, lc, targets):
    out = []
    out.append("## Performance\n")
    out.append("vqtest against the kernel's own virtio benchmark, vhost_test "
               "(`drivers/vhost/test.c` driven by `tools/virtio/virtio_test`), "
               "and against a pure userspace ring (`tools/virtio/ringtest`, "
               "virtio_ring_0_9) as the floor. Same work for all: 1,048,576 "
               "one-KiB device-readable buffers through a 256-entry ring, "
               "virtio_test's loop (up to *batch* buffers in flight); vqtest "
               "runs the `sink` behaviour, which like vhost_test does not read "
               "the bytes. One VM boot, runs alternated, median [min-max] of "
               "%s repetitions.\n" % meta.get("reps", "?"))
    out.append("Kernel %s (Debian), QEMU TCG, 2 vCPUs, %s, host: %s.\n" % (
        meta.get("kernel", "?"), meta.get("date", "?")[:10],
        meta.get("host_cpu", "?")))
    out.append("*vqtest* wakes the queue's worker on each kick, as vhost_test "
               "does; *vqtest-inline* (`VQTEST_QUEUE_F_INLINE`) serves the "
               "kick in the driver's thread on its way back from `write()`, "
               "so it has no placement of its own.\n")
    out.append("| placement | batch | vhost_test | vqtest | vqtest-inline | ringtest (sleep) | vqtest / vhost_test | vqtest-inline / vhost_test | vqtest / ringtest | kicks+calls per chain (vhost_test / vqtest / inline) |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")

    def ratio(x):
        return "%.2fx" % x["median"] if x else "-"

    def kc(x):
        return fmt_num(x["kc_per_chain"] if x else None)
    for p in ("same", "split"):
        for b in sorted({k[2] for k in summ if k[0] == p and k[1] == "default"}):
            g = {bn: summ.get((p, "default", b, bn)) for bn in BENCHES}
            out.append("| %s vCPU%s | %d | %s | %s | %s | %s | %s | %s | %s | %s / %s / %s |" % (
                p, "" if p == "same" else "s", b,
                fmt_cell(g["vhost_test"]), fmt_cell(g["vqtest"]),
                fmt_cell(g["vqtest-inline"]) if g["vqtest-inline"] else "-",
                fmt_cell(g["ringtest-sleep"]),
                ratio(paired(runs, p, "default", b, "vqtest", "vhost_test")),
                ratio(paired(runs, p, "default", b, "vqtest-inline", "vhost_test")),
                ratio(paired(runs, p, "default", b, "vqtest", "ringtest-sleep")),
                kc(g["vhost_test"]), kc(g["vqtest"]), kc(g["vqtest-inline"])))
    out.append("")
    ls = lifecycle_summary(lc).get("nofds")
    if ls:
        out.append("Kernel memory per queue (256 entries, slab growth): %.0f bytes; "
                   "1,000 queues created and destroyed in %.1f ms.\n" % (
                       ls["slab_bytes_per_queue"], ls["total_ms"]))
    out.append("Reproduce: `make bench` (or `tools/bench/run -h`); results in "
               "`build/bench/latest/` (table.txt, results.json, batch.png). "
               "The kernel's benchmarks are built at run time from the "
               "installed `linux-source-6.12` package matching the booted "
               "kernel; vqtest's side alone: `vqbench -B sink -l window "
               "--shared-buf -c 1048576 -b 64 -P split`.\n")
    return "\n".join(out)


def gnuplot(gp, png):
    """Run gnuplot on script gp; png, or None when gnuplot failed."""
    try:
        subprocess.run(["gnuplot", gp], check=True)
        return png
    except (OSError, subprocess.CalledProcessError) as e:
        print("report: gnuplot failed: %s" % e, file=sys.stderr)
        return None


def plot(d, summ):
    batches = sorted({k[2] for k in summ if k[1] == "default"})
    if len(batches) < 2:
        return None
    dat = os.path.join(d, "batch.dat")
    cols = []
    with open(dat, "w") as f:
        f.write("# batch then median min max chains/s per column group\n")
        for p in ("same", "split"):
            for bn in BENCHES:
                if any((p, "default", b, bn) in summ for b in batches):
                    cols.append((p, bn))
        f.write("# " + " ".join("%s/%s" % c for c in cols) + "\n")
        for b in batches:
            row = [str(b)]
            for p, bn in cols:
                s = summ.get((p, "default", b, bn))
                if s and s["median"]:
                    row += ["%.1f" % s["median"], "%.1f" % s["min"], "%.1f" % s["max"]]
                else:
                    row += ["NaN", "NaN", "NaN"]
            f.write(" ".join(row) + "\n")
    png = os.path.join(d, "batch.png")
    gp = os.path.join(d, "batch.gp")
    colors = {"vhost_test": "#1f77b4", "vqtest": "#d62728",
              "vqtest-process": "#ff9896", "vqtest-ring": "#ff7f0e",
              "vqtest-inline": "#9467bd",
              "ringtest-sleep": "#2ca02c", "ringtest-poll": "#98df8a"}
    plots = []
    for i, (p, bn) in enumerate(cols):
        c = 2 + 3 * i
        # same vCPU: filled points, thick; split: open points, thin
        plots.append("'%s' using 1:%d:%d:%d with yerrorlines lw %d pt %d ps 1.3 lc rgb '%s' title '%s, %s vCPU%s'" % (
            dat, c, c + 1, c + 2, 3 if p == "same" else 1,
            7 if p == "same" else 6, colors.get(bn, "black"), bn, p,
            "" if p == "same" else "s"))
    with open(gp, "w") as f:
        f.write("set terminal png size 1000,600 noenhanced\n"
                "set output '%s'\n"
                "set title 'chains/s against batch: 1,048,576 x 1 KiB, ring 256, QEMU TCG (median, min-max)'\n"
                "set logscale xy\nset xlabel 'batch (virtio_test --batch)'\n"
                "set ylabel 'chains/s'\nset grid\nset key outside right\n"
                "plot %s\n" % (png, ", \\\n  ".join(plots)))
    return gnuplot(gp, png)


def plot_sweep(d, lines, meta):
    """vqbench sweep's data (batch median min max ...) as sweep.png"""
    if not lines:
        return None
    dat = os.path.join(d, "sweep.dat")
    with open(dat, "w") as f:
        f.write("\n".join(lines) + "\n")
    png = os.path.join(d, "sweep.png")
    gp = os.path.join(d, "sweep.gp")
    with open(gp, "w") as f:
        f.write("set terminal png size 900,560 noenhanced\n"
                "set output '%s'\n"
                "set title 'vqbench sweep: sink, 1 KiB, ring 256, N chains per kick, same vCPU, %s, TCG'\n"
                "set logscale x 2\nset logscale y\nset xlabel 'batch (chains per kick)'\n"
                "set ylabel 'chains/s'\nset grid\nset key top left\n"
                "plot '%s' using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#d62728' title 'median of 3 (min-max)'\n"
                % (png, meta.get("kernel", "?"), dat))
    return gnuplot(gp, png)


def main():
    args = sys.argv[1:]
    out = None
    if len(args) >= 2 and args[0] == "-o":
        out, args = args[1], args[2:]
    if not args:
        print("usage: report.py [-o OUTDIR] RESULTS_DIR [RESULTS_DIR...]", file=sys.stderr)
        return 2
    out = out or args[0]
    os.makedirs(out, exist_ok=True)
    meta = load_meta(args[0])
    runs, lc, info = [], [], []
    sweep_lines = []
    for d in args:
        marks, hz, ncpu = load_host(d)
        r, l, i, sw = parse_console(d)
        if sw:
            sweep_lines = sw
        enrich(r, marks, hz, ncpu)
        for x in r:
            x["src"] = os.path.basename(os.path.normpath(d))
        runs += r
        lc += l
        info += i
        m = load_meta(d)
        if d != args[0]:
            meta["reps"] = max(int(meta.get("reps", 0) or 0), int(m.get("reps", 0) or 0))
            meta["date"] = min(meta.get("date", "~"), m.get("date", "~"))
    if len(args) > 1:
        meta["sources"] = " ".join(os.path.basename(os.path.normpath(d)) for d in args)
    summ = summarize(runs)
    table, targets = build_table(meta, info, runs, summ, lc)
    with open(os.path.join(out, "results.json"), "w") as f:
        for r in runs:
            f.write(json.dumps(r, sort_keys=True) + "\n")
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump({"meta": meta,
                   "groups": [dict(zip(("place", "feat", "batch", "bench"), k), **v)
                              for k, v in sorted(summ.items())],
                   "lifecycle": lifecycle_summary(lc),
                   "targets": [{"target": t, "value": v, "met": ok}
                               for t, v, ok in targets]}, f, indent=1)
    with open(os.path.join(out, "table.txt"), "w") as f:
        f.write(table)
    with open(os.path.join(out, "perf.md"), "w") as f:
        f.write(perf_md(meta, summ, runs, lc, targets))
    png = plot(out, summ)
    spng = plot_sweep(out, sweep_lines, meta)
    sys.stdout.write(table)
    print("report: %s/table.txt, perf.md, results.json%s%s" % (
        out, ", batch.png" if png else "", ", sweep.png" if spng else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
