"""Numbers stated in sentences → typed facts (`extractor = 'prose'`), and every other number found
there as a rejected candidate with its reason.

A number becomes a fact only when the sentence says what it is: a unit the unit parser knows
(亿美元, 万张, %, EFlops, kW …) printed after it. Its period is the last period named before it in
the sentence (a list of values takes the years of a span or list of years of the same length); its
source is the last attribution before it ('根据 IDC', 'IDC 预计', 'Meta … 指引'), none meaning the
broker itself; its metric is what the catalog finds in the clause that leads up to it.
Precision comes first: years, dates, ordinals, model and code names (H100, 910B, GPT-4), numbers
in book titles, rates per unit, durations, small counts and bare numbers produce no fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from pipelines.normalize.facts import FACT_COLUMNS, FP16_METRIC
from pipelines.normalize.metrics import Catalog, Mapping, load_catalog
from pipelines.normalize.numbers import clean_text
from pipelines.normalize.periods import Period, parse_period
from pipelines.normalize.units import Unit, parse_quantity, parse_sentence_unit, parse_unit
from quality.schemas import PROSE_CANDIDATE_COLUMNS, frame

MIN_PLAIN_COUNT = 10  # a count below this without a scale (2 个模型, 8 张卡) is an enumeration
MAX_UNIT_CHARS = 8
METRIC_REACH = 18  # a metric is named within this many characters before its number
GENERIC_METRICS = {"market_growth"}  # '同比增长 x%' names no subject of its own in a clause

_NUM = r"\d[\d,]*(?:\.\d+)?"
NUMBER_RE = re.compile(rf"(?<![\d.]){_NUM}")
RANGE_RE = re.compile(rf"\s*(%?)\s*(?:-|~|～|至|到|—|–)\s*({_NUM})")
EXPONENT_RE = re.compile(r"\s*[×xX*]\s*10\s*\^?\s*(\d{1,2})")
LIST_SEP_RE = re.compile(rf"\s*(?:/|、|和|及|与)\s*(?={_NUM})")
LIST_JOIN_RE = re.compile(r"\s*(?:/|、|和|及|与)\s*")
ITEM_SEP_RE = re.compile(r"\s*(?:/|、|和|及|与)\s*")  # items a '分别' list names
YEAR_IN_ITEM_RE = re.compile(r"\d{4}\s*(?:年|[AE])?")
CJK_ONLY_RE = re.compile(r"[\u4e00-\u9fff]+")
MINUS_RE = re.compile(r"[-−－]$")
SIGN_CONTEXT = set("（(：:=，,；;为约比达至是、")  # a minus sign may follow these, or a space
SIGNED_BEFORE_RE = re.compile(r"([-−－])\d[\d,]*(?:\.\d+)?\s*%?$")  # a signed number just before
NUMBER_BEFORE_RE = re.compile(r"\d[\d,]*(?:\.\d+)?\s*%?\s*[^\s\d]{0,4}$")  # a number (and unit) just before
QUALIFIER_RE = re.compile(r"(约|超过|超|大于|小于|不足|近|>|<|≥|≤)\s*$")
UNIT_RUN_RE = re.compile(r"\s?([%A-Za-z\u4e00-\u9fff/][A-Za-z\u4e00-\u9fff/]{0,11})")
COUNTED_RE = re.compile(r"用户|人数|日活|月活|数量|次数|参数|个数|台数|出货量|装机量|规模达|总量")
NOT_TENTHS_RE = re.compile(r"[本为立功熟长交员型]")
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
LINKING_WORDS_RE = re.compile(r"预计|预测|预期|有望|将|达到|达|为|增至|增长至|增长到|突破|约|超过|超|至|到|年|"
                              r"并|且|其中|调到|调至|上调至|下调至|提升至|提升到|升至|降至|分别|或|在|于|月|日")

_YEAR = r"(?:19|20)\d{2}"
PERIOD_RES = [  # (pattern, kind); the first to match at a position wins
    (re.compile(rf"(?:FY)?{_YEAR}\s*年?\s*(?:-|~|～|至|到|—|–)\s*(?:FY)?{_YEAR}\s*年?[EF]?"), "span"),
    (re.compile(rf"{_YEAR}\s*年\s*\d{{1,2}}\s*(?:-|~|至)\s*\d{{1,2}}\s*月"), "months"),
    (re.compile(rf"{_YEAR}\s*年\s*\d{{1,2}}\s*月(?:\s*\d{{1,2}}\s*日)?"), "month"),
    (re.compile(rf"{_YEAR}\s*年\s*(?:第?[一二三四1-4]\s*季度|[上下]半年|[QH][1-4])"), "part"),
    (re.compile(rf"(?:FY)?{_YEAR}\s*[QH][1-4][EF]?|FY\d{{2}}\s*Q[1-4]|[1-4][QH]\d{{2}}\b"), "part"),
    (re.compile(rf"(?:FY)?{_YEAR}\s*年(?:度)?[EF]?|FY{_YEAR}|{_YEAR}[EAF]\b"), "year"),
    (re.compile(rf"{_YEAR}(?=\s*[\u4e00-\u9fff])(?!\s*(?:万|亿|千|百|个|张|台|块|颗|元|美元|人|家|款|架|次|年))"), "year"),
    (re.compile(rf"{_YEAR}(?=\s?[A-Z][A-Za-z]+)"), "name"),  # '2023 GTC 大会', '2022 年的 OFC'
    (re.compile(r"(?:过去|近|未来|最近|此前)\s*\d{1,2}\s*年"), "relative"),  # '过去 5 年平均': no year
]
NOW_RE = re.compile(r"目前|当前|现阶段|如今|新财年|明年")  # '2010 年…240 亿，目前已降至 120 亿
DATE_RE = re.compile(r"\d{1,2}\s*(?:-\s*\d{1,2}\s*)?月(?:\s*\d{1,2}\s*日)?(?:[初底中])?|\d{1,2}\s*日|"
                     r"\d{1,2}\s*[点时](?:\s*\d{1,2}\s*分)?|\d{1,2}:\d{2}")
BASE_PERIOD_RE = re.compile(r"(?:较|相比|相较于?|对比|比)\s*$")  # '较 2022 年增长': a base, not the period
ORDINAL_RE = re.compile(r"第\s*\d+")
TITLE_RE = re.compile(r"《[^》]*》")
RATING_RE = re.compile(r"相对.{0,24}(指数|基准|大盘)")
ESTIMATE_RE = re.compile(r"预计|预测|预期|有望|估计|测算|推算|假设|展望|"
                         r"将(?:达|增|超|保持|突破|提升|实现|至|进一步|占|降)")
CONTRAST_RE = re.compile(r"[，,；;]\s*(?:而|但|相比|对比|与之相比)")
CLAUSE_SEP_RE = re.compile(r"[，,；;：:（(]")
SPREAD_RE = re.compile(r"分别")

# Who says it. Known institutions by their spellings; a cue must stand beside the name (根据 X,
# 据 X, X 数据/报告/预计 …) so that 'IDC 建设' or a heading 'IDC：' is not IDC the source.
SOURCES = {
    "IDC": r"IDC", "Gartner": r"Gartner", "TrendForce": r"TrendForce|集邦咨询",
    "LightCounting": r"Light[Cc]ounting", "Dell'Oro": r"Dell\s*['’]?\s*Oro(?:\s*Group)?",
    "SemiAnalysis": r"Semi[Aa]nalysis", "Counterpoint": r"Counterpoint", "Omdia": r"Omdia",
    "Yole": r"Yole", "Statista": r"[Ss]tatista", "Similarweb": r"Similarweb", "Canalys": r"Canalys",
    "Liftr Insights": r"Liftr Insights", "Cadence": r"Cadence", "IBS": r"IBS",
    "BusinessKorea": r"BusinessKorea", "中国信通院": r"中国信通院|信通院", "赛迪顾问": r"赛迪顾问",
    "财联社": r"财联社", "路透社": r"路透社", "OpenAI": r"OpenAI", "NVIDIA": r"NVIDIA|英伟达",
    "Frost & Sullivan": r"Frost\s*&\s*Sullivan|弗若斯特沙利文|沙利文",
}
_CUE_BEFORE = r"(?:根据|据|参考|援引)\s*(?:研究机构|市场研究机构|咨询机构|机构)?\s*"
_CUE_AFTER = r"\s*(?:的)?\s*(?:最新)?\s*(?:数据|报告|预计|预测|预期|统计|显示|表示|测算|估计|称|报道)"
SOURCE_RES = [(name, re.compile(rf"{_CUE_BEFORE}(?:{p})|(?:{p}){_CUE_AFTER}"))
              for name, p in SOURCES.items()]
TITLE_SOURCE_RE = re.compile(rf"{_CUE_BEFORE}(?:{_YEAR}\s*)?(《[^》]+》)")
BROKER_CUE_RE = re.compile(r"我们|根据测算|据测算|经测算|本文")
GUIDANCE_RE = re.compile(r"指引|guidance", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """Something found at a span of the sentence: a period, a source, a region."""

    start: int
    end: int
    value: object


@dataclass(frozen=True)
class Candidate:
    """A number in a sentence: its span, the text read as a quantity, and its list (if any)."""

    start: int
    end: int
    text: str
    list_index: int = 0
    list_size: int = 1
    list_start: int = 0
    unit_text: str = ""


def find_periods(sentence: str) -> tuple[list[Mention], list[tuple[int, int, str]]]:
    """Periods named in a sentence (with a year), and the spans of dates and ordinals (no fact)."""
    periods, blocked = [], []
    taken = [False] * len(sentence)
    for pattern, kind in PERIOD_RES:
        for m in pattern.finditer(sentence):
            if any(taken[m.start():m.end()]) or (kind == "name" and _unit_after(sentence, m.end())[0]):
                continue  # '1979 TFLOPS' is a quantity, not a year
            for k in range(m.start(), m.end()):
                taken[k] = True
            if kind in {"name", "relative"}:  # a year naming an event, or years counted back or
                # ahead: what follows has no calendar year of its own
                blocked.append((m.start(), m.end(), "year as a name" if kind == "name" else "duration"))
                periods.append(Mention(m.start(), m.end(), None))
                continue
            period = _parse_period_text(m.group(0), kind)
            blocked.append((m.start(), m.end(), "period"))
            if period and not BASE_PERIOD_RE.search(sentence[:m.start()]):
                periods.append(Mention(m.start(), m.end(), period))
    for pattern, reason in ((DATE_RE, "date"), (ORDINAL_RE, "ordinal"), (TITLE_RE, "in a title")):
        for m in pattern.finditer(sentence):
            if not any(taken[m.start():m.end()]) or reason == "in a title":
                blocked.append((m.start(), m.end(), reason))
    periods += [Mention(m.start(), m.end(), None) for m in NOW_RE.finditer(sentence)]
    return sorted(periods, key=lambda p: p.start), blocked


def _parse_period_text(text: str, kind: str) -> Period | None:
    compact = re.sub(r"\s+", "", text)
    if kind == "span":
        compact = re.sub(r"年", "", compact)
    elif kind == "part":
        compact = re.sub(r"年(?=[QH])", "", compact)  # '2023 年 Q1
    elif kind in {"month", "months"}:
        year = re.match(r"\d{4}", compact).group(0)
        month = re.search(r"(\d{1,2})月", compact).group(1)
        compact = f"{year}年{month}月"
    return parse_period(compact)


def _unit_after(sentence: str, pos: int) -> tuple[Unit | None, int, str]:
    """The longest unit the unit parser knows printed at `pos`: (unit, end, unit text)."""
    run = UNIT_RUN_RE.match(sentence, pos)
    if not run:
        return None, pos, ""
    word = run.group(1)
    for size in range(min(len(word), MAX_UNIT_CHARS), 0, -1):
        piece = word[:size]
        if piece.isascii() and size < len(word) and word[size].isascii() and word[size].isalpha():
            continue  # a Latin unit must end at a word boundary: '1024bit' is not 1024 bytes
        if piece in {"B", "b"} or re.fullmatch(r"[kKmMgGtT]?b/s", piece):
            continue  # '910B', '175B': a model name or billions; '200Gb/s' is bits, not bytes
        if piece == "成" and NOT_TENTHS_RE.match(word, size):
            continue  # '成本', '成为': a word, not tenths
        unit = parse_sentence_unit(piece)
        if unit is not None:
            return unit, run.start(1) + size, piece
    return None, pos, ""


def _number_candidates(sentence: str, blocked: list[tuple[int, int, str]]
                       ) -> tuple[list[Candidate], list[tuple[int, int, str, str]]]:
    """Numbers with a unit (lists sharing the last one's unit), and the other numbers with why."""
    found, rejected = [], []
    consumed = -1
    for m in NUMBER_RE.finditer(sentence):
        start = m.start()
        if start < consumed:
            continue
        reason = next((r for s, e, r in blocked if s <= start < e), None)
        if reason:
            rejected.append((start, m.end(), m.group(0), reason))
            continue
        before = sentence[max(0, start - 2):start]
        if before.endswith("^") or sentence[m.end():m.end() + 1] == "^":
            rejected.append((start, m.end(), m.group(0), "power of ten"))
            consumed = m.end()
            continue
        if re.search(r"[A-Za-z]$|[A-Za-z]-$", before):
            rejected.append((start, m.end(), m.group(0), "model or code name"))
            continue
        chain = _list_chain(sentence, m)
        end_of_chain = chain[-1][1]
        if chain[-1][2].endswith("%"):
            unit, unit_end, unit_text = parse_unit("%"), end_of_chain, ""
        else:
            unit, unit_end, unit_text = _unit_after(sentence, end_of_chain)
        if unit is None:
            nxt = sentence[end_of_chain:end_of_chain + 1]
            reason = "model or code name" if nxt.isascii() and nxt.isalpha() else "no unit"
            for s, e, t in chain:
                rejected.append((s, e, t, reason))
            consumed = end_of_chain
            continue
        qualifier = QUALIFIER_RE.search(sentence[:chain[0][0] - _minus_before(sentence, chain[0][0])])
        for k, (s, e, t) in enumerate(chain):
            own = t if t.endswith("%") else f"{t}{unit_text}"
            own = f"-{own}" if _minus_before(sentence, s) else own
            text = f"{qualifier.group(1)}{own}" if qualifier and k == 0 else own
            found.append(Candidate(s, unit_end if k == len(chain) - 1 else e, text, k, len(chain),
                                   chain[0][0], unit_text))
        consumed = unit_end
    return _joined_lists(sentence, found), rejected


def _minus_before(sentence: str, start: int) -> int:
    """1 when the number at start carries a minus sign, else 0: a dash right before it that opens
    the text, or follows a space or a word that introduces a figure ('同比 -15.1%', '增速为-3.2%',
    '约-3%', '（-12.3%）'), or a number that carries one itself ('-15.1% -26.1%'). Not the dash
    of a range ('30 元-35 元', '300 -370 亿元', '60%-70%') nor of a name ('GPT-3')."""
    if not MINUS_RE.search(sentence[:start]):
        return 0
    before = sentence[:start - 1]
    stripped = before.rstrip()
    if not stripped or stripped[-1] in SIGN_CONTEXT:
        return 1
    signed = SIGNED_BEFORE_RE.search(stripped)
    if signed:
        return _minus_before(sentence, signed.start(1) + 1)
    if NUMBER_BEFORE_RE.search(stripped):
        return 0  # a range's dash
    return int(stripped != before)


def _joined_lists(sentence: str, found: list[Candidate]) -> list[Candidate]:
    """'分别新增 120 万架和 150 万架': single values with the same unit joined by 和/、/ form one list."""
    groups: list[list[Candidate]] = []
    for c in found:
        last = groups[-1][-1] if groups else None
        if (last and last.list_size == 1 and c.list_size == 1 and c.unit_text == last.unit_text
                and LIST_JOIN_RE.fullmatch(sentence[last.end:c.start])):
            groups[-1].append(c)
        else:
            groups.append([c])
    return [Candidate(c.start, c.end, c.text, k, len(g), g[0].start, c.unit_text) if len(g) > 1 else c
            for g in groups for k, c in enumerate(g)]


def _list_chain(sentence: str, first: re.Match) -> list[tuple[int, int, str]]:
    """A number, with its range partner and exponent, and the numbers listed after it ('395/890/1601',
    '47.0 和 27.0', '96%/125%/80%'): (start, end, text) each."""
    chain = []
    pos, match = first.start(), first
    while True:
        text, end = match.group(0), match.end()
        exp = EXPONENT_RE.match(sentence, end)
        if exp:
            text, end = f"{text}×10^{exp.group(1)}", exp.end()
        rng = RANGE_RE.match(sentence, end)
        if rng and not exp and _is_range(sentence, match, rng):
            text, end = f"{text}-{rng.group(2)}{rng.group(1)}", rng.end()
        if sentence[end:end + 1] == "%":
            text, end = f"{text}%", end + 1
        chain.append((pos, end, text))
        sep = LIST_SEP_RE.match(sentence, end)
        nxt = NUMBER_RE.match(sentence, sep.end()) if sep else None
        if not nxt or (text.endswith("%") != _is_percent_at(sentence, nxt)):
            return chain
        pos, match = nxt.start(), nxt


def _is_range(sentence: str, match: re.Match, rng: re.Match) -> bool:
    """'300-370 亿', '3-7%', '60%-70%' — not '89%至 60 亿美元' (a share, then an amount), nor a
    descending pair, nor a date or year after the dash."""
    if re.match(rf"\d{{1,2}}\s*月|{_YEAR}\s*年", sentence[rng.start(2):]):
        return False
    if rng.group(1) == "%" and sentence[rng.end():rng.end() + 1] != "%":
        return False
    if re.match(r"\s*%?\s+[-−－]\d", rng.group(0)) and _minus_before(sentence, match.start()):
        return False  # '-15.1% -26.1%': signed numbers side by side
    return float(match.group(0).replace(",", "")) < float(rng.group(2).replace(",", ""))


def _is_percent_at(sentence: str, match: re.Match) -> bool:
    rng = RANGE_RE.match(sentence, match.end())
    end = rng.end() if rng else match.end()
    return sentence[end:end + 1] == "%" or sentence[match.end():match.end() + 1] == "%"


def find_sources(sentence: str, catalog: Catalog) -> list[Mention]:
    """Attributions in a sentence; a mention of the broker's own work has value None."""
    found = [Mention(m.start(), m.end(), name) for name, pattern in SOURCE_RES
             for m in pattern.finditer(sentence)]
    found += [Mention(m.start(), m.end(), m.group(1)) for m in TITLE_SOURCE_RE.finditer(sentence)]
    found += [Mention(m.start(), m.end(), None) for m in BROKER_CUE_RE.finditer(sentence)]
    for cue in GUIDANCE_RE.finditer(sentence):  # the company named last before '指引'
        named = [(m.start(), name) for alias, name in catalog.companies.items()
                 for m in re.finditer(re.escape(alias), sentence[:cue.start()])]
        if named:
            found.append(Mention(max(named)[0], max(named)[0], f"{max(named)[1]} (guidance)"))
    return sorted(found, key=lambda m: (m.start, m.end))


def _governing(mentions: list[Mention], pos: int) -> Mention | None:
    before = [m for m in mentions if m.end <= pos]
    return before[-1] if before else None


def _clause_before(sentence: str, pos: int) -> str:
    """The clause that leads up to `pos` (from the last comma, semicolon or colon)."""
    head = sentence[:pos]
    cut = max((m.end() for m in CLAUSE_SEP_RE.finditer(head)), default=0)
    return head[cut:].strip()


def _period_for(candidate: Candidate, periods: list[Mention], sentence: str) -> Period | None:
    """The last period before the number (after a contrast such as '而' only within its clause);
    a list of n values takes a span of n years or the n years listed before it."""
    before = [p for p in periods if p.end <= candidate.list_start]
    contrast = [m.end() for m in CONTRAST_RE.finditer(sentence[:candidate.list_start])]
    if contrast:
        before = [p for p in before if p.start >= contrast[-1]]
    if before and before[-1].value is None:
        return None
    if candidate.list_size > 1 and before:
        last: Period = before[-1].value
        if last.kind == "span" and last.start_year and last.year - last.start_year + 1 == candidate.list_size:
            year = last.start_year + candidate.list_index
            return parse_period(f"{year}{'E' if last.is_estimate else ''}") or last
        listed = _listed_years(before, sentence, candidate.list_size)
        if listed:
            return listed[candidate.list_index]
        if SPREAD_RE.search(sentence[before[-1].end:candidate.list_start]) and last.kind == "span":
            return None  # '2023-2025 年 … 分别为 a/b' with a count that does not fit: no year
    return before[-1].value if before else None


def _listed_years(before: list[Mention], sentence: str, size: int) -> list[Period] | None:
    """'2021 年和 2022 年分别新增 120 万架和 150 万架': the last `size` periods, when joined by 和/、/及."""
    if len(before) < size:
        return None
    tail = before[-size:]
    for a, b in zip(tail, tail[1:]):
        if not re.fullmatch(r"\s*(?:和|、|及|与|/|,|，)\s*", sentence[a.end:b.start]):
            return None
    return [m.value for m in tail]


def facts_from_sentence(row: dict, catalog: Catalog, carried: Mention | None = None
                        ) -> tuple[list[dict], list[dict]]:
    """Facts and candidate rows for one sentence row of the sentences stage. `carried`: the source
    the paragraph's earlier sentences named last ('IDC 数据显示：… 。2026 年中国市场 … 。'), which a
    sentence without an attribution of its own goes on with."""
    sentence = clean_text(row["text"])
    base = {"doc_id": row["doc_id"], "sentence_id": row["sentence_id"], "page": row["page"],
            "line_no": row["line_no"], "sentence": sentence}
    periods, blocked = find_periods(sentence)
    candidates, rejected = _number_candidates(sentence, blocked)
    candidate_rows = [{**base, "char_start": s, "char_end": e, "raw_text": t, "outcome": "rejected",
                       "reason": r} for s, e, t, r in rejected]
    if RATING_RE.search(sentence):
        return [], candidate_rows + [{**base, "char_start": c.start, "char_end": c.end,
                                      "raw_text": c.text, "outcome": "rejected",
                                      "reason": "rating definition"} for c in candidates]
    sources = find_sources(sentence, catalog)
    if carried is not None:
        sources = [Mention(-1, -1, carried.value), *sources]
    facts = []
    for c in candidates:
        fact, reason = _fact(row, sentence, c, periods, sources, catalog, facts)
        candidate_rows.append({**base, "char_start": c.start, "char_end": c.end, "raw_text": c.text,
                               "outcome": "fact" if fact else "rejected", "reason": reason,
                               "fact_id": fact["fact_id"] if fact else None})
        if fact:
            facts.append(fact)
    return facts, candidate_rows


def _fact(row: dict, sentence: str, c: Candidate, periods: list[Mention], sources: list[Mention],
          catalog: Catalog, earlier: list[dict]) -> tuple[dict | None, str | None]:
    number, unit = parse_quantity(c.text)
    if number.value is None and c.unit_text:  # a sentence unit ('5 倍', '7 成'): the number alone
        number, unit = parse_quantity(c.text[:len(c.text) - len(c.unit_text)])[0], parse_sentence_unit(c.unit_text)
    unit = parse_unit("%") if number.is_percent else unit
    if number.value is None or unit is None:
        return None, "not a quantity"
    if unit.dimension == "time":
        return None, "duration"
    last_in_list = c.list_index == c.list_size - 1
    if last_in_list and sentence[c.end:c.end + 4].lstrip("以上下左右").startswith(("/", "-", "·")):
        return None, "rate per unit"
    if unit.dimension == "count" and unit.scale == 1 and abs(number.value) < MIN_PLAIN_COUNT:
        return None, "small count"
    after = sentence[c.end:c.end + 3].strip()
    if last_in_list and after.startswith("倍"):
        return None, "multiple of a scale word"  # '扩大了 30 万倍'
    if last_in_list and after.startswith("="):
        return None, "unit definition"  # '1PFLOPs = 10^15 FLOPs'
    if unit.dimension == "count" and unit.base == "count" and unit.label in {"百", "千", "十亿"}:
        return None, "scale word without unit"
    if unit.dimension == "count" and unit.base == "count" and unit.label in {"万", "亿", "万亿"}:
        unit = _currency_from_sentence(sentence, unit)
        if unit.dimension == "count" and not _counts_something(sentence, c):
            return None, "scale word without unit"  # '价格常在 20-30 万': money or a count?
    period = _period_for(c, periods, sentence)
    source = _governing(sources, c.list_start)
    clause = _clause_before(sentence, c.list_start)
    named = clause[-METRIC_REACH:].rsplit("的", 1)[-1]  # 'X 参数的大模型…需要约': not X
    mapping = catalog.map_label(named, None, unit.dimension) if named.strip() else None
    if names_nothing(clause):
        mapping = _inherited(earlier, unit.dimension) or mapping
    metric_id = mapping.metric_id if mapping and mapping.metric_id not in GENERIC_METRICS else None
    basis = None
    if metric_id == FP16_METRIC:
        basis = _fp16_basis(catalog, clause, c, number.value * unit.scale)
        metric_id = metric_id if basis else None
    head = sentence[:c.list_start]
    regions = [(m.start(), name) for name, p in catalog.regions.items() for m in p.finditer(head)]
    item = _list_item(catalog, clause, c)
    item_region = catalog.region(item) if item else None
    if item_region:
        regions, item = [(len(head), item_region)], None  # '全球和中国…分别为 X 和 Y'
    elif item and parse_period(item):
        item = None  # '2023 年和 2024 年…分别为': the period says it
    if metric_id and basis is None:
        basis = item
    estimate = bool(ESTIMATE_RE.search(head)) or bool(period and period.is_estimate)
    scale = unit.scale

    def scaled(v: float | None) -> float | None:
        return None if v is None else v * scale

    fact_id = f"{row['sentence_id']}:c{c.start}"
    return {
        "fact_id": fact_id, "doc_id": row["doc_id"], "table_id": None, "page": row["page"],
        "line_no": row["line_no"], "metric_raw": clause or None, "metric_id": metric_id,
        "metric_rule": mapping.rule if metric_id else None,
        "metric_confidence": mapping.confidence if metric_id else None, "metric_qualifier": basis,
        "unmapped_reason": None if metric_id else (
            f"{FP16_METRIC}: no known chip it is the dense or sparse figure of"
            if mapping and mapping.metric_id == FP16_METRIC else
            "generic growth rate" if mapping and mapping.metric_id else
            (mapping.unmapped_reason if mapping else "no clause before the number")),
        "entity": catalog.company(clause) or catalog.company(head), "region": max(regions)[1] if regions else None,
        "period_label": period.label if period else None, "period_kind": period.kind if period else None,
        "year": period.year if period else None,
        "period_start": str(period.start_year) if period and period.start_year else None,
        "period_end": str(period.year) if period and period.start_year else None,
        "is_estimate": estimate, "value": scaled(number.value), "value_low": scaled(number.low),
        "value_high": scaled(number.high), "qualifier": number.qualifier, "unit": unit.base,
        "dimension": unit.dimension, "scale_label": unit.label, "scale": scale,
        "currency": unit.currency, "raw_text": c.text, "extractor": "prose",
        "extractor_version": row.get("extractor_version"), "sentence": sentence,
        "char_start": c.start, "char_end": c.end,
        "attributed_source": source.value if source else None,
    }, None


def _fp16_basis(catalog: Catalog, clause: str, c: Candidate, value: float) -> str | None:
    """Dense or with sparsity, read off the chip the figure is for: the chips a clause names pair
    with a list of figures in order ('A100 与 H100 的 FP16 Tensor 算力分别为 312 与 990 TFLOPS')."""
    chips = sorted((m.start(), m.group(0)) for pattern, _ in catalog.dense_fp16
                   for m in pattern.finditer(clause))
    chips = [text for k, (start, text) in enumerate(chips) if k == 0 or start != chips[k - 1][0]]
    chip = chips[c.list_index] if len(chips) == c.list_size else clause
    return catalog.fp16_basis(chip, value / 1e12)


def _list_item(catalog: Catalog, clause: str, c: Candidate) -> str | None:
    """The item a figure of a '分别' list stands for: the items the clause names before 分别, paired
    with the figures in order ('全球普通 AI 服务器/高端 AI 服务器出货量分别为 47.0 和 27.0 万台': 普通
    AI 服务器, 高端 AI 服务器). The last item is cut where the first one's ending recurs in it (the
    metric's name follows); the first starts after the last year or region it names."""
    if c.list_size < 2 or "分别" not in clause:
        return None
    head = re.split(r"[，,；;：:]", clause.rsplit("分别", 1)[0])[-1]
    parts = [p.strip() for p in ITEM_SEP_RE.split(head)]
    if len(parts) != c.list_size or not all(parts):
        return None
    if YEAR_IN_ITEM_RE.match(parts[-1]) or parse_period(parts[0]):
        return None  # '2023 年和 2024 年出货量分别为': a list of periods, which the periods say
    ends = [m.end() for pattern in (YEAR_IN_ITEM_RE, *catalog.regions.values())
            for m in pattern.finditer(parts[0])]
    if ends and parts[0][max(ends):].strip():  # '并预计 2024 年全球普通 AI 服务器': 普通 AI 服务器
        parts[0] = parts[0][max(ends):].strip()
    for k in range(len(parts[0]) - 1):
        tail = parts[0][k:]
        if len(tail.strip()) >= 2 and tail in parts[-1]:
            parts[-1] = parts[-1][:parts[-1].index(tail) + len(tail)]
            break
    else:  # no ending in common ('训练和推理算力需求'): items of one length, as a list sets them
        if CJK_ONLY_RE.fullmatch(parts[0]) and CJK_ONLY_RE.match(parts[-1]):
            parts[-1] = parts[-1][:len(parts[0])]
    return parts[c.list_index].strip()


def names_nothing(clause: str) -> bool:
    """True when a clause holds only a period, a source cue and a verb ('2027 年将达到',
    'IDC 预计 2026 年将达'), so the number continues the sentence's subject."""
    words = "".join(CJK_RE.findall(clause))
    return len(LINKING_WORDS_RE.sub("", words)) <= 1


def _inherited(earlier: list[dict], dimension: str) -> Mapping | None:
    """'…市场规模将达 91 亿美元，同比增长 82.5%，2027 年将达到 134 亿美元': a clause naming nothing
    goes on with the metric of the sentence's last fact of the same dimension."""
    for fact in reversed(earlier):
        if fact["dimension"] == dimension and fact["metric_id"]:
            return Mapping(fact["metric_id"], fact["metric_rule"], fact["metric_confidence"])
    return None


def _counts_something(sentence: str, c: Candidate) -> bool:
    """A bare 万/亿 counts what follows it ('200 万字', '1750 亿参数') or what its clause counts
    ('日活用户数达到 1300 万', '调用次数至少超过 2 万亿')."""
    after = re.sub(r"^\s*(?:左右|以上|以下|多|余)?", "", sentence[c.end:c.end + 6])
    return bool(CJK_RE.match(after)) or bool(COUNTED_RE.search(_clause_before(sentence, c.list_start)))


def _currency_from_sentence(sentence: str, unit: Unit) -> Unit:
    """'从 300-350 亿区间，调到 300-370 亿美元': a bare scale takes the currency the sentence prints
    with the same scale word elsewhere; otherwise it stays a count."""
    for word, base in (("美元", "USD"), ("元", "CNY")):
        if re.search(rf"\d\s*{unit.label}{word}", sentence):
            return Unit(f"{unit.label}{word}", unit.scale, base, "money", base)
    return unit


def facts_from_sentences(sentences: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Prose facts (FACT_COLUMNS) and every number candidate with its outcome, for a document."""
    catalog = load_catalog()
    facts, candidates = [], []
    carried: dict[str, Mention | None] = {}
    for row in sentences.iter_rows(named=True):
        paragraph = row["sentence_id"].rsplit(":s", 1)[0]
        named = find_sources(clean_text(row["text"] or ""), catalog)
        source_before = carried.get(paragraph)
        carried[paragraph] = named[-1] if named else source_before
        if not re.search(r"\d", row["text"] or ""):
            continue
        f, c = facts_from_sentence(row, catalog, source_before)
        facts += f
        candidates += c
    return (pl.DataFrame([{k: f.get(k) for k in FACT_COLUMNS} for f in facts], schema=FACT_COLUMNS,
                         orient="row"),
            frame(candidates, PROSE_CANDIDATE_COLUMNS))
