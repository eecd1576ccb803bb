"""Kubernetes manifests (deploy/k8s, kustomize): every object validates against the Kubernetes
schemas of the target version (kubernetes-validate ships them: works offline), the
kustomization lists every manifest, workloads have probes, requests, replicas and disruption
budgets, the RabbitMQ definitions make the event queues quorum queues, every process starts in
production from the environment its manifest gives it, and images are pinned."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from stack.testkit import load_script

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy/k8s"
TARGET_VERSIONS = ("1.30.0", "1.34.0")   # oldest supported and current Kubernetes here
PLATFORM = {"gateway", "plans", "notifications", "monitoring"}


def manifest_files() -> list[Path]:
    return sorted(p for p in K8S.rglob("*.yaml") if p.name != "kustomization.yaml")


def objects() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, doc) for path in manifest_files()
            for doc in yaml.safe_load_all(path.read_text()) if doc]


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in objects() if doc["kind"] == kind}


def kustomization() -> dict[str, Any]:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


def test_kustomization_lists_every_manifest_and_every_generated_file_exists():
    listed = kustomization()["resources"]
    assert sorted(listed) == sorted(str(p.relative_to(K8S)) for p in manifest_files())
    for generator in kustomization()["configMapGenerator"]:
        for file in generator["files"]:
            assert (K8S / file).is_file(), file
    # the workloads reference the generated ConfigMaps by their base names
    generated = {g["name"] for g in kustomization()["configMapGenerator"]}
    referenced = {v["configMap"]["name"] for _, doc in objects()
                  if doc["kind"] in {"Deployment", "StatefulSet"}
                  for v in doc["spec"]["template"]["spec"].get("volumes", [])
                  if "configMap" in v}
    assert referenced <= generated | set(by_kind("ConfigMap"))


@pytest.mark.parametrize("version", TARGET_VERSIONS)
def test_every_manifest_validates_against_the_kubernetes_schemas(version):
    checked = 0
    for path, doc in objects():
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{path.relative_to(ROOT)} {doc['kind']}/{doc['metadata']['name']}: "
                        f"{exc.message} at {'/'.join(map(str, exc.path))}")
        checked += 1
    assert checked >= 20


def test_the_validator_rejects_a_wrong_manifest():
    deployment = json.loads(json.dumps(by_kind("Deployment")["plans"]))
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"][
        "port"] = ["not", "a", "port"]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, TARGET_VERSIONS[0], strict=True)
    deployment = json.loads(json.dumps(by_kind("Deployment")["plans"]))
    deployment["spec"]["replica"] = 3   # typo: strict validation refuses unknown fields
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, TARGET_VERSIONS[0], strict=True)


def containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return list(doc["spec"]["template"]["spec"]["containers"])


def test_services_run_several_replicas_with_probes_requests_and_scrape_annotations():
    deployments = by_kind("Deployment")
    assert set(deployments) == PLATFORM
    for name, deployment in deployments.items():
        assert deployment["spec"]["replicas"] >= 2, name
        pod = deployment["spec"]["template"]
        annotations = pod["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/port"] == ("8000" if name == "gateway" else "9100")
        main = containers(deployment)[0]
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            assert main[probe]["httpGet"]["path"] in {"/healthz", "/readyz"}, (name, probe)
        if name == "gateway":  # one backend down must not take the whole API out
            assert main["readinessProbe"]["httpGet"]["path"] == "/healthz"
        else:
            assert main["readinessProbe"]["httpGet"]["path"] == "/readyz"
            assert main["args"] == [f"services.{name}.service:{main['args'][0].split(':')[1]}"]
        assert {"cpu", "memory"} <= set(main["resources"]["requests"]), name
        assert "memory" in main["resources"]["limits"], name
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
        env = {e["name"]: e for e in main["env"]}
        assert "secretKeyRef" in env["RABBITMQ_PASS"]["valueFrom"]
        assert "$(RABBITMQ_PASS)" in env["AMQP_URI"]["value"]
        assert "replicaSet=rs0" in env["MONGODB_URI"]["value"]


def test_every_workload_has_a_disruption_budget():
    budgets = by_kind("PodDisruptionBudget")
    workloads = {**by_kind("Deployment"), **by_kind("StatefulSet")}
    covered = {b["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
               for b in budgets.values()}
    labels = {w["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
              for w in workloads.values()}
    assert labels == covered == PLATFORM | {"rabbitmq", "mongodb", "redis"}


def test_rabbitmq_is_a_three_node_cluster_and_mongodb_a_three_member_replica_set():
    sets = by_kind("StatefulSet")
    rabbit, mongo = sets["rabbitmq"], sets["mongodb"]
    assert rabbit["spec"]["replicas"] == mongo["spec"]["replicas"] == 3
    conf = (K8S / "rabbitmq/rabbitmq.conf").read_text()
    assert "rabbit_peer_discovery_k8s" in conf
    assert "rabbitmq_peer_discovery_k8s" in (K8S / "rabbitmq/enabled_plugins").read_text()
    assert "rabbitmq_prometheus" in (K8S / "rabbitmq/enabled_plugins").read_text()
    assert rabbit["spec"]["template"]["spec"]["serviceAccountName"] in by_kind("ServiceAccount")
    args = containers(mongo)[0]["args"]
    assert args[args.index("--replSet") + 1] == "rs0" and "--keyFile" in args
    script = (K8S / "mongodb/init-replica-set.sh").read_text()
    assert "rs.initiate" in script and "createUser" in script
    hosts = by_kind("ConfigMap")["campaign-config"]["data"]["MONGODB_HOSTS"].split(",")
    assert [h.split(".")[0] for h in hosts] == ["mongodb-0", "mongodb-1", "mongodb-2"]


def load_quorum_module() -> Any:
    return load_script(K8S / "rabbitmq/quorum_definitions.py")


def test_event_queues_are_quorum_queues_in_a_quorum_default_vhost():
    module = load_quorum_module()
    committed = (K8S / "rabbitmq/definitions.json").read_text()
    assert committed == module.render(), "run python deploy/k8s/rabbitmq/quorum_definitions.py"
    definitions = json.loads(committed)
    generated = json.loads((ROOT / "deploy/rabbitmq/definitions.json").read_text())
    assert [q["name"] for q in definitions["queues"]] == [q["name"] for q in generated["queues"]]
    assert definitions["bindings"] == generated["bindings"]
    for queue in definitions["queues"]:
        assert queue["durable"] and not queue["auto_delete"]
        assert queue["arguments"]["x-queue-type"] == "quorum", queue["name"]
    # nameko declares the same queues without arguments: equivalent only with this default
    assert [v["metadata"]["default_queue_type"] for v in definitions["vhosts"]] == ["quorum"]


def test_rabbitmq_init_container_renders_the_users_into_the_definitions(
        tmp_path, env_file, filled_in_env):
    # The init container, run as written, on the ConfigMap's files and the Secret's values:
    # the broker imports the platform's user and each subscribing system's at every start.
    rabbit = by_kind("StatefulSet")["rabbitmq"]
    prepare = rabbit["spec"]["template"]["spec"]["initContainers"][0]
    mounts = {m["name"]: m["mountPath"] for m in prepare["volumeMounts"]}
    volumes = {v["name"]: v for v in rabbit["spec"]["template"]["spec"]["volumes"]}
    script = prepare["command"][2]
    for name, mount in mounts.items():
        (tmp_path / name).mkdir()
        script = script.replace(f"{mount}/", f"{tmp_path / name}/")
    config = config_maps(env_file)[volumes["config"]["configMap"]["name"]]
    for file, content in config.items():
        (tmp_path / "config" / file).write_text(content)
    secret_data = secrets(filled_in_env)
    secret_data["campaign-secrets"]["event-subscribers"] = "portal:portal-password-0123456"
    for item in volumes["cookie"]["secret"]["items"]:
        (tmp_path / "cookie" / item["path"]).write_text(
            secret_data[volumes["cookie"]["secret"]["secretName"]][item["key"]])
    env = container_env(prepare, {}, secret_data, "rabbitmq init container")
    subprocess.run(["sh", "-c", script], env={**os.environ, **env}, check=True, timeout=30)
    rendered = json.loads((tmp_path / "definitions/definitions.json").read_text())
    assert [(u["name"], u["password"]) for u in rendered["users"]] == [
        (env["RABBITMQ_USER"], env["RABBITMQ_PASS"]), ("ext-portal", "portal-password-0123456")]
    assert [p["user"] for p in rendered["permissions"]] == [env["RABBITMQ_USER"], "ext-portal"]
    assert rendered["vhosts"][0]["metadata"]["default_queue_type"] == "quorum"
    assert (tmp_path / "data/.erlang.cookie").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "definitions/definitions.json").stat().st_mode & 0o077 == 0
    assert volumes["definitions"]["emptyDir"]["medium"] == "Memory"   # never on a disk
    conf = (K8S / "rabbitmq/rabbitmq.conf").read_text()
    broker_mounts = {m["mountPath"] for m in containers(rabbit)[0]["volumeMounts"]}
    path = conf.split("load_definitions = ")[1].split()[0]
    assert path == "/etc/rabbitmq/definitions.d/definitions.json"
    assert str(Path(path).parent) in broker_mounts


def test_secrets_are_never_in_the_manifests():
    assert by_kind("Secret") == {}
    example = (K8S / "secrets.env.example").read_text()
    keys = {line.split("=", 1)[0] for line in example.splitlines()
            if line and not line.startswith("#")}
    wanted = {ref["secretKeyRef"]["key"] for _, doc in objects()
              if doc["kind"] in {"Deployment", "StatefulSet"}
              for c in [*containers(doc), *doc["spec"]["template"]["spec"].get(
                  "initContainers", [])]
              for ref in (e.get("valueFrom", {}) for e in c.get("env", []))
              if "secretKeyRef" in ref}
    wanted |= {item["key"] for _, doc in objects() if doc["kind"] == "StatefulSet"
               for v in doc["spec"]["template"]["spec"]["volumes"] if "secret" in v
               for item in v["secret"]["items"]}
    assert wanted == keys


def generated_data(generator: dict[str, Any], read_env: Any) -> dict[str, str]:
    """The data of a kustomize config map or secret generator (`envs`, `literals`, `files`);
    an env file that is never committed (secrets) is read from its `.example`."""
    data: dict[str, str] = {}
    for env_file in generator.get("envs", []):
        path = K8S / env_file
        data.update(read_env(path if path.exists() else path.with_name(path.name + ".example")))
    for literal in generator.get("literals", []):
        key, _, value = literal.partition("=")
        data[key] = value
    for file in generator.get("files", []):
        key, _, path = file.rpartition("=")
        data[key or Path(path).name] = (K8S / path).read_text()
    return data


def config_maps(read_env: Any) -> dict[str, dict[str, str]]:
    maps = {name: dict(doc.get("data", {})) for name, doc in by_kind("ConfigMap").items()}
    for generator in kustomization().get("configMapGenerator", []):
        maps[generator["name"]] = generated_data(generator, read_env)
    return maps


def secrets(filled_in_env: Any) -> dict[str, dict[str, str]]:
    """The Secrets a deployment reads: the one the operator creates from the example, as its
    first line says (`kubectl create secret generic NAME --from-env-file=...`), filled in,
    and any the kustomization generates."""
    example = K8S / "secrets.env.example"
    created = re.search(r"create secret generic (\S+) --from-env-file", example.read_text())
    assert created, "secrets.env.example says how its Secret is created"
    found = {created.group(1): filled_in_env(example)}
    for generator in kustomization().get("secretGenerator", []):
        found[generator["name"]] = generated_data(generator, filled_in_env)
    return found


def container_env(container: dict[str, Any], maps: dict[str, dict[str, str]],
                  secret_data: dict[str, dict[str, str]], where: str) -> dict[str, str]:
    """The environment Kubernetes gives a container: `envFrom` first, then `env` in order,
    `$(NAME)` expanded from the names defined before it."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        kind = "configMapRef" if "configMapRef" in source else "secretRef"
        name = source[kind]["name"]
        data = (maps if kind == "configMapRef" else secret_data).get(name)
        if data is None:
            assert source[kind].get("optional"), f"{where}: no {kind} {name}"
            continue
        env.update({source.get("prefix", "") + key: value for key, value in data.items()})
    for entry in container.get("env", []):
        if "value" in entry:
            env[entry["name"]] = re.sub(r"\$\((\w+)\)",
                                        lambda m: env.get(m.group(1), m.group(0)),
                                        str(entry["value"]))
            continue
        ref = entry["valueFrom"]
        if "fieldRef" in ref or "resourceFieldRef" in ref:
            env[entry["name"]] = "from-the-pod"
            continue
        kind = "secretKeyRef" if "secretKeyRef" in ref else "configMapKeyRef"
        key_ref = ref[kind]
        data = (secret_data if kind == "secretKeyRef" else maps).get(key_ref["name"], {})
        if key_ref["key"] in data:
            env[entry["name"]] = data[key_ref["key"]]
        else:
            assert key_ref.get("optional"), \
                f"{where}: {entry['name']} needs {key_ref['name']}/{key_ref['key']}"
    unresolved = {key: value for key, value in env.items() if "$(" in value}
    assert not unresolved, f"{where}: references defined nowhere before them: {unresolved}"
    return env


