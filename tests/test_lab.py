"""JupyterLab starts the way `make lab` starts it, answers on /api/status, and has the
jupyterlab-rise slideshow extension; the browser tests (test_browser.py) reuse `running_lab`."""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
JUPYTER = Path(sys.executable).parent / "jupyter"

# The flags `make lab` passes besides --port (no news pop-up, no update check), plus what a
# headless test needs. Keep in sync with the Makefile's lab target.
LAB_FLAGS = [
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
]
HEADLESS_FLAGS = ["--no-browser", "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0"]
if hasattr(os, "geteuid") and os.geteuid() == 0:      # containers and CI often run as root
    HEADLESS_FLAGS.append("--allow-root")

# User settings for the test's private settings folder: no notification toasts, all cells
# attached to the page (so widgets below the fold render), the kernel starts without a dialog,
# no autosave.
TEST_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
        {"windowingMode": "none", "autoStartDefaultKernel": True},
    # Never write a test run's outputs into the committed notebooks.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str, timeout: float = 5.0):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read()


@contextlib.contextmanager
def running_lab(tmp: Path, extra_flags=(), startup_timeout: float = 90.0, root: Path = REPO):
    """Start `jupyter lab` in ``root`` on 127.0.0.1 with a free port and a random token, with
    private runtime/config/data/settings/workspace folders under ``tmp``; yield (base_url, token).
    The server and every process it started (kernels) are killed on exit."""
    port, token = free_port(), secrets.token_hex(16)
    dirs = {name: tmp / name for name in ("runtime", "config", "data", "settings", "workspaces",
                                           "ipython")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    for rel, values in TEST_SETTINGS.items():
        target = dirs["settings"] / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    env = dict(os.environ,
               JUPYTER_RUNTIME_DIR=str(dirs["runtime"]), JUPYTER_CONFIG_DIR=str(dirs["config"]),
               JUPYTER_DATA_DIR=str(dirs["data"]), JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
               JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]), IPYTHONDIR=str(dirs["ipython"]),
               JUPYTER_PLATFORM_DIRS="1")
    env.pop("MPLBACKEND", None)            # the kernel draws inline, as for a student
    log_path = tmp / "jupyter-lab.log"
    cmd = [str(JUPYTER), "lab", f"--port={port}", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}", *LAB_FLAGS, *HEADLESS_FLAGS, *extra_flags]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{log_path.read_text()}")
            try:
                if _get(f"{base}/api/status", token)[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not answer within {startup_timeout:.0f}s:\n"
                            f"{log_path.read_text()}")
            time.sleep(0.5)
        yield base, token
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the server's process group (it shuts its kernels down), SIGKILL what is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=5)


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_jupyter_lab_starts_and_answers(tmp_path):
    with running_lab(tmp_path) as (base, token):
        status, body = _get(f"{base}/api/status", token)
        assert status == 200
        assert "started" in json.loads(body)
        # The token is required: without it the API refuses.
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/api/status", timeout=5)
        assert refused.value.code == 403
        # The news pop-up is disabled in the page config the front end receives.
        status, page = _get(f"{base}/lab", token)
        assert status == 200
        config = page.decode()
        assert '"news": {"disabled": true}' in config.replace("'", '"') or \
            '"news":{"disabled":true}' in config.replace(" ", "")


def test_rise_extension_is_installed_for_this_jupyterlab():
    """jupyterlab-rise (the live slideshow) is listed, enabled and compatible ('OK')."""
    result = subprocess.run([str(JUPYTER), "labextension", "list"], capture_output=True,
                            text=True, timeout=120, env=dict(os.environ, NO_COLOR="1"))
    listing = result.stdout + result.stderr
    lines = [line for line in listing.splitlines() if "jupyterlab-rise" in line]
    assert lines, f"jupyterlab-rise is not installed:\n{listing}"
    assert "enabled" in lines[0] and "OK" in lines[0], lines[0]
