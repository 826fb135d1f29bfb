"""JupyterLab starts the way `make lab` starts it, answers on /api/status, and has the
jupyterlab-rise slideshow extension; its kernel is the course's venv (tools/lab-setup.py) and so
are `pytest`, `python` and `cnncourse` in its terminal (tools/lab-shellrc.sh), whatever PATH the
shell starts with. The browser tests (test_browser.py) reuse `running_lab`."""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
JUPYTER = Path(sys.executable).parent / "jupyter"

SHELLRC = REPO / "tools" / "lab-shellrc.sh"
LAB_SETUP = REPO / "tools" / "lab-setup.py"

# The flags `make lab` passes besides --port (no news, no update check, the terminal's shell),
# plus what a headless test needs. Keep in sync with the Makefile's lab target (a test checks).
TERMINAL_FLAG = ('--ServerApp.terminado_settings=shell_command=["bash", "--rcfile", "{shellrc}",'
                 ' "-i"]')
LAB_FLAGS = [
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    TERMINAL_FLAG.format(shellrc=SHELLRC),
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
def running_lab(tmp: Path, extra_flags=(), startup_timeout: float = 90.0, root: Path = REPO,
                env=None):
    """Start `jupyter lab` in ``root`` on 127.0.0.1 with a free port and a random token, with
    private runtime/config/data/settings/workspace folders under ``tmp`` and the environment
    `make lab` gives it (updated with ``env``); yield (base_url, token). The server and every
    process it started (kernels, terminals) are killed on exit."""
    port, token = free_port(), secrets.token_hex(16)
    dirs = {name: tmp / name for name in ("runtime", "config", "data", "settings", "workspaces",
                                           "ipython")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    for rel, values in TEST_SETTINGS.items():
        target = dirs["settings"] / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    extra_env = env
    env = dict(os.environ,
               JUPYTER_RUNTIME_DIR=str(dirs["runtime"]), JUPYTER_CONFIG_DIR=str(dirs["config"]),
               JUPYTER_DATA_DIR=str(dirs["data"]), JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
               JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]), IPYTHONDIR=str(dirs["ipython"]),
               JUPYTER_PLATFORM_DIRS="1", CNNCOURSE_VENV=sys.prefix,
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.update(extra_env or {})
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


# ------------------------------------------------------------------------------------------
# The kernel and the terminal are the course's
# ------------------------------------------------------------------------------------------
def _lab_setup():
    import importlib.util
    spec = importlib.util.spec_from_file_location("lab_setup", LAB_SETUP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_makefile_starts_lab_like_the_tests():
    """`make lab` runs tools/lab-setup.py, puts the venv first on PATH and passes LAB_FLAGS."""
    makefile = (REPO / "Makefile").read_text()
    lab = makefile[makefile.index("\nlab:"):].split("\n\n")[0]
    assert "tools/lab-setup.py" in lab and 'CNNCOURSE_VENV="$(abspath $(VENV))"' in lab
    assert 'PATH="$(abspath $(VENV))/bin:$$PATH"' in lab and "$(LAB_FLAGS)" in lab
    flags = makefile[makefile.index("LAB_FLAGS :="):makefile.index("\nlab:")]
    for flag in LAB_FLAGS[:-1]:
        assert flag in flags, flag
    terminal = TERMINAL_FLAG.format(shellrc="$(CURDIR)/tools/lab-shellrc.sh")
    assert terminal in flags.replace("'", ""), "the terminal flag differs"


def test_lab_setup_writes_the_venv_kernel_and_quiet_settings(tmp_path):
    setup = _lab_setup()
    spec_path, settings_path = setup.install(tmp_path)
    spec = json.loads(spec_path.read_text())
    assert spec_path == tmp_path / "share/jupyter/kernels/python3/kernel.json"
    assert spec["argv"][0] == sys.executable
    assert "--IPKernelApp.capture_fd_output=False" in spec["argv"]
    settings = json.loads(settings_path.read_text())
    assert settings["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    # JupyterLab reads overrides.d/ in <sys.prefix>/share/jupyter/lab/settings: where the
    # default --prefix writes.
    from jupyterlab.commands import get_app_dir
    assert Path(get_app_dir()) == Path(sys.prefix) / "share/jupyter/lab"


async def _terminal(base: str, token: str, command: str, timeout: float) -> str:
    """Run ``command`` in a new JupyterLab terminal; return what it printed."""
    import asyncio

    from tornado.websocket import websocket_connect

    request = urllib.request.Request(f"{base}/api/terminals", method="POST", data=b"{}",
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        name = json.loads(response.read())["name"]
    ws = await websocket_connect(f"ws{base[4:]}/terminals/websocket/{name}?token={token}")
    await ws.write_message(json.dumps(["stdin", f"{command}; echo TERMINAL-EXIT=$?\r"]))
    out, deadline = "", time.monotonic() + timeout
    while "TERMINAL-EXIT=" not in out.split("echo TERMINAL-EXIT")[-1]:
        left = deadline - time.monotonic()
        assert left > 0, f"the terminal did not finish {command!r}:\n{out[-3000:]}"
        message = await asyncio.wait_for(ws.read_message(), left)
        assert message is not None, f"the terminal closed:\n{out[-3000:]}"
        kind, *rest = json.loads(message)
        if kind == "stdout":
            out += rest[0]
    ws.close()
    return out.split("echo TERMINAL-EXIT")[-1]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_kernel_and_terminal_are_the_course_venv(tmp_path):
    """With tools/lab-setup.py's kernel spec on JUPYTER_PATH and a PATH that does not have the
    venv (as after /etc/profile in a login shell): the notebooks' kernel is this venv's python,
    and the terminal's `pytest --nbval-lax exercises/02_convolution.ipynb` is the course's
    pytest with nbval, failing exactly on the unfilled exercises."""
    import asyncio

    prefix = tmp_path / "prefix"
    _lab_setup().install(prefix)
    env = {"JUPYTER_PATH": str(prefix / "share" / "jupyter"),
           "PATH": "/usr/local/bin:/usr/bin:/bin", "SHELL": "/bin/bash"}
    with running_lab(tmp_path / "lab", env=env) as (base, token):
        status, body = _get(f"{base}/api/kernelspecs", token)
        specs = json.loads(body)
        assert specs["default"] == "python3"
        assert specs["kernelspecs"]["python3"]["spec"]["argv"][0] == sys.executable
        out = asyncio.run(_terminal(base, token, "which pytest python cnncourse", 30))
        bindir = str(Path(sys.executable).parent)
        found = [line.strip() for line in out.splitlines() if line.strip().startswith("/")]
        assert [Path(p).name for p in found] == ["pytest", "python", "cnncourse"], out
        assert all(p.startswith(bindir) for p in found), out
        out = asyncio.run(_terminal(
            base, token, "pytest -q -p no:cacheprovider --nbval-lax exercises/02_convolution.ipynb",
            240))
        out = re.sub(r"\x1b\[[0-9;]*m", "", out)                    # the terminal's colours
        assert "TERMINAL-EXIT=1" in out, out[-3000:]
        from cnncourse.grading.notebook import exercises_of
        n = len(exercises_of(nbformat.read(REPO / "exercises" / "02_convolution.ipynb", as_version=4)))
        assert n >= 3 and re.search(rf"\b{n} failed\b", out), out[-3000:]  # one per exercise, no more
        assert "conv1d: not implemented yet" in out
