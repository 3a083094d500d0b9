#!/usr/bin/env python3
"""Times the seed's Python preprocessing for `imgvec bench-preprocess`.

The torchvision recipe exactly as torchvision applies it to a PIL image (Resize(256) =
PIL resize BILINEAR of the shorter side with int() truncation of the long side,
CenterCrop(224) with round(), ToTensor, Normalize), written with Pillow + NumPy so the
benchmark needs no torch install; the Keras VGG16 recipe as keras.utils.load_img +
preprocess_input do it. Prints one JSON object: images per second (median of --repeat
passes over all files) and the worker count (processes, one per core with --workers 0).
"""
import argparse
import json
import multiprocessing
import statistics
import time

import numpy as np
from PIL import Image, ImageOps

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def torchvision_recipe(path):
    img = Image.open(path)
    img = ImageOps.exif_transpose(img)
    img = img.convert("RGB")
    w, h = img.size
    if w <= h:
        size = (256, int(256 * h / w))
    else:
        size = (int(256 * w / h), 256)
    if size != (w, h):
        img = img.resize(size, Image.BILINEAR)
    w, h = img.size
    left, top = int(round((w - 224) / 2.0)), int(round((h - 224) / 2.0))
    img = img.crop((left, top, left + 224, top + 224))
    x = np.asarray(img, dtype=np.float32) / np.float32(255)
    x = (x - MEAN) / STD
    return np.ascontiguousarray(x.transpose(2, 0, 1))


def keras_recipe(path):
    img = Image.open(path)
    if img.mode != "RGB":
        img = img.convert("RGB")
    if img.size != (224, 224):
        img = img.resize((224, 224), Image.NEAREST)
    x = np.asarray(img, dtype=np.float32)[..., ::-1]
    return x - np.array([103.939, 116.779, 123.68], dtype=np.float32)


RECIPES = {"torchvision": torchvision_recipe, "keras-vgg16": keras_recipe}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+")
    parser.add_argument("--recipe", default="torchvision", choices=sorted(RECIPES))
    parser.add_argument("--workers", type=int, default=1, help="processes (0: one per core)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    recipe = RECIPES[args.recipe]
    workers = args.workers or multiprocessing.cpu_count()
    rates = []
    pool = multiprocessing.Pool(workers) if workers > 1 else None
    try:
        for _ in range(args.repeat):
            start = time.perf_counter()
            if pool:
                for _ in pool.imap(recipe, args.files, chunksize=4):
                    pass
            else:
                for path in args.files:
                    recipe(path)
            rates.append(len(args.files) / (time.perf_counter() - start))
    finally:
        if pool:
            pool.close()
    print(json.dumps({"images_per_second": statistics.median(rates), "workers": workers, "rates": rates}))


if __name__ == "__main__":
    main()
