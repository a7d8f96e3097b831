"""Smoke test of `python -m pymic2.bench chainer --models`: one MLP iteration per framework
into a temporary directory (PyTorch's column is empty when it is not importable)."""
import csv

import pytest

from conftest import TEST_DEVICE
from pymic2.bench import __main__ as bench_main


def test_models_run_writes_csv(tmp_path):
    if TEST_DEVICE != "host:0":
        pytest.skip("the benchmark runs on the default device (host:0); one pass is enough")
    status = bench_main.main(["chainer", "--models", "--model-names", "mlp",
                              "--model-iterations", "1", "--output-dir", str(tmp_path)])
    assert status == 0
    with open(tmp_path / "chainer_models.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["model"] for row in rows] == ["mlp"]
    row = rows[0]
    assert row["batchsize"] == "100"
    assert float(row["pymic2_ms"]) > 0 and float(row["chainer+numpy_ms"]) > 0
    ratio = float(row["pymic2_ms"]) / float(row["chainer+numpy_ms"])
    assert abs(float(row["pymic2_over_numpy"]) - ratio) < 1e-3 * ratio
    assert (row["pytorch_ms"] == "") == (row["pymic2_over_pytorch"] == "")
