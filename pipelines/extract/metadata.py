"""Who said it, and when: report metadata read from the document itself, each value with evidence.

Fields: title, subtitle, institution, publication date (else a bounded hint), rating and its direction,
report type, industry; plus analysts (name, registration number, e-mail, role) and companies with
tickers. A field that is not found is null with the reason, never guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from pipelines.extract.layout import SOURCE_RE, tidy_cjk
from pipelines.normalize.dates import DATE_RE, find_report_date
from pipelines.normalize.numbers import clean_text

HEAD_LINES = 120
REGISTRATION_RE = re.compile(r"(?<![A-Za-z0-9])([SsAa]\d{13})(?!\d)")
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")  # from a run's start only: linear
NAME_RE = re.compile(r"^(?:证券分析师|分析师|研究助理|联系人)?\s*[:：]?\s*([\u4e00-\u9fff]{2,4})(?:\s|$)")
# a role and name ending a line that runs on from other text (a sidebar printed level with prose)
TRAILING_NAME_RE = re.compile(r"(?:分析师|研究助理|联系人)\s*[:：]\s*([\u4e00-\u9fff]{2,4})\s*$")
ROLE_RE = re.compile(r"(研究助理|证券分析师|分析师|联系人)")
RATINGS = ["强烈推荐", "谨慎推荐", "推荐", "买入", "增持", "看好", "强于大市", "优于大市", "跑赢行业", "超配",
           "中性", "同步大市", "减持", "卖出", "回避", "弱于大市"]
DIRECTIONS = ["维持", "上调", "下调", "首次覆盖", "首次"]
REPORT_TYPES = ["深度报告", "深度研究", "专题研究", "专题", "周报", "月报", "点评", "策略报告", "跟踪报告"]
RATING_LINE_RE = re.compile(
    rf"^(?:(?:投资|行业)?评级\s*[:：]?\s*)?[“\"]?(?P<rating>{'|'.join(RATINGS)})[”\"]?\s*"
    rf"(?:[（(](?P<dir>{'|'.join(DIRECTIONS)})[)）])?$")
RATING_SENTENCE_RE = re.compile(
    rf"(?P<dir>{'|'.join(DIRECTIONS)})?[^。；]{{0,12}}[“\"](?P<rating>{'|'.join(RATINGS)})[”\"]\s*评级")
TICKER_RE = re.compile(r"([\u4e00-\u9fffA-Za-z]{2,8})[（(\t|\s]{0,8}(\d{6}\.(?:SZ|SH|BJ)|\d{4,5}\.HK)\b")
TICKER_HINT_RE = re.compile(r"\d\.(?:SZ|SH|BJ|HK)")
INSTITUTION_SUFFIX_RE = re.compile(r"[，,、]\s*([\u4e00-\u9fff]{2,8}?)(证券研究所|证券研究院|研究所|研究院|证券)?\s*$")
EMAIL_DOMAINS = {"csc.com.cn": "中信建投证券", "ghzq.com.cn": "国海证券", "dwzq.com.cn": "东吴证券",
                 "ctsec.com": "财通证券", "yd.com.cn": "源达信息证券"}


def _field(field: str, value, evidence: str | None, line_no: int | None, method: str,
           confidence: float, reason: str | None = None) -> dict:
    return {"field": field, "value": None if value is None else str(value), "evidence": evidence,
            "line_no": line_no, "method": method, "confidence": confidence, "null_reason": reason}


def _missing(field: str, reason: str) -> dict:
    return _field(field, None, None, None, "not found", 0.0, reason)


BULLETS = ("-", "*", "❖", "■", "➤", "•", "●", "◆", "|")
RELATED_RE = re.compile(r"(相关公司|相关标的|建议关注|重点推荐|推荐标的)")
GENERIC_WORDS = {"服务器", "液冷设备", "芯片", "光模块", "算力", "设备", "数据中心", "公司", "央企"}


def title_fields(head: list[str]) -> list[dict]:
    """Title: the first heading or first substantial line; subtitle: a line opening with a dash."""
    title = subtitle = None
    for n, raw in enumerate(head):
        text = raw.strip().lstrip("#").strip()
        if not text:
            continue
        if text.startswith(("——", "—", "--")) and title and not subtitle:
            subtitle = (text.lstrip("—-").strip(), n)
            continue
        is_heading = raw.lstrip().startswith("#")
        plausible = (8 <= len(text) <= 60 and not re.search(DATE_RE, text) and "@" not in text
                     and not re.match(r"^\d{1,2}(\.\d+)*[\s.、]", text)
                     and not text.startswith(BULLETS) and not text.endswith(("。", "；"))
                     and "评级" not in text)
        cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
        if title is None and plausible and (is_heading or cjk >= 8) \
                and not SOURCE_RE.match(text) and not ROLE_RE.match(text) and "报告" not in text[-4:]:
            title = (text, n)
    out = [_field("title", title[0], title[0], title[1] + 1, "first heading", 0.8) if title
           else _missing("title", "no heading-like line in the opening text")]
    out.append(_field("subtitle", subtitle[0], subtitle[0], subtitle[1] + 1, "dash-led line", 0.7)
               if subtitle else _missing("subtitle", "no dash-led subtitle line"))
    return out


def institution_field(head: list[str], source_lines: list[str]) -> dict:
    """From the research-institute suffix most source lines end with, else analyst e-mail domains."""
    suffixes = Counter()
    for line in source_lines:
        match = INSTITUTION_SUFFIX_RE.search(clean_text(line))
        if match and len(match.group(1)) >= 2:
            name = match.group(1) + ("证券" if match.group(2) and "证券" in match.group(2) else "")
            suffixes[name] += 1
    if suffixes:
        name, count = suffixes.most_common(1)[0]
        if count >= 2 or len(source_lines) == 1:
            return _field("institution", name, f"{count} of {len(source_lines)} source lines end with {name}",
                          None, "source-line suffix", min(0.95, 0.6 + 0.05 * count))
    domains = Counter(m.group(1).lower() for line in head for m in EMAIL_RE.finditer(line))
    for domain, count in domains.most_common():
        if domain in EMAIL_DOMAINS:
            return _field("institution", EMAIL_DOMAINS[domain], f"analyst e-mail domain {domain}", None,
                          "e-mail domain", 0.7)
    return _missing("institution", "no institute suffix in source lines and no known e-mail domain")


def analysts(head: list[str]) -> list[dict]:
    """Each registration number, with the name, role and e-mail printed next to it."""
    found = []
    for n, line in enumerate(head):
        for match in REGISTRATION_RE.finditer(line):
            name, role, email = None, None, None
            before = line[: match.start()].strip()
            labelled = re.search(r"(?:分析师|研究助理|联系人)\s*[:：]?\s*([\u4e00-\u9fff]{2,4}?)"
                                 r"(?=执业|证书|登记|SAC|编号|\s|$|[:：A-Za-z])", before)
            same_line = re.search(r"([\u4e00-\u9fff]{2,4})\s*$", before)
            if labelled:
                name, name_line = labelled.group(1), n
            elif same_line and not before.endswith(("编号", "证书")):
                name, name_line = same_line.group(1), n
            previous = [k for k in range(n - 1, max(-1, n - 12), -1) if head[k].strip()][:4]
            for back in previous:
                candidate = head[back].strip()
                role = role or (ROLE_RE.search(candidate).group(1) if ROLE_RE.search(candidate) else None)
                if name is None:
                    found_name = NAME_RE.match(candidate)
                    trailing = TRAILING_NAME_RE.search(candidate)
                    if found_name and len(candidate) <= 12:
                        name, name_line = found_name.group(1), back
                    elif trailing:
                        name, name_line = trailing.group(1), back
                if name is not None:
                    break
            for near in head[max(0, n - 7): n + 4]:
                mail = EMAIL_RE.search(near)
                if mail:
                    email = mail.group(0)
                    break
            if name is None:
                continue
            role = role or (ROLE_RE.search(head[n]).group(1) if ROLE_RE.search(head[n]) else None)
            found.append({"name": name, "registration_no": match.group(1).upper(), "email": email,
                          "role": "研究助理" if role == "研究助理" else "分析师",
                          "line_no": name_line + 1, "evidence": f"{head[name_line].strip()} | {line.strip()}"})
    unique: dict[str, dict] = {}
    for analyst in found:  # the first mention (the front page's box), not a disclaimer's repeat
        unique.setdefault(analyst["registration_no"], analyst)
    return list(unique.values())


def rating_fields(head: list[str]) -> list[dict]:
    lines = [tidy_cjk(clean_text(x)) for x in head]
    for n, text in enumerate(lines):
        match = RATING_LINE_RE.match(text)
        if match:
            direction = match["dir"]
            if direction is None:  # '维持' printed on a line of its own next to the rating
                near = {lines[k] for k in range(max(0, n - 2), min(len(lines), n + 3)) if k != n}
                direction = next((d for d in DIRECTIONS if d in near), None)
            return [_field("rating", match["rating"], head[n].strip(), n + 1, "rating line", 0.9),
                    _field("rating_direction", direction, head[n].strip(), n + 1, "rating line", 0.8)
                    if direction else _missing("rating_direction", "rating printed without a direction")]
    for n, text in enumerate(lines):
        match = RATING_SENTENCE_RE.search(text)
        if match:
            return [_field("rating", match["rating"], match.group(0), n + 1, "rating sentence", 0.75),
                    _field("rating_direction", match["dir"], match.group(0), n + 1, "rating sentence", 0.7)
                    if match["dir"] else _missing("rating_direction", "rating stated without a direction")]
    return [_missing("rating", "no rating line or sentence in the opening text"),
            _missing("rating_direction", "no rating")]


def type_and_industry(head: list[str]) -> list[dict]:
    out = []
    for n, line in enumerate(head[:60]):
        text = tidy_cjk(clean_text(line))
        kind = next((t for t in REPORT_TYPES if t in text), None)
        if kind and len(text) <= 40:
            out.append(_field("report_type", kind, line.strip(), n + 1, "type word in a header line", 0.8))
            industry = re.search(r"([\u4e00-\u9fff]{2,6})行业", text)
            out.append(_field("industry", industry.group(1), line.strip(), n + 1, "'…行业' before the type", 0.7)
                       if industry else _missing("industry", "type line names no industry"))
            return out
    return [_missing("report_type", "no report-type word in the opening lines"),
            _missing("industry", "no report-type line")]


def date_fields(text: str, lines: list[str]) -> list[dict]:
    found = find_report_date(text)
    if found:
        stated, index = found
        return [_field("publication_date", stated.isoformat(), lines[index].strip(), index + 1,
                       "labelled or stand-alone date", 0.9)]
    dates = []
    for line in lines:
        for match in re.finditer(DATE_RE, clean_text(line)):
            try:
                dates.append(date(int(match.group(1)), int(match.group(2)), int(match.group(3))))
            except ValueError:
                continue
    fields = [_missing("publication_date", "the document states no publication date")]
    if dates:
        fields.append(_field("publication_date_not_before", max(dates).isoformat(),
                             "latest full date anywhere in the text", None, "bounded hint", 0.5))
    return fields


def companies(lines: list[str]) -> list[dict]:
    """Companies with tickers anywhere, and names in 'related companies' lists near the top."""
    seen: dict[str, dict] = {}
    for n, line in enumerate(lines):
        if not TICKER_HINT_RE.search(line):  # cheap test first: most lines hold no ticker
            continue
        for match in TICKER_RE.finditer(line.replace("\t", " ")):
            seen.setdefault(match.group(1), {"name": match.group(1), "ticker": match.group(2),
                                             "line_no": n + 1, "evidence": line.strip()[:120],
                                             "method": "name beside ticker"})
    head = lines[:HEAD_LINES]
    for n, line in enumerate(head):
        hit = RELATED_RE.search(line)
        if not hit:
            continue
        following = []
        for later in head[n + 1:n + 12]:  # a list may continue as bullets under the keyword line
            if later.strip() and (not re.match(r"^\s*([-•*]|\d\))", later)
                                  or re.search(r"风险|评级|投资建议|投资策略", later)):
                break
            following.append(later)
        listing = re.sub(r"\*+|\\", "", " 、".join([line[hit.end():], *following]))
        if listing.count("、") < 3:
            continue  # prose that mentions a keyword, not a list of names
        listing = re.sub(r"(?:\d\)\s*)?[\u4e00-\u9fffA-Za-z ]{1,10}[：:]", "、", listing)  # '华为系：'
        for token in re.split(r"[、，,；;。（）()\s]+|以及|和|及", listing):
            token = token.removesuffix("等")
            if re.fullmatch(r"[\u4e00-\u9fff]{2,6}", token) and token not in seen \
                    and token not in GENERIC_WORDS and not token.endswith(("领域", "行业")):
                seen[token] = {"name": token, "ticker": None, "line_no": n + 1,
                               "evidence": line.strip()[:120], "method": "related-companies list"}
    return list(seen.values())


def document_metadata(lines: list[str], source_lines: list[str]) -> tuple[list[dict], list[dict], list[dict]]:
    """(fields, analysts, companies) for one document from its lines and its tables' source lines.
    Analysts are read from every line: a layout may float the box naming them past the first page,
    or a report name them only in its closing pages."""
    head = lines[:HEAD_LINES]
    fields = [*title_fields(head), institution_field(head, source_lines), *rating_fields(head),
              *type_and_industry(head), *date_fields("\n".join(head), lines)]
    return fields, analysts(lines), companies(lines)
