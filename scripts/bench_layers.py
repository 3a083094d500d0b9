#!/usr/bin/env python3
"""Per-layer timings: ONNX Runtime vs imgvec's kernel-bench.

Builds one single-Conv (or single-MatMul) ONNX model per representative layer with
onnx.helper, times it with ONNX Runtime at the given thread count (median of runs),
and, with --imgvec, runs the release kernel-bench executable on the same layers and
prints a table (imgvec ms, ORT ms, ratio = imgvec / ORT; < 1 means imgvec is faster).

  swift build -c release --package-path Benchmarks --scratch-path .build-bench
  python3 scripts/bench_layers.py --batch 8 --threads 2 --imgvec .build-bench/release/kernel-bench
"""
import argparse, json, subprocess, time
import numpy as np
import onnx
from onnx import helper, TensorProto, numpy_helper
import onnxruntime as ort

# name, Cin, H, W, Cout, kernel (0 = MatMul), stride, pad, groups  (same list as Benchmarks/Sources/kernel-bench/Layers.swift)
LAYERS = [
    ("r18.conv1 7x7/2 3->64 @224", 3, 224, 224, 64, 7, 2, 3, 1),
    ("r18 3x3 64->64 @56", 64, 56, 56, 64, 3, 1, 1, 1),
    ("r18 3x3/2 128->256 @28", 128, 28, 28, 256, 3, 2, 1, 1),
    ("r18 1x1/2 256->512 @14", 256, 14, 14, 512, 1, 2, 0, 1),
    ("r18 3x3 512->512 @7", 512, 7, 7, 512, 3, 1, 1, 1),
    ("eb0 dw3/2 96 @112", 96, 112, 112, 96, 3, 2, 1, 96),
    ("eb0 dw3 144 @56", 144, 56, 56, 144, 3, 1, 1, 144),
    ("eb0 dw5/2 144 @56", 144, 56, 56, 144, 5, 2, 2, 144),
    ("eb0 dw5 240 @28", 240, 28, 28, 240, 5, 1, 2, 240),
    ("eb0 dw3 480 @14", 480, 14, 14, 480, 3, 1, 1, 480),
    ("eb0 dw5 672 @14", 672, 14, 14, 672, 5, 1, 2, 672),
    ("eb0 1x1 16->96 @112", 16, 112, 112, 96, 1, 1, 0, 1),
    ("eb0 1x1 144->24 @56", 144, 56, 56, 24, 1, 1, 0, 1),
    ("eb0 1x1 240->40 @28", 240, 28, 28, 40, 1, 1, 0, 1),
    ("eb0 1x1 112->672 @14", 112, 14, 14, 672, 1, 1, 0, 1),
    ("eb0 1x1 320->1280 @7", 320, 7, 7, 1280, 1, 1, 0, 1),
    ("fc matmul 512->1000", 512, 1, 1, 1000, 0, 1, 0, 1),
]


def model_for(layer, batch):
    name, cin, h, w, cout, k, s, p, g = layer
    rng = np.random.default_rng(0)
    if k == 0:
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, cin])
        weight = numpy_helper.from_array(rng.standard_normal((cin, cout)).astype(np.float32), "w")
        nodes = [helper.make_node("MatMul", ["x", "w"], ["y"])]
        inits, feed = [weight], rng.standard_normal((batch, cin)).astype(np.float32)
    else:
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, cin, h, w])
        weight = numpy_helper.from_array(rng.standard_normal((cout, cin // g, k, k)).astype(np.float32), "w")
        bias = numpy_helper.from_array(rng.standard_normal(cout).astype(np.float32), "b")
        # Conv + Relu: ORT fuses the Relu, as imgvec's fusion pass does.
        nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], kernel_shape=[k, k], strides=[s, s],
                                  pads=[p, p, p, p], group=g),
                 helper.make_node("Relu", ["c"], ["y"])]
        inits, feed = [weight, bias], rng.standard_normal((batch, cin, h, w)).astype(np.float32)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    graph = helper.make_graph(nodes, "layer", [x], [y], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString(), feed


def time_ort(layer, batch, threads):
    blob, feed = model_for(layer, batch)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(blob, options, providers=["CPUExecutionProvider"])
    for _ in range(3):
        session.run(None, {"x": feed})
    times, deadline = [], time.perf_counter() + 1.0
    while len(times) < 5 or (time.perf_counter() < deadline and len(times) < 200):
        start = time.perf_counter()
        session.run(None, {"x": feed})
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--filter", default="")
    parser.add_argument("--imgvec", help="path to the release kernel-bench executable")
    args = parser.parse_args()
    def run_imgvec(name):
        # Run per layer, right before ORT, so that both see the same machine load.
        out = subprocess.run([args.imgvec, "--batch", str(args.batch), "--threads", str(args.threads),
                              "--filter", name], check=True, capture_output=True, text=True).stdout
        records = [json.loads(line) for line in out.splitlines()]
        return next((r["ms"] for r in records if r["name"] == name), None)

    print(f"batch {args.batch}, threads {args.threads}")
    print(f"{'layer':30} {'imgvec ms':>10} {'ORT ms':>9} {'ratio':>6}")
    total_ours = total_ort = 0.0
    for layer in LAYERS:
        if args.filter not in layer[0]:
            continue
        mine = run_imgvec(layer[0]) if args.imgvec else None
        ort_ms = time_ort(layer, args.batch, args.threads)
        total_ort += ort_ms
        if mine is not None:
            total_ours += mine
            print(f"{layer[0]:30} {mine:10.3f} {ort_ms:9.3f} {mine / ort_ms:6.2f}")
        else:
            print(f"{layer[0]:30} {'-':>10} {ort_ms:9.3f}")
    if args.imgvec:
        print(f"{'total':30} {total_ours:10.3f} {total_ort:9.3f} {total_ours / total_ort:6.2f}")


if __name__ == "__main__":
    main()
