"""Streams and events: asynchrony, ordering, synchronisation, timing."""

import numpy
import pytest

import pymic2


def test_commands_run_asynchronously(stream, library):
    flag = stream.bind(numpy.zeros(1))
    stream.invoke(library.sleep_then_set, 200, flag, 5.0)
    assert not stream.query()  # the kernel is still sleeping
    stream.sync()
    assert stream.query()
    numpy.testing.assert_array_equal(flag.get(), [5.0])


def test_event_record_query_synchronize(device, stream, library):
    event = pymic2.Event(device)
    assert event.query()  # never recorded
    flag = stream.bind(numpy.zeros(1))
    stream.invoke(library.sleep_then_set, 150, flag, 1.0)
    assert stream.record(event) is event
    assert not event.query()
    event.synchronize()
    assert event.query()
    host = numpy.zeros(1)
    flag._to_host(host)
    stream.sync()
    assert host[0] == 1.0


def test_elapsed_time_measures_a_sleep(device, stream, library):
    start, end = pymic2.Event(device), pymic2.Event(device)
    flag = stream.bind(numpy.zeros(1))
    start.record(stream)
    stream.invoke(library.sleep_then_set, 50, flag, 1.0)
    end.record(stream)
    end.synchronize()
    elapsed = start.elapsed_time(end)
    assert 45.0 <= elapsed < 2000.0
    assert pymic2.get_elapsed_time(start, end) == elapsed


def test_elapsed_time_of_unfinished_event_fails(device, stream, library):
    start, end = pymic2.Event(device), pymic2.Event(device)
    flag = stream.bind(numpy.zeros(1))
    start.record(stream)
    stream.invoke(library.sleep_then_set, 200, flag, 1.0)
    end.record(stream)
    with pytest.raises((pymic2.OffloadError, ValueError)):
        start.elapsed_time(end)
    stream.sync()


def test_two_streams_ordered_by_an_event(device, library):
    """s2 reads what s1 writes slowly; waiting on s1's event orders them."""
    s1, s2 = device.create_stream(), device.create_stream()
    src = s1.bind(numpy.zeros(1), update_device=False)
    src.fill(0.0)
    s1.invoke(library.sleep_then_set, 150, src, 42.0)
    written = s1.record()
    s2.wait_event(written)
    dst = s2.zeros((1,))
    s2.invoke(library.copy_doubles, dst, src, 1)
    host = numpy.zeros(1)
    dst._to_host(host)
    s2.sync()
    assert host[0] == 42.0


def test_streams_run_concurrently(device, library):
    s1, s2 = device.create_stream(), device.create_stream()
    a, b = s1.bind(numpy.zeros(1)), s2.bind(numpy.zeros(1))
    s1.invoke(library.sleep_then_set, 300, a, 1.0)
    s2.invoke(library.sleep_then_set, 1, b, 2.0)
    s2.sync()
    assert not s1.query()  # s2 did not wait for s1's slow kernel
    s1.sync()


def test_wait_event_needs_an_event(stream):
    with pytest.raises(TypeError, match="Event"):
        stream.wait_event("not an event")
    with pytest.raises(TypeError, match="Event"):
        stream._stream.wait_event("not an event")


def test_event_of_other_device_is_refused(stream):
    other = pymic2.Event(pymic2.devices[1])
    with pytest.raises((ValueError, pymic2.OffloadError), match="host"):
        other.record(stream)


def test_array_stream_assignment(device):
    s = device.create_stream()
    a = pymic2.OffloadArray((4,), device=device)
    a.stream = s
    assert a.stream is s
    with pytest.raises(ValueError, match="host:1"):
        a.stream = pymic2.devices[1].get_default_stream()
