"""Every consent question in the person's language: English, Dutch or German (AGENDA_MCP_LOCALE).

Two halves:

- the catalogue (src/agenda_mcp/server/kit/wording.py): every template the code words a question
  with (each `Question("...")` in src/, and the title of every write that has no question of its
  own) has a Dutch and a German entry with the same placeholders; the test names any that lacks one;
- the questions themselves: every write tool from tools/list, called with schema-valid arguments
  through a client whose person declines, on both protocol revisions, asks one line in the language
  chosen: each template it was rendered from (recorded as it is looked up) comes from that language's
  catalogue, the question opens with one of that language's questions, no English phrase of the
  catalogue is left outside the quotes, and the values the model chose stay intact inside them. On
  2026-07-28 a question whose words changed between the two rounds would be asked twice: each is
  asked once, and asked again in the same words.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
from mcp import Client

from agenda_mcp.server.guards.consent import QUESTION_LIMIT
from agenda_mcp.server.kit import wording
from agenda_mcp.server.kit.wording import CATALOGUE, PATTERNS, Pattern, has_words, placeholders
from agenda_mcp.server.startup.app import build_agenda
from agenda_mcp.server.startup.config import ConfigError, Locale, Settings
from tests.support.person import Person
from tests.support.schema_examples import arguments_for
from tests.support.vendor_cases import REPORT

SRC = Path(__file__).resolve().parent.parent / "src" / "agenda_mcp"
LOCALES: tuple[Locale, ...] = get_args(Locale)
QUOTED = re.compile("\u201c[^\u201c\u201d]*\u201d")
MARK = "Zoë Ünal-de Vries"
"""Every free-text value the model gives: it must come back whole, and only inside quotes."""
DAY = "2027-03-02"
EXTRA: dict[str, dict[str, Any]] = {
    # What a schema cannot say: a day for a time of day, the optional fields a booking question names.
    "set_appointment": {"date": DAY, "customer_id": 1, "appointment_type_id": 1},
    "add_availability_block": {"date": DAY, "end_time": "12:00"},
    "locaboo_booking_add": {
        "date_from": DAY,
        "date_to": "2027-03-30",
        "time_from": "18:00",
        "time_to": "22:00",
        "recurrence": {"type": "week", "weekdays": ["tue"]},
        "customer_id": 2005,
        "title": MARK,
    },
    "locaboo_booking_save": {
        "resource_id": 101,
        "date_from": DAY,
        "time_from": "10:00",
        "time_to": "12:00",
        "customer": {"first_name": MARK},
    },
}
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    # More of each tool's wordings: a change, a cancellation, an invitation mailed now, a deletion.
    ("set_appointment", {"agenda_id": 1, "start_time": "11:00", "date": DAY, "appointment_id": 1}),
    ("locaboo_booking_save", {"booking_id": 5004, "booking_status": "Cancel"}),
    ("locaboo_booking_save", {"booking_id": 5004, "date_from": DAY, "time_from": "13:00", "time_to": "14:00"}),
    ("locaboo_booking_save", {"booking_id": 5004, "booking_status": "Draft"}),
    (
        "locaboo_booking_add",
        {"booking_mode": "booking_request", "main_resource": 100, "date_from": DAY, "full_day": True},
    ),
    (
        "sp_create_appointment",
        {
            "client_id": 1,
            "address_id": 1,
            "appointment_type_id": 1,
            "appointment_or_invite": "invite",
            "send_mail_to_client": "direct",
        },
    ),
    ("sp_create_appointment", {"client_id": 1, "address_id": 1, "appointment_type_id": 1, "plan_appointment": True}),
    (
        "set_customer",
        {"email": "a@example.nl", "first_name": MARK, "last_name": "Test", "customer_id": 1, "status": "deleted"},
    ),
    (
        "sp_add_client_item_attachments",
        {
            "client_id": 1,
            "item_id": 1,
            "delete_attachments": True,
            "attachments": [{"content_base64": "dGVzdA==" * 400, "filename": MARK}],
        },
    ),
]


# -- the catalogue ----------------------------------------------------------------------------------


TITLED = {("agenda_mcp/server/kit/toolkit.py", "what")}
"""The one template that is not written out: the plain question's title of the write."""


