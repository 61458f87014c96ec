"""docker-compose.yml, deploy/Dockerfile and deploy/env.example: valid for Compose, and
holding the properties production needs — checked without a Docker engine."""
from __future__ import annotations

import base64
import fnmatch
import os
import re
import secrets
import subprocess
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from shared.topology import service_classes
from tests.deploy.conftest import DEPLOY, ROOT

# apt-get may have to install docker-compose on the first use.
pytestmark = pytest.mark.timeout(900)

COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = DEPLOY / "env.example"
SERVICES = ["repair", "activity", "volunteer", "job", "notify"]
APP = [*SERVICES, "gateway"]
ONE_SHOTS = ["database-setup", "broker-setup", "topology"]
REQUIRED = re.compile(r"\$\{([A-Z0-9_]+):\?[^}]*\}")


def example_variables() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def filled_env(tmp_path) -> tuple:
    """deploy/env.example with every empty value filled as its comments say to generate it."""
    values = {}
    for name, value in example_variables().items():
        if value:
            values[name] = value
        elif name == "PII_KEY":
            values[name] = base64.b64encode(secrets.token_bytes(32)).decode()
        elif name == "MONGO_REPLICA_KEY":
            values[name] = base64.b64encode(secrets.token_bytes(756)).decode()
        else:
            values[name] = secrets.token_hex(24)
    path = tmp_path / "test.env"
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return path, values


def compose(docker_compose, env_file, *args) -> subprocess.CompletedProcess:
    # A clean environment: the operator's own exported variables must not fill the gaps.
    return subprocess.run(
        [docker_compose, "--env-file", str(env_file), "--project-directory", str(ROOT),
         "-f", str(COMPOSE), "config", *args],
        env={"PATH": os.environ["PATH"], "HOME": str(env_file.parent)},
        capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def resolved(docker_compose, tmp_path_factory):
    env_file, values = filled_env(tmp_path_factory.mktemp("compose"))
    result = compose(docker_compose, env_file)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout), values


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(COMPOSE.read_text())


def test_the_compose_file_is_valid_with_every_secret_set(docker_compose, tmp_path):
    env_file, _ = filled_env(tmp_path)
    result = compose(docker_compose, env_file, "-q")
    assert result.returncode == 0, result.stderr


def test_the_checker_rejects_an_unknown_option(docker_compose, tmp_path):
    """The check above means something: Compose refuses what it does not know."""
    env_file, _ = filled_env(tmp_path)
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("    restart: unless-stopped\n",
                                                  "    restart_policy: unless-stopped\n", 1))
    result = subprocess.run(
        [docker_compose, "--env-file", str(env_file), "--project-directory", str(ROOT),
         "-f", str(broken), "config", "-q"],
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)}, capture_output=True,
        text=True, timeout=120)
    assert result.returncode != 0
    assert "restart_policy" in result.stderr


def test_compose_refuses_to_start_without_the_secrets(docker_compose, tmp_path):
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = compose(docker_compose, empty, "-q")
    assert result.returncode != 0
    assert re.search(r"set [A-Z_]+ in \.env", result.stderr), result.stderr


def test_every_required_variable_is_in_env_example_without_a_value():
    required = set(REQUIRED.findall(COMPOSE.read_text()))
    example = example_variables()
    assert required <= set(example), f"missing from env.example: {required - set(example)}"
    for name in required:
        assert example[name] == "", f"env.example must not carry a value for {name}"
    assert {"PII_KEY", "MONGO_REPLICA_KEY", "MONGO_ROOT_PASSWORD",
            "RABBITMQ_ADMIN_PASSWORD"} <= required


def test_no_password_is_written_in_the_file(raw):
    text = COMPOSE.read_text()
    # Any credential in a URI is an interpolated, required variable.
    for userinfo in re.findall(r"://([^@/\s]+)@", text):
        user, _, password = userinfo.partition(":")
        assert REQUIRED.fullmatch(password), f"literal password in a URI: {userinfo}"
    for name, service in raw["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|PASS$|_KEY$", key) and value:
                assert str(value).startswith("${"), f"{name}: {key} is written in the file"


