"""The thread's current stream (CuPy's `with cupy.cuda.Stream():`): `with stream:` and
pymic2.using_stream(stream) make new arrays and ops of the stream's device run on it,
nest per thread, and leave other threads alone."""

import sys
import threading

import numpy
import pytest

import pymic2
from pymic2 import _core


def compute_ms(stream):
    return stream._stream.busy_time()[0]


@pytest.fixture
def other_device(device):
    """A device other than the suite's (host:1 on the host pass, host:0 on opencl:0)."""
    return next(d for d in pymic2.devices if d != device)


def test_new_arrays_in_the_block_belong_to_the_stream(device):
    s = device.create_stream()
    outside = pymic2.ones(4)
    with s as entered:
        assert entered is s
        assert pymic2.get_current_stream() is s
        made = {
            "empty": pymic2.empty(3),
            "zeros": pymic2.zeros(3),
            "ones": pymic2.ones((2, 2)),
            "full": pymic2.full(3, 7.0),
            "arange": pymic2.arange(5),
            "linspace": pymic2.linspace(0, 1, 5),
            "eye": pymic2.eye(3),
            "asarray": pymic2.asarray(numpy.arange(6.0)),
            "array": pymic2.array([[1, 2], [3, 4]]),
            "zeros_like": pymic2.zeros_like(outside),
            "device=": pymic2.zeros(3, device=device),
            "ndarray": pymic2.ndarray((3,)),
            "OffloadArray": pymic2.OffloadArray((3,), device=device),
            "random": pymic2.random.default_rng(0).random(100),
        }
    for name, array in made.items():
        assert array.stream is s, name
    s.sync()
    numpy.testing.assert_array_equal(made["arange"].get(), numpy.arange(5))
    numpy.testing.assert_array_equal(made["eye"].get(), numpy.eye(3))
    numpy.testing.assert_array_equal(made["zeros_like"].get(), numpy.zeros(4))
    assert 0.0 <= made["random"].get().min() < made["random"].get().max() < 1.0
    assert pymic2.zeros(3).stream is device.get_default_stream()


def test_ops_in_the_block_run_on_the_stream(device):
    default, s = device.get_default_stream(), device.create_stream()
    host = numpy.linspace(-1.0, 1.0, 200_000)
    a, b = pymic2.asarray(host), pymic2.asarray(host[::-1].copy())
    m = pymic2.asarray(numpy.arange(12.0).reshape(4, 3))
    idx = pymic2.asarray(numpy.array([3, 0, 2]))
    scattered = pymic2.zeros(5)
    out = pymic2.empty_like(a)
    default.sync()
    default_before, s_before = compute_ms(default), compute_ms(s)
    with s:
        results = {
            "add": a + b,
            "exp": pymic2.exp(a),
            "sum": a.sum(),
            "max axis": m.max(axis=0),
            "matmul": m.T @ m,
            "gather": m[idx],
            "where": pymic2.where(a > 0, a, b),
            "astype": a.astype(numpy.float32),
            "normal": pymic2.random.default_rng(1).normal(size=(1000,)),
        }
        scattered[idx] = 1.0
        numpy.multiply(a, 2.0, out=out)
    for name, result in results.items():
        assert result.stream is s, name
    assert out.stream is default  # an out= keeps its stream; the op ran on s
    s.sync()
    assert compute_ms(s) > s_before
    assert compute_ms(default) == default_before  # nothing ran on the default stream
    numpy.testing.assert_allclose(results["add"].get(), host + host[::-1])
    numpy.testing.assert_allclose(results["exp"].get(), numpy.exp(host))
    numpy.testing.assert_allclose(float(results["sum"]), host.sum(), atol=1e-9)
    mh = numpy.arange(12.0).reshape(4, 3)
    numpy.testing.assert_array_equal(results["max axis"].get(), mh.max(axis=0))
    numpy.testing.assert_array_equal(results["matmul"].get(), mh.T @ mh)
    numpy.testing.assert_array_equal(results["gather"].get(), mh[[3, 0, 2]])
    numpy.testing.assert_array_equal(results["where"].get(),
                                     numpy.where(host > 0, host, host[::-1]))
    numpy.testing.assert_array_equal(scattered.get(), [1, 0, 1, 1, 0])
    numpy.testing.assert_array_equal(out.get(), host * 2.0)


