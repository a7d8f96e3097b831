"""Smoke test of `python -m pymic2.bench ops`: a tiny --quick run into a temporary directory."""
import csv
import importlib.util

import numpy
import pytest

from pymic2.bench import __main__ as bench_main
from pymic2.bench import ops, peers

EXPECTED_COLUMNS = ["group", "op", "dtype", "n", "variant", "repetitions", "median_ms",
                    "p10_ms", "p90_ms", "bytes", "gbytes_per_s", "gflops", "speedup_vs_numpy"]


def run_quick(tmp_path, *extra):
    output = tmp_path / "ops.csv"
    status = bench_main.main(["ops", "--quick", "--sizes", "64", "--ops", "add,sum0,matmul",
                              "--stream-elements", "4096", "--no-progress",
                              "--output", str(output), *extra])
    assert status == 0
    with open(output, newline="") as stream:
        reader = csv.DictReader(stream)
        return reader.fieldnames, list(reader)


def test_quick_run_writes_expected_csv(tmp_path):
    columns, rows = run_quick(tmp_path, "--no-plots")
    assert columns == EXPECTED_COLUMNS
    measured = {(row["op"], row["variant"]) for row in rows if row["group"] != "stream"}
    assert measured == {(op, variant) for op in ("add", "sum0", "matmul")
                        for variant in ("numpy", "pymic2_kernel", "pymic2_transfers")}
    streams = {(row["op"], row["variant"]) for row in rows if row["group"] == "stream"}
    assert streams == {(op, variant) for op in ("stream_copy", "stream_add", "stream_fill")
                       for variant in ("numpy", "pymic2_kernel")}
    for row in rows:
        assert float(row["median_ms"]) > 0 and int(row["repetitions"]) >= 1
        if row["group"] != "stream":
            assert row["n"] == "64" and row["dtype"] == "float64"
    for row in rows:
        if row["op"] == "matmul":  # 2 N^3 flops over the median time
            assert float(row["gflops"]) == pytest.approx(
                2 * 64**3 / (float(row["median_ms"]) * 1e6), rel=1e-4)
        if row["op"] == "add":  # two 64 x 64 float64 inputs and one output
            assert int(row["bytes"]) == 3 * 64 * 64 * 8
    assert not list(tmp_path.glob("*.png"))


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                    reason="matplotlib is not installed (requirements-dev.txt lists it)")
def test_quick_run_draws_one_figure_per_group(tmp_path):
    run_quick(tmp_path, "--plot-dir", str(tmp_path / "plots"))
    # add and sum0 are in group 2, matmul in group 3; no group-1 op ran
    assert sorted(path.name for path in (tmp_path / "plots").iterdir()) == [
        "ops_group2.png", "ops_group3.png"]


def test_wrong_result_fails_loudly():
    expected = numpy.arange(12.0).reshape(3, 4)
    wrong = expected.copy()
    wrong[2, 1] += 1e-6
    ops.check_result(ops.OPS_BY_KEY["add"], 3, "kernel", expected, expected.copy())
    with pytest.raises(RuntimeError, match=r"ADD shape-equal at N=3: kernel differs .* 1 of 12"):
        ops.check_result(ops.OPS_BY_KEY["add"], 3, "kernel", expected, wrong)
    with pytest.raises(RuntimeError, match="shape"):
        ops.check_result(ops.OPS_BY_KEY["sum0"], 3, "kernel", expected[0], expected)


def test_bad_option_is_rejected(capsys):
    assert bench_main.main(["ops", "--ops", "nosuchop", "--no-plots"]) == 2
    assert "nosuchop" in capsys.readouterr().err


def test_breadth_quick_run_checks_results_and_writes_csv(tmp_path):
    output = tmp_path / "breadth.csv"
    status = bench_main.main(["breadth", "--side", "64", "--count-elements", "4096",
                              "--repetitions", "1", "--no-plots", "--output", str(output)])
    assert status == 0
    with open(output, newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert {row["group"] for row in rows} == {"copies", "counting", "elementwise"}
    assert all(float(row["numpy_ms"]) > 0 and float(row["pymic2_ms"]) > 0 for row in rows)
    assert {row["case"] for row in rows} >= {"tile (1, 2)", "pad 16 reflect", "sin float32",
                                             "hypot float64", "bincount (1000 bins)"}


def test_sort_quick_run_checks_results_and_writes_csv(tmp_path):
    output = tmp_path / "sort.csv"
    status = bench_main.main(["sort", "--elements", "5000", "--repetitions", "1",
                              "--devices", "host:0", "opencl:9", "--no-plots",
                              "--output", str(output)])
    assert status == 0
    with open(output, newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert {row["group"] for row in rows} == {"host:0"}  # opencl:9 is skipped
    functions = ("sort", "argsort", "unique", "partition", "partition-rows")
    assert {row["case"] for row in rows} == {f"{f} {d}" for f in functions
                                             for d in ("float64", "int64")}
    assert all(float(row["numpy_ms"]) > 0 and float(row["pymic2_ms"]) > 0 for row in rows)


def test_peers_quick_run_compares_with_the_best_peer(tmp_path, capsys):
    """bench peers: every line checked against NumPy, a row per (op, dtype, N), the ratio
    against the fastest peer; numexpr and PyTorch when importable (else skipped, saying so)."""
    output = tmp_path / "peers.csv"
    status = bench_main.main(["peers", "--quick", "--sizes", "32", "--ops", "add,sum1,where,exp",
                              "--dtypes", "float32", "--no-plots", "--output", str(output)])
    assert status == 0
    with open(output, newline="") as stream:
        reader = csv.DictReader(stream)
        columns, rows = reader.fieldnames, list(reader)
    assert columns == peers.CSV_COLUMNS
    assert [(row["op"], row["dtype"], row["n"]) for row in rows] == [
        (op, "float32", "32") for op in ("add", "sum1", "where", "exp")]
    printed = capsys.readouterr().out
    for name in ("numexpr", "torch"):
        if importlib.util.find_spec(name) is None:
            assert f"{name}: skipped" in printed
            assert all(row[f"{name}_ms"] == "" for row in rows)
    for row in rows:
        times = {peer: float(row[f"{peer}_ms"]) for peer in peers.PEERS if row[f"{peer}_ms"]}
        assert row["best_peer"] == min(times, key=times.get)
        assert float(row["ratio_vs_best"]) == pytest.approx(
            times[row["best_peer"]] / float(row["pymic2_ms"]), rel=1e-4)
    # numexpr has no axis sum: its cell stays empty even when it is installed
    assert next(row for row in rows if row["op"] == "sum1")["numexpr_ms"] == ""


def test_peers_rejects_bad_options(capsys):
    assert bench_main.main(["peers", "--dtypes", "int8", "--no-plots"]) == 2
    assert "int8" in capsys.readouterr().err
