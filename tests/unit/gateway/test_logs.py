"""What the gateway's logs may hold: no query's values, no RPC reply's body."""
import logging

from services.gateway.web import RedactedLog, redact_queries
from shared.rpc import REPLY_BODIES_LEFT_OUT

PHONE, ID_NUMBER = "13912345678", "34118119850101001X"


def test_an_access_line_keeps_the_parameters_names_and_drops_their_values():
    line = (f'127.0.0.1 - - [06/Dec/2026 10:00:00] "GET /api/volunteers?phone={PHONE}'
            f'&id_number={ID_NUMBER}&page=2 HTTP/1.1" 200 1095 0.012')
    assert redact_queries(line) == ('127.0.0.1 - - [06/Dec/2026 10:00:00] '
                                    '"GET /api/volunteers?phone=*&id_number=*&page=* '
                                    'HTTP/1.1" 200 1095 0.012')
    assert redact_queries('"GET /api/work-orders HTTP/1.1" 200') == \
        '"GET /api/work-orders HTTP/1.1" 200'


def test_the_web_servers_log_writes_every_message_redacted(caplog):
    caplog.set_level(logging.DEBUG)
    log = RedactedLog(logging.getLogger("test.web"))
    log.info('"GET /api/job-seekers?phone=%s HTTP/1.1" 200', PHONE)
    log.error(f'request="GET /api/volunteers?id_number={ID_NUMBER} HTTP/1.1" error="reset"')
    log.debug(f"?q=张清松&phone={PHONE}")
    assert [r.getMessage() for r in caplog.records] == [
        '"GET /api/job-seekers?phone=* HTTP/1.1" 200',
        'request="GET /api/volunteers?id_number=* HTTP/1.1" error="reset"', "?q=*&phone=*"]


def test_an_rpc_reply_is_logged_without_its_body(caplog):
    caplog.set_level(logging.DEBUG)
    logger = logging.getLogger("nameko.rpc")
    assert REPLY_BODIES_LEFT_OUT in logger.filters
    logger.debug("RPC reply event complete %s %s", "<RpcReply>",
                 {"result": {"phone": PHONE, "id_number": ID_NUMBER}, "error": None})
    assert [r.getMessage() for r in caplog.records] == [
        "RPC reply event complete <RpcReply> (reply body not logged)"]
