"""The instrument data files: the rules in instruments/README.md, and spot checks of published facts.

Pure Python (json only, no Django, no database). The facts come from shared/docs/standards.md; where the real
HL7 US Core example files are present (../shared/data/external/hl7-us-core from the repo root), item codes,
answer codes and English text are also checked against them, keyed by LOINC code.
"""

import json
import re
from functools import cache
from pathlib import Path

import pytest

from puente.core.testing import external_data

INSTRUMENTS_DIR = Path(__file__).resolve().parent.parent / "instruments"
REPO_ROOT = Path(__file__).resolve().parents[3]
US_CORE_DIR = external_data("hl7-us-core")
AHC_CORE_DIR = US_CORE_DIR / "ahc-hrsn-core-2023-04"
AHC_SUPP_DIR = US_CORE_DIR / "ahc-hrsn-supplemental-2023-04"
HEAD_DIR = US_CORE_DIR / "head-9.0.0"

EXPECTED_FILES = {
    "ahc_hrsn_core",
    "ahc_hrsn_supplemental",
    "hvs",
    "prapare",
    "phq2",
    "phq9",
    "gad2",
    "gad7",
    "cssrs_screener",
    "lace",
    "hospital_score",
}
RULES = {
    "ahc_core",
    "ahc_supplemental",
    "hvs",
    "prapare",
    "phq2",
    "phq9",
    "gad2",
    "gad7",
    "cssrs",
    "lace",
    "hospital_score",
}
TYPES = {"choice", "multi", "integer", "boolean-choice", "text"}
CODED_TYPES = {"choice", "multi", "boolean-choice"}
TRANSLATION_STATUSES = {"official", "reviewed", "needs_review"}
ADMINISTRATION = {"staff", "self"}
# standards.md §6.3: the 24 codes of SDOHCC-ValueSetSDOHCategory
GRAVITY_CATEGORIES = {
    "sdoh-category-unspecified",
    "food-insecurity",
    "housing-instability",
    "homelessness",
    "inadequate-housing",
    "transportation-insecurity",
    "financial-insecurity",
    "material-hardship",
    "educational-attainment",
    "employment-status",
    "veteran-status",
    "stress",
    "social-connection",
    "intimate-partner-violence",
    "elder-abuse",
    "personal-health-literacy",
    "health-insurance-coverage-status",
    "medical-cost-burden",
    "digital-literacy",
    "digital-access",
    "utility-insecurity",
    "incarceration-status",
    "language-access",
    "protective-factor",
}
TOP_LEVEL_KEYS = {
    "id",
    "version",
    "title",
    "short_title",
    "loinc_panel",
    "rule",
    "rule_pending_verification",
    "source",
    "translation",
    "administration",
    "instructions",
    "result_codes",
    "answer_lists",
    "items",
}
ITEM_KEYS = {
    "code",
    "text",
    "type",
    "answer_list",
    "extra_answers",
    "exclusive",
    "required",
    "scored",
    "domain",
    "pending_verification",
    "enable_when",
    "min",
    "max",
}
ANSWER_KEYS = {"code", "value", "text"}

LOINC_RE = re.compile(r"^\d{1,6}-\d$")
ITEM_CODE_RE = re.compile(r"^(\d{1,6}-\d|local:[a-z0-9-]+)$")
ANSWER_CODE_RE = re.compile(r"^LA\d+-\d$")
ID_RE = re.compile(r"^[a-z0-9_]+$")
VERSION_RE = re.compile(r"^\d{4}\.\d+$")

YES, NO = "LA33-6", "LA32-8"
CHOOSE_NOT = "LA30122-8"

FILES = sorted(INSTRUMENTS_DIR.glob("*.json"))


@cache
def load(name: str) -> dict:
    return json.loads((INSTRUMENTS_DIR / f"{name}.json").read_text(encoding="utf-8"))


def items_by_code(inst: dict) -> dict[str, dict]:
    return {item["code"]: item for item in inst["items"]}


def answers_of(inst: dict, item: dict) -> list[dict]:
    """The answers an item accepts: its list plus any answers accepted on that item only."""
    return list(inst["answer_lists"].get(item.get("answer_list"), [])) + list(item.get("extra_answers", []))


