"""pymic2.datasets: the IDX reader against files written here (raw and gzip, every element
type), its errors on truncated and corrupt files, and load_mnist on a generated directory and
on Debian's Fashion-MNIST when installed."""

import gzip
import os
import struct

import numpy
import pytest

from pymic2 import datasets

TYPE_CODES = {numpy.uint8: 0x08, numpy.int8: 0x09, ">i2": 0x0B, ">i4": 0x0C, ">f4": 0x0D,
              ">f8": 0x0E}


def idx_bytes(array, type_code=None):
    """An IDX file's bytes written from the format's definition (not by the reader)."""
    dtype = numpy.dtype(array.dtype)
    if type_code is None:
        type_code = TYPE_CODES[array.dtype.type] if dtype.itemsize == 1 else \
            TYPE_CODES[dtype.newbyteorder(">").str]
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(
        struct.pack(">I", n) for n in array.shape)
    return header + array.astype(dtype.newbyteorder(">")).tobytes()


def write(path, data, compress):
    if compress:
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("dtype", [numpy.uint8, numpy.int8, numpy.int16, numpy.int32,
                                   numpy.float32, numpy.float64])
def test_round_trip(tmp_path, dtype, compress):
    rng = numpy.random.default_rng(3)
    array = (rng.random((4, 3, 5)) * 100 - (0 if dtype == numpy.uint8 else 50)).astype(dtype)
    path = write(tmp_path / "a.idx", idx_bytes(array), compress)
    got = datasets.read_idx(path)
    assert got.dtype == numpy.dtype(dtype) and got.dtype.isnative
    numpy.testing.assert_array_equal(got, array)


@pytest.mark.parametrize("compress", [False, True])
def test_errors_name_the_file_and_the_problem(tmp_path, compress):
    good = idx_bytes(numpy.arange(24, dtype=numpy.uint8).reshape(2, 3, 4))
    cases = {
        "truncated": good[:-1],
        "trailing": good + b"\0",
        "short header": good[:2],
        "truncated header": good[:9],
        "magic": b"\x01" + good[1:],
        "element type 0x07": good[:2] + b"\x07" + good[3:],
        "0 dimensions": good[:3] + b"\x00" + good[4:],
    }
    for expected, data in cases.items():
        path = write(tmp_path / f"{expected.replace(' ', '_')}.idx", data, compress)
        with pytest.raises(ValueError) as error:
            datasets.read_idx(path)
        message = str(error.value)
        assert str(path) in message
        word = {"trailing": "trailing bytes", "short header": "too short",
                "magic": "magic number", "truncated header": "truncated header"}.get(
                    expected, expected)
        assert word in message, (expected, message)


def test_corrupt_gzip(tmp_path):
    data = gzip.compress(idx_bytes(numpy.zeros((10, 10), numpy.uint8)))
    path = tmp_path / "broken.idx.gz"
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError, match="not a valid gzip file"):
        datasets.read_idx(path)


def make_mnist_directory(directory, n_train=12, n_test=5, compress=True):
    rng = numpy.random.default_rng(0)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, 28, 28), dtype=numpy.uint8),
        "train_labels": rng.integers(0, 10, n_train, dtype=numpy.uint8),
        "test_images": rng.integers(0, 256, (n_test, 28, 28), dtype=numpy.uint8),
        "test_labels": rng.integers(0, 10, n_test, dtype=numpy.uint8),
    }
    for role, array in arrays.items():
        name = datasets.MNIST_FILES[role] + (".gz" if compress else "")
        write(directory / name, idx_bytes(array), compress)
    return arrays


@pytest.mark.parametrize("compress", [False, True])
def test_load_mnist_directory(tmp_path, compress):
    arrays = make_mnist_directory(tmp_path, compress=compress)
    (train_x, train_t), (test_x, test_t) = datasets.load_mnist(tmp_path)
    assert train_x.shape == (12, 784) and train_x.dtype == numpy.float32
    assert train_t.dtype == numpy.int32
    numpy.testing.assert_allclose(train_x, arrays["train_images"].reshape(12, 784) / 255.0,
                                  rtol=1e-6)
    numpy.testing.assert_array_equal(test_t, arrays["test_labels"])
    raw, _ = datasets.load_mnist(tmp_path, dtype=numpy.float64, scale=False)
    numpy.testing.assert_array_equal(raw[0], arrays["train_images"].reshape(12, 784))


@pytest.mark.parametrize("dtype", [numpy.float32, numpy.float64])
def test_scale_images_on_the_device_equals_the_host(dtype):
    """The MNIST job scales uint8 pixels where the model runs: every pixel value gives the
    same bits on the device as load_mnist's host scaling."""
    import pymic2
    pixels = numpy.arange(256, dtype=numpy.uint8).reshape(4, 64)
    host = datasets.scale_images(pixels, dtype)
    device = datasets.scale_images(pymic2.asarray(pixels), dtype)
    assert host.dtype == device.dtype == numpy.dtype(dtype)
    numpy.testing.assert_array_equal(device.get().view(f"u{host.itemsize}"),
                                     host.view(f"u{host.itemsize}"))
    numpy.testing.assert_allclose(host, pixels / 255.0, rtol=1e-6)


def test_load_mnist_mismatch_and_missing(tmp_path):
    make_mnist_directory(tmp_path, compress=False)
    labels = tmp_path / datasets.MNIST_FILES["train_labels"]
    labels.write_bytes(idx_bytes(numpy.zeros(11, numpy.uint8)))
    with pytest.raises(ValueError, match="12 images but .* 11 labels"):
        datasets.load_mnist(tmp_path)
    os.remove(labels)
    with pytest.raises(FileNotFoundError, match="train-labels-idx1-ubyte"):
        datasets.load_mnist(tmp_path)


@pytest.mark.skipif(not os.path.isdir(datasets.DEFAULT_DIRECTORY),
                    reason="Debian's dataset-fashion-mnist is not installed")
def test_fashion_mnist():
    (train_x, train_t), (test_x, test_t) = datasets.load_mnist()
    assert train_x.shape == (60000, 784) and test_x.shape == (10000, 784)
    assert 0 <= train_x.min() and train_x.max() == 1
    # Fashion-MNIST is balanced: 6000 training and 1000 test examples per class
    numpy.testing.assert_array_equal(numpy.bincount(train_t), [6000] * 10)
    numpy.testing.assert_array_equal(numpy.bincount(test_t), [1000] * 10)
