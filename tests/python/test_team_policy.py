"""The host engine's scheduling policy (issue 17): idle threads stop using the CPU, the spin
time is configurable (PYMIC2_BLOCKTIME_US), small ops run on the submitting thread of an idle
stream and large ones over the team, with the same results and error reporting either way."""

import numpy
import pytest

import pymic2
from conftest import run_python

# A child that holds a host device after parallel work, idles `idle` seconds, then prints the
# share of one CPU the whole process (every thread) used over the next 0.5 s.
_IDLE_CPU = """
    import time, numpy, pymic2
    a = pymic2.asarray(numpy.random.default_rng(0).random((1024, 1024)))
    for _ in range(20):
        (a + a).sum(axis=1)
        pymic2.exp(a[:64])
    pymic2.get_current_stream().sync()
    time.sleep({idle})
    cpu, wall = time.process_time(), time.perf_counter()
    time.sleep(0.5)
    print((time.process_time() - cpu) / (time.perf_counter() - wall))
"""


@pytest.mark.parametrize("blocktime", ["", "0", "100000"])
def test_an_idle_process_uses_no_cpu_after_100_ms(blocktime):
    """Helpers and workers spin at most PYMIC2_BLOCKTIME_US (capped at 100 ms), then sleep."""
    share = float(run_python(_IDLE_CPU.format(idle=0.1 if blocktime != "100000" else 0.12),
                             PYMIC2_BLOCKTIME_US=blocktime, PYMIC2_DEVICE="host:0"))
    assert share < 0.01


def test_bad_blocktime_is_refused_naming_the_variable():
    code = """
        try:
            import pymic2
        except ImportError as error:
            print(error)
    """
    for value in ("fast", "-1", "100001"):
        out = run_python(code, PYMIC2_BLOCKTIME_US=value, PYMIC2_DEVICE="host:0")
        assert f"PYMIC2_BLOCKTIME_US={value} is not an integer in [0, 100000]" in out


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
@pytest.mark.parametrize("side", [3, 64, 128, 181, 512])
def test_results_do_not_depend_on_who_runs_the_op(side, dtype):
    """The first runs of an op split it by size, later ones by its measured cost (one thread
    under a few microseconds, on the submitting thread when the stream is idle): the same
    values every time, also for views and reductions."""
    host = numpy.random.default_rng(side).random((side, side)).astype(dtype) + 0.5
    x = pymic2.asarray(host)
    for _ in range(4):
        numpy.testing.assert_array_equal((x + x).get(), host + host)
        numpy.testing.assert_allclose(pymic2.exp(x[::2, 1:]).get(), numpy.exp(host[::2, 1:]),
                                      rtol=2e-6 if dtype == numpy.float32 else 1e-14)
        numpy.testing.assert_array_equal(x.argmax(axis=1).get(), host.argmax(axis=1))
        numpy.testing.assert_allclose(x.sum(axis=0).get(), host.sum(axis=0),
                                      rtol=1e-5 if dtype == numpy.float32 else 1e-12)


def test_a_small_op_waits_for_the_work_queued_before_it(stream):
    """A small op on a busy stream is queued behind the earlier commands (only an idle stream
    runs it at once), and one on another stream waits for the writer of its input."""
    big = pymic2.asarray(numpy.ones((1024, 1024)))
    for _ in range(3):
        big = big * 2.0
    head = big[:2, :3] + 1.0
    numpy.testing.assert_array_equal(head.get(), numpy.full((2, 3), 9.0))
    other = stream.device.create_stream()
    late = big * 0.5
    with other:
        small = late[:1, :4] - 1.0
    numpy.testing.assert_array_equal(small.get(), numpy.full((1, 4), 3.0))


def test_an_error_of_a_small_op_is_raised_at_the_next_sync(stream):
    """Run at once or by the worker, a failing small op raises at the next synchronisation,
    and the stream works again afterwards."""
    base = pymic2.asarray(numpy.array([2, 3, 4], dtype=numpy.int64))
    result = base ** pymic2.asarray(numpy.array([1, -1, 2], dtype=numpy.int64))
    with pytest.raises(ValueError, match="negative integer powers"):
        stream.sync()
    del result
    numpy.testing.assert_array_equal((base + 1).get(), [3, 4, 5])
