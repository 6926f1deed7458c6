"""The original's driver imports the original ``gh_store``, never this checkout's (bench.launch).

Against a stand-in for bench/.venv-orig (see conftest.py): the driver started as the harness
starts it answers from the venv's package; started with ``python -m`` from the repository root,
where this checkout's ``gh_store`` comes first, it refuses to run.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from bench.drivers import BENCH_DIR, DriverProcess, Implementation, module_command

from .conftest import ORIGINAL_CONFIG, ROOT, StandIn

OPEN = {
    "op": "open",
    "throttle": "off",
    "repo": "octo/store",
    "token": "t0ken",
    # Never contacted: the stand-in's constructor only builds PyGithub's client.
    "api_url": "http://127.0.0.1:9",
}
GET = {"op": "get", "throttle": "off", "object_id": "anything"}


def _check_answers_from_the_original(data: dict[str, Any], venv: StandIn, config: Path) -> None:
    assert Path(data["store_file"]).resolve().is_relative_to(venv.site_packages)
    # The driver's factory replaced the original's ``Github``: PyGithub's client, pointed at
    # the emulator, is what the original's constructor got.
    assert data["github_class"] == "github.MainClass.Github"
    assert data["config_path"] == str(config)
    # The config the original reads is the one packaged with the original, not ours.
    assert config.read_text(encoding="utf-8") == ORIGINAL_CONFIG.read_text(encoding="utf-8")


def test_the_harness_starts_the_original_driver_on_the_original_package(
    original_venv: StandIn, tmp_path: Path
) -> None:
    config = tmp_path / "original-config.yml"
    implementation = Implementation("original", original_venv.python, "bench.drive_original")
    with DriverProcess(implementation, tmp_path / "original.log") as driver:
        opened = {k: v for k, v in OPEN.items() if k != "op"}
        driver.call("open", **opened, config_path=str(config))
        answer = driver.call("get", **{k: v for k, v in GET.items() if k != "op"})
    _check_answers_from_the_original(answer.result["data"], original_venv, config)


def test_the_launcher_keeps_the_original_first_from_the_root_and_with_pythonpath(
    original_venv: StandIn, tmp_path: Path
) -> None:
    # Everything that puts this checkout first for a plain ``python``: the repository root as
    # the working directory and on PYTHONPATH.
    config = tmp_path / "original-config.yml"
    commands = [{**OPEN, "config_path": str(config)}, GET]
    completed = subprocess.run(
        module_command(original_venv.python, "bench.drive_original"),
        input="".join(json.dumps(command) + "\n" for command in commands),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    answers = [json.loads(line) for line in completed.stdout.splitlines()]
    assert [answer["ok"] for answer in answers] == [True, True], answers
    _check_answers_from_the_original(answers[1]["result"]["data"], original_venv, config)


def test_python_m_from_the_root_would_import_this_checkout_and_the_driver_refuses(
    original_venv: StandIn,
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    completed = subprocess.run(
        [str(original_venv.python), "-m", "bench.drive_original"],
        input="",
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode != 0
    ours = ROOT / "gh_store" / "__init__.py"
    assert f"imported gh_store from {ours}, not the original in" in completed.stderr


def test_the_launcher_runs_only_modules_of_this_bench(original_venv: StandIn) -> None:
    completed = subprocess.run(
        module_command(original_venv.python, "json.tool"),
        input="{}",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode != 0
    assert f"not to a module under {BENCH_DIR.parent}" in completed.stderr
    assert completed.stdout == ""
