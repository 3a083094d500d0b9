#!/usr/bin/env python3
"""Builds a folder of camera-sized JPEG photos for imgvec's benchmarks, offline.

Sources: the real photographs Debian's `opencv-doc` package ships (apt-get install
opencv-doc; /usr/share/doc/opencv-doc/examples/**.jpg), keeping those that are photos of
a reasonable size. Each output is one source resized (Lanczos) to an ordinary camera size,
cycling through 1280x960, 2048x1536, 3264x2448 and 4032x3024 (aspect 4:3, portrait when
the source is portrait), saved as JPEG quality 90 (4:2:0). Deterministic.

    python3 scripts/make_bench_photos.py /tmp/bench-photos --count 200
"""
import argparse
import glob
import os

from PIL import Image

SIZES = [(1280, 960), (2048, 1536), (3264, 2448), (4032, 3024)]


def sources(root):
    found = []
    for path in sorted(glob.glob(os.path.join(root, "**", "*.jpg"), recursive=True)):
        try:
            with Image.open(path) as img:
                if img.mode in ("RGB", "L") and min(img.size) >= 300 and os.path.getsize(path) > 40_000:
                    found.append(path)
        except OSError:
            pass
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--source", default="/usr/share/doc/opencv-doc/examples")
    args = parser.parse_args()
    photos = sources(args.source)
    if not photos:
        raise SystemExit(f"no photos under {args.source}: apt-get install opencv-doc")
    os.makedirs(args.out, exist_ok=True)
    for i in range(args.count):
        source = photos[i % len(photos)]
        width, height = SIZES[i % len(SIZES)]
        with Image.open(source) as img:
            img = img.convert("RGB")
            if img.height > img.width:
                width, height = height, width
            img.resize((width, height), Image.LANCZOS).save(
                os.path.join(args.out, f"photo_{i:04d}.jpg"), quality=90)
    print(f"{args.count} photos from {len(photos)} sources in {args.out}")


if __name__ == "__main__":
    main()
