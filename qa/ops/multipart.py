"""multi-part: each part of 「AとBは？」 looked up on its own, with a citation each.
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.analyze import ASK_NOUN_WANTS, Question, groups_for, part_unit, want_of
from qa.evidence import Evidence
from qa.lexicon import lexicon
from qa.lookup import figure_answer
from qa.models import Answer, Citation, Hit
from qa.ops.structure import finish
from qa.passage import passage_answer
from qa.plan import Plan
from qa.tokenize import tokens

# The longest a worded part (a date, a theme) is shown in a multi-part answer.
PART_CHARS = 80


def _asks_words(part: Question) -> str | None:
    """date, name or place when the part asks for words (「掲載期間」「テーマ」「受け取った日付」), else None."""
    want, _ = want_of(part.norm)
    if want in {"date", "name", "place"}:
        return want
    asked = [ASK_NOUN_WANTS[t] for t in part.terms if t in ASK_NOUN_WANTS]
    return asked[-1] if asked else None


def _worded(ev: Evidence, whole: Question, part: Question, want: str, hits: list[Hit],
            others: set[str]) -> Answer | None:
    """A part that asks for words, not a figure: the clause of the passage that answers, looked for with the
    whole question's subject (「ホルコム知事の…のテーマと、受け取った日付」: the date of the message), less the
    names the other parts stand for (「ブラジルとパラグアイの県人会の主な活動」: ブラジル's is not パラグアイ's)."""
    terms = list(dict.fromkeys([*part.terms, *(t for t in whole.terms if t not in ASK_NOUN_WANTS and t not in others)]))
    looked = replace(part, want=want, unit=None, terms=terms, groups=groups_for(terms, whole.norm))
    ans = passage_answer(ev, looked, hits)
    if ans.abstained or not ans.citations:
        return None
    nouns = [t for t in part.terms if t in ASK_NOUN_WANTS]
    if want == "text" and nouns:
        # The sentence that holds the word asked for (「…をテーマとした」).
        pieces = [p for p in re.split(r"(?<=。)| — |\s(?=[^\s:：]{1,8}[:：])", ans.citations[0].text) if nouns[-1] in p]
        if pieces:
            ans = ans.model_copy(update={"text": pieces[0].strip()})
    return ans


def _names_listed(plan: Plan) -> bool:
    """Whether the parts are names listed before the last one's words (「ブラジルとパラグアイの県人会の…」): the
    question writes them one after another, and the last part goes on from its name with の."""
    last = plan.parts[-1]
    if not last.terms or not last.norm.startswith(last.terms[0] + "の"):
        return False
    names = [p.norm for p in plan.parts[:-1]] + [last.terms[0]]
    return re.search("(?:と|や|及び|および|・|、)".join(map(re.escape, names)), plan.question.norm) is not None


# Words by which a part asks something of its own.
_ASKS_ITS_OWN = re.compile(r"何|なに|なん|いくら|いくつ|どれ|どこ|どの|いつ|誰|だれ|どう|どんな|どのくらい|どれくらい")


def _topic_only(plan: Plan) -> bool:
    """Whether a part before a comma only sets the topic (「河川カメラのライブ配信の実証、どの川で…」): it asks
    nothing and names no measure, so the question is one, asked after it."""
    # (A list of names before a comma, 「ぐんま広報、点字広報、声の広報の事業費は」, asks with the last item's measure;
    # a topic is followed by a question word that asks which or how: 「どの川で」.)
    # 「…協会、会長さんのお名前は」: a name asked of the topic is a who-question too.
    if not re.search(r"どの|どこ|いつ|誰|だれ|どう|どんな|何を|名前|氏名|名称|[一-龥](?<!何)名(を|は|って|[?？]|$)", plan.parts[-1].norm):
        return False
    return any(p.unit is None and not _ASKS_ITS_OWN.search(p.norm) and part_unit(p.norm) is None
               and re.search(re.escape(p.norm.strip()) + r"\s*[、,]", plan.question.norm)
               for p in plan.parts[:-1])


def multipart(ev: Evidence, plan: Plan, hits: list[Hit]) -> Answer | None:
    if _topic_only(plan):
        return None
    answers = []
    used: set[str] = set()
    for part in plan.parts:
        if answers and answers[0][1].figures and re.search(r"(その|この)" + re.escape(part.norm[:3]), plan.question.norm):
            # 「動画の本数と、その事業費」: その is the row the first part was answered from.
            row = [t for t in tokens(answers[0][1].figures[0].label or "") if t not in part.terms]
            terms = [*part.terms, *row]
            part = replace(part, terms=terms, groups=groups_for(terms, part.norm + " " + plan.question.norm))
        # Names listed for the same words (「ブラジルとパラグアイの県人会の主な活動」): a bare name asks what the
        # last part asks of its own (「ブラジルの県人会の主な活動は」), and each is looked for without the others.
        last, parallel = plan.parts[-1], False
        if not re.search(r"[\u3041-\u309f?]", part.norm) and _names_listed(plan):
            asked = last.norm.replace(last.terms[0], part.norm, 1)
            part, parallel = replace(part, norm=asked, text=asked), True
        # A part that asks for words (a period, a theme) is answered from a passage; the others by a figure.
        want = _asks_words(part)
        if part.unit is None and re.search(lexicon().activity_cue, plan.question.norm):
            # 「香港とハノイのサポーター、普段何をしてる」: what a body does, its row's worded cell (主な活動: …)
            want, parallel = "text", True
        worded = want is not None
        # The name each other part begins with, when this part does not hold it too.
        others = {p.terms[0] for p in plan.parts if p is not part and p.terms} - set(part.terms) if parallel else set()
        ans = _worded(ev, plan.question, part, want, hits, others) if want else figure_answer(ev, part, hits)
        if ans is None or (not ans.figures and not worded) or ans.abstained:
            return None
        key = (ans.figures[0].raw + (ans.figures[0].label or "") if ans.figures else ans.text) + \
            ans.citations[0].section_path[-1]
        if key in used:
            return None
        used.add(key)
        answers.append((part, ans))
    labels = {a.figures[0].label if a.figures else None for _, a in answers}
    if len(labels) == 1 and None not in labels:
        # Figures of one row (「Ask知事!」の配信回数・再生回数・事業費): its name once, then each column.
        text = f"{labels.pop()}：" + "、".join(_shown(a, named=False) for _, a in answers)
    else:
        text = "／".join(_shown(a) for _, a in answers)
    sections = list(dict.fromkeys(a.citations[0].section_path[-1] for _, a in answers))
    text += f"（{'、'.join(sections)}）"
    citations: list[Citation] = []
    for _, a in answers:
        if a.citations[0] not in citations:
            citations.append(a.citations[0])
    figures = [a.figures[0] for _, a in answers if a.figures]
    return finish(ev, plan, text, citations, hits, figures)


def _shown(a: Answer, named: bool = True) -> str:
    if not a.figures:
        words = a.text.rsplit("（", 1)[0] if a.text.endswith("）") else a.text
        return words if len(words) <= PART_CHARS else words[: PART_CHARS - 1] + "…"
    f = a.figures[0]
    # One cell counting in two units (「48社73名」): the lookup shows it after the figure; so does each part.
    cell = re.match(re.escape(f.raw) + r"（([^（）]{1,24})）", a.text)
    raw = cell.group(1) if cell and f.raw in cell.group(1) else f.raw
    value = f"{raw}{'（' + f.period + '）' if f.period else ''}"
    if not named:
        return f"{f.attribute} {value}" if f.attribute else value
    return f"{f.label}{'［' + f.attribute + '］' if f.attribute else ''}：{value}"
