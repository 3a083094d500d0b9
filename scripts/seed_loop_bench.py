#!/usr/bin/env python3
"""The seed's Python loop, for `imgvec bench-embed`: one image at a time, Pillow +
torchvision-style or Keras VGG16 preprocessing (pillow_preprocess_bench.RECIPES) + ONNX
Runtime, exactly how the snippet users copy does it. Prints one JSON object with images
per second and peak resident memory.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peak_memory import peak_rss_mb  # noqa: E402
from pillow_preprocess_bench import RECIPES  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("files", nargs="+")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--recipe", default="torchvision", choices=sorted(RECIPES))
    args = parser.parse_args()
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    recipe = RECIPES[args.recipe]
    # The Keras recipe gives HWC arrays: a channels-first model gets them transposed.
    channels_first = session.get_inputs()[0].shape[1] == 3
    start = time.perf_counter()
    done = 0
    for path in args.files:
        try:
            x = recipe(path)
            if channels_first and x.shape[-1] == 3:
                x = np.ascontiguousarray(x.transpose(2, 0, 1))
        except Exception:
            continue
        session.run(None, {name: x[None]})[0].reshape(-1)
        done += 1
    seconds = time.perf_counter() - start
    print(json.dumps({"images_per_second": done / seconds, "images": done, "seconds": seconds,
                      "peak_rss_mb": peak_rss_mb()}))


if __name__ == "__main__":
    main()