def test_one_image_for_every_service_and_tool(resolved):
    config, values = resolved
    ours = [*APP, *ONE_SHOTS, "backup"]
    images = {config["services"][name]["image"] for name in ours}
    builds = {(config["services"][name]["build"]["context"],
               config["services"][name]["build"]["dockerfile"]) for name in ours}
    assert images == {values["XIUHUA_IMAGE"]}
    assert builds == {(str(ROOT), "deploy/Dockerfile")}


def test_each_container_runs_its_own_service(resolved):
    config, _ = resolved
    for name in APP:
        assert config["services"][name]["command"] == [
            "nameko", "run", "--config", "deploy/config.yaml", f"services.{name}.service"]


def test_every_service_in_the_code_has_a_container_and_credentials(resolved):
    config, _ = resolved
    names = {cls.name for cls in service_classes()}
    assert names <= set(APP), f"services without a container: {names - set(APP)}"
    for setup in ("database-setup", "broker-setup"):
        listed = config["services"][setup]["environment"]["XIUHUA_SERVICES"].split()
        assert sorted(listed) == sorted(APP)


def test_long_running_containers_have_a_health_check_and_restart(resolved):
    config, _ = resolved
    for name in [*APP, "mongo", "rabbitmq"]:
        service = config["services"][name]
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"][0] == "CMD", name
    for name in SERVICES:
        assert config["services"][name]["healthcheck"]["test"] == [
            "CMD", "python", "deploy/healthcheck.py", name, "--local"]
    assert config["services"]["gateway"]["healthcheck"]["test"] == [
        "CMD", "python", "deploy/healthcheck.py", "--http", "http://127.0.0.1:8000/healthz"]
    for name in ONE_SHOTS:
        assert config["services"][name]["restart"] == "no", name


def test_services_start_after_the_database_users_and_the_topology(resolved):
    config, _ = resolved
    completed = {"condition": "service_completed_successfully"}
    for name in APP:
        depends = config["services"][name]["depends_on"]
        assert depends["topology"] == completed and depends["database-setup"] == completed
    assert config["services"]["topology"]["depends_on"]["broker-setup"] == completed
    assert config["services"]["database-setup"]["depends_on"]["mongo"] == {
        "condition": "service_healthy"}
    assert config["services"]["broker-setup"]["depends_on"]["rabbitmq"] == {
        "condition": "service_healthy"}


def test_each_service_gets_its_own_broker_and_database_credentials(resolved):
    config, values = resolved
    passwords = {name: (values[f"RABBITMQ_{name.upper()}_PASSWORD"],
                        values[f"MONGO_{name.upper()}_PASSWORD"]) for name in APP}
    for name in APP:
        env = config["services"][name]["environment"]
        amqp, mongo = urlparse(env["AMQP_URI"]), urlparse(env["MONGO_URI"])
        assert (amqp.username, amqp.password) == (f"xiuhua-{name}", passwords[name][0])
        assert (mongo.username, mongo.password) == (f"xiuhua-{name}", passwords[name][1])
        assert amqp.path == "/xiuhua"
        others = [p for other, pair in passwords.items() if other != name for p in pair]
        assert not any(p in env["AMQP_URI"] + env["MONGO_URI"] for p in others)
    every = [p for pair in passwords.values() for p in pair]
    assert len(set(every)) == len(every)


def test_mongo_is_a_replica_set_and_the_uris_keep_retryable_writes(resolved):
    config, _ = resolved
    mongo = config["services"]["mongo"]
    assert mongo["command"][:3] == ["mongod", "--replSet", "rs0"]
    assert config["services"]["database-setup"]["command"][-2:] == ["--initiate", "mongo:27017"]
    for name in [*APP, "backup"]:
        env = config["services"][name]["environment"]
        uri = env.get("MONGO_URI") or env["BACKUP_MONGO_URI"]
        options = parse_qs(urlparse(uri).query)
        assert options["replicaSet"] == ["rs0"] and options["authSource"] == ["admin"]
        assert "retryWrites" not in options, f"{name}: retryWrites=false is for SecantusDB only"