def test_ops_do_not_wait_for_a_busy_default_stream(device, library):
    """The ops of the block run on s: s completes while the default stream still sleeps."""
    default, s = device.get_default_stream(), device.create_stream()
    a = pymic2.arange(1000.0)
    flag = default.bind(numpy.zeros(1))
    default.sync()
    default.invoke(library.sleep_then_set, 400, flag, 1.0)
    with s:
        total = (a * 2.0).sum()
        host = total.get()  # waits for s only
    assert not default.query()  # still sleeping: the block's ops did not queue behind it
    assert host == 999.0 * 1000.0
    default.sync()


def test_the_block_does_not_synchronise(device, library):
    """As CuPy's: leaving `with stream:` does not wait for the stream (pyMIC2 used to)."""
    with device.create_stream() as s:
        flag = s.bind(numpy.zeros(1))
        s.invoke(library.sleep_then_set, 200, flag, 3.0)
    assert not s.query()
    s.sync()
    numpy.testing.assert_array_equal(flag.get(), [3.0])


def test_event_record_defaults_to_the_current_stream(device, library):
    s = device.create_stream()
    flag = s.bind(numpy.zeros(1))
    s.sync()
    s.invoke(library.sleep_then_set, 200, flag, 1.0)
    with s:
        event = pymic2.Event(device).record()
    assert not event.query()  # behind the sleeping kernel (the idle default stream is done)
    event.synchronize()
    assert event.query()
    s.sync()


def busy_stream_and_idle_array(device, library):
    """A new stream busy with a 200 ms kernel, and an array of the idle default stream."""
    s = device.create_stream()
    x = pymic2.arange(1000, dtype=numpy.int64)
    flag = s.bind(numpy.zeros(1))
    device.get_default_stream().sync()
    s.sync()
    s.invoke(library.sleep_then_set, 200, flag, 1.0)
    return s, x


def test_get_in_the_block_waits_for_the_current_stream(device, library):
    """x belongs to the default stream but is written on a busy s: get() copies on s and
    waits for s, not for x's own (idle) stream."""
    s, x = busy_stream_and_idle_array(device, library)
    with s:
        x *= 3  # queued behind the sleeping kernel
        numpy.testing.assert_array_equal(x.get(), numpy.arange(1000) * 3)
        assert int(x[7]) == 21
    assert x.stream is device.get_default_stream()


def test_dlpack_export_in_the_block_waits_for_the_current_stream(device, library):
    s, x = busy_stream_and_idle_array(device, library)
    with s:
        x *= 3  # queued behind the sleeping kernel
        numpy.testing.assert_array_equal(numpy.from_dlpack(x), numpy.arange(1000) * 3)


def test_nesting_restores_the_outer_stream(device):
    default, s1, s2 = device.get_default_stream(), device.create_stream(), device.create_stream()
    with s1:
        assert pymic2.zeros(1).stream is s1
        with s2:
            assert pymic2.get_current_stream() is s2
            assert pymic2.zeros(1).stream is s2
            with s1:  # re-entering a stream already in use nests too
                assert pymic2.zeros(1).stream is s1
            assert pymic2.get_current_stream() is s2
        assert pymic2.get_current_stream() is s1
        assert (pymic2.zeros(1) + 1).stream is s1
    assert pymic2.get_current_stream() is default
    assert pymic2.zeros(1).stream is default


def test_an_exception_restores_the_outer_stream(device, other_device):
    s1, s2 = device.create_stream(), other_device.create_stream()
    with s1:
        with pytest.raises(ZeroDivisionError):
            with s2:
                assert pymic2.default_device() == other_device
                1 / 0
        assert pymic2.get_current_stream() is s1
        assert pymic2.default_device() == device
    assert pymic2.get_current_stream() is device.get_default_stream()
    assert pymic2.get_current_stream(other_device) is other_device.get_default_stream()


def test_using_stream_is_the_with_block(device):
    s = device.create_stream()
    with pymic2.using_stream(s) as entered:
        assert entered is s
        assert pymic2.get_current_stream() is s
        assert pymic2.ones(3).stream is s
    assert pymic2.get_current_stream() is device.get_default_stream()
    with pytest.raises(TypeError, match="OffloadStream"):
        pymic2.using_stream("opencl:0")


def test_use_sets_the_current_stream_until_the_enclosing_block_ends(device):
    default, s, t = device.get_default_stream(), device.create_stream(), device.create_stream()
    with t:
        assert s.use() is s
        assert pymic2.get_current_stream() is s
        assert pymic2.zeros(2).stream is s
    assert pymic2.get_current_stream() is default  # the block restores what it found


