"""GET /api/audit: the append-only audit trail, for admins (office admins see their office's
events, organisation admins all). No endpoint changes or deletes an audit row."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter

from api.controllers.common import ACTOR, ERRORS, READ_ERRORS, CurrentActor, Limit, Offset, OptId, page
from api.convert import read
from api.schemas.audit import AuditEventRead, AuditList
from legal_tracker import audit as svc
from legal_tracker.errors import FieldProblem, Invalid

Text = Annotated[str | None, Parameter(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
When = Annotated[datetime | None, Parameter(description="ISO 8601 with a UTC offset")]


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit"]
    dependencies = ACTOR

    @get("/", responses={**READ_ERRORS, 403: ERRORS[403]})
    async def list_audit(self, actor: CurrentActor, limit: Limit = 50, offset: Offset = 0,
                         actor_id: OptId = None, entity: Text = None, entity_id: Text = None,
                         action: Text = None, since: When = None, until: When = None) -> AuditList:
        """Newest first. Filters: who (``actor_id``), what (``entity``, ``entity_id``,
        ``action``), when (``since`` inclusive, ``until`` exclusive). Admins only."""
        for name, value in (("since", since), ("until", until)):
            if value is not None and value.tzinfo is None:
                raise Invalid(problems=[FieldProblem(name, "must include a UTC offset", "query")])
        result = await svc.list_audit_events(actor, page(limit, offset), actor_id=actor_id,
                                             entity=entity, entity_id=entity_id, action=action,
                                             since=since, until=until)
        return AuditList(items=[read(AuditEventRead, r) for r in result.items],
                         limit=result.limit, offset=result.offset, next_offset=result.next_offset)
