"""Building blocks every vendor's result models share."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer, WithJsonSchema

HHMM = Annotated[
    time,
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^\d{2}:\d{2}$"}),
]
"""A clock time as the model reads and writes it: `14:30`."""


class ResultModel(BaseModel):
    """Base of every model a tool returns: unknown vendor fields are ignored, and empty (None)
    fields are left out of the result, so the model reads only what is there."""

    # by name as well as by alias: a result may be validated again from its own dump (size cap).
    model_config = ConfigDict(extra="ignore", validate_by_name=True, validate_by_alias=True)

    # Empty fields are dropped by the serializer itself (exclude_none, in pydantic's Rust core), not
    # by a Python hook per model: at 5,000 records that hook ran ~900,000 times a result. Every
    # model a tool returns is a ResultModel, so excluding None at the top reaches all of it.
    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("exclude_none", True)
        return super().model_dump(**kwargs)

    def model_dump_json(self, **kwargs: Any) -> str:
        kwargs.setdefault("exclude_none", True)
        return super().model_dump_json(**kwargs)


class WriteResult(ResultModel):
    """Base of results that record a change."""

    sandbox: bool = False
    """True when the change was made in the built-in simulator, not a real account."""
    repeated: bool | None = None
    """True when an identical call moments earlier already did this; this is its result."""
