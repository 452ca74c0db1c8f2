"""The person's language: every question agenda-mcp asks, worded once, in English, Dutch and German.

A describe function (a vendor's `describe_*`, `book_slot`'s, the toolkit's plain question) returns a
`Question`: an English template and its values, in the language the person is asked in
(AGENDA_MCP_LOCALE, `Settings.locale`):

    Question("Cancel {appointment}? The time becomes free for others.", locale="nl", appointment=...)

The English template is the key of `CATALOGUE`, which holds its Dutch and German wording; a value is
shown as it is (a `quoted` name, vendor text, an id), or is itself worded for the language: a part of
a question (another `Question`), a moment (`When`, formatted by babel from the CLDR data), a file
size (`Size`) or parts in a row (`Joined`). A template whose text has no letters besides its
placeholders (`{start}-{end}`) reads the same in every language unless an entry says otherwise.

The same template, values and language always render the same text: the 2026-07-28 protocol re-asks
a question whose words changed between rounds. tests/test_question_languages.py proves every
template the code uses has both entries with the same placeholders, and that every question asked is
in the language chosen.
"""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Final, Literal

from agenda_mcp.server.startup.config import Locale

log = logging.getLogger("agenda_mcp.wording")


@dataclass(frozen=True)
class Words:
    """A template's Dutch and German wording, with the same placeholders as the English key."""

    nl: str
    de: str


Pattern = Literal[
    "EEE dd-MM-yyyy HH:mm",
    "EEEE yyyy-MM-dd HH:mm",
    "EEE dd MMM yyyy HH:mm",
    "yyyy-MM-dd HH:mm",
    "yyyy-MM-dd",
    "dd MMM yyyy",
    "dd MMM",
    "HH:mm",
]
"""How a question shows a moment in English (a CLDR pattern, the same text as before there were
languages); `PATTERNS` says how a Dutch or German reader expects it."""

PATTERNS: Final[dict[Pattern, Words]] = {
    "EEE dd-MM-yyyy HH:mm": Words(nl="EEE d MMM yyyy HH:mm", de="EEE, dd.MM.yyyy, HH:mm"),
    "EEEE yyyy-MM-dd HH:mm": Words(nl="EEEE d MMMM yyyy HH:mm", de="EEEE, d. MMMM yyyy, HH:mm"),
    "EEE dd MMM yyyy HH:mm": Words(nl="EEE d MMM yyyy HH:mm", de="EEE, dd.MM.yyyy, HH:mm"),
    "yyyy-MM-dd HH:mm": Words(nl="EEE d MMM yyyy HH:mm", de="EEE, dd.MM.yyyy, HH:mm"),
    "yyyy-MM-dd": Words(nl="EEE d MMM yyyy", de="EEE, dd.MM.yyyy"),
    "dd MMM yyyy": Words(nl="d MMM yyyy", de="dd.MM.yyyy"),
    "dd MMM": Words(nl="d MMM", de="dd.MM."),
    "HH:mm": Words(nl="HH:mm", de="HH:mm"),
}


@dataclass(frozen=True)
class When:
    """A moment, a day or a time of day in a question: its wall clock as given (no zone is changed),
    in the language's format."""

    value: datetime | date | time
    pattern: Pattern

    def render(self, locale: Locale) -> str:
        # babel is imported when a question is worded, not when the server starts.
        from babel.dates import format_date, format_datetime, format_time

        pattern = self.pattern if locale == "en" else getattr(PATTERNS[self.pattern], locale)
        if isinstance(self.value, datetime):
            return format_datetime(self.value, pattern, locale=locale)
        if isinstance(self.value, date):
            return format_date(self.value, pattern, locale=locale)
        return format_time(self.value, pattern, locale=locale)