def answer_map(inst: dict, code: str) -> dict[str, dict]:
    return {ans["code"]: ans for ans in answers_of(inst, items_by_code(inst)[code])}


def iter_texts(inst: dict):
    yield "title", inst["title"]
    yield "short_title", inst["short_title"]
    yield "instructions", inst["instructions"]
    for key, answers in inst["answer_lists"].items():
        for ans in answers:
            yield f"answer_lists.{key}.{ans.get('code')}", ans.get("text")
    for item in inst["items"]:
        yield f"item {item.get('code')}", item.get("text")
        for ans in item.get("extra_answers", []):
            yield f"item {item.get('code')} extra answer {ans.get('code')}", ans.get("text")


def norm(text: str) -> str:
    return " ".join(text.split())


def need_dir(path: Path) -> Path:
    if not path.is_dir():
        pytest.skip(f"HL7 US Core example folder not found at {path.resolve()}; cross-check skipped")
    return path


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------------------------
# The README's rules, for every file in the folder


def test_the_expected_files_are_present():
    assert {p.stem for p in FILES} >= EXPECTED_FILES


def test_ids_are_unique_and_match_the_file_names():
    ids = [load(p.stem)["id"] for p in FILES]
    assert len(ids) == len(set(ids)), ids
    for path in FILES:
        assert load(path.stem)["id"] == path.stem


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_instrument_header(path):
    inst = load(path.stem)
    assert set(inst) == TOP_LEVEL_KEYS, set(inst) ^ TOP_LEVEL_KEYS
    assert ID_RE.match(inst["id"])
    assert VERSION_RE.match(inst["version"])
    assert inst["rule"] in RULES
    assert isinstance(inst["rule_pending_verification"], bool)
    assert inst["loinc_panel"] is None or LOINC_RE.match(inst["loinc_panel"])
    assert isinstance(inst["source"], str) and inst["source"].strip()
    assert isinstance(inst["result_codes"], dict)
    for key, code in inst["result_codes"].items():
        assert key and LOINC_RE.match(code), (key, code)
    admin = inst["administration"]
    assert admin and set(admin) <= ADMINISTRATION and len(admin) == len(set(admin))
    assert isinstance(inst["items"], list) and inst["items"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_translation_status(path):
    translation = load(path.stem)["translation"]
    assert set(translation) == {"es"}
    assert translation["es"]["status"] in TRANSLATION_STATUSES
    assert translation["es"]["source"].strip()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_text_has_english_and_spanish(path):
    for where, text in iter_texts(load(path.stem)):
        assert isinstance(text, dict) and set(text) == {"en", "es"}, where
        for lang in ("en", "es"):
            assert isinstance(text[lang], str) and text[lang].strip(), f"{where}: empty {lang}"
            assert text[lang] == text[lang].strip(), f"{where}: stray whitespace in {lang}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_answer_lists(path):
    inst = load(path.stem)
    assert isinstance(inst["answer_lists"], dict)
    for key, answers in inst["answer_lists"].items():
        assert answers, f"answer list {key} is empty"
        codes = [ans["code"] for ans in answers]
        assert len(codes) == len(set(codes)), f"duplicate answer codes in {key}"
        for ans in answers:
            assert set(ans) <= ANSWER_KEYS and {"code", "text"} <= set(ans), ans
            assert ANSWER_CODE_RE.match(ans["code"]), ans["code"]
            if "value" in ans:
                assert isinstance(ans["value"], int) and not isinstance(ans["value"], bool), ans


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_items(path):
    inst = load(path.stem)
    codes = [item["code"] for item in inst["items"]]
    assert len(codes) == len(set(codes)), "duplicate item codes"
    for item in inst["items"]:
        code = item["code"]
        assert set(item) <= ITEM_KEYS, (code, set(item) - ITEM_KEYS)
        assert ITEM_CODE_RE.match(code), code
        assert item["type"] in TYPES, (code, item["type"])
        for flag in ("required", "scored", "pending_verification"):
            if flag in item:
                assert isinstance(item[flag], bool), (code, flag)
        if "domain" in item:
            assert item["domain"] in GRAVITY_CATEGORIES, (code, item["domain"])

        if item["type"] in CODED_TYPES:
            assert item.get("answer_list") in inst["answer_lists"], f"{code}: answer_list missing or unknown"
            accepted = [ans["code"] for ans in answers_of(inst, item)]
            assert len(accepted) == len(set(accepted)), f"{code}: an extra answer repeats a listed code"
            for ans in item.get("extra_answers", []):
                assert set(ans) <= ANSWER_KEYS and ANSWER_CODE_RE.match(ans["code"]), (code, ans)
        else:
            assert "answer_list" not in item and not item.get("extra_answers"), code

        if item["type"] == "boolean-choice":
            assert [a["code"] for a in answers_of(inst, item)] == [YES, NO], code
        if "exclusive" in item:
            assert item["type"] == "multi", f"{code}: exclusive is for multi items only"
            assert set(item["exclusive"]) <= set(accepted), code
        if item["type"] == "choice" and item.get("scored"):
            for ans in answers_of(inst, item):
                assert isinstance(ans.get("value"), int), f"{code}: scored answer {ans['code']} has no value"

        if "min" in item or "max" in item:
            assert item["type"] == "integer", f"{code}: min/max are for integer items only"
            for bound in ("min", "max"):
                if bound in item:
                    assert isinstance(item[bound], int) and not isinstance(item[bound], bool), (code, bound)
            if "min" in item and "max" in item:
                assert item["min"] <= item["max"], code


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_enable_when_names_an_earlier_item_and_one_of_its_answers(path):
    inst = load(path.stem)
    earlier: dict[str, dict] = {}
    for item in inst["items"]:
        for cond in item.get("enable_when", []):
            assert set(cond) == {"item", "answer"}, cond
            assert cond["item"] in earlier, f"{item['code']}: enable_when names {cond['item']}, not an earlier item"
            accepted = {ans["code"] for ans in answers_of(inst, earlier[cond["item"]])}
            assert cond["answer"] in accepted, f"{item['code']}: {cond['answer']} is no answer to {cond['item']}"
        earlier[item["code"]] = item


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_pending_items_mark_the_rule_pending(path):
    inst = load(path.stem)
    if any(item.get("pending_verification") for item in inst["items"]):
        assert inst["rule_pending_verification"] is True


# ---------------------------------------------------------------------------------------------------------------
# Facts from standards.md


def test_no_spanish_text_is_claimed_official_yet():
    # instruments-es.md: no publisher's Spanish text has been obtained for any instrument. Change this test
    # when one is, and record its source in the file.
    statuses = {p.stem: load(p.stem)["translation"]["es"]["status"] for p in FILES}
    assert "official" not in statuses.values()
    assert statuses["phq2"] == "reviewed"
    for name in EXPECTED_FILES - {"phq2"}:
        # each of these has at least some Puente draft text (AHC, HVS, PRAPARE, C-SSRS, LACE, HOSPITAL, the PHQ-9
        # function item, the GAD frame): it is not reviewed until the publisher's text replaces it
        assert statuses[name] == "needs_review", name
        assert "Puente draft translation" in load(name)["translation"]["es"]["source"], name


def test_administration():
    for name in ("ahc_hrsn_core", "ahc_hrsn_supplemental", "hvs", "prapare", "phq2", "phq9", "gad2", "gad7"):
        assert load(name)["administration"] == ["staff", "self"], name
    for name in ("cssrs_screener", "lace", "hospital_score"):
        assert load(name)["administration"] == ["staff"], name


PHQ9_ITEMS = ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"]
PHQ_VALUES = {"LA6568-5": 0, "LA6569-3": 1, "LA6570-1": 2, "LA6571-9": 3}
PHQ_ES = {
    "LA6568-5": "Ningún día",
    "LA6569-3": "Varios días",
    "LA6570-1": "Más de la mitad de los días",
    "LA6571-9": "Casi todos los días",
}


def test_phq9():
    inst = load("phq9")
    assert inst["rule"] == "phq9" and inst["loinc_panel"] == "44249-1"
    assert inst["result_codes"] == {"total": "44261-6"}
    scored = [item["code"] for item in inst["items"] if item.get("scored")]
    assert scored == PHQ9_ITEMS
    for code in PHQ9_ITEMS:
        answers = answers_of(inst, items_by_code(inst)[code])
        assert {a["code"]: a["value"] for a in answers} == PHQ_VALUES
        assert {a["code"]: a["text"]["es"] for a in answers} == PHQ_ES
    function = items_by_code(inst)["69722-7"]
    assert function["required"] is False and function["scored"] is False
    assert [a["code"] for a in answers_of(inst, function)] == ["LA6572-7", "LA6573-5", "LA6575-0", "LA6574-3"]
    assert [item["code"] for item in inst["items"]] == [*PHQ9_ITEMS, "69722-7"]


def test_phq2():
    inst = load("phq2")
    assert [item["code"] for item in inst["items"]] == PHQ9_ITEMS[:2]
    assert inst["result_codes"] == {"total": "55758-7"}
    phq9 = load("phq9")
    for code in PHQ9_ITEMS[:2]:
        assert items_by_code(inst)[code]["text"] == items_by_code(phq9)[code]["text"]
        assert {a["code"]: a["value"] for a in answers_of(inst, items_by_code(inst)[code])} == PHQ_VALUES


def test_phq_and_gad_instructions():
    for name in ("phq2", "phq9", "gad2", "gad7"):
        assert load(name)["instructions"] == {
            "en": "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
            "es": "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los siguientes "
            "problemas?",
        }


GAD7_ITEMS = ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]


