"""RPC replies go out transient and unconfirmed (a caller waits for them now; a confirm only
added a broker round trip to every call); RPC_REPLY_CONFIRMS brings back nameko's own way.
Either way the caller gets its answer, and typed errors stay typed."""
import pytest

from shared.errors import ValidationFailed
from shared.messaging import ReplyPublisher, rpc


class Echo:
    name = "echotest"

    @rpc
    def echo(self, value):
        if value is None:
            raise ValidationFailed("没有值", fields={"value": ["必填"]})
        return {"value": value}


def test_reply_publisher_is_transient_and_unconfirmed():
    assert ReplyPublisher.use_confirms is False and ReplyPublisher.delivery_mode == 1


@pytest.mark.parametrize("confirms", [False, True])
def test_callers_get_their_answers(start_service, rpc, confirms):
    start_service(Echo, RPC_REPLY_CONFIRMS=confirms)
    assert rpc.echotest.echo("绣花") == {"value": "绣花"}
    with pytest.raises(ValidationFailed):
        rpc.echotest.echo(None)
