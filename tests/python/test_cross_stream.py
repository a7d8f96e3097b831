"""Ordering across streams: a command that uses an array runs after the unfinished commands
of other streams that used it before (the core's rule, see include/pymic2.h).

Each test makes one stream busy with a matrix product, queues a producer behind it, and
consumes the producer's array on another stream right away: without the ordering the
consumer reads the array before the producer wrote it.
"""

import threading

import numpy
import pytest

import pymic2 as xp

from conftest import ON_HOST

BUSY_SIZE = 1000  # a float64 product of 2 GFLOP: tens of milliseconds on either device


@pytest.fixture(scope="module")
def busy_matrix():
    m = xp.asarray(numpy.random.default_rng(0).random((BUSY_SIZE, BUSY_SIZE)))
    m.stream.sync()
    return m


def keep_busy(stream, matrix):
    """Queues a long matrix product on stream; returns its (unused) result."""
    view = matrix[...]
    view.stream = stream
    return view @ view


def on_stream(array, stream):
    """A view of array whose operations run on stream."""
    view = array[...]
    view.stream = stream
    return view


def produced_late(busy_matrix, values):
    """An array on a new stream that gets `values` only after a long product there."""
    producer = xp.default_device().create_stream()
    out = xp.zeros(values.shape, dtype=values.dtype, stream=producer)
    producer.sync()
    keep_busy(producer, busy_matrix)
    out += xp.asarray(values, stream=producer)
    return producer, out


def consumer_stream():
    return xp.default_device().get_default_stream()


def test_the_issue_reproducer(busy_matrix):
    st = xp.default_device().create_stream()
    big = xp.asarray(numpy.random.rand(BUSY_SIZE, BUSY_SIZE), stream=st)
    st.sync()
    busy = big @ big  # noqa: F841 (keeps st busy)
    b = xp.asarray(numpy.ones(1000), stream=st)
    a = xp.asarray(numpy.ones(1000))
    numpy.testing.assert_array_equal((a + b).get(), numpy.full(1000, 2.0))


def test_elementwise_reads_after_another_streams_write(busy_matrix):
    values = numpy.arange(1000.0)
    producer, b = produced_late(busy_matrix, values)
    a = xp.ones(1000)
    assert a.stream != producer
    numpy.testing.assert_array_equal((a + b).get(), values + 1)


@pytest.mark.parametrize("consume", [
    pytest.param(lambda v: v.sum(), id="sum"),
    pytest.param(lambda v: v.argmax(axis=0), id="argmax"),
    pytest.param(lambda v: v.cumsum(), id="cumsum"),
    pytest.param(lambda v: v @ v.T, id="gemm"),
    pytest.param(lambda v: v[xp.asarray(numpy.array([3, 1, 0]))], id="gather"),
    pytest.param(lambda v: v[v > 5], id="mask"),
    pytest.param(lambda v: v.copy(), id="copy"),
    pytest.param(lambda v: v.astype(numpy.float32), id="astype"),
    pytest.param(lambda v: v.T.copy(), id="strided-copy"),
    pytest.param(lambda v: xp.where(v > 3, v, -v), id="where"),
])
def test_every_family_reads_after_another_streams_write(busy_matrix, consume):
    values = numpy.arange(12.0).reshape(4, 3) - 2.5
    expected = consume(xp.asarray(values)).get()
    producer, produced = produced_late(busy_matrix, values)
    result = consume(on_stream(produced, consumer_stream()))
    numpy.testing.assert_array_equal(result.get(), expected)


def test_get_reads_after_another_streams_write(busy_matrix):
    values = numpy.arange(100.0)
    producer, produced = produced_late(busy_matrix, values)
    numpy.testing.assert_array_equal(on_stream(produced, consumer_stream()).get(), values)


def test_write_waits_for_another_streams_read(busy_matrix):
    """A write on one stream does not overtake a pending read of the same array on another."""
    values = numpy.arange(50.0)
    source = xp.asarray(values)
    source.stream.sync()
    reader = xp.default_device().create_stream()
    keep_busy(reader, busy_matrix)
    snapshot = on_stream(source, reader) * 1.0  # queued behind the product
    source.fill(-1.0)  # the default stream; must wait for the read
    numpy.testing.assert_array_equal(snapshot.get(), values)
    numpy.testing.assert_array_equal(source.get(), numpy.full(50, -1.0))