@pytest.mark.parametrize("name", ["gad2", "gad7"])
def test_gad_item_68509_9_accepts_more_days_than_not(name):
    inst = load(name)
    answers = answer_map(inst, "68509-9")
    assert answers["LA18938-3"]["value"] == 2
    assert answers["LA6570-1"]["value"] == 2
    # only 68509-9 takes the extra answer
    for item in inst["items"]:
        if item["code"] != "68509-9":
            assert "LA18938-3" not in {a["code"] for a in answers_of(inst, item)}


def test_gad7():
    inst = load("gad7")
    assert inst["loinc_panel"] == "69737-5" and inst["result_codes"] == {"total": "70274-6"}
    assert [item["code"] for item in inst["items"]] == GAD7_ITEMS
    assert all(item["scored"] and item["required"] for item in inst["items"])
    for code in GAD7_ITEMS:
        assert {a: v["value"] for a, v in answer_map(inst, code).items() if a != "LA18938-3"} == PHQ_VALUES


def test_gad2_has_no_loinc_total_and_its_cut_off_is_pending():
    inst = load("gad2")
    assert [item["code"] for item in inst["items"]] == GAD7_ITEMS[:2]
    assert inst["result_codes"] == {}
    assert inst["rule_pending_verification"] is True  # the >= 3 cut-off is [U] in standards.md §3.4


