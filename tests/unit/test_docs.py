"""The RPC API documents stay complete: every RPC method of every service is described in
docs/api/<service>.md."""
import inspect
from pathlib import Path

import pytest
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.rpc import Rpc

from shared.topology import service_classes

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api"


def rpc_methods(cls):
    return [name for name, method in inspect.getmembers(cls, inspect.isfunction)
            if any(isinstance(e, Rpc) for e in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()))]


@pytest.mark.parametrize("cls", service_classes(), ids=lambda cls: cls.name)
def test_every_rpc_method_is_documented(cls):
    document = DOCS / f"{cls.name}.md"
    assert document.exists(), f"{document} is missing"
    text = document.read_text()
    missing = [name for name in rpc_methods(cls) if f"`{name}`" not in text]
    assert not missing, f"{document.name} does not describe {missing}"
