"""JupyterLab set-up for the course's venv (`make lab` runs it with the venv's python).

    python tools/lab-setup.py [--prefix PREFIX]      (default PREFIX: this python's sys.prefix)

1. The notebooks' kernel ("python3", the name in their metadata) is this venv's python, by
   absolute path, in PREFIX/share/jupyter/kernels/python3/: Jupyter looks in the venv before the
   user's folders, so notebooks run with the course's packages whatever else is installed. The
   kernel leaves C-level output (TensorFlow's start-up log lines) in the server's terminal
   instead of copying it under the first cell that imports TensorFlow.
2. No "Would you like to get notified about official Jupyter news?" pop-up and no update check
   on a fresh start: settings overrides in PREFIX/share/jupyter/lab/settings/overrides.d/
   (``--LabApp.news_url=None`` alone does not stop the question in JupyterLab 4).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

KERNEL_NAME = "python3"
SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                     "checkForUpdates": False},
}


def kernel_spec(python: str) -> dict:
    return {
        "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--IPKernelApp.capture_fd_output=False"],
        "display_name": "Python 3 (cnncourse)",
        "language": "python",
        "env": {"TF_CPP_MIN_LOG_LEVEL": "2"},
        "metadata": {"debugger": True},
    }


def install(prefix: Path, python: str = sys.executable) -> list[Path]:
    """Write the kernel spec and the settings overrides under ``prefix``; return the files."""
    kernel_dir = prefix / "share" / "jupyter" / "kernels" / KERNEL_NAME
    kernel_dir.mkdir(parents=True, exist_ok=True)
    try:                                   # ipykernel's logos, so the launcher shows one
        from ipykernel.kernelspec import RESOURCES
        for logo in Path(RESOURCES).glob("logo-*"):
            shutil.copy2(logo, kernel_dir / logo.name)
    except ImportError:
        pass
    spec = kernel_dir / "kernel.json"
    spec.write_text(json.dumps(kernel_spec(python), indent=1) + "\n")
    overrides = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.d"
    overrides.mkdir(parents=True, exist_ok=True)
    settings = overrides / "cnncourse.json"
    settings.write_text(json.dumps(SETTINGS, indent=1) + "\n")
    return [spec, settings]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", type=Path, default=Path(sys.prefix))
    args = parser.parse_args(argv)
    for path in install(args.prefix):
        print(f"lab-setup: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
