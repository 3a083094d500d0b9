"""Reference outputs for PositionGridResize (Sources/ModelZoo/Architectures/PositionGridResize.swift).

A numpy transcription of ATen's CPU `upsample_bicubic2d` (align_corners=False, antialias=False)
as used by torch.nn.functional.interpolate(mode="bicubic"), in float32 like the kernel:
  src = scale * (dst + 0.5) - 0.5           (no clamping for cubic)
  i = min(floor(src), in - 1); t = clamp(src - i, 0, 1)
  w = [cc2(t + 1), cc1(t), cc1(1 - t), cc2(2 - t)], A = -0.75, taps i-1..i+2 clamped to [0, in-1]
  scale = in / out for size=, 1 / scale_factor for scale_factor= (output size floor(in * factor)).
It is NOT torch output (torch is not installed here); it checks the Swift port against a
second, per-output-pixel (non-separable) implementation of the same published formula.
Run: python3 make_bicubic.py  (numpy only; writes the .npy files beside this script).
"""
import math
import os
import numpy as np

A = np.float32(-0.75)


def cc1(x):
    return ((A + 2) * x - (A + 3)) * x * x + 1


def cc2(x):
    return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A


def axis(in_size, out_size, scale):
    rows = []
    for d in range(out_size):
        src = np.float32(scale) * (np.float32(d) + np.float32(0.5)) - np.float32(0.5)
        i = min(int(math.floor(src)), in_size - 1)
        t = np.float32(min(max(src - np.float32(i), 0.0), 1.0))
        w = [cc2(t + 1), cc1(t), cc1(np.float32(1) - t), cc2(np.float32(2) - t)]
        idx = [min(max(i - 1 + k, 0), in_size - 1) for k in range(4)]
        rows.append((idx, w))
    return rows


def resize(grid, out_size, scale):
    """grid: float32 [H, W, C] -> [out, out, C], one output pixel at a time (16 taps)."""
    h = grid.shape[0]
    taps = axis(h, out_size, scale)
    out = np.zeros((out_size, out_size, grid.shape[2]), np.float32)
    for y in range(out_size):
        yi, yw = taps[y]
        for x in range(out_size):
            xi, xw = taps[x]
            acc = np.zeros(grid.shape[2], np.float32)
            for a in range(4):
                row = np.zeros(grid.shape[2], np.float32)
                for b in range(4):
                    row += xw[b] * grid[yi[a], xi[b]]
                acc += yw[a] * row
            out[y, x] = acc
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    rng = np.random.default_rng(20240601)
    cases = {
        "grid37": (37, 3),
        "grid5": (5, 2),
    }
    for name, (side, channels) in cases.items():
        grid = rng.standard_normal((side, side, channels)).astype(np.float32)
        np.save(os.path.join(here, f"{name}.npy"), grid)
    g37 = np.load(os.path.join(here, "grid37.npy"))
    g5 = np.load(os.path.join(here, "grid5.npy"))
    np.save(os.path.join(here, "grid37_to16_size.npy"), resize(g37, 16, np.float32(37) / np.float32(16)))
    factor = (16 + 0.1) / math.sqrt(37 * 37)  # Python double, like HF's old code
    assert math.floor(37 * factor) == 16
    np.save(os.path.join(here, "grid37_to16_offset.npy"), resize(g37, 16, np.float32(1.0 / factor)))
    np.save(os.path.join(here, "grid5_to3_size.npy"), resize(g5, 3, np.float32(5) / np.float32(3)))
    np.save(os.path.join(here, "grid5_to8_size.npy"), resize(g5, 8, np.float32(5) / np.float32(8)))
    a = np.load(os.path.join(here, "grid37_to16_size.npy"))
    b = np.load(os.path.join(here, "grid37_to16_offset.npy"))
    print("37->16 size vs offset-0.1 scale_factor: max |diff| =", float(np.abs(a - b).max()),
          "mean |diff| =", float(np.abs(a - b).mean()))


if __name__ == "__main__":
    main()