def test_threads_have_their_own_current_stream(device):
    n_threads, rounds = 2, 40
    streams = [device.create_stream() for _ in range(n_threads)]
    inside = threading.Barrier(n_threads + 1)
    release = threading.Event()
    failures = []

    def work(k):
        try:
            assert pymic2.get_current_stream() is device.get_default_stream()
            with streams[k]:
                inside.wait(timeout=30)
                release.wait(timeout=30)
                x = pymic2.full(1000, float(k))
                for _ in range(rounds):
                    y = (x * 2.0 + 1.0) - x  # x + 1 with more ops on the stream
                    assert y.stream is streams[k]
                    assert pymic2.get_current_stream() is streams[k]
                    x = y
                assert x.stream is streams[k]
                numpy.testing.assert_array_equal(x.get(), numpy.full(1000, k + rounds))
        except BaseException as error:  # reported by the main thread
            failures.append((k, error))
            inside.abort()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(n_threads)]
    for thread in threads:
        thread.start()
    inside.wait(timeout=30)  # every thread is inside its block
    assert pymic2.get_current_stream() is device.get_default_stream()
    assert pymic2.zeros(1).stream is device.get_default_stream()
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures


def test_a_new_thread_starts_on_the_default_stream(device):
    s = device.create_stream()
    seen = []
    with s:
        thread = threading.Thread(target=lambda: seen.append(
            (pymic2.get_current_stream(), pymic2.zeros(1).stream)))
        thread.start()
        thread.join()
    default = device.get_default_stream()
    assert seen == [(default, default)]


def test_a_thread_ending_with_a_current_stream_releases_it(device):
    s = device.create_stream()
    before = sys.getrefcount(s._stream)
    thread = threading.Thread(target=s.use)
    thread.start()
    thread.join()
    after = sys.getrefcount(s._stream)  # not inside assert: its rewriting holds a reference
    assert after == before
    assert pymic2.get_current_stream() is device.get_default_stream()


def test_a_stream_of_another_device(device, other_device):
    """`with stream:` also makes the stream's device the current device (new arrays go there,
    on the stream); arrays of other devices keep their own streams."""
    s = other_device.create_stream()
    here = pymic2.arange(4.0)
    with s:
        assert pymic2.default_device() == other_device
        assert pymic2.get_current_stream() is s
        assert pymic2.get_current_stream(device) is device.get_default_stream()
        assert pymic2.get_current_stream(other_device.name) is s
        there = pymic2.arange(4.0)
        assert there.device == other_device and there.stream is s
        explicit = pymic2.zeros(2, device=device)
        assert explicit.stream is device.get_default_stream()  # never another device's stream
        result = here + 1.0
        assert result.device == device and result.stream is here.stream
        numpy.testing.assert_array_equal(result.get(), [1, 2, 3, 4])
    s.sync()
    numpy.testing.assert_array_equal(there.get(), numpy.arange(4.0))
    assert pymic2.default_device() == device


def test_streams_of_two_devices_are_current_together(device, other_device):
    s, t = device.create_stream(), other_device.create_stream()
    with s:
        with t:
            assert pymic2.get_current_stream(device) is s
            assert pymic2.get_current_stream(other_device) is t
            assert pymic2.zeros(1, device=device).stream is s
            assert pymic2.zeros(1).stream is t
        assert pymic2.get_current_stream(other_device) is other_device.get_default_stream()


def test_the_core_refuses_a_stream_of_another_device(device, other_device):
    with pytest.raises(ValueError, match="current stream"):
        _core.set_current_stream(device._device, other_device.create_stream()._stream)
    with pytest.raises(TypeError, match="Stream"):
        _core.set_current_stream(device._device, "stream")
    assert pymic2.get_current_stream() is device.get_default_stream()


def test_inputs_on_other_streams(device):
    """Outside a block an op runs on its first input's stream; inside, on the current stream,
    whatever streams its inputs live on."""
    s1, s2, s3 = device.create_stream(), device.create_stream(), device.create_stream()
    with s1:
        a = pymic2.arange(50_000.0)
    with s2:
        b = pymic2.full(50_000, 2.0)
    s1.sync()
    s2.sync()
    assert (b * a).stream is s2
    with s3:
        c = a * b
        d = pymic2.maximum(b, a).sum()
    assert c.stream is s3 and d.stream is s3
    s3.sync()
    expected = numpy.arange(50_000.0)
    numpy.testing.assert_array_equal(c.get(), expected * 2.0)
    assert float(d) == numpy.maximum(2.0, expected).sum()
