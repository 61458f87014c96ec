"""AMQP_SSL reaches every connection a service makes, not only nameko's own: on a broker that
speaks TLS only, with a certificate from a private CA, the outbox relay publishes, the retry
and dead-letter publishers deliver, the health report counts dead letters and the topology
step declares the queues — each with the options of AMQP_SSL (the CA, a checked host name)."""
from __future__ import annotations

import datetime

import kombu
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from marshmallow import fields
from nameko.dependency_providers import Config
from nameko.standalone.rpc import ClusterRpcProxy

from shared import topology
from shared.events import EventType
from shared.health import health_report
from shared.messaging import dead_letter_queue, handle_event, rpc
from shared.schemas import Schema
from shared.storage import MongoStore
from shared.unit_of_work import UnitOfWork, command
from tests.conftest import TEST_PII_KEY, require, wait_until
from tests.e2e.harness import PrivateRabbit

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


class NoteTaken(Schema):
    key = fields.String(required=True)


NOTE_TAKEN = EventType("tlsproducer", "note_taken", NoteTaken, "测试事件")


@command
def take_note(uow, key):
    uow.emit(NOTE_TAKEN, {"key": key})


@command
def keep_note(uow, key):
    uow.collection("notes").insert_one({"_id": key})


class Producer:
    name = "tlsproducer"
    store = MongoStore(UnitOfWork)
    config = Config()

    @rpc
    def take(self, key):
        self.store.run(take_note, key)

    @rpc
    def health(self):
        return health_report(self.name, self.store, self.config)



class Consumer:
    name = "tlsconsumer"
    store = MongoStore(UnitOfWork)
    config = Config()

    @handle_event(NOTE_TAKEN)
    def keep(self, event):
        if event.data["key"] == "poison":
            raise RuntimeError("this note can never be kept")
        self.store.run(keep_note, event.data["key"])

    @rpc
    def health(self):
        return health_report(self.name, self.store, self.config)



def certificates(folder) -> dict:
    """A private CA and a certificate for localhost signed by it."""
    def name(common):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("xiuhua test CA"))
          .issuer_name(name("xiuhua test CA")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now)
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(name("localhost")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    files = {"cacertfile": folder / "ca.pem", "certfile": folder / "server.pem",
             "keyfile": folder / "server.key"}
    files["cacertfile"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files["certfile"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files["keyfile"].write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()))
    return {k: str(v) for k, v in files.items()}


@pytest.fixture(scope="module")
def tls_rabbit(tmp_path_factory):
    require(PrivateRabbit.available(),
            "RabbitMQ is not installed here: the TLS test needs a private rabbitmq-server node")
    folder = tmp_path_factory.mktemp("tls-rabbit")
    node = PrivateRabbit(folder / "node", tls=certificates(folder))
    node.start()
    yield node
    node.close()


def test_every_broker_connection_uses_amqp_ssl(tls_rabbit, container_factory, mongo_uri,
                                               db_prefix, service_db):
    with pytest.raises(Exception):  # the broker speaks TLS only
        with kombu.Connection(tls_rabbit.uri, connect_timeout=3) as plain:
            plain.ensure_connection(max_retries=1)
    config = {"AMQP_URI": tls_rabbit.uri, "AMQP_SSL": tls_rabbit.ssl, "MONGO_URI": mongo_uri,
              "MONGO_DB_PREFIX": db_prefix, "PII_KEY": TEST_PII_KEY, "EVENT_MAX_ATTEMPTS": 2,
              "EVENT_RETRY_DELAY": 0.05, "OUTBOX_POLL_SECONDS": 0.2}
    declared = topology.declare(tls_rabbit.uri, [Consumer], ssl=tls_rabbit.ssl)
    assert "tlsconsumer.dead-letters" in declared
    for cls in (Producer, Consumer):
        container_factory(cls, config).start()

    with ClusterRpcProxy(config, timeout=30) as proxy:
        for key in ("first", "poison", "second"):
            proxy.tlsproducer.take(key)
        notes = service_db("tlsconsumer").notes
        wait_until(lambda: notes.count_documents({}) == 2, timeout=30)  # relay, over TLS
        report = wait_until(lambda: (lambda r: r if r["broker"].get("dead_letters") else None)(
            proxy.tlsconsumer.health()), timeout=30)  # retried, then dead-lettered
        assert report["status"] == "ok" and report["broker"]["dead_letters"] == 1
        assert proxy.tlsproducer.health()["database"]["outbox_backlog"] == 0
    with kombu.Connection(tls_rabbit.uri, ssl=tls_rabbit.ssl) as connection:
        dead = dead_letter_queue("tlsconsumer")(connection.channel()).get(no_ack=True)
    assert "this note can never be kept" in dead.headers["x-dead-letter-reason"]
