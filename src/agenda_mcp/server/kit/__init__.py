"""What a vendor package imports, and all it imports from the server: `from agenda_mcp.server.kit import ...`.

- the contract (`contract.py`): `VendorSpec`, `Connection`, and the `Protocol`s a vendor's
  modules satisfy;
- the toolkit (`toolkit.py`): `Toolkit` and the `read` / `write` / `resource` markers its
  `VendorTools` methods carry, so every tool passes the same rules;
- the time vocabulary (`times.py`), result models (`models.py`), the one HTTP layer (`http.py`),
  paging (`paging.py`), prompts (`prompts.py`) and the slots interface (`slots.py`);
- the few guards a vendor applies itself: redaction of call secrets, the file policy for uploads;
- the words of its consent questions (`wording.py`): `Question` and the values it is filled with
  (`When`, `Size`, `Joined`), rendered in the person's language.
"""

from agenda_mcp.server.guards.attachments import ATTACHMENTS_ENV, FilePolicy, base64_size, decoded
from agenda_mcp.server.guards.consent import Describe, quoted
from agenda_mcp.server.guards.errors import UncertainWrite
from agenda_mcp.server.guards.redaction import call_secrets, redact
from agenda_mcp.server.kit.contract import Connection, DemoStep, SandboxSpec, VendorSpec
from agenda_mcp.server.kit.http import ErrorDetail, VendorHTTP, path_segment
from agenda_mcp.server.kit.models import HHMM, ResultModel, WriteResult
from agenda_mcp.server.kit.paging import fetch_pages, pages_within
from agenda_mcp.server.kit.prompts import Workflow, steps, workflow
from agenda_mcp.server.kit.slots import (
    Booked,
    Customer,
    Found,
    Offer,
    SlotQuery,
    SlotTaken,
    fold,
    matches,
    same_email,
    same_name,
)
from agenda_mcp.server.kit.times import (
    Clock,
    DateTime,
    Moment,
    TimeOfDay,
    check_period,
    moment,
    wall_clock,
    wall_span,
    zone_name,
)
from agenda_mcp.server.kit.toolkit import Toolkit, VendorTools, read, resource, write
from agenda_mcp.server.kit.wording import Joined, Question, Size, Value, When
from agenda_mcp.server.startup.config import ConfigError

__all__ = [
    "ATTACHMENTS_ENV",
    "HHMM",
    "Booked",
    "Clock",
    "ConfigError",
    "Connection",
    "Customer",
    "DateTime",
    "DemoStep",
    "Describe",
    "ErrorDetail",
    "FilePolicy",
    "Found",
    "Joined",
    "Moment",
    "Offer",
    "Question",
    "ResultModel",
    "SandboxSpec",
    "Size",
    "SlotQuery",
    "SlotTaken",
    "TimeOfDay",
    "Toolkit",
    "UncertainWrite",
    "Value",
    "VendorHTTP",
    "VendorSpec",
    "VendorTools",
    "When",
    "Workflow",
    "WriteResult",
    "base64_size",
    "call_secrets",
    "check_period",
    "decoded",
    "fetch_pages",
    "fold",
    "matches",
    "moment",
    "pages_within",
    "path_segment",
    "quoted",
    "read",
    "redact",
    "resource",
    "same_email",
    "same_name",
    "steps",
    "wall_clock",
    "wall_span",
    "workflow",
    "write",
    "zone_name",
]
