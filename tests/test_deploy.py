"""deploy/: the k8s manifests validate offline, compose resolves, and both only use commands of the
CLI and environment variables that ``stancestream.shared.settings.Settings`` reads."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel
from typer.testing import CliRunner

from stancestream.services.cli.main import SERVICE_SPECS, app
from stancestream.shared.settings import Settings
from stancestream.shared.streams import GROUPS

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
COMPOSES = [ROOT / "docker-compose.yml", ROOT / "deploy" / "docker-compose.yml"]
K8S_VERSION = "1.30"
INFRA = {"redis", "postgres"}  # third-party images in compose: not our CLI or settings


def kustomization() -> dict[str, Any]:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


def manifests() -> list[dict[str, Any]]:
    docs = []
    for name in kustomization()["resources"]:
        docs += [d for d in yaml.safe_load_all((K8S / name).read_text()) if d]
    return docs


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [d for d in manifests() if d["kind"] == kind]


def compose(path: Path = COMPOSES[0]) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def test_kustomization_lists_every_manifest():
    k = kustomization()
    assert k["kind"] == "Kustomization"
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(k["resources"]) == on_disk


def test_core_manifests_match_kubernetes_schemas():
    kv = pytest.importorskip("kubernetes_validate", reason="pip install -e '.[test]'")
    checked = 0
    for doc in manifests():
        if doc["apiVersion"].startswith("keda.sh/"):
            continue
        kv.validate(doc, K8S_VERSION, strict=True)  # strict: unknown fields are errors
        checked += 1
    assert checked >= 15


def test_keda_objects_match_the_keda_crd_models():
    """KEDA's CRD schemas as pydantic models (cloudcoil-models-keda, generated from the CRDs).
    They ignore unknown fields, so a round trip must give the document back unchanged."""
    keda = pytest.importorskip("cloudcoil.models.keda.v1alpha1", reason="pip install -e '.[test]'")
    for doc in of_kind("ScaledObject") + of_kind("TriggerAuthentication"):
        model = getattr(keda, doc["kind"]).model_validate(doc)
        assert model.model_dump(by_alias=True, exclude_unset=True, mode="json") == doc


def test_scaled_objects_cover_every_consumer_group():
    deployments = {d["metadata"]["name"] for d in of_kind("Deployment")}
    auths = {d["metadata"]["name"] for d in of_kind("TriggerAuthentication")}
    seen = set()
    for so in of_kind("ScaledObject"):
        target = so["spec"]["scaleTargetRef"]["name"]
        assert target in deployments
        for trig in so["spec"]["triggers"]:
            assert trig["type"] == "redis-streams"
            assert trig["authenticationRef"]["name"] in auths
            md = trig["metadata"]
            assert int(md["lagCount"]) > 0 and "pendingEntriesCount" not in md
            assert all(isinstance(v, str) for v in md.values())  # KEDA metadata is string-only
            seen.add((target, md["stream"], md["consumerGroup"]))
    expected = {(svc.split("-")[0], stream, group) for svc, (stream, group) in GROUPS.items()}
    assert seen == expected


def test_probes_use_the_ports_the_settings_serve():
    config = of_kind("ConfigMap")[0]["data"]
    settings = Settings.model_validate({})
    metrics_port = int(config["STANCESTREAM_WORKER__METRICS_PORT"])
    api_port = int(config.get("STANCESTREAM_STORAGE__PORT", settings.storage.port))
    for dep in of_kind("Deployment"):
        (c,) = dep["spec"]["template"]["spec"]["containers"]
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        assert ports["metrics"] == metrics_port
        live, ready = c["livenessProbe"]["httpGet"], c["readinessProbe"]["httpGet"]
        assert (live["path"], ports[live["port"]]) == ("/health", metrics_port)
        if dep["metadata"]["name"] == "storage":
            assert (ready["path"], ports[ready["port"]]) == ("/health", api_port)
        else:
            assert (ready["path"], ports[ready["port"]]) == ("/ready", metrics_port)
    names = {d["metadata"]["name"] for d in of_kind("Deployment")}
    assert names == set(SERVICE_SPECS)
    assert {d["metadata"]["name"] for d in of_kind("PodDisruptionBudget")} == names


# ---- commands and environment variables ----------------------------------------------------
def used_commands() -> list[list[str]]:
    cmds = [
        svc["command"]
        for name, svc in compose()["services"].items()
        if name not in INFRA and "command" in svc
    ]
    for dep in of_kind("Deployment"):
        cmds += [c["args"] for c in dep["spec"]["template"]["spec"]["containers"]]
    return cmds


def used_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for path in COMPOSES:
        for name, svc in compose(path)["services"].items():
            if name not in INFRA:
                env.update({k: str(v) for k, v in (svc.get("environment") or {}).items()})
    for cm in of_kind("ConfigMap"):
        env.update({k: v for k, v in cm.get("data", {}).items() if k.isupper()})
    for sec in of_kind("Secret"):
        if sec["metadata"]["name"] == "stancestream-secrets":  # the one pods get (envFrom)
            env.update(sec["stringData"])
    for dep in of_kind("Deployment"):
        for c in dep["spec"]["template"]["spec"]["containers"]:
            env.update({e["name"]: e.get("value", "") for e in c.get("env", [])})
            for src in c.get("envFrom", []):
                ref = src.get("configMapRef") or src.get("secretRef")
                assert ref["name"] in {d["metadata"]["name"] for d in manifests()}
    return env


def settings_field(env_name: str) -> bool:
    """Whether ``Settings`` reads ``env_name`` (REDIS_URL, DATABASE_URL, STANCESTREAM_A__B)."""
    if env_name in ("REDIS_URL", "DATABASE_URL"):
        return True
    if not env_name.startswith("STANCESTREAM_"):
        return False
    model: type[BaseModel] | None = Settings
    for part in env_name.removeprefix("STANCESTREAM_").lower().split("__"):
        if model is None or part not in model.model_fields:
            return False
        ann = model.model_fields[part].annotation
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
    return True


def test_every_command_exists_in_the_cli():
    cmds = used_commands()
    assert len(cmds) >= 8
    runner = CliRunner()
    for cmd in cmds:
        res = runner.invoke(app, [*cmd, "--help"])
        assert res.exit_code == 0, f"`stancestream {' '.join(cmd)}` is not a command: {res.output}"
        if cmd[0] == "service":
            assert cmd[1] in SERVICE_SPECS


def test_every_env_var_is_a_setting_and_parses(monkeypatch):
    env = used_env()
    assert {"REDIS_URL", "DATABASE_URL", "STANCESTREAM_WORKER__METRICS_PORT"} <= set(env)
    unknown = sorted(k for k in env if not settings_field(k))
    assert not unknown, f"not read by stancestream.shared.settings.Settings: {unknown}"
    assert not settings_field("STANCESTREAM_WORKER__NO_SUCH") and not settings_field("FOO")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    s = Settings()  # the values parse too (ports are ints, feeds a JSON list, ...)
    assert s.worker.metrics_port == 9100 and s.redis_url


# ---- docker-compose -----------------------------------------------------------------------
def test_compose_files_define_healthchecks_and_replicas():
    for path in COMPOSES:
        services = compose(path)["services"]
        assert set(SERVICE_SPECS) | INFRA == set(services)
        for name, svc in services.items():  # (YAML merge keys resolved: x-worker included)
            assert "healthcheck" in svc, name
            if name not in INFRA:
                assert svc["deploy"]["replicas"] >= 1, name


def test_docker_compose_config():
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.skip("docker-compose is not installed (Debian: apt-get install docker-compose)")
    outputs = []
    for path in COMPOSES:
        res = subprocess.run(
            [exe, "-p", "stancestream", "-f", str(path), "config"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert res.returncode == 0, res.stderr
        subprocess.run([exe, "-f", str(path), "config", "-q"], check=True, timeout=60)
        outputs.append(res.stdout)
    assert outputs[0] == outputs[1], "deploy/docker-compose.yml differs from docker-compose.yml"
