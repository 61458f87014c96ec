"""The gateway's web server sends what it writes at once on every connection (TCP_NODELAY):
an answer written in more than one piece is not held back waiting for the client's
acknowledgement of the first."""
import socket

from nameko.web.server import WebServer

from services.gateway.web import GatewayWebServer


def test_every_connection_it_serves_has_nodelay(monkeypatch):
    served = []
    monkeypatch.setattr(WebServer, "process_request",
                        lambda self, sock, address: served.append(sock))
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        accepted, address = listener.accept()
        with client, accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
            GatewayWebServer().process_request(accepted, address)
            assert served == [accepted]
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