@dataclass(frozen=True)
class Size:
    """A file size: `512 bytes`, `12 KB` (`1.234 KB` in Dutch and German)."""

    size: int

    def render(self, locale: Locale) -> str:
        from babel.numbers import format_decimal

        if locale == "en":
            return f"{self.size} bytes" if self.size < 1024 else f"{self.size / 1024:,.0f} KB"
        if self.size < 1024:
            return f"{format_decimal(self.size, locale=locale)} {'bytes' if locale == 'nl' else 'Byte'}"
        return f"{format_decimal(round(self.size / 1024), format='#,##0', locale=locale)} KB"


@dataclass(frozen=True)
class Joined:
    """Parts of a question in a row (`, ` between names, ` ` between sentences), each in the language."""

    separator: str
    parts: tuple[Value, ...]

    def render(self, locale: Locale) -> str:
        return self.separator.join(shown(part, locale) for part in self.parts)


class Question(str):
    """A question the person is asked, or a part of one: an English template (the catalogue key) and
    its values. As a `str` it reads in `locale`; `render` gives it in another language. A part of a
    question takes the language of the question it is in."""

    template: str
    values: Mapping[str, Value]
    locale: Locale

    def __new__(cls, template: str, /, *, locale: Locale = "en", **values: Value) -> Question:
        made = super().__new__(cls, render(template, values, locale))
        made.template, made.values, made.locale = template, values, locale
        return made

    def render(self, locale: Locale) -> str:
        return render(self.template, self.values, locale)


Value = str | int | Question | When | Size | Joined
"""What fills a placeholder. A plain `str` is shown as it is: a value the model chose (always
`quoted`), vendor text, an id."""


def sentences(*parts: Question | None, locale: Locale) -> Question:
    """Sentences one after the other (the ones given), as one question in `locale`."""
    return Question("{text}", locale=locale, text=Joined(" ", tuple(p for p in parts if p is not None)))


def render(template: str, values: Mapping[str, Value], locale: Locale) -> str:
    """`template` in `locale`, its placeholders filled with `values` in that language."""
    filled = {name: shown(value, locale) for name, value in values.items()}
    try:
        return words(template, locale).format_map(filled)
    except (KeyError, IndexError, ValueError):
        # A translation naming a placeholder the English does not (the catalogue test forbids it):
        # the English question rather than none.
        log.warning("the %s wording of %r does not fit its values; asked in English", locale, template)
        return template.format_map(filled)


def shown(value: Value, locale: Locale) -> str:
    if isinstance(value, Question | When | Size | Joined):
        return value.render(locale)
    return str(value)


def words(template: str, locale: Locale) -> str:
    """The template as `locale` words it (the English is the key)."""
    if locale == "en":
        return template
    entry = CATALOGUE.get(template)
    if entry is None:
        if has_words(template):
            log.warning("no %s wording of %r; asked in English", locale, template)
        return template
    return entry.nl if locale == "nl" else entry.de


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def has_words(template: str) -> bool:
    """Whether the template says anything besides its placeholders (then it needs a translation)."""
    return any(ch.isalpha() for ch in _PLACEHOLDER.sub("", template))


