"""The examples build the way the README tells a user to, and their drivers check themselves
against NumPy (exit status 0 and their "check:" line)."""
import os
import shutil
import subprocess
import sys

import pytest

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples")


@pytest.fixture(scope="module")
def built_examples(tmp_path_factory):
    if shutil.which("make") is None or shutil.which("gcc") is None:
        pytest.skip("building the examples needs make and gcc (installed by `make deps`)")
    copy = tmp_path_factory.mktemp("examples") / "examples"
    shutil.copytree(EXAMPLES, copy, ignore=shutil.ignore_patterns("*.so"))
    subprocess.run(["make", "-C", str(copy), f"PYTHON={sys.executable}"], check=True,
                   capture_output=True, text=True)
    return copy


@pytest.mark.parametrize("driver, arguments", [
    ("double_it/double_it.py", []),
    ("dgemm/dgemm.py", ["--size", "256", "--repeats", "1"]),
])
def test_example_runs_and_matches_numpy(built_examples, driver, arguments):
    result = subprocess.run([sys.executable, str(built_examples / driver), *arguments],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check:" in result.stdout
