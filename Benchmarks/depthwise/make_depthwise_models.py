"""Single-op depthwise Conv models for `imgvec bench` (imgvec vs ONNX Runtime).

Usage: python3 make_depthwise_models.py [output_dir]   (default: current directory)
Each model: x[N, C, H, W] -> Conv(group=C, k x k, stride s, pads k//2) (+ activation).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def make(directory, name, c, hw, k, s, act=None):
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array((rng.standard_normal((c, 1, k, k)) * 0.1).astype(np.float32), "W")
    b = numpy_helper.from_array((rng.standard_normal(c) * 0.1).astype(np.float32), "B")
    nodes = [helper.make_node("Conv", ["x", "W", "B"], ["y"], group=c, kernel_shape=[k, k], strides=[s, s],
                              pads=[k // 2] * 4)]
    out = "y"
    if act == "SiLU":
        nodes += [helper.make_node("Sigmoid", ["y"], ["g"]), helper.make_node("Mul", ["y", "g"], ["z"])]
        out = "z"
    elif act:
        nodes.append(helper.make_node(act, ["y"], ["z"]))
        out = "z"
    oh = (hw + 2 * (k // 2) - k) // s + 1
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", c, hw, hw])],
                              [helper.make_tensor_value_info(out, TensorProto.FLOAT, ["N", c, oh, oh])], [w, b])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8
    onnx.save(model, os.path.join(directory, name + ".onnx"))


if __name__ == "__main__":
    directory = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(directory, exist_ok=True)
    make(directory, "dw64_112_s2", 64, 112, 3, 2)
    make(directory, "dw64_56_s1", 64, 56, 3, 1)
    make(directory, "dw672_14_k5s2", 672, 14, 5, 2)
    make(directory, "dw672_14_k5s2_hs", 672, 14, 5, 2, "HardSwish")
    make(directory, "dw240_28_s2", 240, 28, 3, 2)
    make(directory, "dw1152_7_k5_silu", 1152, 7, 5, 1, "SiLU")
    make(directory, "dw480_14_k3", 480, 14, 3, 1)
    make(directory, "dw32_112_s1", 32, 112, 3, 1)
    make(directory, "dw144_56_s2_relu", 144, 56, 3, 2, "Relu")
