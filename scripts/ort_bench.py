#!/usr/bin/env python3
"""Times ONNX Runtime on one model/batch/thread configuration for `imgvec bench`.

Prints one JSON object: median and all per-batch times in milliseconds, and the
process's peak resident memory. Input: seeded N(0,1) float32 of the model's input
shape with the given batch. Default graph optimisations (ORT_ENABLE_ALL), one
intra-op pool of --threads threads, sequential execution.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peak_memory import peak_rss_mb  # noqa: E402


def make_session(model, threads, profile_prefix=None):
    """The ONNX Runtime session every script here measures: default graph optimisations
    (ORT_ENABLE_ALL), one intra-op pool of `threads` threads, sequential execution;
    ORT's profiler on when `profile_prefix` is given."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if profile_prefix:
        options.enable_profiling = True
        options.profile_file_prefix = profile_prefix
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def make_feed(session, batch, seed):
    """Seeded N(0,1) float32 of the first input's shape with `batch` images (symbolic dims: 224)."""
    declared = session.get_inputs()[0]
    shape = [batch if i == 0 else (d if isinstance(d, int) else 224) for i, d in enumerate(declared.shape)]
    return {declared.name: np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    session = make_session(args.model, args.threads)
    feed = make_feed(session, args.batch, args.seed)
    for _ in range(args.warmup):
        session.run(None, feed)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        session.run(None, feed)
        times.append((time.perf_counter() - start) * 1000)
    print(json.dumps({
        "runtime": "onnxruntime " + ort.__version__,
        "median_ms": statistics.median(times),
        "times_ms": times,
        "peak_rss_mb": peak_rss_mb(),
    }))


if __name__ == "__main__":
    main()
