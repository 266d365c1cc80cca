"""The instrument library: loads the JSON data files in instruments/ once and checks them."""

import json
import re
from functools import lru_cache
from pathlib import Path

from .scoring import RULES

FOLDER = Path(__file__).resolve().parent / "instruments"
ITEM_TYPES = {"choice", "multi", "integer", "boolean-choice", "text"}
TRANSLATION_STATUSES = {"official", "reviewed", "needs_review"}
_ITEM_CODE = re.compile(r"^(\d{1,6}-\d|local:[a-z0-9-]+)$")


class InstrumentError(ValueError):
    """An instrument data file breaks the rules in instruments/README.md."""


def _check(inst: dict, name: str) -> None:
    def fail(msg: str) -> None:
        raise InstrumentError(f"{name}: {msg}")

    for key in ("id", "version", "title", "rule", "items", "answer_lists", "source", "translation"):
        if key not in inst:
            fail(f"missing {key!r}")
    if inst["rule"] not in RULES:
        fail(f"unknown rule {inst['rule']!r}")
    seen: dict[str, dict] = {}
    for item in inst["items"]:
        code = item.get("code", "")
        if not _ITEM_CODE.match(code):
            fail(f"bad item code {code!r}")
        if code in seen:
            fail(f"item {code} appears twice")
        if item.get("type") not in ITEM_TYPES:
            fail(f"item {code}: unknown type {item.get('type')!r}")
        if (
            item["type"] in ("choice", "multi", "boolean-choice")
            and item.get("answer_list") not in inst["answer_lists"]
        ):
            fail(f"item {code}: answer list {item.get('answer_list')!r} does not exist")
        for lang in ("en", "es"):
            if not item.get("text", {}).get(lang):
                fail(f"item {code}: no {lang} text")
        for cond in item.get("enable_when", []):
            earlier = seen.get(cond["item"])
            if earlier is None:
                fail(f"item {code}: enable_when refers to {cond['item']}, not an earlier item")
            codes = {a["code"] for a in inst["answer_lists"].get(earlier.get("answer_list", ""), [])}
            if cond["answer"] not in codes:
                fail(f"item {code}: enable_when answer {cond['answer']} is not an answer of {cond['item']}")
        seen[code] = item
    for list_name, options in inst["answer_lists"].items():
        codes = [o["code"] for o in options]
        if len(codes) != len(set(codes)):
            fail(f"answer list {list_name} repeats a code")
    for lang, info in inst["translation"].items():
        if info.get("status") not in TRANSLATION_STATUSES:
            fail(f"translation {lang}: status must be one of {sorted(TRANSLATION_STATUSES)}")


@lru_cache(maxsize=1)
def all_instruments() -> dict[str, dict]:
    found: dict[str, dict] = {}
    for path in sorted(FOLDER.glob("*.json")):
        inst = json.loads(path.read_text(encoding="utf-8"))
        _check(inst, path.name)
        if inst["id"] in found:
            raise InstrumentError(f"{path.name}: id {inst['id']!r} used twice")
        found[inst["id"]] = inst
    return found


def get_instrument(instrument_id: str) -> dict:
    try:
        return all_instruments()[instrument_id]
    except KeyError:
        raise LookupError(f"no instrument {instrument_id!r}") from None
