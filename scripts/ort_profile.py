#!/usr/bin/env python3
"""ONNX Runtime's own per-node kernel times for one model, to set beside `imgvec bench --profile`.

    python3 scripts/ort_profile.py MODEL.onnx [--threads N] [--batch B] [--runs R] [--top K]

Runs the model with ORT's profiler on, in the session ort_bench.py times,
discards the warm-up runs, and prints the mean milliseconds per run by op type and for the
K slowest nodes (ORT's fused node names, e.g. `relu_32_nchwc`, with their output shapes).
"""
import argparse
import collections
import json
import os
import tempfile

import onnxruntime as ort

from ort_bench import make_feed, make_session


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="ort-profile-")
    session = make_session(args.model, args.threads, profile_prefix=os.path.join(workdir, "profile"))
    feed = make_feed(session, args.batch, seed=0)
    for _ in range(args.warmup + args.runs):
        session.run(None, feed)
    events = json.load(open(session.end_profiling()))

    # Kernel events of the timed runs only: each run has the same nodes, in order.
    kernels = [e for e in events if e.get("cat") == "Node" and e["name"].endswith("_kernel_time")]
    per_run = len(kernels) // (args.warmup + args.runs)
    timed = kernels[per_run * args.warmup:]
    total = collections.defaultdict(float)
    op_type, out_shape = {}, {}
    for event in timed:
        name = event["name"][: -len("_kernel_time")]
        total[name] += event["dur"] / 1000 / args.runs
        op_type[name] = event["args"].get("op_name")
        out_shape[name] = event["args"].get("output_type_shape")
    by_type = collections.defaultdict(float)
    for name, ms in total.items():
        by_type[op_type[name]] += ms
    print(f"ONNX Runtime {ort.__version__}, {args.threads} thread(s), batch {args.batch}: "
          f"{sum(total.values()):.3f} ms of kernels per run")
    for kind, ms in sorted(by_type.items(), key=lambda kv: -kv[1]):
        print(f"  {kind:<22} {ms:8.3f} ms")
    print("slowest nodes:")
    for name, ms in sorted(total.items(), key=lambda kv: -kv[1])[: args.top]:
        shapes = [list(s.values())[0] for s in (out_shape[name] or [])]
        print(f"  {name:<44} {op_type[name]:<18} {ms:7.3f} ms  {shapes}")


if __name__ == "__main__":
    main()
