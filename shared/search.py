"""Search by terms, not by scanning: a record keeps the terms of its searchable text in an
indexed list, and a search looks its terms up in that index.

Chinese has no spaces between words, so Chinese text is indexed by character bigrams (新宇巷
→ 新宇, 宇巷): any two or more consecutive characters of the text find it. Latin letters and
digits are indexed by their runs, lower-cased (12345-20261206-0088 → 12345, 20261206, 0088), so
a ticket or record number is found whole or by its parts.

    document["terms"] = terms(order.number, order.external_ref, order.description, …)
    criteria.update(search_criteria(query["q"]))   # {"terms": {"$all": [...]}}

The index a search uses starts with `terms` and ends with the list's order (shared.paging), so a
search costs what a page of its matches costs.
"""
from __future__ import annotations

import re

from shared.errors import ValidationFailed

TERMS = "terms"
MAX_TERMS = 400          # per record: the start of a long description is what people search
MAX_QUERY_TERMS = 8
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[0-9A-Za-z]+")


def _run_terms(text: str) -> list[str]:
    found = []
    for run in _RUNS.findall(text):
        if run[0].isascii():
            if len(run) >= 2 or run.isdigit():
                found.append(run.lower())
        elif len(run) > 1:  # a lone character is too common to search by
            found.extend(run[i:i + 2] for i in range(len(run) - 1))
    return found


def terms(*texts: str | None) -> list[str]:
    """The distinct search terms of a record's texts, at most MAX_TERMS."""
    seen: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        for term in _run_terms(text):
            seen.setdefault(term)
            if len(seen) >= MAX_TERMS:
                return list(seen)
    return list(seen)


def query_terms(q: str) -> list[str]:
    """What a search for `q` must find in a record's terms (all of them)."""
    found = list(dict.fromkeys(_run_terms(q)))
    if not found:
        raise ValidationFailed(fields={"q": ["请输入要查找的编号,或至少两个连续的汉字。"]})
    # The index is searched by the first term: the longest is the likeliest to be rare.
    return sorted(found, key=len, reverse=True)[:MAX_QUERY_TERMS]


def search_criteria(q: str) -> dict:
    wanted = query_terms(q)
    return {TERMS: wanted[0]} if len(wanted) == 1 else {TERMS: {"$all": wanted}}
