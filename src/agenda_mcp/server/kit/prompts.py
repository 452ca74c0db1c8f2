"""Prompts for the common scheduling jobs, each walking the model through the right tool order.

A vendor offers them in `tools/<vendor>/prompts.py` as `PROMPTS: list[Workflow]`, built with
`@workflow(...)`. A workflow names the tools it walks through, in order, so a prompt whose tools
are not all registered (read-only mode drops every write) is left out instead of sending the
model to a tool that is not there.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from mcp.server.mcpserver.prompts import Prompt


@dataclass(frozen=True)
class Workflow:
    prompt: Prompt
    tools: tuple[str, ...]
    """The tools the prompt walks through, in the order it names them."""

    def usable(self, registered: Collection[str]) -> bool:
        return set(self.tools) <= set(registered)


def workflow(*, name: str, title: str, tools: Sequence[str]) -> Callable[[Callable[..., str]], Workflow]:
    """Turn a function that returns the prompt's text into a `Workflow`.

    Its docstring is the description a person sees in the client's prompt menu; its parameters
    (strings, each `Annotated[..., Field(description=...)]`) are the prompt's arguments."""

    def decorator(fn: Callable[..., str]) -> Workflow:
        description = inspect.cleandoc(fn.__doc__ or "")
        prompt = Prompt.from_function(fn, name=name, title=title, description=description)
        return Workflow(prompt=prompt, tools=tuple(tools))

    return decorator


def steps(*lines: str) -> str:
    """Numbered steps, one per line: the shape every workflow prompt shares."""
    return "\n".join(f"{number}. {line}" for number, line in enumerate(lines, start=1))
