"""Raw device memory: allocation, transfers, bounds, deallocation, pool statistics."""

import gc

import numpy
import pytest

import pymic2


def test_roundtrip_through_device(stream):
    a = numpy.arange(16.0)
    buf = stream.allocate_device_memory(a.nbytes)
    stream.transfer_host2device(a, buf, a.nbytes)
    b = numpy.zeros_like(a)
    stream.transfer_device2host(buf, b, a.nbytes)
    stream.sync()
    numpy.testing.assert_array_equal(a, b)


def test_offsets_on_both_sides(stream):
    a = numpy.arange(8, dtype=numpy.int64)
    buf = stream.allocate_device_memory(a.nbytes)
    stream.transfer_host2device(numpy.zeros(8, numpy.int64), buf, a.nbytes)
    # host elements 2..5 to device elements 4..7
    stream.transfer_host2device(a, buf, 32, offset_host=16, offset_device=32)
    out = numpy.full(10, -1, numpy.int64)
    stream.transfer_device2host(buf, out, 64, offset_device=0, offset_host=16)
    stream.sync()
    numpy.testing.assert_array_equal(out, [-1, -1, 0, 0, 0, 0, 2, 3, 4, 5])


def test_raw_host_addresses_as_in_pymic(stream):
    a = numpy.arange(4.0)
    b = numpy.zeros(4)
    buf = stream.allocate_device_memory(a.nbytes)
    stream.transfer_host2device(a.ctypes.data, buf, a.nbytes)
    stream.transfer_device2host(buf, b.ctypes.data, a.nbytes)
    stream.sync()
    numpy.testing.assert_array_equal(a, b)


def test_device_to_device(stream):
    a = numpy.arange(6.0)
    src = stream.allocate_device_memory(a.nbytes)
    dst = stream.allocate_device_memory(a.nbytes)
    stream.transfer_host2device(a, src, a.nbytes)
    stream.transfer_device2device(src, dst, 24, offset_device_src=24, offset_device_dst=0)
    out = numpy.zeros(3)
    stream.transfer_device2host(dst, out, 24)
    stream.sync()
    numpy.testing.assert_array_equal(out, [3.0, 4.0, 5.0])


def test_transfer_past_device_end_is_refused(stream):
    buf = stream.allocate_device_memory(4096)
    host = numpy.zeros(8192, numpy.uint8)
    with pytest.raises(ValueError, match="4096"):
        stream.transfer_host2device(host, buf, 4096, offset_device=1024)
    with pytest.raises(ValueError, match="4096"):
        stream.transfer_device2host(buf, host, 8192)
    other = stream.allocate_device_memory(1024)
    with pytest.raises(ValueError, match="1024"):
        stream.transfer_device2device(buf, other, 2048)
    stream.sync()  # nothing failed asynchronously


def test_transfer_past_host_end_is_refused(stream):
    buf = stream.allocate_device_memory(1024)
    small = numpy.zeros(16, numpy.uint8)
    with pytest.raises(ValueError, match="host"):
        stream.transfer_host2device(small, buf, 32)
    with pytest.raises(ValueError, match="host"):
        stream.transfer_device2host(buf, small, 16, offset_host=8)


def test_read_only_host_destination_is_refused(stream):
    buf = stream.allocate_device_memory(64)
    host = numpy.zeros(8)
    host.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        stream.transfer_device2host(buf, host, 64)


@pytest.mark.parametrize("nbytes", [0, -5])
def test_bad_allocation_size(stream, nbytes):
    with pytest.raises(ValueError, match=str(nbytes)):
        stream.allocate_device_memory(nbytes)


def test_negative_offsets_are_refused(stream):
    buf = stream.allocate_device_memory(64)
    with pytest.raises(ValueError, match="offset_host"):
        stream.transfer_host2device(numpy.zeros(8), buf, 8, offset_host=-1)


def test_use_of_deallocated_buffer(stream):
    buf = stream.allocate_device_memory(64)
    stream.deallocate_device_memory(buf)
    host = numpy.zeros(8)
    for use in (lambda: stream.transfer_host2device(host, buf, 64),
                lambda: stream.transfer_device2host(buf, host, 64),
                lambda: stream.translate_device_pointer(buf),
                lambda: buf.free(),
                lambda: stream.deallocate_device_memory(buf)):
        with pytest.raises(pymic2.OffloadError, match="deallocated buffer"):
            use()


