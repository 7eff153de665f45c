"""qa.search on the real report with the real bundled model: paraphrased questions find their section.

The index is built once per session in a temporary folder (conftest's `index_dir`, shared with the
assistant fixture), never in the repository's index/.

`python -m tests.test_search` prints the fusion table of the README ("Retrieval"): top-1/top-3 section
accuracy of weighted fusion at several dense weights and of reciprocal-rank fusion, on PARAPHRASES and on
the figure/paraphrase/text rows of eval/questions.jsonl (index from QA_INDEX_DIR, default index/).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pytest

from qa.config import Settings
from qa.index import Index, load_index
from qa.search import search

REPO = Path(__file__).resolve().parent.parent

# (question, the "(N)" section it is about). Questions avoid the report's own words where they can.
PARAPHRASES = [
    ("パスポートの申請はどれくらいあった？", "(4) 旅券発給"),
    ("中国の事務所は何をした？", "(2) 上海事務所運営"),
    ("海外の県人会の会員数を知りたい", "(3) 国際交流推進"),
    ("職員が家で仕事をするための環境整備", "(3) 県庁情報基盤整備"),
    # 1 知事戦略管理費
    ("部全体で使う雑費や年度の途中で急に必要になった費用", "(2) 総務調整費"),
    ("職員が地元の団体の集まりに顔を出すときの会費", "(3) 社会参加費"),
    ("報道陣を集めた会見は何回やった？", "(4) 記者室運営"),
    ("外部の有識者から県政についてアドバイスをもらう仕組み", "(6) 戦略企画推進"),
    ("子どもがプログラミングで地域の課題を解く合宿には何人来た？", "(7) 連携推進"),
    ("ネットでの悪口や中傷の被害を受けた人を助けるルール", "(7) 連携推進"),
    ("故郷を応援する寄付はいくら集まった？", "(8) 未来創生"),
    ("県の将来像を描いた長期計画はいつできた？", "(8) 未来創生"),
    ("国からもらった地域活性化のお金で何件の事業をした？", "(8) 未来創生"),
    ("社員の学生ローンの返済を手伝う会社への補助", "(9) 若者定着促進"),
    ("スマホの位置データで人の動きを調べた", "(10) データ分析・活用推進"),
    ("県民がどれだけ幸せに暮らしているかを尋ねる調査", "(10) データ分析・活用推進"),
    ("首都にある県の出先機関は国にいくつ要望した？", "(11) 東京事務所運営"),
    # 2 メディアプロモーション費
    ("県のゆるキャラが幼稚園やイベントに出向いた回数", "(1) メディア・コンテンツ推進"),
    ("マスコットの着ぐるみを新しく何体作った？", "(1) メディア・コンテンツ推進"),
    ("県の広報誌は一回に何部刷っている？", "(2) 広報活動"),
    ("ラジオの県の番組にいくら使った？", "(2) 広報活動"),
    ("県の公式ウェブサイトは何回見られた？", "(3) インターネット広報"),
    ("県庁の最上階付近にある配信スタジオで作った映像の本数", "(3) インターネット広報"),
    # 3 デジタル改革費
    ("川の様子をカメラで生中継する実験", "(1) デジタルトランスフォーメーション推進"),
    ("工場に機械の腕を入れるための講座の受講者は？", "(1) デジタルトランスフォーメーション推進"),
    ("官と民が一緒に使うコワーキング拠点の来場者数", "(1) デジタルトランスフォーメーション推進"),
    # 4 業務プロセス改革費
    ("役所の手続きをネットでできる仕組みの利用件数", "(1) 業務プロセス改革推進"),
    ("美術館に無料の無線LANを整えた", "(2) 情報化推進・セキュリティ対策"),
    ("怪しいメールにだまされないための職員訓練", "(2) 情報化推進・セキュリティ対策"),
    ("県庁の職員が使うパソコンやプリンターの保守", "(3) 県庁情報基盤整備"),
    # 5 地域外交費
    ("ベトナムの政府高官とネットで対談した", "(1) 国際政策推進"),
    ("アメリカの州知事からのビデオメッセージ", "(1) 国際政策推進"),
    ("中国で群馬の観光を売り込んだ件数", "(2) 上海事務所運営"),
    ("外国から来た英語の先生を何人受け入れた？", "(3) 国際交流推進"),
    ("海外旅行の身分証明書の発行数は男女でどう違う？", "(4) 旅券発給"),
]

# Fair paraphrases that e5-small and BM25 do not bring into the top 3 (dense rank of the right section in
# brackets): they need to know what the report's term means, not what it says.
HARD = [
    ("県の幹部が集まって大事な方針を話し合う会議は何回開いた？", "(1) 庁議"),  # 庁議 [2]
    ("職員が新しい施策のアイデアを発表するコンテストでいくつ案が出た？", "(5) 政策調査"),  # 政策プレゼン [5]
]
# Also beyond it, and not even in the top 10: 「近くの県の知事たちとの会合はオンラインで開かれた？」 →
# (7) 連携推進 (各種知事会議, Web開催).

SECTIONS = [
    "(1) 庁議", "(2) 総務調整費", "(3) 社会参加費", "(4) 記者室運営", "(5) 政策調査", "(6) 戦略企画推進",
    "(7) 連携推進", "(8) 未来創生", "(9) 若者定着促進", "(10) データ分析・活用推進", "(11) 東京事務所運営",
    "(1) メディア・コンテンツ推進", "(2) 広報活動", "(3) インターネット広報", "(1) デジタルトランスフォーメーション推進",
    "(1) 業務プロセス改革推進", "(2) 情報化推進・セキュリティ対策", "(3) 県庁情報基盤整備", "(1) 国際政策推進",
    "(2) 上海事務所運営", "(3) 国際交流推進", "(4) 旅券発給",
]

HIT_FIELDS = {"kind", "id", "doc", "section_path", "lines", "text", "score", "dense", "bm25"}


def key(text: str) -> str:
    """Text for section matching: NFKC, no whitespace (the report letter-spaces its headings)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def rank(paths: Sequence[Sequence[str]], gold: Sequence[str]) -> int | None:
    """1-based rank of the first breadcrumb holding one of the gold sections, or None."""
    for i, path in enumerate(paths, 1):
        if any(key(g) in key(" › ".join(path)) for g in gold):
            return i
    return None