def workload_containers() -> list[tuple[str, dict[str, Any]]]:
    return [(f"{doc['kind']}/{doc['metadata']['name']}", container)
            for _, doc in objects() if doc["kind"] in {"Deployment", "StatefulSet"}
            for container in [*containers(doc),
                              *doc["spec"]["template"]["spec"].get("initContainers", [])]]


def test_every_process_starts_in_production_from_the_manifests_env(
        process_settings, env_file, filled_in_env, processes, own_image):
    # ACK_LINK_SECRET was required in production and given by no manifest: notifications
    # crash-looped. Load each process's settings from exactly what Kubernetes would give it.
    maps, secret_data = config_maps(env_file), secrets(filled_in_env)
    started = {}
    for where, container in workload_containers():
        env = container_env(container, maps, secret_data, where)
        if own_image(container["image"]):
            process, settings = process_settings(container["args"], env, where)
            started[process] = settings
    assert set(started) == processes
    for process, settings in started.items():
        if hasattr(settings, "metrics_host"):   # the kubelet's probes and Prometheus: pod IP
            assert settings.metrics_host == "0.0.0.0", process


def test_every_image_is_pinned_to_a_version(pinned_version, release, own_image):
    for where, container in workload_containers():
        image = container["image"]
        assert pinned_version(image), f"{where}: {image} is not pinned to a version"
        if own_image(image):
            assert pinned_version(image) == release, f"{where}: tag the image {release}"
    for override in kustomization().get("images", []):
        reference = (f"{override['name']}@{override['digest']}" if "digest" in override
                     else f"{override['name']}:{override.get('newTag', '')}")
        assert pinned_version(reference), f"kustomization images: {override}"
        if own_image(override["name"]):
            assert override.get("digest") or override["newTag"] == release, override
