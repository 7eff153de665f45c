"""TEMPORARY stand-in for qa.assistant.Assistant while the core is written; deleted when it lands."""

from __future__ import annotations

import hashlib
from pathlib import Path

from qa.config import Settings
from qa.errors import InvalidQuestion
from qa.models import Answer, Block, Citation, Document, Figure, Section


class FakeAssistant:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.documents = self._read()

    @classmethod
    def load(cls, settings: Settings | None = None) -> FakeAssistant:
        return cls(settings or Settings.from_env())

    def refresh(self) -> bool:
        docs = self._read()
        changed = [d.sha256 for d in docs] != [d.sha256 for d in self.documents]
        self.documents = docs
        return changed

    def _read(self) -> list[Document]:
        docs = []
        for path in sorted(Path(self.settings.corpus_dir).glob("*.md")):
            if path.name == "README.md":
                continue
            text = path.read_text(encoding="utf-8")
            lines = text.split("\n")
            title = next((x.strip() for x in lines if x.strip()), path.stem)
            blocks = [
                Block(kind="paragraph", text=x, lines=(i, i)) for i, x in enumerate(lines, 1) if x.strip()
            ]
            root = Section(id=f"{path.name}#0", doc=path.name, level=0, number="", title=title, heading=title,
                           path=[title], lines=(1, len(lines)), blocks=blocks[:5])
            child = Section(id=f"{path.name}#1", doc=path.name, level=2, number="(4)", title="旅券発給",
                            heading="(4) 旅券発給", path=[title, "(4) 旅券発給"], lines=(1, len(lines)),
                            blocks=blocks[5:], parent=root.id)
            docs.append(Document(doc=path.name, title=title, fiscal_year=2020, sections=[root, child],
                                 lines=lines, sha256=hashlib.sha256(text.encode()).hexdigest()))
        return docs

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        if not isinstance(question, str) or not question.strip():
            raise InvalidQuestion("質問を入力してください")
        if "趣味" in question:
            return Answer(question=question, text="この報告書には「知事の趣味」に関する記載が見つかりませんでした。",
                          abstained=True)
        best = None
        for doc in self.documents:
            for i, line in enumerate(doc.lines, 1):
                score = sum(1 for k in range(len(question) - 1) if question[k:k + 2] in line)
                if best is None or score > best[0]:
                    best = (score, doc, i, line)
        _, doc, i, line = best
        figs = []
        text = line
        if "旅券発行" in question:
            figs = [Figure(label="旅券発行件数", period="令和2年", value="13062", unit="件", raw="13,062件")]
            text = "令和2年の旅券発行件数は13,062件です。"
        path = [doc.title, "(4) 旅券発給"]
        return Answer(question=question, text=text, figures=figs,
                      citations=[Citation(doc=doc.doc, section_path=path, lines=[i, i], text=line, score=1.0)])
