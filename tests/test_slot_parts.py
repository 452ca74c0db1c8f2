"""The parts of find_slots that need no vendor: matching words, the slot token, the ranking."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from mcp.server.mcpserver.exceptions import ToolError

from agenda_mcp.server.kit.slots import Customer, Offer, SlotQuery, fold, matches
from agenda_mcp.server.slots.picker import app_html
from agenda_mcp.server.slots.service import _preferred, _ranked, _spread
from agenda_mcp.server.slots.signer import SlotSigner

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Knippen en föhnen", "knippen en fohnen"),
        ("Großer Saal", "grosser saal"),
        ("GROSSER SAAL", "grosser saal"),
        ("Zoë Müller-Lüdenscheidt", "zoe muller-ludenscheidt"),
        ("ĳsbaan", "ijsbaan"),
        ("Crème brûlée", "creme brulee"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("what", "texts", "expected"),
    [
        (None, ("anything",), True),
        ("", ("anything",), True),
        ("fohnen", ("Knippen en föhnen",), True),
        ("FÖHNEN", ("Knippen en fohnen",), True),
        ("grosser saal", ("Großer Saal > Saal Rhein",), True),
        ("großer saal rhein", ("Großer Saal > Saal Rhein",), True),
        ("kleuren", ("Uitgroei kleuren", "Kleuren"), True),  # part of a word (Dutch compounds)
        ("knippen sanne", ("Knippen dames", None, "Sanne de Wit"), True),  # every word, across the texts
        ("knippen lisa", ("Knippen dames", "Sanne de Wit"), False),
        ("tandarts", ("Knippen dames",), False),
        ("bhv", ("BHV Basis", "bhv-202612-001", "BHV", "EHBO"), True),
    ],
)
def test_matches(what: str | None, texts: tuple[str | None, ...], expected: bool) -> None:
    assert matches(what, *texts) is expected


def test_a_customer_name_splits_for_vendors_that_want_first_and_last() -> None:
    assert Customer("Anna de Vries", "a@b.nl").first_and_last == ("Anna", "de Vries")
    assert Customer("Madonna", "m@b.nl").first_and_last == ("Madonna", "Madonna")


def test_the_query_reads_bounds_on_the_slots_own_clock() -> None:
    query = SlotQuery(None, datetime(2026, 7, 7).date(), datetime(2026, 7, 7).date(), latest=datetime.min.time())
    evening = SlotQuery(
        None, datetime(2026, 7, 7).date(), datetime(2026, 7, 7).date(), earliest=_t("18:00"), latest=_t("21:00")
    )
    start = datetime(2026, 7, 7, 19, 0, tzinfo=BERLIN)
    assert evening.fits(start, start + timedelta(hours=2))
    assert not evening.fits(start, start + timedelta(hours=3))  # ends after 21:00
    assert not evening.fits(start - timedelta(hours=2), start)  # starts before 18:00
    assert not query.fits(start, start + timedelta(hours=1))


def _t(text: str):
    return datetime.strptime(text, "%H:%M").time()


# -- the token ----------------------------------------------------------------------------------


def test_a_token_round_trips_and_reads_as_what_it_is() -> None:
    start = datetime(2027, 1, 5, 19, 0, tzinfo=BERLIN)
    signer = SlotSigner(b"k" * 32)
    token = signer.sign("locaboo", start, 120, {"m": 110, "p": 111})
    assert token.startswith("locaboo:202701051900+0100:120:m110:p111:") and len(token) < 60
    opened = signer.open(token)
    assert opened.ref == {"m": 110, "p": 111} and opened.minutes == 120 and opened.vendor == "locaboo"
    assert opened.start == start and opened.start.utcoffset() == timedelta(hours=1)
    assert opened.end == start + timedelta(minutes=120)
    assert signer.open(signer.sign("locaboo", start, 120, {"m": 110, "p": None})).ref == {"m": 110, "p": None}


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace("1900+", "2000+"),  # another time
        lambda t: t.replace(":120:", ":240:"),  # longer
        lambda t: t.replace("p111", "p112"),  # another part of the hall
        lambda t: t.replace("locaboo", "planaday"),  # another vendor
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # another signature
        lambda t: t.rpartition(":")[0],  # no signature
    ],
)
def test_a_changed_token_is_refused(change) -> None:
    signer = SlotSigner(b"k" * 32)
    token = signer.sign("locaboo", datetime(2027, 1, 5, 19, 0, tzinfo=BERLIN), 120, {"m": 110, "p": 111})
    with pytest.raises(ToolError, match="not one find_slots gave"):
        signer.open(change(token))


def test_another_servers_token_is_refused() -> None:
    token = SlotSigner(b"b" * 32).sign("planaday", datetime(2027, 1, 5, 9, 0, tzinfo=AMSTERDAM), 480, {"c": 101})
    with pytest.raises(ToolError):
        SlotSigner(b"a" * 32).open(token)


# -- ranking --------------------------------------------------------------------------------------


def _offer(day: int, hour: int, what: str = "x", ref: int = 1) -> Offer:
    start = datetime(2026, 12, day, hour, 0, tzinfo=AMSTERDAM)
    return Offer(start, start + timedelta(hours=1), what, {"r": ref})


def test_ranking_by_closeness_to_the_wanted_moment() -> None:
    offers = [("a", _offer(7, 9)), ("a", _offer(7, 13)), ("a", _offer(8, 11)), ("b", _offer(7, 11, ref=2))]
    wanted = datetime(2026, 12, 7, 12, 0, tzinfo=AMSTERDAM)
    ranked = [o.start.hour + o.start.day * 100 for _, o in _ranked(offers, wanted)]
    assert ranked == [711, 713, 709, 811]  # a tie goes to the earlier


def test_without_a_wanted_moment_a_capped_answer_covers_the_days_and_vendors() -> None:
    offers = [("a", _offer(7, h)) for h in range(8, 18)] + [("a", _offer(8, 9)), ("b", _offer(7, 10, ref=2))]
    spread = _spread(_ranked(offers, None))[:3]
    assert {(name, o.start.day) for name, o in spread} == {("a", 7), ("a", 8), ("b", 7)}


def test_the_same_slot_twice_is_shown_once() -> None:
    assert len(_ranked([("a", _offer(7, 9)), ("a", _offer(7, 9))], None)) == 1


def test_why_the_wanted_moment_is_not_free() -> None:
    day = datetime(2026, 12, 7).date()
    query = SlotQuery(None, day, day, earliest=_t("09:00"))
    ranked = [("a", _offer(7, 9)), ("a", _offer(7, 11))]
    taken = _preferred(datetime(2026, 12, 7, 10, 0, tzinfo=AMSTERDAM), ranked, query, [])
    early = _preferred(datetime(2026, 12, 7, 8, 0, tzinfo=AMSTERDAM), ranked, query, [])
    other = _preferred(datetime(2026, 12, 9, 10, 0, tzinfo=AMSTERDAM), ranked, query, ["window"])
    free = _preferred(datetime(2026, 12, 7, 9, 0, tzinfo=AMSTERDAM), ranked, query, [])
    assert taken.free is False and "taken" in (taken.why or "")
    assert early.why == "it lies outside earliest/latest"
    assert other.why == "it lies outside date_from..date_to"
    assert free.free is True and free.why is None


# -- the app -----------------------------------------------------------------------------------


def test_the_picker_loads_nothing_and_runs_only_its_own_script() -> None:
    html = app_html()
    policy = html.split('http-equiv="Content-Security-Policy" content="', 1)[1].split('"', 1)[0]
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert policy.count("'sha256-") == 2 and "{{" not in html
    assert "http://" not in html and "https://" not in html  # no external resource of any kind
