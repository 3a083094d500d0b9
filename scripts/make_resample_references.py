#!/usr/bin/env python3
"""Writes the small preprocessing expectations committed under
Tests/ImagingTests/Fixtures/preprocessing/ (deterministic; needs numpy and Pillow).

resample/  Pillow Image.resize outputs of small random / gradient / checkerboard RGB images for
           every filter (nearest, box, bilinear, hamming, bicubic, lanczos): downscale 2.3x,
           upscale 3.1x, extreme aspect (200x3 -> 64x1, 1x1 -> 5x7), non-integer and mixed
           scales, 1-pixel dimensions, one axis unchanged. index.json lists the cases.
seed/      decoder-independent inputs of the seed recipes (from ../shared/fixtures): decoded
           uint8 RGB of a few images, the 224x224 uint8 pixels each reference tensor is made of
           (torch: the crop; keras: the resized RGB image), and the float32 lookup tables
           value -> tensor element of both recipes, checked to reproduce the reference tensors
           of every image bit for bit.

Usage: python3 scripts/make_resample_references.py [--shared ../shared/fixtures]
"""
import argparse
import json
import pathlib

import numpy as np
from PIL import Image, ImageOps

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/ImagingTests/Fixtures/preprocessing"
FILTERS = {
    "nearest": Image.Resampling.NEAREST, "box": Image.Resampling.BOX,
    "bilinear": Image.Resampling.BILINEAR, "hamming": Image.Resampling.HAMMING,
    "bicubic": Image.Resampling.BICUBIC, "lanczos": Image.Resampling.LANCZOS,
}


def random_image(rng, w, h):
    return rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)