def test_codes_that_standards_md_says_are_wrong_are_not_used():
    # 69726-8 is not a GAD-7 item; 70273-8 is the PHQ-15 total; 70272-0 is unproven as a GAD-2 total
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        for bad in ("69726-8", "70273-8", "70272-0"):
            assert bad not in text, (path.name, bad)


AHC_SAFETY = ["95618-5", "95617-7", "95616-9", "95615-1"]


def test_ahc_core():
    inst = load("ahc_hrsn_core")
    assert inst["rule"] == "ahc_core" and inst["loinc_panel"] == "96777-8"
    assert inst["result_codes"] == {"safety_total": "95614-4"}
    items = items_by_code(inst)
    assert list(items) == ["71802-3", "96778-6", "88122-7", "88123-5", "93030-5", "96779-4", *AHC_SAFETY]
    domains = {code: item.get("domain") for code, item in items.items()}
    assert domains == {
        "71802-3": "housing-instability",
        "96778-6": "inadequate-housing",
        "88122-7": "food-insecurity",
        "88123-5": "food-insecurity",
        "93030-5": "transportation-insecurity",
        "96779-4": "utility-insecurity",
        **dict.fromkeys(AHC_SAFETY, "intimate-partner-violence"),
    }
    housing = items["96778-6"]
    assert housing["type"] == "multi" and housing["exclusive"] == ["LA9-3"]
    assert list(answer_map(inst, "96778-6"))[-1] == "LA9-3"
    assert list(answer_map(inst, "88122-7")) == ["LA28397-0", "LA6729-3", "LA28398-8"]
    assert list(answer_map(inst, "96779-4")) == [YES, NO, "LA32002-0"]
    assert [code for code, item in items.items() if item.get("scored")] == AHC_SAFETY


