"""The documents stay complete: every RPC method of every service is described in
docs/api/<service>.md, and every setting the code reads is in deploy/config.yaml and the README."""
import inspect
import re
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


ROOT = Path(__file__).resolve().parents[2]
# Where code reads a setting: nameko's config (`config.get("X")`, `config["X"]`, a timer's
# interval) or, for what the launcher and tools read before any config, the environment.
CONFIG_READ = re.compile(r'config(?:\.get)?[(\[]\s*"([A-Z][A-Z0-9_]+)"'
                         r'|ConfiguredTimer\.decorator\(\s*"([A-Z][A-Z0-9_]+)"')
ENVIRON_READ = re.compile(r'environ(?:\.get)?[(\[]\s*"([A-Z][A-Z0-9_]+)"')


def settings_read(pattern) -> dict[str, str]:
    found = {}
    for path in sorted([*(ROOT / "services").rglob("*.py"), *(ROOT / "shared").rglob("*.py")]):
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(next(g for g in match.groups() if g), str(path.relative_to(ROOT)))
    return found


def test_the_scan_finds_settings_where_the_code_reads_them():
    """The scan itself: it sees the known ways of reading a setting (else the tests below
    would pass on an empty list)."""
    read = settings_read(CONFIG_READ)
    assert {"AMQP_URI", "EVENT_MAX_ATTEMPTS", "TRANSACTION_CONCURRENCY",
            "FOLLOW_UP_TIMER_SECONDS"} <= set(read)
    assert "XIUHUA_REPORT_FONT" in settings_read(ENVIRON_READ)


def test_every_setting_the_services_read_is_in_the_config_file_and_the_readme():
    config = (ROOT / "deploy" / "config.yaml").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    declared = set(re.findall(r"^([A-Za-z][A-Za-z0-9_]+):", config, re.M))
    read = settings_read(CONFIG_READ)
    assert {name: where for name, where in read.items() if name not in declared} == {}, \
        "settings read by the code but missing from deploy/config.yaml"
    assert {name: where for name, where in read.items() if f"`{name}`" not in readme} == {}, \
        "settings read by the code but missing from the README's table"


def test_every_environment_variable_the_code_reads_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    read = settings_read(ENVIRON_READ)
    assert {name: where for name, where in read.items() if f"`{name}`" not in readme} == {}