def test_scatter_writes_after_another_streams_write(busy_matrix):
    values = numpy.zeros(10)
    producer, produced = produced_late(busy_matrix, values + 1.0)
    target = on_stream(produced, consumer_stream())
    target[xp.asarray(numpy.array([0, 9]))] = 5.0
    expected = numpy.ones(10)
    expected[[0, 9]] = 5.0
    numpy.testing.assert_array_equal(target.get(), expected)


@pytest.mark.skipif(not ON_HOST, reason="the test kernels are a host shared object")
def test_kernel_arguments_wait_for_another_stream(busy_matrix, library):
    values = numpy.arange(8.0)
    producer, produced = produced_late(busy_matrix, values)
    stream = consumer_stream()
    copied = xp.zeros(8)
    stream.invoke(library.copy_doubles, copied, produced, 8)
    numpy.testing.assert_array_equal(copied.get(), values)


def test_dlpack_export_waits_for_other_streams(busy_matrix):
    values = numpy.arange(30.0)
    producer, produced = produced_late(busy_matrix, values)
    if not ON_HOST:
        pytest.skip(f"{xp.default_device()} memory is not CPU memory: no DLPack export")
    numpy.testing.assert_array_equal(numpy.from_dlpack(on_stream(produced, consumer_stream())),
                                     values)


def test_buffer_sync_waits_for_every_user(busy_matrix):
    producer, produced = produced_late(busy_matrix, numpy.ones(4))
    assert not producer.query()
    produced.buffer.sync()
    assert producer.query()


def test_idle_other_stream_adds_no_wait(busy_matrix):
    """An array last used by a finished command of another stream needs no ordering."""
    other = xp.default_device().create_stream()
    b = xp.asarray(numpy.arange(5.0), stream=other)
    other.sync()
    keep_busy(other, busy_matrix)  # later work of the stream, not on b
    a = xp.ones(5)
    total = a + b
    assert not other.query()  # the add did not wait for the product
    numpy.testing.assert_array_equal(total.get(), numpy.arange(5.0) + 1)
    other.sync()


@pytest.mark.parametrize("nthreads", [2, 4, 8])
def test_threads_hand_arrays_between_streams(busy_matrix, nthreads):
    """Each thread owns a stream; thread i adds to the array thread i-1 produced last."""
    device = xp.default_device()
    streams = [device.create_stream() for _ in range(nthreads)]
    start = xp.zeros(256, stream=streams[0])
    streams[0].sync()
    stages = [start] + [None] * nthreads
    ready = [threading.Event() for _ in range(nthreads + 1)]
    ready[0].set()
    errors = []

    def stage(i):
        try:
            ready[i].wait()
            if i == 0:
                keep_busy(streams[0], busy_matrix)
            source = on_stream(stages[i], streams[i])
            stages[i + 1] = source + float(i + 1)
            ready[i + 1].set()
        except Exception as error:  # reported by the main thread
            errors.append(error)
            ready[i + 1].set()

    threads = [threading.Thread(target=stage, args=(i,)) for i in range(nthreads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    expected = numpy.full(256, nthreads * (nthreads + 1) / 2)
    numpy.testing.assert_array_equal(stages[-1].get(), expected)


@pytest.mark.parametrize("nthreads", [2, 8])
def test_threads_share_a_read_only_input(nthreads):
    """Threads on their own streams read one shared array; every result is right."""
    device = xp.default_device()
    shared = xp.asarray(numpy.arange(4096.0))
    shared.stream.sync()
    results = [None] * nthreads
    errors = []

    def work(i):
        try:
            stream = device.create_stream()
            view = on_stream(shared, stream)
            acc = view * 0.0
            for _ in range(20):
                acc += view
            results[i] = (acc * float(i)).get()
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(nthreads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for i, result in enumerate(results):
        numpy.testing.assert_array_equal(result, numpy.arange(4096.0) * 20 * i)
