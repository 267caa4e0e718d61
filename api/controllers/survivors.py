"""Survivors and their family contacts."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody, Parameter

from api.controllers.common import (
    ACTOR,
    ERRORS,
    READ_ERRORS,
    CurrentActor,
    Limit,
    Offset,
    OptId,
    PathId,
    Reveal,
    page,
    reveal_set,
)
from api.convert import read, read_page
from api.schemas.common import TEXT, values_of
from api.schemas.survivors import (
    ContactCreate,
    ContactList,
    ContactRead,
    ContactUpdate,
    SurvivorCreate,
    SurvivorList,
    SurvivorRead,
    SurvivorUpdate,
)
from legal_tracker.cases import survivors as svc


class SurvivorController(Controller):
    path = "/api/survivors"
    tags = ["survivors"]
    dependencies = ACTOR

    @get("/", responses=READ_ERRORS)
    async def list_survivors(self, actor: CurrentActor, limit: Limit = 50, offset: Offset = 0,
                             office_id: OptId = None,
                             code: Annotated[str | None, Parameter(max_length=32, pattern=TEXT)] = None,
                             ) -> SurvivorList:
        return read_page(SurvivorList, SurvivorRead, await svc.list_survivors(
            actor, page(limit, offset), office_id=office_id, code=code))

    @post("/", responses=ERRORS)
    async def create_survivor(self, actor: CurrentActor, data: JSONBody[SurvivorCreate]) -> SurvivorRead:
        return read(SurvivorRead, await svc.create_survivor(
            actor, values_of(data, {"office_id": "office"})))

    @get("/{survivor_id:int}", responses=ERRORS)
    async def get_survivor(self, actor: CurrentActor, survivor_id: PathId,
                           reveal: Reveal = None) -> SurvivorRead:
        """``?reveal=legal_name`` shows the legal name to admins, lawyers and caseworkers;
        the read is audited."""
        return read(SurvivorRead, await svc.get_survivor(actor, survivor_id, reveal_set(reveal)))

    @patch("/{survivor_id:int}", responses=ERRORS)
    async def update_survivor(self, actor: CurrentActor, survivor_id: PathId,
                              data: JSONBody[SurvivorUpdate]) -> SurvivorRead:
        return read(SurvivorRead, await svc.update_survivor(actor, survivor_id, values_of(data)))

    @get("/{survivor_id:int}/contacts", responses=READ_ERRORS)
    async def list_contacts(self, actor: CurrentActor, survivor_id: PathId, limit: Limit = 50,
                            offset: Offset = 0) -> ContactList:
        return read_page(ContactList, ContactRead,
                         await svc.list_contacts(actor, survivor_id, page(limit, offset)))

    @post("/{survivor_id:int}/contacts", responses=ERRORS)
    async def create_contact(self, actor: CurrentActor, survivor_id: PathId,
                             data: JSONBody[ContactCreate]) -> ContactRead:
        return read(ContactRead, await svc.create_contact(actor, survivor_id, values_of(data)))


class ContactController(Controller):
    path = "/api/contacts"
    tags = ["survivors"]
    dependencies = ACTOR

    @get("/{contact_id:int}", responses=ERRORS)
    async def get_contact(self, actor: CurrentActor, contact_id: PathId,
                          reveal: Reveal = None) -> ContactRead:
        """``?reveal=phone`` shows the number in clear (audited); otherwise it is masked."""
        return read(ContactRead, await svc.get_contact(actor, contact_id, reveal_set(reveal)))

    @patch("/{contact_id:int}", responses=ERRORS)
    async def update_contact(self, actor: CurrentActor, contact_id: PathId,
                             data: JSONBody[ContactUpdate]) -> ContactRead:
        return read(ContactRead, await svc.update_contact(actor, contact_id, values_of(data)))

    @delete("/{contact_id:int}", responses=ERRORS)
    async def delete_contact(self, actor: CurrentActor, contact_id: PathId) -> None:
        await svc.delete_contact(actor, contact_id)
