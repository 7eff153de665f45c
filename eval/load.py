"""`python -m eval.load`: concurrent use, on one Assistant and on the running app.

1. A temporary index folder: a copy of `index/` when that one is fresh for this code and model, else built.
2. Reference answers: every question used, asked once on one thread.
3. Threads: `--threads` threads share one Assistant, each asking `--questions` questions.
4. Server: `app.py` in a subprocess on 127.0.0.1 (a free port, the temporary index, its own feedback log),
   and `--clients` gradio_client clients, each asking `--questions` questions through /ask.

Each run reports errors, answers that differ from the reference (text, figures and citations; not the
timing), p50/p95 latency per question and throughput. Questions come from eval/questions.jsonl in order,
client i starting at question i·Q, with their follow-up history. Exit 0 when both runs have no error and
no differing answer, 1 otherwise.

    python -m eval.load                              # 20 × 50 each (about 2 min on 2 cores)
    python -m eval.load --clients 5 --threads 5 --questions 10
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from eval.results import QUESTIONS, load_questions
from eval.score import EvalQuestion, percentile
from qa.config import ROOT, Settings

COMPARED = ("question", "text", "abstained", "figures", "citations")  # everything but elapsed_ms
Ask = Callable[[str, list[str]], dict]


@dataclass
class Run:
    name: str
    workers: int
    per_worker: int
    wall_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return self.workers * self.per_worker

    def summary(self) -> dict:
        return {
            "run": self.name, "workers": self.workers, "questions_each": self.per_worker,
            "requests": self.requests, "answered": len(self.latencies_ms), "errors": len(self.errors),
            "mismatches": len(self.mismatches), "wall_s": round(self.wall_s, 2),
            "throughput_qps": round(len(self.latencies_ms) / self.wall_s, 2) if self.wall_s else None,
            "p50_ms": _round(percentile(self.latencies_ms, 50)), "p95_ms": _round(percentile(self.latencies_ms, 95)),
            "max_ms": _round(max(self.latencies_ms, default=None)),
        }

    def line(self) -> str:
        s = self.summary()
        return (f"{self.name}: {s['workers']} × {s['questions_each']} = {s['requests']} questions in {s['wall_s']} s"
                f" → {s['throughput_qps']} q/s; p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, max {s['max_ms']} ms;"
                f" errors {s['errors']}, differing answers {s['mismatches']}")


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def assignment(questions: Sequence[EvalQuestion], worker: int, per_worker: int) -> list[EvalQuestion]:
    """The questions worker `worker` asks, in order: the set read cyclically from question worker·Q."""
    return [questions[(worker * per_worker + j) % len(questions)] for j in range(per_worker)]


def key(q: EvalQuestion) -> tuple[str, tuple[str, ...]]:
    return q.question, tuple(q.history or ())


def comparable(answer: dict) -> dict:
    return {k: answer.get(k) for k in COMPARED}


def run_workers(name: str, make_ask: Callable[[int], Ask], questions: Sequence[EvalQuestion], workers: int,
                per_worker: int, reference: dict, timeout: float) -> Run:
    """`workers` threads, each with its own `make_ask(i)`, asking their share of questions back to back."""
    run = Run(name, workers, per_worker)
    lock = threading.Lock()
    start = threading.Barrier(workers + 1)

    def work(i: int) -> None:
        try:
            ask = make_ask(i)
        except Exception as err:  # noqa: BLE001 - a client that cannot connect is an error per question
            with lock:
                run.errors += [f"worker {i}: {type(err).__name__}: {err}"] * per_worker
            start.wait()
            return
        start.wait()
        for q in assignment(questions, i, per_worker):
            t0 = time.perf_counter()
            try:
                answer = ask(q.question, list(q.history or []))
            except Exception as err:  # noqa: BLE001 - counted, and the run goes on
                with lock:
                    run.errors.append(f"{q.id}: {type(err).__name__}: {str(err)[:200]}")
                continue
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                run.latencies_ms.append(ms)
                if comparable(answer) != reference[key(q)]:
                    run.mismatches.append(q.id)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(workers)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    deadline = t0 + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.perf_counter()))
    run.wall_s = time.perf_counter() - t0
    if any(t.is_alive() for t in threads):
        run.errors.append(f"timed out after {timeout:.0f} s")
    return run


# --- the index and the server --------------------------------------------------------------------------


def prepare_index(target: Path, seed: Path | None, progress: Callable[[str], None]) -> Settings:
    """Settings on `target`: a copy of `seed` when that index is fresh, else a new build there."""
    from qa.embed import load_embedder
    from qa.index import load_index, stale_reason

    settings = Settings.from_env(index_dir=target)
    if seed is not None and seed.is_dir():
        seeded = settings.model_copy(update={"index_dir": seed})
        if stale_reason(seeded, load_embedder(seeded)) is None:
            progress(f"copying the fresh index {seed}")
            shutil.copytree(seed, target, ignore=shutil.ignore_patterns(".lock", ".build-*", "feedback*.jsonl"))
            return settings
    progress(f"building the index in {target}")
    load_index(settings, notice=progress)
    return settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(settings: Settings, work: Path, timeout: float) -> tuple[subprocess.Popen, str]:
    """`python app.py` on 127.0.0.1 and a free port; returns the process and its URL once it listens."""
    env = {k: v for k, v in os.environ.items() if k not in ("QA_AUTH", "QA_HOST", "QA_PORT")}
    env.update(QA_HOST="127.0.0.1", QA_PORT=str(free_port()), QA_INDEX_DIR=str(settings.index_dir),
               QA_FEEDBACK_LOG=str(work / "feedback.jsonl"), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line.rstrip())
        if "http://127.0.0.1:" in line:
            url = line[line.index("http://") :].split()[0]
            return proc, url if url.endswith("/") else url + "/"
    stop_server(proc)
    raise RuntimeError("app.py did not start: " + " | ".join(seen[-5:]))


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


# --- the whole load test -------------------------------------------------------------------------------


def load_test(clients: int, threads: int, per_worker: int, questions_path: Path = QUESTIONS,
              seed: Path | None = None, timeout: float = 1800, server: bool = True,
              progress: Callable[[str], None] = lambda m: print(m, file=sys.stderr, flush=True)) -> dict:
    """Run the reference, the threaded and the server runs; a dict of their summaries."""
    from qa.assistant import Assistant

    questions = load_questions(questions_path)
    work = Path(tempfile.mkdtemp(prefix="qa-load-"))
    out: dict = {"started": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
                 "load_start": [round(x, 2) for x in os.getloadavg()]}
    try:
        settings = prepare_index(work / "index", seed if seed is not None else Settings.from_env().index_dir,
                                 progress)
        assistant = Assistant.load(settings)
        used = {key(q): q for n in (threads, clients if server else 0) for i in range(n)
                for q in assignment(questions, i, per_worker)}
        progress(f"reference: {len(used)} distinct questions on one thread")
        assistant.ask(questions[0].question)  # warm-up: lazy imports and caches are not load
        reference: dict = {}
        single = Run("single thread (reference)", 1, len(used))
        t0 = time.perf_counter()
        for k, q in used.items():
            t = time.perf_counter()
            reference[k] = comparable(assistant.ask(q.question, list(q.history or [])).model_dump(mode="json"))
            single.latencies_ms.append((time.perf_counter() - t) * 1000)
        single.wall_s = time.perf_counter() - t0
        runs = [single]

        progress(f"threads: {threads} × {per_worker} on one Assistant")

        def thread_ask(_i: int) -> Ask:
            return lambda question, history: assistant.ask(question, history).model_dump(mode="json")

        runs.append(run_workers(f"{threads} threads on one Assistant", thread_ask, questions, threads,
                                per_worker, reference, timeout))

        if server:
            from gradio_client import Client

            proc, url = start_server(settings, work, timeout=300)
            try:
                progress(f"server: {clients} gradio_client clients × {per_worker} on {url}")

                def client_ask(_i: int) -> Ask:
                    client = Client(url, verbose=False)
                    return lambda question, history: client.submit(question, history, api_name="/ask").result(
                        timeout=300)

                runs.append(run_workers(f"{clients} gradio_client clients on app.py", client_ask, questions,
                                        clients, per_worker, reference, timeout))
            finally:
                stop_server(proc)
        out["runs"] = [r.summary() for r in runs]
        out["examples"] = {r.name: {"errors": r.errors[:5], "mismatches": r.mismatches[:5]} for r in runs}
        out["lines"] = [r.line() for r in runs]
        out["ok"] = all(not r.errors and not r.mismatches for r in runs)
        out["load_end"] = [round(x, 2) for x in os.getloadavg()]
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.load", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20, help="gradio_client clients on the server (20)")
    parser.add_argument("--threads", type=int, default=20, help="threads sharing one Assistant (20)")
    parser.add_argument("--questions", type=int, default=50, help="questions per client and per thread (50)")
    parser.add_argument("--questions-file", type=Path, default=QUESTIONS)
    parser.add_argument("--seed-index", type=Path, default=None,
                        help="a fresh index to copy instead of building one (default: QA_INDEX_DIR or index/)")
    parser.add_argument("--no-server", action="store_true", help="only the threaded run")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run before giving up")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    if min(args.clients, args.threads, args.questions) < 1:
        parser.error("--clients, --threads and --questions must be at least 1")
    result = load_test(args.clients, args.threads, args.questions, args.questions_file, args.seed_index,
                       args.timeout, server=not args.no_server)
    for line in result["lines"]:
        print(line)
    for name, ex in result["examples"].items():
        if ex["errors"] or ex["mismatches"]:
            print(f"  {name}: errors {ex['errors']} differing {ex['mismatches']}")
    print(f"load average {result['load_start']} → {result['load_end']} on {result['cpus']} CPUs")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
