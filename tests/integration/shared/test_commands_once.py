"""A command takes effect once per command id (shared.storage): the caller's id, or else the
request's correlation id, is recorded with the effect and the answer in one transaction, and a
repeat is answered from the record. Ids of calls a worker makes derive from its own
(shared.rpc), so a repeated caller repeats the same ids downstream."""
import uuid

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from shared.errors import ValidationFailed
from shared.messaging import rpc
from shared.rpc import ServiceRpc
from shared.storage import COMMANDS, MongoStore
from shared.unit_of_work import Repository, UnitOfWork, command, query


class Tickets(Repository):
    def take(self, who: str) -> int:
        number = self.uow.next_number("tickets")
        self.collection("tickets").insert_one({"_id": number, "who": who})
        return number

    def count(self) -> int:
        return self.collection("tickets").count_documents({})


class TicketsUnitOfWork(UnitOfWork):
    repositories = {"tickets": Tickets}


@command
def take_ticket(uow, who: str) -> dict:
    return {"number": uow.tickets.take(who), "who": who}


@command(remember=False)
def take_unremembered(uow, who: str) -> dict:
    return {"number": uow.tickets.take(who), "who": who}


@query
def count_tickets(uow) -> int:
    return uow.tickets.count()


class TicketOffice:
    name = "ticketstest"
    store = MongoStore(TicketsUnitOfWork)

    @rpc
    def take(self, who):
        return self.store.run(take_ticket, who)

    @rpc
    def take_unremembered(self, who):
        return self.store.run(take_unremembered, who)

    @rpc
    def count(self):
        return self.store.run(count_tickets)


class Counter:
    """Calls the ticket office twice per request, as the gateway calls a service."""
    name = "countertest"
    office = ServiceRpc("ticketstest")

    @rpc
    def take_two(self, who):
        return [self.office.take(who)["number"], self.office.take(who)["number"]]


def call_as(service_config, command_id: str):
    return ClusterRpcProxy(service_config, timeout=20, context_data={"command_id": command_id})


def test_a_repeated_command_id_is_answered_from_the_record_and_takes_effect_once(
        start_service, service_config, service_db, rpc):
    start_service(TicketOffice)
    key = uuid.uuid4().hex
    with call_as(service_config, key) as proxy:
        first = proxy.ticketstest.take("张清松")
    with call_as(service_config, key) as proxy:
        again = proxy.ticketstest.take("张清松")
    assert again == first
    assert rpc.ticketstest.count() == 1
    stored = service_db("ticketstest")[COMMANDS].find_one({"_id": f"{key}|1"})
    assert stored is not None and stored["handler"].endswith("take_ticket")


def test_the_same_id_for_a_different_request_is_refused_and_changes_nothing(
        start_service, service_config, rpc):
    start_service(TicketOffice)
    key = uuid.uuid4().hex
    with call_as(service_config, key) as proxy:
        proxy.ticketstest.take("张清松")
        with pytest.raises(ValidationFailed) as refused:
            proxy.ticketstest.take("胡明英")
    assert refused.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert rpc.ticketstest.count() == 1


def test_without_an_id_every_request_is_its_own_command(start_service, rpc):
    start_service(TicketOffice)
    numbers = {rpc.ticketstest.take("张清松")["number"] for _ in range(3)}
    assert len(numbers) == 3 and rpc.ticketstest.count() == 3


def test_an_answer_that_must_not_be_kept_is_not_recorded(
        start_service, service_config, service_db, rpc):
    start_service(TicketOffice)
    key = uuid.uuid4().hex
    with call_as(service_config, key) as proxy:
        proxy.ticketstest.take_unremembered("张清松")
    assert service_db("ticketstest")[COMMANDS].count_documents({}) == 0


def test_calls_made_for_a_repeated_request_repeat_their_ids_downstream(
        start_service, service_config, rpc):
    start_service(TicketOffice)
    start_service(Counter)
    key = uuid.uuid4().hex
    with call_as(service_config, key) as proxy:
        first = proxy.countertest.take_two("张清松")
    with call_as(service_config, key) as proxy:
        again = proxy.countertest.take_two("张清松")
    assert again == first and len(set(first)) == 2
    assert rpc.ticketstest.count() == 2
