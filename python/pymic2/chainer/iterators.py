"""A dataset that lives on the device, and its iterator: minibatches without host traffic.

Chainer's SerialIterator + concat_examples build every minibatch on the host, one example at
a time, and upload it: at batch 100 that is 600 small transfers an epoch of MNIST, and host
work that dwarfs the model. Here the whole training set is uploaded once; a minibatch is one
gather (x[indices], t[indices]) on the device, where `indices` is a slice of the epoch's
order, an index array uploaded once per epoch (60000 int64s for MNIST). The order comes
from a NumPy generator on the host, so a seed gives the same batches as
chainer.iterators.SerialIterator(..., shuffle=True) fed the same permutation would.

    iterator = DeviceIterator(train_x, train_t, batch_size=100, device=pymic2.devices[0])
    updater = chainer.training.StandardUpdater(iterator, optimizer, converter=converter)
"""

import numpy

import chainer

from .. import _array, _creation, _device

__all__ = ["DeviceIterator", "HostIterator", "converter"]


def converter(batch, device=None):
    """The converter for a DeviceIterator's batches (already device arrays): returns them
    unchanged, so StandardUpdater and Evaluator do no per-example work."""
    return batch


class DeviceIterator(chainer.dataset.Iterator):
    """Minibatches (x[indices], t[indices]) of arrays kept on the device.

    x, t: NumPy arrays (uploaded once) or pymic2 arrays with the examples along axis 0.
    shuffle: a new order every epoch from numpy.random.default_rng(seed); without it the
    examples come in order. repeat=False stops after one epoch (evaluation). The last batch
    of an epoch may be smaller (as SerialIterator's with repeat=False) when repeat is off;
    with repeat on, a batch that passes the end wraps into the next epoch's order.
    """

    def __init__(self, x, t, batch_size, device=None, shuffle=True, repeat=True, seed=0):
        if len(x) != len(t):
            raise ValueError(f"DeviceIterator: {len(x)} examples but {len(t)} labels")
        if len(x) == 0:
            raise ValueError("DeviceIterator: the dataset is empty")
        if batch_size < 1:
            raise ValueError(f"DeviceIterator: batch_size must be at least 1, not {batch_size}")
        self.device = _device.default_device() if device is None else device
        self.x = self._put(x)
        self.t = self._put(t)
        self.size = len(x)
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self._repeat = repeat
        self._rng = numpy.random.default_rng(seed)
        self.reset()

    def reset(self):
        self.current_position = 0
        self.epoch = 0
        self.is_new_epoch = False
        self._previous_epoch_detail = -1.0
        self._order = self._new_order()

    def _new_order(self):
        """The epoch's order on the device, or None for the identity order."""
        if not self.shuffle:
            return None
        return self._put(self._rng.permutation(self.size).astype(numpy.int64))

    def _take(self, begin, end, order):
        if order is None:
            if begin == 0 and end == self.size:
                return self.x, self.t  # the whole set in order: no copy at all
            return self.x[begin:end], self.t[begin:end]
        indices = order[begin:end]
        return self.x[indices], self.t[indices]

    def __next__(self):
        if not self._repeat and self.epoch > 0:
            raise StopIteration
        self._previous_epoch_detail = self.epoch_detail
        begin = self.current_position
        end = begin + self.batch_size
        if end < self.size:
            batch = self._take(begin, end, self._order)
            self.current_position = end
            self.is_new_epoch = False
            return batch
        batch = self._take(begin, self.size, self._order)
        self.epoch += 1
        self.is_new_epoch = True
        self.current_position = 0
        if self._repeat:
            self._order = self._new_order()
            rest = end - self.size
            if rest > 0:  # fill the batch from the next epoch's order
                head = self._take(0, rest, self._order)
                batch = tuple(self._concatenate(a, b) for a, b in zip(batch, head))
                self.current_position = rest
        return batch

    next = __next__

    def _put(self, array):
        """array on the device (a device array there is used as it is)."""
        if isinstance(array, _array.ndarray):
            return _creation.asarray(array, device=self.device)
        return _creation.asarray(numpy.ascontiguousarray(array), device=self.device)

    @staticmethod
    def _concatenate(a, b):
        return _creation.concatenate((a, b))

    @property
    def epoch_detail(self):
        return self.epoch + self.current_position / self.size

    @property
    def previous_epoch_detail(self):
        return None if self._previous_epoch_detail < 0 else self._previous_epoch_detail

    @property
    def repeat(self):
        return self._repeat

    def serialize(self, serializer):
        self.current_position = serializer("current_position", self.current_position)
        self.epoch = serializer("epoch", self.epoch)
        self.is_new_epoch = serializer("is_new_epoch", self.is_new_epoch)
        self._previous_epoch_detail = serializer("previous_epoch_detail",
                                                 self._previous_epoch_detail)


class HostIterator(DeviceIterator):
    """The same batches as a DeviceIterator of the same seed, as NumPy arrays in host memory
    (for running a model on NumPy side by side with the device)."""

    def __init__(self, x, t, batch_size, shuffle=True, repeat=True, seed=0):
        super().__init__(x, t, batch_size, device=_HOST, shuffle=shuffle, repeat=repeat,
                         seed=seed)

    def _put(self, array):
        return numpy.ascontiguousarray(array)

    @staticmethod
    def _concatenate(a, b):
        return numpy.concatenate((a, b))


_HOST = "host memory"  # HostIterator's device: NumPy arrays
