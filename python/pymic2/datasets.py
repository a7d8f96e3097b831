"""Reading MNIST-format data sets (the IDX file format) from disk; nothing is downloaded.

An IDX file is a 4-byte magic number - two zero bytes, a type code, the number of
dimensions - then one big-endian uint32 per dimension, then the elements in C order (big
endian for the multi-byte types). MNIST, Fashion-MNIST and EMNIST ship as such files,
usually gzip-compressed. `read_idx` checks the header against the data that follows, so a
truncated or corrupt file raises ValueError naming the file and what is wrong instead of
returning garbage.

The default data set is Fashion-MNIST from Debian's `dataset-fashion-mnist` package
(/usr/share/datasets/fashion-mnist); `load_mnist(directory)` takes any directory holding the
four files under their usual names (real MNIST, for instance).
"""

import gzip
import os
import zlib

import numpy

__all__ = ["read_idx", "load_mnist", "scale_images", "DEFAULT_DIRECTORY", "MNIST_FILES"]

DEFAULT_DIRECTORY = "/usr/share/datasets/fashion-mnist"

# The four files of an MNIST-format data set, by role.
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

# IDX type codes and the (big-endian) element types they stand for.
_IDX_TYPES = {
    0x08: numpy.dtype(numpy.uint8),
    0x09: numpy.dtype(numpy.int8),
    0x0B: numpy.dtype(">i2"),
    0x0C: numpy.dtype(">i4"),
    0x0D: numpy.dtype(">f4"),
    0x0E: numpy.dtype(">f8"),
}

_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path):
    with open(path, "rb") as file:
        data = file.read()
    if data[:2] != _GZIP_MAGIC:
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{path}: not a valid gzip file ({error})") from None


def read_idx(path):
    """The array stored in the IDX file at `path` (gzip-compressed or raw), in native byte
    order. Raises ValueError naming the file when the magic number, the dimensions or the
    size do not make a valid IDX file."""
    path = os.fspath(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise ValueError(f"{path}: {len(data)} bytes is too short for an IDX header (4 bytes "
                         "of magic number)")
    if data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: bad magic number 0x{data[:4].hex()}: an IDX file starts "
                         "with two zero bytes")
    type_code, ndim = data[2], data[3]
    if type_code not in _IDX_TYPES:
        raise ValueError(f"{path}: unknown IDX element type 0x{type_code:02x} (magic number "
                         f"0x{data[:4].hex()})")
    if ndim == 0:
        raise ValueError(f"{path}: the IDX header declares 0 dimensions")
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise ValueError(f"{path}: truncated header: {ndim} dimensions need {header_size} "
                         f"bytes, the file has {len(data)}")
    shape = tuple(int(n) for n in numpy.frombuffer(data, ">u4", ndim, 4))
    dtype = _IDX_TYPES[type_code]
    expected = header_size + int(numpy.prod(shape, dtype=object)) * dtype.itemsize
    if len(data) != expected:
        problem = "truncated" if len(data) < expected else "has trailing bytes"
        raise ValueError(f"{path}: {problem}: shape {shape} of {dtype.newbyteorder('=')} "
                         f"needs {expected} bytes, the file has {len(data)}")
    array = numpy.frombuffer(data, dtype, offset=header_size).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def _find(directory, name):
    """The path of an IDX file in directory, compressed (name.gz) or not."""
    for candidate in (name + ".gz", name):
        path = os.path.join(directory, candidate)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(
        f"{directory}: neither {name}.gz nor {name} is there (an MNIST-format directory holds "
        f"{', '.join(MNIST_FILES.values())}; Fashion-MNIST comes with Debian's "
        "dataset-fashion-mnist package)")


def _load_split(directory, images_name, labels_name, dtype, scale):
    images_path = _find(directory, images_name)
    labels_path = _find(directory, labels_name)
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.ndim != 3 or images.dtype != numpy.uint8:
        raise ValueError(f"{images_path}: expected uint8 images of 3 dimensions (count, rows, "
                         f"columns), found {images.dtype} of shape {images.shape}")
    if labels.ndim != 1 or labels.dtype != numpy.uint8:
        raise ValueError(f"{labels_path}: expected uint8 labels of 1 dimension, found "
                         f"{labels.dtype} of shape {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{images_path} holds {len(images)} images but {labels_path} "
                         f"{len(labels)} labels")
    flat = images.reshape(len(images), -1)
    flat = scale_images(flat, dtype) if scale else flat.astype(dtype)
    return flat, labels.astype(numpy.int32)


def scale_images(images, dtype=numpy.float32):
    """uint8 pixels as `dtype` in [0, 1] (x * (1/255) in that dtype). The same operations on
    a NumPy or a pymic2 array give the same values, so a device can receive the 4x smaller
    uint8 images and convert them itself."""
    dtype = numpy.dtype(dtype)
    scaled = images.astype(dtype)
    scaled *= dtype.type(1.0 / 255.0)
    return scaled


def load_mnist(directory=None, dtype=numpy.float32, scale=True):
    """((train_x, train_t), (test_x, test_t)) of an MNIST-format data set in `directory`
    (default: Debian's Fashion-MNIST). Images come flattened to rows of `dtype`, scaled to
    [0, 1] when `scale`; labels as int32 (Chainer's convention)."""
    directory = DEFAULT_DIRECTORY if directory is None else os.fspath(directory)
    dtype = numpy.dtype(dtype)
    train = _load_split(directory, MNIST_FILES["train_images"], MNIST_FILES["train_labels"],
                        dtype, scale)
    test = _load_split(directory, MNIST_FILES["test_images"], MNIST_FILES["test_labels"],
                       dtype, scale)
    return train, test
