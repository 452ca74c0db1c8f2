"""Asking the person before any tool changes data, through MCP elicitation.

Built on the SDK's resolvers (`Resolve` + `Elicit`): the question is asked before the tool's body
runs, mid-call on the 2025-11-25 protocol and through an input-required round trip on 2026-07-28
(whose sealed `requestState` any replica opens with the shared key, server/team/keys.py), so one
code path serves stdio, HTTP with sessions and stateless HTTP.

Mode (AGENDA_MCP_CONFIRM):
- `auto` (default): ask whenever the client can be asked; a client that says it cannot (no form
  elicitation) relies on its host's own approval of each tool call that is not read-only;
- `always`: refuse when the client cannot be asked;
- `never`: do not ask (the host confirms, or nobody does).
In every mode but `never`, a client whose abilities are unknown (stateless HTTP with a 2025-11-25
client: no session, so no `initialize` to read them from) is refused: it might have been asked,
and a write nobody was asked about must not happen silently.

The question is one line, vendor text cleaned of control, bidi and zero-width characters, and each
value a model chose `quoted` so it cannot pose as part of the question.

It is in the person's language: a describe function returns a `Question` (server/kit/wording.py),
worded once and rendered in AGENDA_MCP_LOCALE (en, nl, de), and the form around it (`Consent`) is in
the same language. A client's own locale would win over the setting, but no protocol revision carries
one: neither 2025-11-25 nor 2026-07-28 has a locale in `clientInfo` (Implementation: name, version,
title, description, icons, websiteUrl), in the client capabilities, or among the reserved request
`_meta` keys (protocolVersion, clientInfo, clientCapabilities, logLevel). Only MCP Apps hosts tell
theirs (`hostContext.locale`), to the app they render: the slot picker (server/slots/picker.html)
follows it.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Protocol, runtime_checkable

from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult, Resolve
from pydantic import BaseModel, ConfigDict, Field

from agenda_mcp.server.guards.arguments import with_signature
from agenda_mcp.server.guards.errors import Refused
from agenda_mcp.server.guards.output import clean
from agenda_mcp.server.startup.config import ConfirmMode, Locale

Describe = Callable[..., Awaitable[str | None]]
"""Given the tool's arguments (by name), the sentence that names what will be lost (who, what,
when), or None when these arguments change nothing destructive (no question then). A `Question`
(server/kit/wording.py, a `str` in its language) asks in the person's language; a plain `str` is
asked as it is."""


@runtime_checkable
class Worded(Protocol):
    """A question worded in a language (server/kit/wording.py `Question`; this module does not import
    the kit, which imports it): the form around it is put in the same language."""

    @property
    def locale(self) -> Locale: ...


QUESTION_LIMIT = 600
"""Characters of a question at most: what will change, not a page a person must read."""


def quoted(value: object, limit: int = 80) -> str:
    """A value the model chose (a name, a note, a file name) as a question shows it: cleaned, on one
    line, cut, and inside quotes it cannot close, so `Anna. Nothing is booked or charged` reads as
    a name, never as a sentence of the question."""
    text = " ".join(clean(str(value)).split())
    text = text.replace("\u201c", "'").replace("\u201d", "'").replace('"', "'")
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return f"\u201c{text}\u201d"


def one_line(message: str) -> str:
    """A question as the person sees it: vendor text cleaned of control, bidi and zero-width
    characters, every line break (U+2028 and U+2029 too) a space, within QUESTION_LIMIT."""
    text = " ".join(clean(message).split())
    return text if len(text) <= QUESTION_LIMIT else text[: QUESTION_LIMIT - 1] + "\u2026"


class Consent(BaseModel):
    confirm: bool = Field(description="Yes, go ahead")


class _ConsentNl(Consent):
    model_config = ConfigDict(title="Toestemming")
    confirm: bool = Field(title="Bevestigen", description="Ja, doorgaan")


class _ConsentDe(Consent):
    model_config = ConfigDict(title="Zustimmung")
    confirm: bool = Field(title="Bestätigen", description="Ja, fortfahren")


CONSENT_FORMS: dict[Locale, type[Consent]] = {"en": Consent, "nl": _ConsentNl, "de": _ConsentDe}
"""The form the question comes with (a client shows its title and the box's label), in the question's
language; the answer is `confirm` in every one."""


class Unasked(BaseModel):
    """The resolver's answer when the person could not be asked and the call must not go ahead:
    the refusal is raised inside the tool's pipeline (server/guards/pipeline.py), so the audit log
    records it like any other."""

    why: str


def consent_parameter(
    tool_name: str, signature: inspect.Signature, describe: Describe, mode: ConfirmMode
) -> inspect.Parameter:
    """A keyword parameter to add to a tool's signature: the SDK fills it by running a resolver
    that asks the person (or decides not to ask)."""
    describe_params = inspect.signature(describe).parameters.values()
    takes_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in describe_params)
    wanted = {p.name for p in describe_params}

    async def ask(ctx: Context, **arguments: Any) -> Consent | Unasked | Elicit[Consent]:
        if mode == "never":
            return Consent(confirm=True)
        capabilities = ctx.client_capabilities
        if capabilities is None:
            return Unasked(
                why=f"{tool_name} was not run, nothing was changed: agenda-mcp asks the person before any change, "
                "and over stateless HTTP it can only ask clients speaking MCP 2026-07-28. Connect with a 2026-07-28 "
                "client, or have the server run with sessions (without AGENDA_MCP_STATELESS)."
            )
        elicitation = capabilities.elicitation
        if elicitation is None or (elicitation.form is None and elicitation.url is not None):
            if mode == "always":
                return Unasked(
                    why=f"{tool_name} needs the person's confirmation, but this client cannot ask for it "
                    "(AGENDA_MCP_CONFIRM=always). Nothing was changed."
                )
            return Consent(confirm=True)  # auto: the host approves each call of a tool that is not read-only
        message = await describe(**{k: v for k, v in arguments.items() if takes_all or k in wanted})
        if message is None:
            return Consent(confirm=True)
        # Rendered once per round from the same arguments and language, so the same words: a
        # 2026-07-28 client's answer counts only for the question exactly as it was asked.
        form = CONSENT_FORMS[message.locale if isinstance(message, Worded) else "en"]
        return Elicit[Consent](one_line(message), form)

    # The SDK hands a resolver the tool's arguments by name: give it the tool's parameters.
    parameters = [inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)]
    parameters += [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY, default=p.default)
        for p in signature.parameters.values()
        if p.annotation is not Context and p.name != "ctx"
    ]
    answer = Consent | Unasked | Elicit[Consent]
    with_signature(ask, inspect.Signature(parameters, return_annotation=answer))
    ask.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": answer}
    ask.__qualname__ = f"confirm_{tool_name}"
    return inspect.Parameter(
        "consent",
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[ElicitationResult[Consent], Resolve(ask)],
    )


def require_consent(tool_name: str, outcome: Any) -> None:
    """Stop here unless the person said yes."""
    if isinstance(outcome, AcceptedElicitation):
        if isinstance(outcome.data, Consent) and outcome.data.confirm:
            return
        if isinstance(outcome.data, Unasked):
            raise Refused(outcome.data.why, "consent")
    raise Refused(
        f"Nothing was changed: the person did not confirm {tool_name}. Do not retry unless they ask again.", "consent"
    )
