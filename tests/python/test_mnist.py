"""The MNIST job (python -m pymic2.mnist) on a small slice of Fashion-MNIST: the device run
learns, agrees with Chainer on NumPy under the same seed, and reports its time split; and
the Chainer benchmark's worker runs one tiny configuration."""

import json
import os

import numpy
import pytest

pytest.importorskip("pymic2.chainer", reason="Chainer is not installed")

from pymic2 import datasets, mnist  # noqa: E402

pytestmark = pytest.mark.skipif(not os.path.isdir(datasets.DEFAULT_DIRECTORY),
                                reason="Debian's dataset-fashion-mnist is not installed")

SMALL = ["--units", "32", "--batchsize", "100", "--epoch", "3", "--train-size", "3000",
         "--quiet", "--seed", "1"]


def test_device_run_learns_and_matches_numpy():
    """Same seed, same batches: the fused device model and plain Chainer on NumPy follow the
    same loss curve (float64, so only summation order differs)."""
    lines = []
    results = mnist.main(SMALL + ["--dtype", "float64", "--compare-numpy"], log=lines.append)
    device, host = results["device"]["history"], results["numpy"]["history"]
    losses = [epoch["train_loss"] for epoch in device]
    assert losses[-1] < 0.8 * losses[0], losses  # it learns
    assert device[-1]["test_accuracy"] > 0.7
    for ours, theirs in zip(device, host):
        for key in ("train_loss", "test_loss"):
            assert ours[key] == pytest.approx(theirs[key], rel=1e-7), key
        for key in ("train_accuracy", "test_accuracy"):
            assert ours[key] == pytest.approx(theirs[key], abs=1e-3), key
    text = "\n".join(lines)
    assert "device / numpy training time" in text and "transfers" in text
    run = results["device"]
    assert run["compute"] > 0 and run["transfer"] > 0
    assert run["compute"] + run["transfer"] <= run["wall"] * 1.05


def test_float32_paper_flags_and_errors():
    args = mnist.parse_args(["--paper"])
    assert (args.units, args.batchsize, args.optimizer) == (1000, 60000, "sgd")
    with pytest.raises(SystemExit):
        mnist.parse_args(["--units", "0"])
    results = mnist.main(["--units", "16", "--batchsize", "500", "--epoch", "2",
                          "--train-size", "1000", "--quiet", "--optimizer", "adam"],
                         log=lambda line: None)
    history = results["device"]["history"]
    assert history[1]["train_loss"] < history[0]["train_loss"]
    assert numpy.isfinite(history[1]["test_loss"])


@pytest.mark.parametrize("model", ["cnn", "lstm"])
def test_cnn_and_lstm_jobs(model):
    """--model cnn and --model lstm train on the device and report as the MLP does (their
    losses against Chainer on NumPy: test_chainer_layers.py, whose NumPy runs are smaller)."""
    lines = []
    results = mnist.main(["--model", model, "--batchsize", "25", "--epoch", "2",
                          "--train-size", "50", "--test-size", "50", "--quiet"],
                         log=lines.append)
    history = results["device"]["history"]
    assert [epoch["epoch"] for epoch in history] == [1, 2]
    assert all(numpy.isfinite(epoch[key]) for epoch in history
               for key in ("train_loss", "test_loss"))
    assert all(0 <= epoch["test_accuracy"] <= 1 for epoch in history)
    text = "\n".join(lines)
    assert {"cnn": "CNN (conv 32", "lstm": "LSTM (28 steps"}[model] in text
    assert "50 train / 50 test examples" in text and "device compute" in text


@pytest.mark.parametrize("on_device", [True, False])
def test_bench_worker_runs_one_configuration(capsys, on_device):
    """The benchmark's per-configuration worker (normally a subprocess with a thread count),
    run in this process on a tiny model: its JSON line and the memory figures."""
    from pymic2.bench import chainer as bench_chainer
    bench_chainer._worker({"device": on_device, "units": 8, "batchsize": 64,
                           "iterations": 2})
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["seconds_per_iteration"] > 0
    # the batch alone is 64 * 784 float32s; the model adds its parameters and activations
    assert 64 * 784 * 4 < result["peak_array_bytes"] < 2**30
    assert result["max_rss_bytes"] > result["peak_array_bytes"]
    if on_device:
        assert 0 < result["compute_share"] <= 1.05 and 0 <= result["transfer_share"] < 0.5