def test_ahc_safety_items_are_valued_1_to_5():
    inst = load("ahc_hrsn_core")
    for code in AHC_SAFETY:
        values = {a: v["value"] for a, v in answer_map(inst, code).items()}
        assert values == {"LA6270-8": 1, "LA10066-1": 2, "LA10082-8": 3, "LA16644-9": 4, "LA6482-9": 5}
        assert answer_map(inst, code)["LA6270-8"]["text"]["en"] == "Never"
        assert answer_map(inst, code)["LA6482-9"]["text"]["en"] == "Frequently"


def test_ahc_supplemental():
    inst = load("ahc_hrsn_supplemental")
    assert inst["rule"] == "ahc_supplemental" and inst["loinc_panel"] == "97023-6"
    assert inst["rule_pending_verification"] is True
    items = items_by_code(inst)
    assert list(items) == [
        "76513-1",
        "96780-2",
        "96781-0",
        "93159-2",
        "97027-7",
        "96782-8",
        "89555-7",
        "68516-4",
        "68517-2",
        "96842-0",
        "95530-2",
        "68524-8",
        "44250-9",
        "44255-8",
        "93038-8",
        "69858-9",
        "69861-3",
    ]
    # the [U] rows of standards.md §1.3
    assert {c for c, item in items.items() if item.get("pending_verification")} == {
        "97027-7",
        "96782-8",
        "69858-9",
        "69861-3",
    }
    assert {a: v["value"] for a, v in answer_map(inst, "68516-4").items()}["LA32060-8"] == 150  # "150 or greater"
    assert sorted(v["value"] for v in answer_map(inst, "89555-7").values()) == list(range(8))
    substance = ["LA6270-8", "LA26460-8", "LA18876-5", "LA18891-4", "LA18934-2"]
    for code in ("68517-2", "96842-0", "95530-2", "68524-8"):
        assert list(answer_map(inst, code)) == substance
    for code in ("44250-9", "44255-8"):
        assert {a: v["value"] for a, v in answer_map(inst, code).items()} == PHQ_VALUES


def test_hvs():
    inst = load("hvs")
    assert inst["rule"] == "hvs" and inst["loinc_panel"] == "88121-9"
    assert inst["result_codes"] == {"risk": "88124-3"}
    assert [item["code"] for item in inst["items"]] == ["88122-7", "88123-5"]
    for code in ("88122-7", "88123-5"):
        assert list(answer_map(inst, code)) == ["LA28397-0", "LA6729-3", "LA28398-8", "LA15775-2"]
    assert [a["code"] for a in inst["answer_lists"]["hvs_risk"]] == ["LA19952-3", "LA19983-8"]


PRAPARE_ITEMS = [
    "56051-6",
    "32624-9",
    "93035-4",
    "93034-7",
    "54899-0",
    "63512-8",
    "71802-3",
    "93033-9",
    "56799-0",
    "82589-3",
    "67875-5",
    "76437-3",
    "63586-2",
    "93031-3",
    "93030-5",
    "93029-7",
    "93038-8",
    "93028-9",
    "93027-1",
    "93026-3",
    "76501-6",
]
# the rows of the standards.md §2.1 table that offer "choose not"
PRAPARE_CHOOSE_NOT = {
    "56051-6",
    "32624-9",
    "93035-4",
    "93034-7",
    "54899-0",
    "71802-3",
    "93033-9",
    "82589-3",
    "67875-5",
    "93031-3",
    "93029-7",
    "93038-8",
    "93028-9",
    "93027-1",
    "93026-3",
}


