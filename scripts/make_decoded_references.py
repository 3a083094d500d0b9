#!/usr/bin/env python3
"""Writes Tests/ImagingTests/Fixtures/images/: copies of the shared fixture images, small
synthetic decoder edge cases, and what Pillow makes of each of them (expected.json +
decoded/*.npy).

Expected pixels = np.asarray(ImageOps.exif_transpose(Image.open(p)).convert('RGB')) as
uint8 [H,W,3]. expected.json stores per file: format, mode, stored size, EXIF orientation,
the FNV-1a-64 hash of those bytes, and decoded/<name>.npy = the array subsampled by `step`
in both axes (step 1, the full array, for small images) so a mismatch can be quantified.
16-bit gray additionally gets the value>>8 expectation (`msb`), the decoder's default.

Usage: python3 scripts/make_decoded_references.py [--shared ../shared/fixtures]
"""
import argparse, io, json, os, shutil, struct, zlib
import numpy as np
from PIL import Image, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests/ImagingTests/Fixtures/images")
SUB_BUDGET = 6000  # bytes per subsampled array


def fnv1a64(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def fnv_np(a: np.ndarray) -> str:
    # vectorised FNV-1a is sequential; fine for these sizes with a chunked pure loop
    return fnv1a64(a.tobytes())


def store_array(name, a, entry, key="pixels"):
    h, w, _ = a.shape
    step = 1
    while (((h + step - 1) // step) * ((w + step - 1) // step) * 3) > SUB_BUDGET and a.nbytes > 20000:
        step += 1
    sub = np.ascontiguousarray(a[::step, ::step])
    os.makedirs(os.path.join(OUT, "decoded"), exist_ok=True)
    rel = f"decoded/{name.replace('/', '_')}.{key}.npy"
    np.save(os.path.join(OUT, rel), sub)
    entry[key] = {"fnv1a64": fnv_np(a), "step": step, "array": rel, "shape": [h, w, 3]}


def expect(name):
    path = os.path.join(OUT, name)
    im = Image.open(path)
    entry = {"format": im.format, "mode": im.mode, "stored": list(im.size)}
    exif = im.getexif()
    o = exif.get(0x0112)
    entry["exif_orientation"] = o if o in range(1, 9) else 1
    if im.mode == "I;16":
        raw = np.asarray(im).astype(np.uint16)
        msb = np.repeat((raw >> 8).astype(np.uint8)[..., None], 3, axis=2)
        store_array(name, msb, entry, "msb")
    rgb = np.asarray(ImageOps.exif_transpose(im).convert("RGB"))
    store_array(name, rgb, entry)
    return entry


def photo(w, h, src="png_rgb.png", box=None):
    im = Image.open(os.path.join(OUT, src)).convert("RGB")
    if box is None:
        box = (40, 60, 40 + w, 60 + h)
    return im.crop(box)


def save(im, name, **kw):
    im.save(os.path.join(OUT, name), **kw)


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def png_chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)


def bmp(w, h, bits, rows, *, top_down=False, compression=0, masks=None, palette=None, header=40):
    stride = (w * bits + 31) // 32 * 4
    pixel = b"".join(r.ljust(stride, b"\0") for r in (rows if top_down else rows[::-1]))
    extra = b""
    if header == 40 and compression == 3:
        extra = b"".join(struct.pack("<I", m) for m in masks[:3])
    pal = b"".join(bytes([b, g, r, 0]) for r, g, b in (palette or []))
    info = struct.pack("<IiiHHIIiiII", header, w, -h if top_down else h, 1, bits, compression, len(pixel),
                       2835, 2835, len(palette or []), 0)
    if header > 40:
        info += b"".join(struct.pack("<I", m) for m in (masks or [0, 0, 0, 0])[:4])
        info += b"\0" * (header - len(info))
    off = 14 + len(info) + len(extra) + len(pal)
    return b"BM" + struct.pack("<IHHI", off + len(pixel), 0, 0, off) + info + extra + pal + pixel


def tiled_tiff(im, tile=16):
    a = np.asarray(im.convert("RGB"))
    h, w, _ = a.shape
    tiles = []
    for ty in range(0, h, tile):
        for tx in range(0, w, tile):
            t = np.zeros((tile, tile, 3), np.uint8)
            part = a[ty:ty + tile, tx:tx + tile]
            t[:part.shape[0], :part.shape[1]] = part
            tiles.append(t.tobytes())
    entries = []
    n_tiles = len(tiles)
    data_start = 8
    offsets, pos = [], data_start
    for t in tiles:
        offsets.append(pos); pos += len(t)
    bps_off = pos; pos += 6
    toff_off = pos; pos += 4 * n_tiles
    tbc_off = pos; pos += 4 * n_tiles
    ifd_off = pos
    def e(tag, typ, count, value): entries.append(struct.pack("<HHII", tag, typ, count, value))
    e(256, 4, 1, w); e(257, 4, 1, h); e(258, 3, 3, bps_off); e(259, 3, 1, 1); e(262, 3, 1, 2)
    e(277, 3, 1, 3); e(284, 3, 1, 1); e(322, 3, 1, tile); e(323, 3, 1, tile)
    e(324, 4, n_tiles, toff_off); e(325, 4, n_tiles, tbc_off)
    out = b"II*\0" + struct.pack("<I", ifd_off) + b"".join(tiles) + struct.pack("<HHH", 8, 8, 8)
    out += struct.pack(f"<{n_tiles}I", *offsets) + struct.pack(f"<{n_tiles}I", *[len(t) for t in tiles])
    out += struct.pack("<H", len(entries)) + b"".join(entries) + b"\0\0\0\0"
    return out


def synthetic():
    os.makedirs(os.path.join(OUT, "synthetic"), exist_ok=True)
    base = photo(37, 23)
    names = []
    def add(name): names.append("synthetic/" + name); return "synthetic/" + name
    # EXIF orientation: 13x7 JPEGs, 4:4:4, one per orientation value
    small = photo(13, 7)
    for o in range(1, 9):
        ex = Image.Exif(); ex[0x0112] = o
        save(small, add(f"exif_{o}.jpg"), quality=95, subsampling=0, exif=ex.tobytes())
    # PNG variants
    save(base.convert("LA"), add("png_gray_alpha.png"))
    p = base.quantize(16)
    save(p, add("png_palette_trns.png"), transparency=3)
    save(p, add("png_palette_4bit.png"), bits=4)
    save(base.convert("1"), add("png_bilevel.png"))
    ex = Image.Exif(); ex[0x0112] = 6
    save(base, add("png_exif6.png"), exif=ex.tobytes())
    # GIF: 20x10 frame placed at (5, 4) on a 30x20 screen, transparent index set
    g = photo(20, 10).quantize(32)
    buf = io.BytesIO(); g.save(buf, "GIF", transparency=5, interlace=False); data = bytearray(buf.getvalue())
    data[6:10] = struct.pack("<HH", 30, 20)
    i = data.index(b",", 13)  # image descriptor
    data[i + 1:i + 5] = struct.pack("<HH", 5, 4)
    write(add("gif_offset_frame.gif"), bytes(data))
    save(photo(33, 29).quantize(64), add("gif_interlaced.gif"), interlace=True)
    # BMP variants (hand-written; Pillow decodes them for the expectation)
    a = np.asarray(base); h, w, _ = a.shape
    rows24 = [a[y, :, ::-1].tobytes() for y in range(h)]
    write(add("bmp_topdown24.bmp"), bmp(w, h, 24, rows24, top_down=True))
    rows32 = [np.concatenate([a[y, :, ::-1], np.full((w, 1), 7, np.uint8)], 1).tobytes() for y in range(h)]
    write(add("bmp_rgb32.bmp"), bmp(w, h, 32, rows32))
    alpha = np.concatenate([a[:, :, ::-1], (np.arange(w * h, dtype=np.uint8).reshape(h, w, 1))], 2)
    write(add("bmp_bitfields_bgra.bmp"), bmp(w, h, 32, [alpha[y].tobytes() for y in range(h)], compression=3,
                                             masks=[0xFF0000, 0xFF00, 0xFF, 0xFF000000], header=108))
    r5, g6, b5 = a[..., 0] >> 3, a[..., 1] >> 2, a[..., 2] >> 3
    v565 = ((r5.astype(np.uint16) << 11) | (g6.astype(np.uint16) << 5) | b5).astype("<u2")
    write(add("bmp_rgb565.bmp"), bmp(w, h, 16, [v565[y].tobytes() for y in range(h)], compression=3,
                                     masks=[0xF800, 0x7E0, 0x1F]))
    q = base.quantize(200); idx = np.asarray(q); pal = q.getpalette()[:600]
    write(add("bmp_palette8.bmp"), bmp(w, h, 8, [idx[y].tobytes() for y in range(h)],
                                       palette=[tuple(pal[3 * i:3 * i + 3]) for i in range(200)]))
    q4 = base.quantize(16); idx4 = np.asarray(q4); pal4 = q4.getpalette()[:48]
    rows4 = [bytes((int(r[x]) << 4) | (int(r[x + 1]) if x + 1 < w else 0) for x in range(0, w, 2)) for r in idx4]
    write(add("bmp_palette4.bmp"), bmp(w, h, 4, rows4, palette=[tuple(pal4[3 * i:3 * i + 3]) for i in range(16)]))
    # TIFF variants
    save(base, add("tiff_lzw.tif"), compression="tiff_lzw")
    save(base.convert("L"), add("tiff_gray_deflate.tif"), compression="tiff_adobe_deflate")
    save(base.quantize(50), add("tiff_palette.tif"), compression="packbits")
    save(base.convert("RGBA"), add("tiff_rgba.tif"))
    save(base, add("tiff_orientation6.tif"), tiffinfo={274: 6})
    write(add("tiff_tiled.tif"), tiled_tiff(base))
    # WebP variants
    rgba = base.convert("RGBA"); rgba.putalpha(Image.linear_gradient("L").resize(base.size))
    save(rgba, add("webp_lossless_alpha.webp"), lossless=True)
    save(rgba, add("webp_lossy_alpha.webp"), quality=80)
    ex = Image.Exif(); ex[0x0112] = 8
    save(base, add("webp_exif8.webp"), lossless=True, exif=ex.tobytes())
    save(base, add("webp_animated.webp"), save_all=True, append_images=[base.rotate(180)], lossless=True)
    return names


def invalid():
    """Extra files that must fail: truncations of the synthetic files and pixel bombs."""
    made = []
    def cut(src, dst, keep):
        data = open(os.path.join(OUT, src), "rb").read()
        write(dst, data[:int(len(data) * keep)]); made.append(dst)
    cut("synthetic/gif_interlaced.gif", "synthetic/corrupt_truncated.gif", 0.6)
    cut("synthetic/bmp_rgb32.bmp", "synthetic/corrupt_truncated.bmp", 0.7)
    cut("synthetic/webp_lossy_alpha.webp", "synthetic/corrupt_truncated.webp", 0.6)
    cut("synthetic/tiff_lzw.tif", "synthetic/corrupt_truncated.tif", 0.5)
    cut("jpeg_progressive.jpg", "synthetic/corrupt_truncated_progressive.jpg", 0.5)
    # PNG claiming 100000 x 100000 (valid CRCs, tiny IDAT)
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\0" * 64)) \
        + png_chunk(b"IEND", b"")
    write("synthetic/bomb_100000x100000.png", bomb); made.append("synthetic/bomb_100000x100000.png")
    # JPEG whose SOF claims 65000 x 65000
    data = bytearray(open(os.path.join(OUT, "synthetic/exif_1.jpg"), "rb").read())
    i = data.index(b"\xff\xc0")
    data[i + 5:i + 9] = struct.pack(">HH", 65000, 65000)
    write("synthetic/bomb_65000x65000.jpg", bytes(data)); made.append("synthetic/bomb_65000x65000.jpg")
    return made


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(ROOT), "shared/fixtures"))
    args = ap.parse_args()
    manifest = json.load(open(os.path.join(args.shared, "manifest.json")))
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    valid, corrupt = [], []
    for item in manifest["images"] + manifest["invalid_images"]:
        name = os.path.basename(item["file"])
        shutil.copyfile(os.path.join(args.shared, item["file"]), os.path.join(OUT, name))
        (valid if item.get("valid") else corrupt).append(name)
    valid += synthetic()
    corrupt += invalid()
    expected = {name: expect(name) for name in sorted(valid)}
    drafts = []
    for name, size in [("china.jpg", (160, 100)), ("flower.jpg", (300, 200)), ("jpeg_gray.jpg", (40, 40))]:
        im = Image.open(os.path.join(OUT, name))
        im.draft("RGB", size)
        entry = {"file": name, "request": list(size)}
        store_array(f"draft_{name}", np.asarray(im.convert("RGB")), entry)
        drafts.append(entry)
    json.dump({"generated_by": "scripts/make_decoded_references.py", "pillow": Image.__version__,
               "valid": expected, "invalid": sorted(corrupt), "draft": drafts}, open(os.path.join(OUT, "expected.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