@pytest.fixture(scope="session")
def real_settings(index_dir: Path) -> Settings:
    return Settings.from_env(embed_model=None, index_dir=index_dir, corpus_dir=REPO / "corpus")


@pytest.fixture(scope="session")
def real_index(real_settings: Settings) -> Index:
    index = load_index(real_settings)
    assert index.embedder is not None, "the bundled model must load for these tests"
    return index


def test_paraphrases_cover_every_numbered_section() -> None:
    covered = {gold for _, gold in PARAPHRASES + HARD}
    assert covered == set(SECTIONS)
    assert len(PARAPHRASES) >= 24


def test_sections_exist_in_the_report(real_index: Index) -> None:
    headings = {key(s.heading) for d in real_index.documents for s in d.sections}
    assert {key(s) for s in SECTIONS} <= headings


@pytest.mark.parametrize(("question", "section"), PARAPHRASES)
def test_paraphrase_finds_its_section_in_the_top_3(
    real_index: Index, real_settings: Settings, question: str, section: str
) -> None:
    hits = search(real_index, question, k=3, dense_weight=real_settings.dense_weight)
    assert rank([h.section_path for h in hits], [section]) is not None, [" › ".join(h.section_path) for h in hits]


@pytest.mark.parametrize(("question", "section"), HARD)
def test_hard_paraphrase_finds_its_section_in_the_top_10(
    real_index: Index, real_settings: Settings, question: str, section: str
) -> None:
    # Not in the top 3 (see HARD), but close enough for an answer's 「関連しそうな箇所」 to point there.
    hits = search(real_index, question, k=10, dense_weight=real_settings.dense_weight)
    assert rank([h.section_path for h in hits], [section]) is not None


def test_hits_carry_every_field(real_index: Index) -> None:
    hits = search(real_index, "旅券発行件数", k=8)
    assert len(hits) == 8
    for h in hits:
        assert set(h.model_dump()) == HIT_FIELDS
        assert h.kind in {"chunk", "fact"} and h.id.startswith(h.doc)
        assert h.doc == "gunma_r2_chiji_senryaku.md" and h.section_path[0] == "第2 知事戦略"
        assert 1 <= h.lines[0] <= h.lines[1] <= len(real_index.documents[0].lines)
        assert h.text and h.dense is not None and h.bm25 is not None
        assert 0.0 <= h.score <= 1.0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert {h.kind for h in hits} == {"chunk", "fact"}
    assert any("13,062件" in h.text for h in hits)