def test_personal_data_key_only_where_personal_data_is(resolved):
    config, values = resolved
    for name in SERVICES:
        assert config["services"][name]["environment"]["PII_KEY"] == values["PII_KEY"]
    assert "PII_KEY" not in config["services"]["gateway"]["environment"]


def test_data_lives_in_named_volumes(resolved):
    config, _ = resolved
    assert {"mongo-data", "mongo-config", "rabbitmq-data", "backups"} <= set(config["volumes"])

    def named(service, target):
        """The named volume mounted at target ("source:target:mode" as compose 1.29 prints)."""
        for volume in config["services"][service]["volumes"]:
            source, mounted = volume.split(":")[:2]
            if mounted == target:
                return source if source in config["volumes"] else None
    assert named("mongo", "/data/db") == "mongo-data"
    assert named("rabbitmq", "/var/lib/rabbitmq") == "rabbitmq-data"
    assert named("backup", "/backups") == "backups"


def test_only_the_gateway_and_the_management_ui_are_published_and_on_this_host(resolved):
    config, _ = resolved
    published = {name: service["ports"] for name, service in config["services"].items()
                 if service.get("ports")}
    assert set(published) == {"gateway", "rabbitmq"}
    for ports in published.values():
        assert all(port.startswith("127.0.0.1:") for port in ports), ports


# --- the image -------------------------------------------------------------------------------

def dockerfile_instructions():
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip().split(None, 1) for line in text.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def test_the_image_is_python_311_slim_non_root_without_test_extras():
    instructions = dockerfile_instructions()
    bases = [args.split()[0] for op, args in instructions if op == "FROM"]
    assert bases and all(base == "python:3.11-slim" for base in bases)
    users = [args for op, args in instructions if op == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    installs = " ".join(args for op, args in instructions if op == "RUN" and "pip install" in args)
    assert "pip install ." in installs and "[test]" not in installs


def test_everything_the_image_copies_is_in_the_build_context():
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    assert {".env", ".git", ".venv", ".xiuhua"} <= set(ignored)
    for op, args in dockerfile_instructions():
        if op != "COPY" or args.startswith("--from"):
            continue
        for source in args.split()[:-1]:
            assert (ROOT / source).exists(), f"COPY {source}: not in the project"
            assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), \
                f"COPY {source}: excluded by .dockerignore"


def test_the_pdfs_chinese_font_is_copied_into_the_image():
    """The PDFs (the office report, the dispatch slip) embed the font shipped with the code,
    not one of the system's: the slim image has no CJK font package and needs none, so long as
    the build copies that file in and nothing points the PDFs at a font of the system."""
    from services.gateway.reporting import pdf
    font = pdf.FONT_FILE.relative_to(ROOT).as_posix()
    instructions = dockerfile_instructions()
    last_from = max(i for i, (op, _) in enumerate(instructions) if op == "FROM")
    copies = [(i, args.split()) for i, (op, args) in enumerate(instructions) if op == "COPY"]
    built = [words for i, words in copies if i < last_from and not words[0].startswith("--")]
    assert any(font.startswith(source.rstrip("/") + "/")
               for words in built for source in words[:-1]), f"{font}: not copied to the build"
    final = [words for i, words in copies if i > last_from and words[0] == "--from=build"]
    assert any(f"/app/{font}".startswith(source.rstrip("/") + "/")
               for words in final for source in words[1:-1]), f"{font}: not in the image"
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    parts = font.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    assert not any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes for pattern in ignored)
    deployments = [DEPLOY / "Dockerfile", COMPOSE, *sorted((DEPLOY / "k8s").rglob("*.y*ml"))]
    assert not [p.name for p in deployments if "XIUHUA_REPORT_FONT" in p.read_text()]