def test_prapare():
    inst = load("prapare")
    assert inst["rule"] == "prapare" and inst["loinc_panel"] == "93025-5" and inst["result_codes"] == {}
    items = items_by_code(inst)
    assert list(items) == PRAPARE_ITEMS
    assert items["63512-8"]["type"] == "integer" and items["63586-2"]["type"] == "integer"
    assert items["56799-0"]["type"] == "text"
    assert items["32624-9"]["type"] == "multi" and items["93031-3"]["type"] == "multi"
    for code, item in items.items():
        has_choose_not = CHOOSE_NOT in {a["code"] for a in answers_of(inst, item)}
        assert has_choose_not == (code in PRAPARE_CHOOSE_NOT), code
    assert answer_map(inst, "56051-6")[CHOOSE_NOT]["text"]["en"] == "I choose not to answer this question"
    assert list(answer_map(inst, "93030-5")) == ["LA30133-5", "LA30134-3", NO, "LA30257-2"]
    assert "LA14072-5" in answer_map(inst, "93026-3")
    # the housing item shares its LOINC code with the AHC tool but not its answers (standards.md §1.2 note)
    assert list(answer_map(inst, "71802-3")) == ["LA30189-7", "LA30190-5", CHOOSE_NOT]
    assert set(answer_map(load("ahc_hrsn_core"), "71802-3")).isdisjoint(answer_map(inst, "71802-3"))


CSSRS_ITEMS = ["93246-7", "93247-5", "93248-3", "93249-1", "93250-9", "93267-3", "93269-9"]


def test_cssrs_screener_skip_logic():
    inst = load("cssrs_screener")
    assert inst["rule"] == "cssrs" and inst["loinc_panel"] == "93373-9"
    assert [item["code"] for item in inst["items"]] == CSSRS_ITEMS
    enable = {item["code"]: item.get("enable_when", []) for item in inst["items"]}
    if_2_yes = [{"item": "93247-5", "answer": YES}]
    # always ask 1 and 2; 3-5 only if YES to 2; if NO to 2 go directly to 6, which is always asked
    assert enable == {
        "93246-7": [],
        "93247-5": [],
        "93248-3": if_2_yes,
        "93249-1": if_2_yes,
        "93250-9": if_2_yes,
        "93267-3": [],
        "93269-9": [{"item": "93267-3", "answer": YES}],
    }
    for item in inst["items"]:
        assert item["type"] == "boolean-choice" and item["required"] is True
    assert items_by_code(inst)["93267-3"]["text"]["en"].startswith("Have you ever done anything")


def test_lace():
    inst = load("lace")
    assert inst["rule"] == "lace" and inst["loinc_panel"] is None
    items = items_by_code(inst)
    assert list(items) == [
        "local:lace-length-of-stay-days",
        "local:lace-acute-admission",
        "local:lace-charlson-index",
        "local:lace-ed-visits-6mo",
    ]
    assert items["local:lace-length-of-stay-days"]["type"] == "integer"
    assert items["local:lace-length-of-stay-days"]["min"] == 0
    assert items["local:lace-acute-admission"]["type"] == "boolean-choice"
    assert (items["local:lace-charlson-index"]["min"], items["local:lace-charlson-index"]["max"]) == (0, 37)
    assert items["local:lace-ed-visits-6mo"]["min"] == 0


def test_hospital_score():
    inst = load("hospital_score")
    assert inst["rule"] == "hospital_score" and inst["loinc_panel"] is None
    types = {item["code"]: item["type"] for item in inst["items"]}
    assert types == {
        "local:hospital-hemoglobin-below-12": "boolean-choice",
        "local:hospital-oncology-discharge": "boolean-choice",
        "local:hospital-sodium-below-135": "boolean-choice",
        "local:hospital-procedure-during-stay": "boolean-choice",
        "local:hospital-urgent-admission": "boolean-choice",
        "local:hospital-admissions-12mo": "integer",
        "local:hospital-length-of-stay-days": "integer",
    }
    for item in inst["items"]:
        if item["type"] == "integer":
            assert item["min"] == 0