@pytest.mark.parametrize("kind", ["chunk", "fact"])
def test_kinds_restrict_the_hits(real_index: Index, kind: str) -> None:
    hits = search(real_index, "ぐんまちゃんのフォロワー数", k=5, kinds=(kind,))
    assert len(hits) == 5 and {h.kind for h in hits} == {kind}


def test_fact_hit_reads_as_a_sentence_with_its_figure(real_index: Index) -> None:
    hits = search(real_index, "上海事務所の現地メディアへの露出回数", k=3, kinds=("fact",))
    assert "現地メディアへの露出回数" in hits[0].text and hits[0].text.endswith("8回")
    assert "(2) 上海事務所運営" in hits[0].section_path


def test_question_with_no_word_of_the_report_still_ranks_by_meaning(real_index: Index) -> None:
    hits = search(real_index, "ｚｚｚｑ？", k=3)
    assert len(hits) == 3 and all(h.bm25 == 0.0 for h in hits)


def test_reciprocal_rank_fusion_is_available(real_index: Index) -> None:
    hits = search(real_index, "パスポートの申請はどれくらいあった？", k=3, method="rrf")
    assert rank([h.section_path for h in hits], ["(4) 旅券発給"]) is not None



def test_dense_scores_match_faiss_search_over_all_texts(real_index: Index, real_settings: Settings) -> None:
    # A loaded index holds faiss.index's vectors as a numpy matrix (FAISS is not imported to serve), and
    # search() takes every cosine from one matrix-vector product instead of FAISS's search for all n (which
    # also sorts them): the same scores up to float32 rounding, the same order.
    import faiss
    import numpy as np

    from qa.index_files import FlatVectors
    from qa.search import _dense_scores

    flat = faiss.read_index(str(real_settings.index_dir / "faiss.index"))
    assert isinstance(real_index.faiss, FlatVectors)
    assert real_index.faiss.vectors.flags.aligned  # unaligned floats make every product 5-30x slower
    n = flat.ntotal
    assert real_index.faiss.ntotal == n and real_index.faiss.d == flat.d == 384
    assert np.array_equal(real_index.faiss.vectors, flat.reconstruct_n(0, n))
    for question in ("旅券発行件数は？", "パスポートの申請はどれくらいあった？", "ｚｚｚｑ？"):
        q = real_index.embedder.encode_queries([question])  # type: ignore[union-attr]
        scores, ids = flat.search(q, n)
        ranked = np.zeros(n, np.float32)
        ranked[ids[0]] = scores[0]
        dense = _dense_scores(real_index.faiss.vectors, q[0])
        assert dense.shape == (n,) and dense.dtype == np.float32
        assert np.abs(dense - ranked).max() < 1e-5
        top = np.argsort(-dense, kind="stable")[:10]
        assert np.abs(dense[top] - scores[0][:10]).max() < 1e-5  # the same ten best (up to ties)


def test_a_damaged_vector_file_is_refused(tmp_path: Path, real_settings: Settings) -> None:
    from qa.index_files import FlatVectors

    raw = (real_settings.index_dir / "faiss.index").read_bytes()
    metric_l2 = raw[:33] + (1).to_bytes(4, "little") + raw[37:]  # METRIC_L2 where the inner product was
    for name, data in (("short", raw[:20]), ("cut", raw[:-4]), ("longer", raw + b"\0" * 4),
                       ("other", b"IxF2" + raw[4:]), ("l2", metric_l2)):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ValueError):
            FlatVectors.read(tmp_path / name)