def test_deallocating_a_non_pointer(stream):
    with pytest.raises(ValueError, match="device pointer"):
        stream.deallocate_device_memory(12345)


def test_translate_device_pointer(stream):
    buf = stream.allocate_device_memory(128, alignment=128)
    address = stream.translate_device_pointer(buf)
    assert address == buf.address and address % 128 == 0
    assert stream.translate_device_pointer(None) == 0


def test_pool_reuses_freed_memory(device, stream, pool_unchanged):
    pool = device.memory_pool
    before = pool.stats()
    buf = stream.allocate_device_memory(10000)
    assert pool.used_bytes() >= before["used_bytes"] + 10000
    del buf
    gc.collect()
    assert pool.used_bytes() == before["used_bytes"]
    allocations = pool.stats()["n_allocations"]
    again = stream.allocate_device_memory(10000)  # served from the cache
    assert pool.stats()["n_allocations"] == allocations
    del again


def test_allocation_beyond_the_limit_is_memory_error(device, stream, pool_unchanged):
    pool = device.memory_pool
    pool.free_all_blocks()
    before = pool.stats()
    pool.set_limit(before["used_bytes"] + (1 << 20))
    try:
        with pytest.raises(MemoryError, match=device.name):
            stream.allocate_device_memory(2 << 20)
        with pytest.raises(MemoryError):
            pymic2.OffloadArray((1024, 1024), numpy.float64, device=device)
        after = pool.stats()
        assert after["used_bytes"] == before["used_bytes"]
        assert pool.get_limit() == before["used_bytes"] + (1 << 20)
        small = stream.allocate_device_memory(1 << 16)  # below the limit still works
        del small
    finally:
        pool.set_limit(0)
    assert pool.get_limit() == 0


def test_free_all_blocks_empties_the_cache(device, stream):
    buf = stream.allocate_device_memory(1 << 16)
    del buf
    gc.collect()
    device.memory_pool.free_all_blocks()
    stats = device.memory_pool.stats()
    assert stats["cached_bytes"] == 0 and stats["n_free_blocks"] == 0


def test_temporary_host_array_is_kept_alive(stream, library):
    """A numpy temporary passed to an asynchronous copy may be dropped at once."""
    flag = stream.allocate_device_memory(8)
    data = stream.allocate_device_memory(8 * 100000)
    # a slow kernel first, so the copy below is still queued when its source is dropped
    stream.invoke(library.sleep_then_set, 100, flag, 1.0)
    stream.transfer_host2device(numpy.arange(100000.0), data, 8 * 100000)
    assert stream._stream.pending_host_objects >= 1
    gc.collect()
    garbage = [numpy.full(100000, -7.0) for _ in range(20)]  # reuse freed host memory
    out = numpy.zeros(100000)
    stream.transfer_device2host(data, out, 8 * 100000)
    stream.sync()
    del garbage
    numpy.testing.assert_array_equal(out, numpy.arange(100000.0))
    assert stream._stream.pending_host_objects == 0


def test_sticky_allocation_lives_until_deallocated(device, stream, pool_unchanged):
    used = device.memory_pool.used_bytes()
    stream.allocate_device_memory(4096, sticky=True)  # no reference kept by the caller
    gc.collect()
    assert device.memory_pool.used_bytes() >= used + 4096
    (buffer,) = stream._sticky
    stream.deallocate_device_memory(buffer)
    assert buffer.freed


def test_no_reference_or_memory_leaks_in_hot_paths(stream, pool_unchanged):
    import sys

    a = stream.bind(numpy.arange(64.0))
    host = numpy.zeros(64)
    core_stream, buffer, dtype = a._stream, a.buffer, a.dtype
    counts = [sys.getrefcount(o) for o in (core_stream, buffer, dtype, host)]
    for _ in range(300):
        b = a + a
        b = a * 2.0
        b += 1
        b = -a[::2]
        a._to_host(host)
        stream.transfer_host2device(host, a.buffer, 64)
    del b
    stream.sync()
    gc.collect()
    assert [sys.getrefcount(o) for o in (core_stream, buffer, dtype, host)] == counts


def test_translate_pointer_of_other_device_is_refused(stream):
    other = pymic2.devices[1].get_default_stream().allocate_device_memory(64)
    with pytest.raises(pymic2.OffloadError, match="host:1"):
        stream.translate_device_pointer(other)
    array = stream.zeros((4,))
    assert stream.translate_device_pointer(array) == array.data_ptr
