"""einsum and kron on device arrays.

einsum parses NumPy's subscripts (explicit or implicit output, '...'), takes each operand's
repeated labels as a diagonal view, sums the labels only one operand has, then contracts the
operands two at a time with one batched matmul each (the pair's labels sorted into batch,
left, contracted and right groups by transposed, reshaped views), so the arithmetic is GEMM
and never a Python loop over elements. With optimize (NumPy's True, 'greedy' or 'optimal')
the next pair is the one with the smallest result, else left to right.
"""

import math
import string

from . import _core, _creation, _linalg, _manipulation, _math, _operands, _reduction

__all__ = ["einsum", "kron"]

_LETTERS = set(string.ascii_letters)


def _parse(subscripts, operands):
    """Per operand its labels (ellipsis dimensions as characters outside the letters), and
    the output's labels."""
    subscripts = subscripts.replace(" ", "")
    inputs, arrow, output = subscripts.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(operands):
        raise ValueError("more operands provided to einstein sum function than specified in "
                         "the subscripts string" if len(operands) > len(terms) else
                         "fewer operands provided to einstein sum function than specified "
                         "in the subscripts string")
    ellipsis = max((x.ndim - len(t.replace("...", "")) for t, x in zip(terms, operands)
                    if "..." in t), default=0)
    broadcast = [chr(0x100 + k) for k in range(ellipsis)]
    labels = []
    for term, x in zip(terms, operands):
        own = len(term.replace("...", ""))
        if any(c not in _LETTERS for c in term.replace("...", "")):
            raise ValueError(f"invalid subscript in einstein sum subscripts string '{term}'")
        if "..." in term:
            head, _, tail = term.partition("...")
            labels.append(list(head) + broadcast[ellipsis - (x.ndim - own):] + list(tail))
        else:
            labels.append(list(term))
        if len(labels[-1]) != x.ndim:
            raise ValueError(f"einstein sum subscripts string contains too many subscripts "
                             f"for operand {len(labels) - 1}")
    if arrow:
        out = output.replace("...", "".join(broadcast)) if "..." in output else output
        out = list(out)
    else:
        counts = {}
        for term in labels:
            for c in term:
                counts[c] = counts.get(c, 0) + 1
        out = broadcast + sorted(c for c in counts if counts[c] == 1 and c in _LETTERS)
    return labels, out


def _sizes(labels, operands):
    """Each label's size (1 only where every operand has 1: broadcasting)."""
    sizes = {}
    for term, x in zip(labels, operands):
        for c, n in zip(term, x.shape):
            if sizes.get(c, 1) != n and n != 1:
                if sizes.get(c, 1) != 1:
                    raise ValueError(f"operands could not be broadcast together: label "
                                     f"'{c}' has sizes {sizes[c]} and {n}")
                sizes[c] = n
            sizes.setdefault(c, n)
    return sizes


def _diagonal(x, term):
    """x with each repeated label taken once (a strided view of the diagonal)."""
    while len(set(term)) != len(term):
        c = next(c for c in term if term.count(c) > 1)
        i = term.index(c)
        j = term.index(c, i + 1)
        keep = [d for d in range(x.ndim) if d not in (i, j)]
        x = x._view(x.offset, tuple(x.shape[d] for d in keep) + (x.shape[i],),
                    tuple(x.strides[d] for d in keep) + (x.strides[i] + x.strides[j],))
        term = [term[d] for d in keep] + [c]
    return x, term


def _sum_private(x, term, needed):
    """x summed over the labels no one else needs."""
    axes = tuple(d for d, c in enumerate(term) if c not in needed)
    if axes:
        x = _reduction.sum(x, axis=axes)
        term = [c for c in term if c in needed]
    return x, term


def _grouped(x, term, groups, sizes):
    """x transposed to the label groups and reshaped to one dimension per group (broadcast
    dimensions of size 1 first stretched)."""
    order = [c for group in groups for c in group]
    x = _manipulation.transpose(x, [term.index(c) for c in order])
    x = _manipulation.broadcast_to(x, tuple(sizes[c] for c in order))
    return _manipulation.reshape(x, tuple(math.prod(sizes[c] for c in g) for g in groups))


def _contract(x, xt, y, yt, keep, sizes):
    """The pair's product as one batched matmul; keep: labels still needed."""
    batch = [c for c in xt if c in yt and c in keep]
    summed = [c for c in xt if c in yt and c not in keep]
    left = [c for c in xt if c not in yt]
    right = [c for c in yt if c not in xt]
    a = _grouped(x, xt, (batch, left, summed), sizes)
    b = _grouped(y, yt, (batch, summed, right), sizes)
    product = _linalg.matmul(a, b)
    result = batch + left + right
    return _manipulation.reshape(product, tuple(sizes[c] for c in result)), result


def _next_pair(terms, sizes, optimize):
    if not optimize or len(terms) == 2:
        return 0, 1
    best = None
    for i in range(len(terms)):
        for j in range(i + 1, len(terms)):
            size = math.prod(sizes[c] for c in set(terms[i]) ^ set(terms[j]))
            if best is None or size < best[0]:
                best = (size, i, j)
    return best[1], best[2]


def einsum(subscripts, *operands, out=None, dtype=None, order="K", casting="safe",
           optimize=False):
    """numpy.einsum for a subscripts string; the contractions are batched matmuls."""
    if not isinstance(subscripts, str):
        raise TypeError("einsum on the device takes the subscripts as a string")
    like = next((x for x in operands if isinstance(x, _core.ndarray)), None)
    operands = [_creation.device_operand(x, like) for x in operands]
    if dtype is not None:
        operands = [x.astype(dtype, casting=casting) for x in operands]
    labels, output = _parse(subscripts, operands)
    sizes = _sizes(labels, operands)
    terms, arrays = [], []
    for k, (x, term) in enumerate(zip(operands, labels)):
        others = set(output).union(*(t for i, t in enumerate(labels) if i != k))
        x, term = _diagonal(x, term)
        x, term = _sum_private(x, term, others)
        arrays.append(x)
        terms.append(term)
    while len(arrays) > 1:
        i, j = _next_pair(terms, sizes, optimize)
        keep = set(output).union(*(t for k, t in enumerate(terms) if k not in (i, j)))
        product, term = _contract(arrays[i], terms[i], arrays[j], terms[j], keep, sizes)
        arrays = [x for k, x in enumerate(arrays) if k not in (i, j)] + [product]
        terms = [t for k, t in enumerate(terms) if k not in (i, j)] + [term]
    x, term = _diagonal(arrays[0], terms[0])
    x, term = _sum_private(x, term, set(output))
    x = _manipulation.transpose(x, [term.index(c) for c in output])
    result = _manipulation.broadcast_to(x, tuple(sizes[c] for c in output)).copy()
    if out is not None:
        return _operands.into_out("einsum", result, out, casting)
    return result


def kron(a, b):
    """numpy.kron: the products a[i] * b[j] at i * b.shape + j, by a broadcast multiply of
    interleaved views."""
    like = a if isinstance(a, _core.ndarray) else b
    a, b = _creation.device_operand(a, like), _creation.device_operand(b, like)
    ndim = max(a.ndim, b.ndim)
    a_shape = (1,) * (ndim - a.ndim) + a.shape
    b_shape = (1,) * (ndim - b.ndim) + b.shape
    a = _manipulation.reshape(a, tuple(n for m in a_shape for n in (m, 1)))
    b = _manipulation.reshape(b, tuple(n for m in b_shape for n in (1, m)))
    product = _math.multiply(a, b)
    return _manipulation.reshape(product, tuple(m * n for m, n in zip(a_shape, b_shape)))