# ---------------------------------------------------------------------------------------------------------------
# Cross-checks against the real HL7 US Core examples (keyed by LOINC code)


def coding_answers(path: Path):
    """(item code, answer code, answer display) from an Observation example with a coded value."""
    obs = read_json(path)
    value = obs.get("valueCodeableConcept")
    if not value:
        return None
    coding = value["coding"][0]
    return obs["code"]["coding"][0]["code"], coding["code"], coding["display"]


def check_qr_against(inst: dict, qr: dict, text_exceptions: dict[str, str]) -> set[str]:
    """Every coded QR answer is an answer of our item with the same English display; item text matches."""
    items = items_by_code(inst)
    seen = set()
    for qr_item in qr["item"]:
        code = qr_item["linkId"].lstrip("/")
        answers = qr_item.get("answer", [])
        if not answers or "valueCoding" not in answers[0]:
            continue
        seen.add(code)
        assert code in items, f"{inst['id']}: US Core answers item {code}, which the file lacks"
        expected = items[code]["text"]["en"] if code not in text_exceptions else text_exceptions[code]
        assert norm(qr_item["text"]) == expected, code
        ours = answer_map(inst, code)
        for ans in answers:
            coding = ans["valueCoding"]
            assert coding["code"] in ours, (code, coding["code"])
            assert ours[coding["code"]]["text"]["en"] == coding["display"], (code, coding["code"])
    return seen


def test_ahc_core_matches_the_us_core_example():
    folder = need_dir(AHC_CORE_DIR)
    inst = load("ahc_hrsn_core")
    questionnaire = read_json(folder / "Questionnaire-ahc-hrsn-screening-example.json")
    # the Questionnaire example carries only the panel code ("contains no actual questions")
    assert questionnaire["code"][0]["code"] == inst["loinc_panel"]
    assert "item" not in questionnaire
    qr = read_json(folder / "QuestionnaireResponse-AHC-HRSN-screening-example.json")
    assert check_qr_against(inst, qr, {}) == set(items_by_code(inst))
    # the published scoring example: four "Never" answers give a safety total of 4
    totals = [i for i in qr["item"] if i["linkId"].lstrip("/") == inst["result_codes"]["safety_total"]]
    assert len(totals) == 1
    never = {code: answer_map(inst, code)["LA6270-8"]["value"] for code in AHC_SAFETY}
    assert totals[0]["answer"][0]["valueDecimal"] == sum(never.values()) == 4


def test_ahc_observation_examples_match():
    need_dir(AHC_CORE_DIR)
    core, supplemental = load("ahc_hrsn_core"), load("ahc_hrsn_supplemental")
    checked = 0
    for folder in (AHC_CORE_DIR, AHC_SUPP_DIR):
        for path in sorted(need_dir(folder).glob("*AHC-HRSN-item-example-*.json")):
            found = coding_answers(path)
            if found is None:
                continue
            code, answer, display = found
            # the core folder also holds a supplemental item example (68517-2)
            inst = core if code in items_by_code(core) else supplemental
            assert code in items_by_code(inst), (path.name, code)
            ours = answer_map(inst, code)
            assert answer in ours and ours[answer]["text"]["en"] == display, (path.name, code, answer)
            checked += 1
    assert checked >= 20


# Where US Core's supplemental QuestionnaireResponse words an item differently from standards.md §1.3 (the NY data
# dictionary wording, which the file follows): the US Core text, pinned so that any other difference still fails.
AHC_SUPP_TEXT_EXCEPTIONS = {
    "76513-1": "How hard is it for you to pay for the very basics like food, housing, medical care, and heating?",
    "96842-0": "How often have you used any tobacco product in past 12 months?",
}


def test_ahc_supplemental_matches_the_us_core_example():
    folder = need_dir(AHC_SUPP_DIR)
    inst = load("ahc_hrsn_supplemental")
    qr = read_json(folder / "QuestionnaireResponse-AHC-HRSN-screening-example.json")
    assert check_qr_against(inst, qr, AHC_SUPP_TEXT_EXCEPTIONS) == set(items_by_code(inst))


