#!/usr/bin/env python3
"""ONNX Runtime's own per-node kernel times for one model, to set beside `imgvec bench --profile`.

    python3 scripts/ort_profile.py MODEL.onnx [--threads N] [--batch B] [--runs R] [--top K]

Runs the model with ORT's profiler on (default graph optimisations, as in ort_bench.py),
discards the warm-up runs, and prints the mean milliseconds per run by op type and for the
K slowest nodes (ORT's fused node names, e.g. `relu_32_nchwc`, with their output shapes).
"""
import argparse, collections, json, os, tempfile

import numpy as np
import onnxruntime as ort


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.enable_profiling = True
    workdir = tempfile.mkdtemp(prefix="ort-profile-")
    options.profile_file_prefix = os.path.join(workdir, "profile")
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    declared = session.get_inputs()[0]
    shape = [args.batch] + [d if isinstance(d, int) else 224 for d in declared.shape[1:]]
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    for _ in range(args.warmup):
        session.run(None, {declared.name: x})
    for _ in range(args.runs):
        session.run(None, {declared.name: x})
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
