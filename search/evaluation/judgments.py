"""Reading evaluation material: topics (queries) and relevance judgments, in common formats.

Topics: TSV (``qid<TAB>query``), JSON Lines (``{"qid": ..., "query": ...}``), TREC topic files
(``<top><num> Number: 301 <title> ...``) and SMART query files (``.I``/``.W``). SMART query files
such as Cranfield's number their judgments by the query's ordinal position, not its ``.I`` value,
so SMART topics are numbered 1, 2, 3... unless ``ids="given"``.

Judgments: TREC qrels (``qid iter docid rel``) or three columns (``qid docid rel``). With
``gain="trec"`` a judgment's number is its gain and any gain above 0 is relevant. With
``gain="cranfield"`` the number is a Cleverdon code (1 best ... 4 least, -1 read as 4): the gain is
``5 - code`` and codes 1-3 count as relevant for binary measures.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from index.errors import IngestError, InvalidOption

GAINS = ("trec", "cranfield")
TOPIC_IDS = ("ordinal", "given")


@dataclass(frozen=True, slots=True)
class Topic:
    qid: str
    text: str


@dataclass(frozen=True, slots=True)
class Judgment:
    gain: float
    relevant: bool


Qrels = dict[str, dict[str, Judgment]]

_TREC_TOP = re.compile(r"<top>(.*?)</top>", re.S | re.I)
_TREC_NUM = re.compile(r"<num>\s*(?:Number:)?\s*(\S+)", re.I)
_TREC_TITLE = re.compile(r"<title>\s*(?:Topic:)?\s*(.*?)\s*(?=<[a-z]+>|$)", re.S | re.I)


def read_topics(path: Path, ids: str = "ordinal") -> list[Topic]:
    """Topics from a TSV, JSONL, TREC topic or SMART query file (recognised by content)."""
    if ids not in TOPIC_IDS:
        raise InvalidOption(f"unknown topic id rule {ids!r} (one of: {', '.join(TOPIC_IDS)})")
    text = _read(path)
    stripped = text.lstrip()
    if stripped.startswith(".I"):
        topics = _smart_topics(text, ids)
    elif "<top>" in text.lower():
        topics = _trec_topics(text)
    elif stripped.startswith("{"):
        topics = _jsonl_topics(text, path)
    else:
        topics = _tsv_topics(text, path)
    if not topics:
        raise IngestError(f"no topics found in {path}")
    return topics


def _smart_topics(text: str, ids: str) -> list[Topic]:
    topics: list[Topic] = []
    for number, block in enumerate(re.split(r"^\.I\s+", text, flags=re.M)[1:], 1):
        given, _, rest = block.partition("\n")
        words = rest.split(".W", 1)[-1]
        qid = str(number) if ids == "ordinal" else given.strip().lstrip("0") or "0"
        topics.append(Topic(qid, " ".join(words.split())))
    return topics


def _trec_topics(text: str) -> list[Topic]:
    topics = []
    for block in _TREC_TOP.findall(text):
        number, title = _TREC_NUM.search(block), _TREC_TITLE.search(block)
        if number and title:
            topics.append(Topic(number.group(1), " ".join(title.group(1).split())))
    return topics


def _jsonl_topics(text: str, path: Path) -> list[Topic]:
    topics = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            qid = next(str(item[k]) for k in ("qid", "query_id", "id") if k in item)
            query = next(str(item[k]) for k in ("query", "text", "title") if k in item)
        except (ValueError, StopIteration, TypeError) as exc:
            raise IngestError(f'{path}:{number}: expected {{"qid", "query"}}: {exc}') from exc
        topics.append(Topic(qid, query))
    return topics


def _tsv_topics(text: str, path: Path) -> list[Topic]:
    topics = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        qid, tab, query = line.partition("\t")
        if not tab:
            raise IngestError(f"{path}:{number}: expected qid<TAB>query")
        topics.append(Topic(qid.strip(), query.strip()))
    return topics


def read_qrels(path: Path, gain: str = "trec") -> Qrels:
    """Relevance judgments, keyed by query id then document id."""
    if gain not in GAINS:
        raise InvalidOption(f"unknown gain mapping {gain!r} (one of: {', '.join(GAINS)})")
    qrels: Qrels = {}
    for number, line in enumerate(_read(path).splitlines(), 1):
        columns = line.split()
        if not columns:
            continue
        if len(columns) == 4:
            qid, _, docid, value = columns
        elif len(columns) == 3:
            qid, docid, value = columns
        else:
            raise IngestError(f"{path}:{number}: expected 'qid iter docid rel' or 'qid docid rel'")
        try:
            grade = int(float(value))
        except ValueError as exc:
            raise IngestError(f"{path}:{number}: relevance {value!r} is not a number") from exc
        qrels.setdefault(qid, {})[docid] = _judgment(grade, gain)
    return qrels


def _judgment(grade: int, gain: str) -> Judgment:
    if gain == "cranfield":
        code = 4 if grade == -1 else grade
        return Judgment(gain=float(max(0, 5 - code)), relevant=1 <= code <= 3)
    return Judgment(gain=float(max(0, grade)), relevant=grade > 0)


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise IngestError(f"cannot read {path}: {exc.strerror or exc}") from exc
