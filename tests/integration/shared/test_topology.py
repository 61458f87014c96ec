from services.repair.service import RepairService
from shared import topology
from shared.messaging import EventSubscriber


def test_topology_declares_the_queues_the_handlers_consume(start_service, service_config):
    container = start_service(RepairService)
    consumed = sorted(e.queue.name for e in container.entrypoints
                      if isinstance(e, EventSubscriber))
    assert consumed and sorted(q.name for q in topology.subscriptions(RepairService)) == consumed
    declared = topology.declare(service_config["AMQP_URI"], [RepairService])
    assert set(consumed) | {"repair.dead-letters"} == set(declared)


def test_every_service_package_is_found():
    assert "repair" in [cls.name for cls in topology.service_classes()]