def used_templates() -> dict[str, str]:
    """Every English template the code words a question with, and where: the literal first argument
    of each `Question(...)` (both arms of a conditional), and the title of each write without a
    question of its own (the plain question names it)."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(SRC.parent))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) == "Question" and node.args:
                if (where, ast.unparse(node.args[0])) in TITLED:
                    continue  # a write's title: found below, where the write is declared
                for text in _literals(node.args[0]):
                    found.setdefault(text, f"{where}:{node.lineno}")
            if isinstance(node, ast.Call) and _name(node.func) == "write":
                keywords = {k.arg: k.value for k in node.keywords}
                title = keywords.get("title")
                if "confirm" not in keywords and isinstance(title, ast.Constant) and isinstance(title.value, str):
                    found.setdefault(title.value, f"{where}:{node.lineno} (title)")
    return found


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _literals(node: ast.expr) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)
    else:
        raise AssertionError(f"a Question's template must be written out, not computed: {ast.unparse(node)}")


def test_every_template_the_code_uses_has_a_dutch_and_a_german_wording() -> None:
    used = used_templates()
    worded = {template: where for template, where in used.items() if has_words(template)}
    missing = {template: where for template, where in worded.items() if template not in CATALOGUE}
    assert not missing, "no Dutch and German wording for:\n" + "\n".join(f"  {t!r} ({w})" for t, w in missing.items())
    unused = sorted(set(CATALOGUE) - set(used))
    assert not unused, f"catalogue entries no code uses: {unused}"
    for english, words in CATALOGUE.items():
        for locale in ("nl", "de"):
            text = getattr(words, locale)
            assert text.strip(), f"the {locale} wording of {english!r} is empty"
            assert placeholders(text) == placeholders(english), f"{locale} wording of {english!r}: {text!r}"
    assert set(PATTERNS) == set(get_args(Pattern)), "every date pattern needs its Dutch and German form"
    assert len(worded) >= 100, f"too few templates found to prove anything: {len(worded)}"
    REPORT["languages: question templates the code uses, each worded in nl and de"] += len(worded)


def test_the_locale_setting_takes_en_nl_de_and_nothing_else() -> None:
    assert Settings.from_env({}).locale == "en"
    assert Settings.from_env({"AGENDA_MCP_LOCALE": " NL "}).locale == "nl"
    assert Settings.from_env({"AGENDA_MCP_LOCALE": "de"}).locale == "de"
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({"AGENDA_MCP_LOCALE": "fr"})
    assert str(refused.value) == "AGENDA_MCP_LOCALE must be one of en, nl, de (got 'fr')"


# -- the questions ----------------------------------------------------------------------------------


def opening(template: str) -> re.Pattern[str]:
    """A question template as a pattern the start of a question matches (placeholders: any text)."""
    parts = re.split(r"\{[^{}]*\}", template)
    return re.compile("(?:.+?)".join(re.escape(part) for part in parts), re.S)


def questions_in(locale: Locale) -> list[re.Pattern[str]]:
    """The whole questions (not the parts of one) of `locale`: the templates ending in `?` or `.`."""
    chosen = [(english, english if locale == "en" else getattr(words, locale)) for english, words in CATALOGUE.items()]
    return [opening(text) for english, text in chosen if english.rstrip().endswith(("?", "."))]


def english_phrases() -> set[str]:
    """The words of the English templates, two words or more at a time, that no Dutch or German
    wording shares: one of them outside the quotes of a Dutch or German question is untranslated."""
    theirs = " ".join(f"{w.nl} {w.de}" for w in CATALOGUE.values())
    phrases = set()
    for english in CATALOGUE:
        for part in re.split(r"\{[^{}]*\}", english):
            part = part.strip(" ,.:;?()")
            if len(re.findall(r"[A-Za-z]+", part)) >= 2 and part not in theirs:
                phrases.add(part)
    return phrases


def marked(value: Any, schema: dict[str, Any]) -> Any:
    """Every free-text string (no format, pattern or choices) replaced by MARK, as far as it fits."""
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        return {key: marked(item, properties.get(key, {})) for key, item in value.items()}
    if isinstance(value, list):
        return [marked(item, schema.get("items", {})) for item in value]
    if isinstance(value, str) and not {"format", "pattern", "enum", "const"} & set(schema) and len(value) < 40:
        return MARK[: schema.get("maxLength", len(MARK))]
    return value


async def calls(client: Client) -> list[tuple[str, dict[str, Any]]]:
    """Every write of tools/list once with schema-valid arguments, then the variants; book_slot once
    per vendor that offers a slot."""
    listed = [t for t in (await client.list_tools()).tools if t.annotations and t.annotations.read_only_hint is False]
    found = (await client.call_tool("find_slots", {"limit": 50})).structured_content or {}
    slots = {slot["vendor"]: slot["slot"] for slot in reversed(found.get("slots", []))}
    made: list[tuple[str, dict[str, Any]]] = []
    for tool in listed:
        if tool.name == "book_slot":
            made += [
                (tool.name, {"slot": s, "name": MARK, "email": "zoe@example.nl", "phone": "06 1234"})
                for s in slots.values()
            ]
            continue
        arguments = marked(arguments_for(tool.name, tool.input_schema), tool.input_schema)
        made.append((tool.name, {**arguments, **EXTRA.get(tool.name, {})}))
    assert len({name for name, _ in made}) == len(listed) >= 29
    return made + VARIANTS


class Listening(Person):
    """Declines, and keeps the form each question came with."""

    def __init__(self) -> None:
        super().__init__("decline")
        self.forms: list[dict[str, Any]] = []

    async def __call__(self, context: Any, params: Any) -> Any:
        self.forms.append(params.requested_schema)
        return await super().__call__(context, params)


FORM_LABELS = {
    "en": ("Confirm", "Yes, go ahead"),
    "nl": ("Bevestigen", "Ja, doorgaan"),
    "de": ("Bestätigen", "Ja, fortfahren"),
}
"""The box the question comes with, as a client labels it."""


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
@pytest.mark.parametrize("locale", LOCALES)
async def test_every_question_is_asked_in_the_language_chosen(
    locale: Locale, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up: list[tuple[str, str]] = []
    words = wording.words

    def recorded(template: str, language: Locale) -> str:
        looked_up.append((template, language))
        return words(template, language)

    monkeypatch.setattr(wording, "words", recorded)
    env = {"AGENDA_MCP_SANDBOX": "1", "AGENDA_MCP_LOCALE": locale, "AGENDA_MCP_CACHE_DIR": "off"}
    agenda = build_agenda(Settings.from_env(env, retry_backoff=0.0))
    person = Listening()
    mine, others = questions_in(locale), [p for other in LOCALES if other != locale for p in questions_in(other)]
    untranslated = english_phrases() if locale != "en" else set()
    asked: set[str] = set()
    rendered: set[str] = set()
    async with Client(agenda.server, mode=mode, elicitation_callback=person) as client:
        for name, arguments in await calls(client):
            before, from_ = len(person.asked), len(looked_up)
            result = await client.call_tool(name, arguments)
            questions = person.asked[before:]
            assert result.is_error, f"{name} ran though the person said no"
            if not questions:
                continue
            assert len(questions) == 1, f"{name} was asked {len(questions)} times: {questions}"
            question = questions[0]
            asked.add(name)
            assert "\n" not in question and len(question) <= QUESTION_LIMIT, f"{name}: {question!r}"
            ours = {t for t, language in looked_up[from_:] if language == locale and has_words(t)}
            assert ours, f"{name} asked without the catalogue: {question!r}"
            assert ours <= set(CATALOGUE), f"{name} used templates not in the catalogue: {ours - set(CATALOGUE)}"
            rendered |= ours
            assert any(p.match(question) for p in mine), f"{name} is not asked in {locale}: {question!r}"
            assert not any(p.match(question) for p in others), f"{name} reads as another language: {question!r}"
            outside = QUOTED.sub("", question)
            assert MARK not in outside, f"{name} shows a value outside quotes: {question!r}"
            left = [phrase for phrase in untranslated if phrase in outside]
            assert not left, f"{name} left English in its {locale} question: {left} in {question!r}"
            # Asked again with the same arguments: the same words (2026-07-28 re-asks changed words).
            await client.call_tool(name, arguments)
            assert person.asked[-1] == question, f"{name} words its question differently the second time"
    marks = sum(1 for q in person.asked if f"\u201c{MARK}" in q)
    assert len(asked) >= 28, f"too few tools asked to prove anything: {sorted(asked)}"
    assert marks >= 10, "too few questions showed the model's own values"
    labels = {
        (form["properties"]["confirm"]["title"], form["properties"]["confirm"]["description"]) for form in person.forms
    }
    assert labels == {FORM_LABELS[locale]}, labels
    REPORT[f"languages: questions asked in {locale} ({mode}), each from the {locale} catalogue"] += (
        len(person.asked) // 2
    )
    REPORT[f"languages: distinct templates rendered in {locale}"] = max(
        REPORT[f"languages: distinct templates rendered in {locale}"], len(rendered)
    )
