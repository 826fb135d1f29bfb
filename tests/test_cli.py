"""The command line: help lists the commands; doctor reports versions, CPU/GPU and the data."""
import json
import subprocess
import sys

from cnncourse import checkup, cli


def test_help_lists_every_command(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in cli.COMMANDS:
        assert name in out


def test_unknown_command_is_an_error(capsys):
    try:
        code = cli.main(["frobnicate"])
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_doctor_json_from_the_installed_script():
    proc = subprocess.run([sys.executable, "-m", "cnncourse.cli", "doctor", "--json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["cpu_count"] >= 1
    assert "numpy" in report["packages"] and "keras" in report["packages"]
    assert isinstance(report["gpus"], list)


def test_doctor_text_says_where_the_data_is_or_how_to_get_it(monkeypatch, tmp_path, capsys):
    from cnncourse import data
    monkeypatch.setenv("CNNCOURSE_DATA", str(tmp_path))      # an empty folder: nothing found
    monkeypatch.setattr(checkup, "_gpus", lambda: [])
    checkup.doctor()
    out = capsys.readouterr().out
    assert "GPU           none" in out
    assert "Fashion-MNIST not found" in out and "apt-get install dataset-fashion-mnist" in out
    monkeypatch.setenv("CNNCOURSE_DATA", str(data.DEBIAN_DIR))
    if data.find_fashion_mnist():
        checkup.doctor()
        assert f"Fashion-MNIST found in {data.DEBIAN_DIR}" in capsys.readouterr().out


def test_python_dash_m_cnncourse_is_the_cnncourse_command():
    proc = subprocess.run([sys.executable, "-m", "cnncourse", "--help"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for name in cli.COMMANDS:
        assert name in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "cnncourse", "frobnicate"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_bench_is_a_subcommand_and_python_dash_m_cnncourse_bench_its_alias(capsys, monkeypatch):
    from cnncourse import bench
    assert "bench" in cli.COMMANDS
    try:
        code = cli.main(["bench", "nonsense"])
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2 and "invalid choice" in capsys.readouterr().err
    proc = subprocess.run([sys.executable, "-m", "cnncourse.bench"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2 and "cnncourse bench" in proc.stdout
    for name in bench.BENCHMARKS:
        assert name in proc.stdout
    seen = []
    monkeypatch.setattr(bench, "main", lambda argv: seen.append(argv) or 0)
    assert cli.main(["bench", "ops", "--repeat", "3"]) == 0
    assert seen == [["ops", "--repeat", "3"]]
