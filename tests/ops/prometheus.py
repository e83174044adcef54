"""Debian's ``prometheus`` and ``promtool`` for the tests (never a fake): the shipped rules
rendered with thresholds a test chooses, a Prometheus on a free loopback port scraping a
wiretype server every second, and its HTTP API read with bounded waits. ``make test`` and
``.ci/run`` install the package when missing (``make system``)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import Any

from tests.runtime.redis_server import free_port

REPO = Path(__file__).resolve().parents[2]
RULES_DIR = REPO / "ops" / "prometheus"


def binary(name: str) -> str:
    found = shutil.which(name)
    for candidate in (f"/usr/bin/{name}", f"/usr/sbin/{name}"):
        if found is None and Path(candidate).exists():
            found = candidate
    if found is None:
        raise RuntimeError(
            f"{name} is not installed: run `make system` (apt-get install prometheus)"
        )
    return found


def render_module() -> ModuleType:
    """``ops/prometheus/render.py`` (a script, not a package), imported by path."""
    spec = importlib.util.spec_from_file_location("wiretype_ops_render", RULES_DIR / "render.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def promtool(*args: str, cwd: Path = RULES_DIR) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary("promtool"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class Prometheus:
    """One prometheus process scraping ``targets`` every second with ``rules``."""

    def __init__(self, folder: Path, targets: list[str], rules: str) -> None:
        self.folder = folder
        self.port = free_port()
        (folder / "rules.yml").write_text(rules)
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(folder / "rules.yml")],
            "scrape_configs": [{"job_name": "wiretype", "static_configs": [{"targets": targets}]}],
        }
        (folder / "prometheus.yml").write_text(json.dumps(config))  # JSON is YAML
        self.process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._log = (self.folder / "prometheus.log").open("wb")
        self.process = subprocess.Popen(
            [
                binary("prometheus"),
                f"--config.file={self.folder / 'prometheus.yml'}",
                f"--storage.tsdb.path={self.folder / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--log.level=warn",
            ],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=5) as reply:
            return json.loads(reply.read())

    async def api(self, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._get, f"/api/v1/{path}{query}")

    async def ready(self) -> None:
        """Until the HTTP API answers and the target was scraped (bounded by the caller)."""
        while True:
            assert self.process is not None and self.process.poll() is None, self.log()
            try:
                found = await self.api("query", query="up")
            except (urllib.error.URLError, ConnectionError, OSError):
                found = None
            if found and any(r["value"][1] == "1" for r in found["data"]["result"]):
                return
            await asyncio.sleep(0.1)

    async def alerts(self) -> dict[str, str]:
        """alertname -> state (pending or firing) of the alerts active now."""
        found = await self.api("alerts")
        return {a["labels"]["alertname"]: a["state"] for a in found["data"]["alerts"]}

    async def query(self, expr: str) -> Any:
        return await self.api("query", query=expr)

    def log(self) -> str:
        path = self.folder / "prometheus.log"
        return path.read_text()[-3000:] if path.exists() else ""