def gradient_image(w, h):
    y, x = np.mgrid[0:h, 0:w]
    r = (x * 255 // max(w - 1, 1))
    g = (y * 255 // max(h - 1, 1))
    b = ((x + y) * 37) % 256
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


def checkerboard(w, h):
    y, x = np.mgrid[0:h, 0:w]
    v = (((x + y) % 2) * 255).astype(np.uint8)
    return np.stack([v, 255 - v, v], axis=-1)


def resample_cases():
    rng = np.random.default_rng(20240611)
    noisy_gradient = gradient_image(61, 97).astype(np.int32) + rng.integers(-20, 21, size=(97, 61, 3))
    return [
        ("down_2_3x", random_image(rng, 46, 23), (20, 10)),
        ("up_3_1x", random_image(rng, 10, 7), (31, 21)),
        ("extreme_200x3_to_64x1", gradient_image(200, 3), (64, 1)),
        ("single_pixel_to_5x7", random_image(rng, 1, 1), (5, 7)),
        ("mixed_37x29_to_29x41", random_image(rng, 37, 29), (29, 41)),
        ("column_1x9_to_4x3", random_image(rng, 1, 9), (4, 3)),
        ("row_9x1_to_3x5", random_image(rng, 9, 1), (3, 5)),
        ("only_vertical_30x20_to_30x13", random_image(rng, 30, 20), (30, 13)),
        ("only_horizontal_30x20_to_17x20", random_image(rng, 30, 20), (17, 20)),
        ("antialias_61x97_to_23x37", np.clip(noisy_gradient, 0, 255).astype(np.uint8), (23, 37)),
        ("upsample_13x9_to_57x40", gradient_image(13, 9), (57, 40)),
        ("near_identity_50x50_to_49x51", random_image(rng, 50, 50), (49, 51)),
        ("checker_16_to_37", checkerboard(16, 16), (37, 37)),
        ("checker_16_to_7", checkerboard(16, 16), (7, 7)),
    ]


def write_resample(out):
    (out / "resample").mkdir(parents=True, exist_ok=True)
    index = []
    for name, pixels, (w, h) in resample_cases():
        np.save(out / "resample" / f"{name}.input.npy", pixels)
        image = Image.fromarray(pixels, "RGB")
        outputs = {}
        for fname, f in FILTERS.items():
            result = np.asarray(image.resize((w, h), f))
            assert result.shape == (h, w, 3)
            np.save(out / "resample" / f"{name}.{fname}.npy", result)
            outputs[fname] = f"{name}.{fname}.npy"
        index.append({"name": name, "input": f"{name}.input.npy", "width": w, "height": h, "outputs": outputs})
    (out / "resample" / "index.json").write_text(json.dumps({"cases": index}, indent=1) + "\n")


TORCH_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
TORCH_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
KERAS_MEAN_BGR = [103.939, 116.779, 123.68]


def lookup_tables():
    v = np.arange(256, dtype=np.float32)
    torch = np.stack([(v / np.float32(255) - TORCH_MEAN[c]) / TORCH_STD[c] for c in range(3)]).astype(np.float32)
    keras = np.zeros((3, 256), dtype=np.float32)
    for c in range(3):  # output channel c (BGR order), same float32 op as preprocess_input
        x = v.copy()
        x -= KERAS_MEAN_BGR[c]
        keras[c] = x
    return torch, keras


def torch_crop_from_tensor(t):
    return np.round((t * TORCH_STD[:, None, None] + TORCH_MEAN[:, None, None]) * 255).clip(0, 255).astype(np.uint8).transpose(1, 2, 0)


def keras_pixels_from_tensor(t):
    bgr = np.stack([t[..., c] + np.float32(KERAS_MEAN_BGR[c]) for c in range(3)], axis=-1)
    return np.round(bgr[..., ::-1]).clip(0, 255).astype(np.uint8)


def apply_lut(lut, pixels, order):
    # pixels HWC RGB uint8; order: source channel of each output channel
    return np.stack([lut[c][pixels[..., order[c]]] for c in range(3)])


def write_seed(out, shared):
    manifest = json.loads((shared / "manifest.json").read_text())
    torch_lut, keras_lut = lookup_tables()
    # The lookup tables must reproduce every reference tensor from its uint8 pixels.
    for entry in manifest["images"]:
        if not entry.get("valid", True) or "torch_recipe" not in entry:
            continue
        t = np.load(shared / entry["torch_recipe"]["tensor"])
        crop = torch_crop_from_tensor(t)
        assert np.array_equal(apply_lut(torch_lut, crop, (0, 1, 2)), t), entry["stem"]
        k = np.load(shared / entry["keras_recipe"]["tensor"])
        pixels = keras_pixels_from_tensor(k)
        assert np.array_equal(apply_lut(keras_lut, pixels, (2, 1, 0)).transpose(1, 2, 0), k), entry["stem"]
    (out / "seed").mkdir(parents=True, exist_ok=True)
    np.save(out / "seed" / "torch_lut.npy", torch_lut)
    np.save(out / "seed" / "keras_lut.npy", keras_lut)
    for stem, image in [("jpeg_420_odd", "jpeg_420_odd.jpg"), ("png_small_odd", "png_small_odd.png"),
                        ("tiny_1x1", "tiny_1x1.png")]:
        decoded = shared / "reference/decoded" / f"{stem}.rgb.npy"
        if decoded.exists():
            rgb = np.load(decoded)
        else:  # lossless formats: Pillow's decode is the reference
            rgb = np.asarray(ImageOps.exif_transpose(Image.open(shared / "images" / image)).convert("RGB"))
        np.save(out / "seed" / f"{stem}.rgb.npy", rgb)
        t = np.load(shared / "reference/tensors" / f"{stem}.torch.npy")
        np.save(out / "seed" / f"{stem}.torch_crop.npy", torch_crop_from_tensor(t))
        k = np.load(shared / "reference/tensors" / f"{stem}.keras.npy")
        np.save(out / "seed" / f"{stem}.keras_pixels.npy", keras_pixels_from_tensor(k))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=pathlib.Path, default=ROOT.parent / "shared/fixtures")
    parser.add_argument("--out", type=pathlib.Path, default=OUT)
    args = parser.parse_args()
    write_resample(args.out)
    if (args.shared / "manifest.json").exists():
        write_seed(args.out, args.shared)
    else:
        print(f"note: {args.shared} not found; seed/ not rewritten")


if __name__ == "__main__":
    main()