def test_saved_bm25_scores_like_bm25s(real_index: Index, real_settings: Settings) -> None:
    # Serving reads bm25s's saved arrays with numpy alone (importing bm25s pulls in scipy, ~0.2-0.3 s of a
    # cold ask): every term of the eval questions must score every text exactly as bm25s does.
    import bm25s
    import numpy as np

    from qa.index_files import SavedBM25
    from qa.tokenize import tokens

    ref = bm25s.BM25.load(str(real_settings.index_dir / "bm25"), load_corpus=False, show_progress=False)
    assert isinstance(real_index.bm25, SavedBM25)
    assert real_index.bm25.vocab_dict == ref.vocab_dict
    assert real_index.bm25.num_docs == ref.scores["num_docs"]
    questions = [json.loads(line)["question"] for line in
                 (REPO / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()[:300]]
    compared = 0
    for question in questions:
        known = [t for t in tokens(question) if t in ref.vocab_dict]
        for terms in [[t] for t in dict.fromkeys(known)] + ([known] if known else []):
            mine, theirs = real_index.bm25.get_scores(terms), np.asarray(ref.get_scores(terms))
            assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs), terms
            compared += 1
    assert compared > 500
    assert not real_index.bm25.get_scores(["ｚｚｚｑ"]).any()
    assert not real_index.bm25.get_scores([""]).any()  # in bm25s's vocabulary, without scores


def test_a_cold_answer_imports_no_build_library(real_index: Index, real_settings: Settings) -> None:
    # The query path defers what only a build needs: bm25s (and scipy), FAISS, onnxruntime, onnx, torch.
    import os
    import subprocess
    import sys

    code = ("import sys; from qa.cli import main; code = main(['ask', '旅券発行件数は？', '--no-rebuild']); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'bm25s', 'scipy', 'faiss', 'onnxruntime', 'onnx', 'torch', 'tqdm'})); sys.exit(code)")
    env = {**os.environ, "QA_INDEX_DIR": str(real_settings.index_dir), "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO,
                         timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    assert "13,062件" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_best_is_the_head_of_a_stable_sort() -> None:
    # search() sorts only the texts scoring at least the k-th best; ties (many at ×100, where replicas
    # share their prose) must still come in index order, and kinds restrict to chunks or facts.
    import numpy as np

    from qa.search import _best

    rng = np.random.default_rng(0)
    for size, k, levels in ((1, 5, 3), (40, 5, 4), (500, 30, 7), (500, 30, 1000), (3000, 1, 2)):
        scores = rng.integers(0, levels, size).astype(np.float32) / levels
        split = size // 3
        for spans in ([(0, size)], [(0, split)], [(split, size)], [(0, split), (split, size)], []):
            allowed = [i for a, b in spans for i in range(a, b)]
            expected = [i for i in np.argsort(-scores, kind="stable") if i in set(allowed)][:k]
            assert _best(scores, k, spans) == expected

# --- the measurement behind the README's fusion table ----------------------------------------------------


def eval_sets() -> dict[str, list[tuple[str, list[str]]]]:
    """Question sets: PARAPHRASES (+ HARD), and eval/questions.jsonl rows of kind figure/paraphrase/text."""
    sets: dict[str, list[tuple[str, list[str]]]] = {"tests paraphrases": [(q, [s]) for q, s in PARAPHRASES + HARD]}
    for line in (REPO / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["kind"] in {"figure", "paraphrase", "text"} and row.get("section"):
            gold = [row["section"]] if isinstance(row["section"], str) else list(row["section"])
            sets.setdefault(f"eval {row['kind']}", []).append((row["question"], gold))
    return sets


def fusion_table(index: Index, weights: Sequence[float] = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)) -> str:
    """A Markdown table of top-1 / top-3 section accuracy per question set and fusion."""
    sets = eval_sets()
    configs = [("rrf", 0.0)] + [("weighted", w) for w in weights]
    head = "| fusion | " + " | ".join(f"{name} ({len(qs)})" for name, qs in sets.items()) + " |"
    rows = [head, "|" + "---|" * (len(sets) + 1)]
    for method, w in configs:
        cells = []
        for qs in sets.values():
            ranks = [rank([h.section_path for h in search(index, q, k=3, dense_weight=w, method=method)], g)
                     for q, g in qs]  # type: ignore[arg-type]
            cells.append(f"{sum(r == 1 for r in ranks) / len(qs):.2f} / {sum(r is not None for r in ranks) / len(qs):.2f}")
        label = "RRF (k=60)" if method == "rrf" else f"weighted, dense {w}"
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(fusion_table(load_index(Settings.from_env())))
