"""deploy/k8s: every manifest valid against the Kubernetes API schemas (strict, offline, one
pinned version), and holding the properties a production cluster needs."""
from __future__ import annotations

import copy
from urllib.parse import parse_qs

import kubernetes_validate
import pytest
import yaml

from shared.topology import service_classes
from tests.deploy.conftest import DEPLOY

K8S = DEPLOY / "k8s"
KUBERNETES_VERSION = "1.32.0"
SERVICES = ["repair", "activity", "volunteer", "job", "notify"]
APP = [*SERVICES, "gateway"]


def kustomization() -> dict:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


def documents() -> list[tuple[str, dict]]:
    found = []
    for name in kustomization()["resources"]:
        for document in yaml.safe_load_all((K8S / name).read_text()):
            if document:
                found.append((name, document))
    return found


def of_kind(kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for _, d in documents() if d["kind"] == kind}


def pod_specs() -> dict[str, dict]:
    """Every pod template, by workload name."""
    specs = {}
    for _, d in documents():
        if d["kind"] in ("Deployment", "Job"):
            specs[d["metadata"]["name"]] = d["spec"]["template"]["spec"]
        elif d["kind"] == "CronJob":
            specs[d["metadata"]["name"]] = d["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return specs


def containers(spec: dict) -> list[dict]:
    return [*spec.get("initContainers", []), *spec["containers"]]


@pytest.mark.parametrize("name,document", documents(),
                         ids=lambda v: v if isinstance(v, str) else v["metadata"]["name"])
def test_every_manifest_is_valid_in_strict_mode(name, document):
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_validator_rejects_an_unknown_field():
    """The check above means something: a misspelt field fails it."""
    deployment = copy.deepcopy(of_kind("Deployment")["xiuhua-repair"])
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessprobe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_every_manifest_and_sets_one_image():
    listed = set(kustomization()["resources"])
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk
    assert [image["name"] for image in kustomization()["images"]] == ["xiuhua"]
    assert kustomization()["namespace"] == "xiuhua"


def test_one_image_for_every_container():
    images = {c["image"] for spec in pod_specs().values() for c in containers(spec)}
    assert images == {"xiuhua"}


def test_a_deployment_per_service_with_replicas_and_a_disruption_budget():
    deployments = of_kind("Deployment")
    budgets = of_kind("PodDisruptionBudget")
    assert set(deployments) == {f"xiuhua-{name}" for name in APP}
    assert {cls.name for cls in service_classes()} <= set(APP)
    for name in APP:
        deployment = deployments[f"xiuhua-{name}"]
        assert deployment["spec"]["replicas"] >= 2, name
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert deployment["spec"]["template"]["metadata"]["labels"] == selector
        assert budgets[f"xiuhua-{name}"]["spec"]["selector"]["matchLabels"] == selector
        assert budgets[f"xiuhua-{name}"]["spec"]["minAvailable"] == 1
        main = deployment["spec"]["template"]["spec"]["containers"][0]
        assert main["command"] == ["nameko", "run", "--config", "deploy/config.yaml",
                                   f"services.{name}.service"]


def test_every_container_has_resource_requests_and_limits_and_runs_restricted():
    for workload, spec in pod_specs().items():
        assert spec["securityContext"]["runAsNonRoot"] is True, workload
        assert spec["automountServiceAccountToken"] is False, workload
        for container in containers(spec):
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][kind]), \
                    f"{workload}/{container['name']}: {kind}"
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["readOnlyRootFilesystem"] is True
            assert context["capabilities"]["drop"] == ["ALL"]


def test_services_are_probed_through_their_health_rpc():
    deployments = of_kind("Deployment")
    for name in SERVICES:
        main = deployments[f"xiuhua-{name}"]["spec"]["template"]["spec"]["containers"][0]
        probe = ["python", "deploy/healthcheck.py", name]
        assert main["readinessProbe"]["exec"]["command"][:4] == [*probe, "--local"]
        assert main["livenessProbe"]["exec"]["command"] == [*probe, "--live"]
        assert main["startupProbe"]["exec"]["command"][:3] == probe
        for kind in ("readinessProbe", "livenessProbe"):
            # The probe's own timeout stays inside Kubernetes's.
            command = main[kind]["exec"]["command"]
            own = float(command[command.index("--timeout") + 1]) if "--timeout" in command else 5
            assert own < main[kind]["timeoutSeconds"], (name, kind)