def placeholders(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


# -- the catalogue ----------------------------------------------------------------------------------
# Dutch and German as a salon owner, a training institute or a venue manager would write them: short,
# polite (u, Sie), and with the verb where the language puts it. Values in “quotes” are the model's.

CATALOGUE: Final[dict[str, Words]] = {
    # -- any write without a question of its own (server/kit/toolkit.py plain_question) -------------
    "{vendor}: {what} ({arguments}). Go ahead?": Words(
        nl="{vendor}: {what} ({arguments}). Doorgaan?",
        de="{vendor}: {what} ({arguments}). Fortfahren?",
    ),
    "{vendor}: {what}. Go ahead?": Words(
        nl="{vendor}: {what}. Doorgaan?",
        de="{vendor}: {what}. Fortfahren?",
    ),
    "{vendor}: {what} ({arguments}). This cannot be undone. Go ahead?": Words(
        nl="{vendor}: {what} ({arguments}). Dit kan niet ongedaan worden gemaakt. Doorgaan?",
        de="{vendor}: {what} ({arguments}). Das lässt sich nicht rückgängig machen. Fortfahren?",
    ),
    "{vendor}: {what}. This cannot be undone. Go ahead?": Words(
        nl="{vendor}: {what}. Dit kan niet ongedaan worden gemaakt. Doorgaan?",
        de="{vendor}: {what}. Das lässt sich nicht rückgängig machen. Fortfahren?",
    ),
    # The titles of those writes, as the plain question names them.
    "Mark a booking paid": Words(nl="Boeking als betaald registreren", de="Buchung als bezahlt erfassen"),
    "Confirm a pending appointment": Words(nl="Openstaande afspraak bevestigen", de="Ausstehenden Termin bestätigen"),
    "Change a calculation model": Words(nl="Rekenmodel wijzigen", de="Berechnungsmodell ändern"),
    "Add a Locaboo customer": Words(nl="Locaboo-klant toevoegen", de="Locaboo-Kunden anlegen"),
    "Edit a Locaboo customer": Words(nl="Locaboo-klant wijzigen", de="Locaboo-Kunden bearbeiten"),
    "Add customer addresses": Words(nl="Klantadressen toevoegen", de="Kundenadressen hinzufügen"),
    "Create a ServicePlanner client": Words(nl="ServicePlanner-klant aanmaken", de="ServicePlanner-Kunden anlegen"),
    "Update a ServicePlanner client": Words(
        nl="ServicePlanner-klant bijwerken", de="ServicePlanner-Kunden aktualisieren"
    ),
    "Add an address to a client": Words(nl="Adres toevoegen aan een klant", de="Adresse zu einem Kunden hinzufügen"),
    "Update a ServicePlanner address": Words(
        nl="ServicePlanner-adres bijwerken", de="ServicePlanner-Adresse aktualisieren"
    ),
    "Add an item to a client": Words(nl="Object toevoegen aan een klant", de="Objekt zu einem Kunden hinzufügen"),
    "Update a client's item": Words(nl="Object van een klant bijwerken", de="Objekt eines Kunden aktualisieren"),
    # -- book_slot (server/slots/service.py) ------------------------------------------------------
    "Book {what} on {start}-{end} with {vendor} for {contact}?": Words(
        nl="{what} boeken op {start}-{end} bij {vendor} voor {contact}?",
        de="{what} am {start}-{end} bei {vendor} für {contact} buchen?",
    ),
    "the {vendor} slot": Words(nl="het tijdslot bij {vendor}", de="den Termin bei {vendor}"),
    "{contact}, phone {phone}": Words(nl="{contact}, telefoon {phone}", de="{contact}, Telefon {phone}"),
    "It may have been taken meanwhile; then nothing is booked.": Words(
        nl="Misschien is het inmiddels bezet; dan wordt er niets geboekt.",
        de="Der Termin ist womöglich schon vergeben; dann wird nichts gebucht.",
    ),
    "It is also added to your calendar {calendar}.": Words(
        nl="De afspraak komt ook in uw agenda {calendar}.",
        de="Der Termin wird auch in Ihren Kalender {calendar} eingetragen.",
    ),
    "(sandbox: nothing real is booked)": Words(
        nl="(sandbox: er wordt niets echt geboekt)", de="(Sandbox: nichts wird wirklich gebucht)"
    ),
    # -- shared parts -----------------------------------------------------------------------------
    "customer {id}": Words(nl="klant {id}", de="Kunde {id}"),
    "client {id}": Words(nl="klant {id}", de="Kunde {id}"),
    "{name} (client {id})": Words(nl="{name} (klant {id})", de="{name} (Kunde {id})"),
    "resource {id}": Words(nl="resource {id}", de="Ressource {id}"),
    "address {id}": Words(nl="adres {id}", de="Adresse {id}"),
    "appointment type {id}": Words(nl="afspraaktype {id}", de="Terminart {id}"),
    # -- OnlineAfspraken.nl -----------------------------------------------------------------------
    "OnlineAfspraken.nl appointment {id}": Words(
        nl="OnlineAfspraken.nl-afspraak {id}", de="OnlineAfspraken.nl-Termin {id}"
    ),
    "OnlineAfspraken.nl appointment {id} ({who})": Words(
        nl="OnlineAfspraken.nl-afspraak {id} ({who})", de="OnlineAfspraken.nl-Termin {id} ({who})"
    ),
    "OnlineAfspraken.nl appointment {id} ({who}, {start})": Words(
        nl="OnlineAfspraken.nl-afspraak {id} ({who}, {start})", de="OnlineAfspraken.nl-Termin {id} ({who}, {start})"
    ),
    "OnlineAfspraken.nl appointment {id} ({who}, {start}-{end})": Words(
        nl="OnlineAfspraken.nl-afspraak {id} ({who}, {start}-{end})",
        de="OnlineAfspraken.nl-Termin {id} ({who}, {start}-{end})",
    ),
    "no customer": Words(nl="geen klant", de="kein Kunde"),
    "Cancel {appointment}? The time becomes free for others.": Words(
        nl="{appointment} annuleren? De tijd komt weer vrij voor anderen.",
        de="{appointment} stornieren? Die Zeit wird wieder für andere frei.",
    ),
    "Permanently delete {appointment}? This cannot be undone (cancel_appointment keeps a record).": Words(
        nl="{appointment} definitief verwijderen? Dit kan niet ongedaan worden gemaakt "
        "(met cancel_appointment blijft de afspraak bewaard).",
        de="{appointment} endgültig löschen? Das lässt sich nicht rückgängig machen "
        "(mit cancel_appointment bleibt der Termin erhalten).",
    ),
    "Remove OnlineAfspraken.nl availability block {block} ({what}) from agenda {agenda}?": Words(
        nl="Beschikbaarheidsblok {block} ({what}) uit agenda {agenda} van OnlineAfspraken.nl verwijderen?",
        de="Verfügbarkeitsblock {block} ({what}) aus Kalender {agenda} von OnlineAfspraken.nl entfernen?",
    ),
    "a block not added by agenda-mcp": Words(
        nl="een blok dat niet via agenda-mcp is toegevoegd",
        de="ein Block, der nicht über agenda-mcp angelegt wurde",
    ),
    "Change {appointment} to {when}?": Words(
        nl="{appointment} verzetten naar {when}?",
        de="{appointment} verschieben auf {when}?",
    ),
    "Book OnlineAfspraken.nl {what} for {who} on {when}?": Words(
        nl="OnlineAfspraken.nl: {what} boeken voor {who} op {when}?",
        de="OnlineAfspraken.nl: {what} für {who} am {when} buchen?",
    ),
    "Create OnlineAfspraken.nl customer {who}?": Words(
        nl="Klant {who} aanmaken in OnlineAfspraken.nl?",
        de="Kunden {who} in OnlineAfspraken.nl anlegen?",
    ),
    "Create OnlineAfspraken.nl customer {who} with status {status}?": Words(
        nl="Klant {who} aanmaken in OnlineAfspraken.nl, met status {status}?",
        de="Kunden {who} mit Status {status} in OnlineAfspraken.nl anlegen?",
    ),
    "Mark OnlineAfspraken.nl customer {id} ({who}) as deleted?": Words(
        nl="Klant {id} ({who}) in OnlineAfspraken.nl als verwijderd markeren?",
        de="Kunden {id} ({who}) in OnlineAfspraken.nl als gelöscht markieren?",
    ),
    "Change OnlineAfspraken.nl customer {id} to {who}?": Words(
        nl="Klant {id} in OnlineAfspraken.nl wijzigen in {who}?",
        de="Kunden {id} in OnlineAfspraken.nl ändern: {who}?",
    ),
    "Change OnlineAfspraken.nl customer {id} to {who}, status {status}?": Words(
        nl="Klant {id} in OnlineAfspraken.nl wijzigen in {who}, status {status}?",
        de="Kunden {id} in OnlineAfspraken.nl ändern: {who}, Status {status}?",
    ),
    "Open OnlineAfspraken.nl agenda {agenda} for booking {start}-{end} ({zone}), {which}, {on}?": Words(
        nl="Agenda {agenda} van OnlineAfspraken.nl openzetten voor boekingen op {start}-{end} ({zone}), {which}, {on}?",
        de="Kalender {agenda} von OnlineAfspraken.nl für Buchungen öffnen: {start}-{end} ({zone}), {which}, {on}?",
    ),
    "every appointment type": Words(nl="alle afspraaktypes", de="alle Terminarten"),
    "every resource": Words(nl="alle resources", de="alle Ressourcen"),
    # -- Planaday ---------------------------------------------------------------------------------
    "Delete Planaday booking {booking} ({what})? Its seats are released; this cannot be undone.": Words(
        nl="Planaday-boeking {booking} ({what}) verwijderen? De plaatsen komen vrij; "
        "dit kan niet ongedaan worden gemaakt.",
        de="Planaday-Buchung {booking} ({what}) löschen? Die Plätze werden frei; "
        "das lässt sich nicht rückgängig machen.",
    ),
    "a booking request not made by agenda-mcp": Words(
        nl="een boekingsaanvraag die niet via agenda-mcp is gedaan",
        de="eine Buchungsanfrage, die nicht über agenda-mcp gestellt wurde",
    ),
    "{students} on course {course}": Words(nl="{students} op cursus {course}", de="{students} im Kurs {course}"),
    "{names} and {count} more": Words(nl="{names} en nog {count}", de="{names} und {count} weitere"),
    "Request Planaday {course}, first session {start} ({zone}) for {students}? "
    "The institute still has to accept it.": Words(
        nl="Planaday: {students} aanmelden voor {course}, eerste bijeenkomst {start} ({zone})? "
        "Het instituut moet de aanvraag nog accepteren.",
        de="Planaday: {students} für {course} anmelden, erster Termin {start} ({zone})? "
        "Das Institut muss die Anfrage noch annehmen.",
    ),
    "Request Planaday {course} for {students}? The institute still has to accept it.": Words(
        nl="Planaday: {students} aanmelden voor {course}? Het instituut moet de aanvraag nog accepteren.",
        de="Planaday: {students} für {course} anmelden? Das Institut muss die Anfrage noch annehmen.",
    ),
    "{name} (course {id})": Words(nl="{name} (cursus {id})", de="{name} (Kurs {id})"),
    "course {id}": Words(nl="cursus {id}", de="Kurs {id}"),
    # -- Locaboo ----------------------------------------------------------------------------------
    "Book Locaboo {place} on {when} for {who}?": Words(
        nl="Locaboo: {place} boeken voor {who} ({when})?",
        de="Locaboo: {place} für {who} buchen ({when})?",
    ),
    "Book Locaboo {place} on {when}?": Words(
        nl="Locaboo: {place} boeken ({when})?",
        de="Locaboo: {place} buchen ({when})?",
    ),
    "Cancel Locaboo booking {booking}? Its time becomes free for others.": Words(
        nl="Locaboo-boeking {booking} annuleren? De tijd komt weer vrij voor anderen.",
        de="Locaboo-Buchung {booking} stornieren? Die Zeit wird wieder für andere frei.",
    ),
    "Move Locaboo booking {booking} to {when}? Its current times are replaced.": Words(
        nl="Locaboo-boeking {booking} verplaatsen naar {when}? De huidige tijden vervallen.",
        de="Locaboo-Buchung {booking} verlegen auf {when}? Die bisherigen Zeiten entfallen.",
    ),
    "Set Locaboo booking {booking} to {status}?": Words(
        nl="Locaboo-boeking {booking} op {status} zetten?",
        de="Locaboo-Buchung {booking} auf {status} setzen?",
    ),
    "Change the customer of Locaboo booking {booking}?": Words(
        nl="De klant van Locaboo-boeking {booking} wijzigen?",
        de="Den Kunden der Locaboo-Buchung {booking} ändern?",
    ),
    "another resource": Words(nl="een andere resource", de="eine andere Ressource"),
    "{first} to {last}": Words(nl="{first} t/m {last}", de="{first} bis {last}"),
    "{days} {start}-{end}": Words(nl="{days} {start}-{end}", de="{days}, {start}-{end}"),
    "{detail}, +{count} more": Words(nl="{detail}, en nog {count}", de="{detail}, und {count} weitere"),
    "for {customer}": Words(nl="voor {customer}", de="für {customer}"),
    "{when} (whole days)": Words(nl="{when} (hele dagen)", de="{when} (ganztägig)"),
    "daily {when}": Words(nl="dagelijks {when}", de="täglich {when}"),
    "weekly {when}": Words(nl="wekelijks {when}", de="wöchentlich {when}"),
    "monthly {when}": Words(nl="maandelijks {when}", de="monatlich {when}"),
    "yearly {when}": Words(nl="jaarlijks {when}", de="jährlich {when}"),
    "{count} dates": Words(nl="{count} datums", de="{count} Termine"),
    "for customer {id}": Words(nl="voor klant {id}", de="für Kunde {id}"),
    "titled {title}": Words(nl="met titel {title}", de="mit dem Titel {title}"),
    "Book Locaboo {details}? The time is taken at once.": Words(
        nl="Boeken in Locaboo: {details}? De tijd wordt meteen gereserveerd.",
        de="In Locaboo buchen: {details}? Die Zeit wird sofort reserviert.",
    ),
    "Request Locaboo {details}? The manager still has to accept it.": Words(
        nl="Aanvragen in Locaboo: {details}? De beheerder moet de aanvraag nog accepteren.",
        de="In Locaboo anfragen: {details}? Die Verwaltung muss die Anfrage noch annehmen.",
    ),
    # -- ServicePlanner ---------------------------------------------------------------------------
    "Delete ServicePlanner client {who}? Its addresses, items and appointments are likely removed too. "
    "This cannot be undone.": Words(
        nl="ServicePlanner-klant {who} verwijderen? Adressen, objecten en afspraken van deze klant worden "
        "waarschijnlijk ook verwijderd. Dit kan niet ongedaan worden gemaakt.",
        de="ServicePlanner-Kunden {who} löschen? Seine Adressen, Objekte und Termine werden wahrscheinlich "
        "mitgelöscht. Das lässt sich nicht rückgängig machen.",
    ),
    "{name} (client number {number}, id {id})": Words(
        nl="{name} (klantnummer {number}, id {id})", de="{name} (Kundennummer {number}, ID {id})"
    ),
    "client": Words(nl="klant", de="Kunde"),
    "Delete {what} in ServicePlanner? This cannot be undone.": Words(
        nl="In ServicePlanner {what} verwijderen? Dit kan niet ongedaan worden gemaakt.",
        de="In ServicePlanner {what} löschen? Das lässt sich nicht rückgängig machen.",
    ),
    "the invoice address {line} of {owner}": Words(
        nl="het factuuradres {line} van {owner}", de="die Rechnungsadresse {line} von {owner}"
    ),
    "the work address {line} of {owner}": Words(
        nl="het werkadres {line} van {owner}", de="die Einsatzadresse {line} von {owner}"
    ),
    "the {type} address {line} of {owner}": Words(
        nl="het adres ({type}) {line} van {owner}", de="die Adresse ({type}) {line} von {owner}"
    ),
    "the address {line} of {owner}": Words(nl="het adres {line} van {owner}", de="die Adresse {line} von {owner}"),
    "the {type} appointment {id} of {client} at {address}, {when}": Words(
        nl="de afspraak {id} ({type}) van {client} op {address}, {when}",
        de="den Termin {id} ({type}) von {client} ({address}), {when}",
    ),
    "the appointment {id} of {client} at {address}, {when}": Words(
        nl="de afspraak {id} van {client} op {address}, {when}",
        de="den Termin {id} von {client} ({address}), {when}",
    ),
    "the {type} invitation {id} of {client} at {address}, {when}": Words(
        nl="de uitnodiging {id} ({type}) van {client} op {address}, {when}",
        de="die Einladung {id} ({type}) von {client} ({address}), {when}",
    ),
    "the invitation {id} of {client} at {address}, {when}": Words(
        nl="de uitnodiging {id} van {client} op {address}, {when}",
        de="die Einladung {id} von {client} ({address}), {when}",
    ),
    "a client": Words(nl="een klant", de="einem Kunden"),
    "an unknown address": Words(nl="een onbekend adres", de="Adresse unbekannt"),
    "on {start}": Words(nl="op {start}", de="am {start}"),
    "to be planned {first} - {last}": Words(
        nl="in te plannen tussen {first} en {last}", de="zu planen zwischen {first} und {last}"
    ),
    "not yet planned": Words(nl="nog niet ingepland", de="noch nicht geplant"),
    "appointment {id}": Words(nl="afspraak {id}", de="Termin {id}"),
    "Delete item {id} in ServicePlanner (and its service planning)? This cannot be undone.": Words(
        nl="Object {id} in ServicePlanner verwijderen (met de bijbehorende serviceplanning)? "
        "Dit kan niet ongedaan worden gemaakt.",
        de="Objekt {id} in ServicePlanner löschen (samt Serviceplanung)? Das lässt sich nicht rückgängig machen.",
    ),
    "Send to ServicePlanner item {item} (client {client}): {files}?": Words(
        nl="Naar ServicePlanner-object {item} (klant {client}) versturen: {files}?",
        de="An ServicePlanner-Objekt {item} (Kunde {client}) senden: {files}?",
    ),
    "Send to ServicePlanner item {item} (client {client}): {files}? Its current files are removed first.": Words(
        nl="Naar ServicePlanner-object {item} (klant {client}) versturen: {files}? "
        "De huidige bestanden worden eerst verwijderd.",
        de="An ServicePlanner-Objekt {item} (Kunde {client}) senden: {files}? "
        "Die vorhandenen Dateien werden vorher gelöscht.",
    ),
    "{name} ({size}, from {path})": Words(nl="{name} ({size}, uit {path})", de="{name} ({size}, aus {path})"),
    "Create a ServicePlanner visit ({kind}) for {who} at {where}: {when}?": Words(
        nl="In ServicePlanner een bezoek ({kind}) aanmaken voor {who} op {where}: {when}?",
        de="In ServicePlanner einen Einsatz ({kind}) für {who} anlegen ({where}): {when}?",
    ),
    "Create a ServicePlanner invitation ({kind}) for {who} at {where}: {when}?": Words(
        nl="In ServicePlanner een uitnodiging ({kind}) aanmaken voor {who} op {where}: {when}?",
        de="In ServicePlanner eine Einladung ({kind}) für {who} anlegen ({where}): {when}?",
    ),
    "type {id}": Words(nl="type {id}", de="Typ {id}"),
    "the client chooses the time": Words(nl="de klant kiest zelf het tijdstip", de="der Kunde wählt den Termin selbst"),
    "the client chooses the time, mailed now": Words(
        nl="de klant kiest zelf het tijdstip en krijgt nu een mail",
        de="der Kunde wählt den Termin selbst und erhält jetzt eine E-Mail",
    ),
    "ServicePlanner picks the time now": Words(
        nl="ServicePlanner plant het tijdstip nu in", de="ServicePlanner plant den Zeitpunkt jetzt ein"
    ),
    "ServicePlanner picks the time now; the client is mailed now": Words(
        nl="ServicePlanner plant het tijdstip nu in; de klant krijgt nu een mail",
        de="ServicePlanner plant den Zeitpunkt jetzt ein; der Kunde erhält jetzt eine E-Mail",
    ),
    "it waits in this month's planning": Words(
        nl="het bezoek wacht in de planning van deze maand", de="der Einsatz wartet in der Planung dieses Monats"
    ),
    "it waits in this month's planning; the client is mailed now": Words(
        nl="het bezoek wacht in de planning van deze maand; de klant krijgt nu een mail",
        de="der Einsatz wartet in der Planung dieses Monats; der Kunde erhält jetzt eine E-Mail",
    ),
}