def flat_questionnaire_items(items):
    for item in items:
        if item.get("code") and item["type"] not in ("group", "display"):
            yield item
        yield from flat_questionnaire_items(item.get("item", []))


def test_phq9_matches_the_us_core_questionnaire():
    folder = need_dir(HEAD_DIR)
    inst = load("phq9")
    questionnaire = read_json(folder / "Questionnaire-phq-9-example.json")
    assert questionnaire["code"][0]["code"] == inst["loinc_panel"]
    theirs = [i for i in flat_questionnaire_items(questionnaire["item"]) if i["type"] == "choice"]
    assert [i["code"][0]["code"] for i in theirs] == [item["code"] for item in inst["items"]]
    decimals = [i["code"][0]["code"] for i in flat_questionnaire_items(questionnaire["item"]) if i["type"] == "decimal"]
    assert decimals == [inst["result_codes"]["total"]]
    for q_item in theirs:
        code = q_item["code"][0]["code"]
        text = norm(q_item["text"]).removesuffix(" in last 2 weeks [Reported.PHQ]").removesuffix(" [Reported.PHQ]")
        assert items_by_code(inst)[code]["text"]["en"] == text.removesuffix("?"), code
        ours = answer_map(inst, code)
        assert [o["valueCoding"]["code"] for o in q_item["answerOption"]] == list(ours), code
        for option in q_item["answerOption"]:
            coding = option["valueCoding"]
            assert ours[coding["code"]]["text"]["en"] == coding["display"]
            ordinal = [e["valueDecimal"] for e in option.get("extension", []) if e["url"].endswith("/ordinalValue")]
            if code in PHQ9_ITEMS:
                assert ours[coding["code"]]["value"] == ordinal[0], (code, coding["code"])


def test_hvs_matches_the_us_core_questionnaire():
    folder = need_dir(HEAD_DIR)
    inst = load("hvs")
    questionnaire = read_json(folder / "Questionnaire-hunger-vital-sign-example.json")
    assert questionnaire["code"][0]["code"] == inst["loinc_panel"]
    theirs = {i["code"][0]["code"]: i for i in flat_questionnaire_items(questionnaire["item"])}
    for item in inst["items"]:
        q_item = theirs[item["code"]]
        assert item["text"]["en"] == q_item["text"]
        options = [(o["valueCoding"]["code"], o["valueCoding"]["display"]) for o in q_item["answerOption"]]
        assert options == [(a["code"], a["text"]["en"]) for a in answers_of(inst, item)]
    risk = theirs[inst["result_codes"]["risk"]]
    options = [(o["valueCoding"]["code"], o["valueCoding"]["display"]) for o in risk["answerOption"]]
    assert options == [(a["code"], a["text"]["en"]) for a in inst["answer_lists"]["hvs_risk"]]


# US Core types an item "decimal" where the file uses "integer" (whole dollars); "string" is our "text"
PRAPARE_TYPE_MAP = {"integer": {"integer"}, "decimal": {"integer"}, "string": {"text"}}


def test_prapare_matches_the_us_core_questionnaire():
    folder = need_dir(HEAD_DIR)
    inst = load("prapare")
    questionnaire = read_json(folder / "Questionnaire-prapare-example.json")
    assert questionnaire["code"][0]["code"] == inst["loinc_panel"]
    theirs = list(flat_questionnaire_items(questionnaire["item"]))
    assert [i["code"][0]["code"] for i in theirs] == [item["code"] for item in inst["items"]]
    for q_item, item in zip(theirs, inst["items"], strict=True):
        code = item["code"]
        if q_item["type"] == "choice":
            expected = {"multi"} if q_item.get("repeats") else {"choice", "boolean-choice"}
        else:
            expected = PRAPARE_TYPE_MAP[q_item["type"]]
        assert item["type"] in expected, (code, q_item["type"], item["type"])
        options = [(o["valueCoding"]["code"], o["valueCoding"]["display"]) for o in q_item.get("answerOption", [])]
        assert options == [(a["code"], a["text"]["en"]) for a in answers_of(inst, item)], code