def test_the_gateway_is_behind_a_service_and_an_ingress_and_probed_over_http():
    spec = of_kind("Deployment")["xiuhua-gateway"]["spec"]["template"]["spec"]
    main = spec["containers"][0]
    assert main["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert main["readinessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert main["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert main["livenessProbe"]["tcpSocket"] == {"port": "http"}
    env = {e["name"]: e for e in main["env"]}
    assert env["WEB_SERVER_ADDRESS"]["value"] == "0.0.0.0:8000"
    service = of_kind("Service")["xiuhua-gateway"]
    assert service["spec"]["selector"] == of_kind("Deployment")["xiuhua-gateway"]["spec"][
        "selector"]["matchLabels"]
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    backend = of_kind("Ingress")["xiuhua-gateway"]["spec"]["rules"][0]["http"]["paths"][0][
        "backend"]["service"]
    assert backend == {"name": "xiuhua-gateway", "port": {"name": "http"}}
    assert of_kind("Ingress")["xiuhua-gateway"]["spec"]["tls"]


def test_secrets_are_referenced_never_written():
    assert not of_kind("Secret"), "Secrets are created out of band, never committed"
    for workload, spec in pod_specs().items():
        for container in containers(spec):
            for variable in container.get("env", []):
                if any(word in variable["name"] for word in ("PASSWORD", "PII_KEY")):
                    assert "value" not in variable, f"{workload}: {variable['name']} is written"
                    assert variable["valueFrom"]["secretKeyRef"]["name"].startswith("xiuhua-")


def test_each_service_uses_its_own_credentials():
    deployments = of_kind("Deployment")
    for name in APP:
        spec = deployments[f"xiuhua-{name}"]["spec"]["template"]["spec"]
        for container in containers(spec):
            env = {e["name"]: e for e in container["env"]}
            refs = {e["valueFrom"]["secretKeyRef"]["name"] for e in env.values()
                    if "valueFrom" in e} - {"xiuhua-pii"}
            assert refs == {f"xiuhua-{name}"}, (name, container["name"], refs)
            assert env["AMQP_URI"]["value"].startswith(f"$(AMQP_SCHEME)://xiuhua-{name}:")
            if "MONGO_URI" in env:
                assert env["MONGO_URI"]["value"].startswith(f"mongodb://xiuhua-{name}:")
        main_env = {e["name"] for e in spec["containers"][0]["env"]}
        assert ("PII_KEY" in main_env) == (name != "gateway")


def test_the_topology_job_runs_before_services_start():
    job = of_kind("Job")["xiuhua-topology"]["spec"]["template"]["spec"]["containers"][0]
    assert job["command"][:2] == ["python", "deploy/topology.py"]
    assert "--wait" not in job["command"]
    for name in APP:
        spec = of_kind("Deployment")[f"xiuhua-{name}"]["spec"]["template"]["spec"]
        assert spec["initContainers"][0]["command"][:3] == [
            "python", "deploy/topology.py", "--wait"]


def test_the_cluster_settings_ask_for_majority_writes_retryable_writes_and_tls():
    data = of_kind("ConfigMap")["xiuhua-config"]["data"]
    options = parse_qs(data["MONGO_OPTIONS"])
    assert options["w"] == ["majority"] and options["retryWrites"] == ["true"]
    assert options["tls"] == ["true"] and "tlsCAFile" in options
    assert len(data["MONGO_HOSTS"].split(",")) == 3
    assert data["AMQP_SCHEME"] == "amqps" and data["AMQP_PORT"] == "5671"
    assert yaml.safe_load(data["AMQP_SSL"])["cert_reqs"] == 2
    assert sorted(data["XIUHUA_SERVICES"].split()) == sorted(APP)


def test_a_nightly_backup_of_every_service():
    cron = of_kind("CronJob")["xiuhua-backup"]
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    container = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert "python deploy/backup.py dump --all --gzip" in " ".join(container["command"])
