/*
 * test_index.c - pymic2_index_launch (gather, scatter, scatter_add) against a serial reference
 * loop written here, over every dtype, int32 and int64 index arrays, negative and repeated
 * indices, several index arrays, outer and trailing dimensions, transposed and strided
 * operands, broadcast and scalar values, sizes that take the team's parallel path; then the
 * errors (out-of-bounds indices in NumPy's words, with nothing written; bad arguments).
 */
#include "check.h"

#include <complex.h>
#include <stdint.h>

static pymic2_device *device;
static pymic2_stream *stream;
static uint64_t random_state = 2024;

static uint64_t next_random(void)
{
    random_state = random_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return random_state >> 33;
}

/* A device buffer and its host mirror (what the buffer should hold). */
typedef struct mirrored {
    pymic2_buffer *buffer;
    char *host;
    size_t nbytes;
} mirrored;

static void fill_element(pymic2_dtype dtype, char *p)
{
    int small = (int)(next_random() % 201) - 100;
    switch (dtype) {
    case PYMIC2_BOOL: *(uint8_t *)p = (uint8_t)(next_random() % 2); break;
    case PYMIC2_INT8: *(int8_t *)p = (int8_t)small; break; /* sums wrap */
    case PYMIC2_UINT8: *(uint8_t *)p = (uint8_t)(small + 100); break;
    case PYMIC2_INT16: *(int16_t *)p = (int16_t)(small * 300); break; /* sums wrap */
    case PYMIC2_UINT16: *(uint16_t *)p = (uint16_t)(small * 300); break;
    case PYMIC2_INT32: *(int32_t *)p = small * 1000; break;
    case PYMIC2_UINT32: *(uint32_t *)p = (uint32_t)small * 30000000u; break; /* wraps */
    case PYMIC2_INT64: *(int64_t *)p = small * 1000000007LL; break;
    case PYMIC2_UINT64: *(uint64_t *)p = (uint64_t)small * 100000000000000007ULL; break;
    case PYMIC2_FLOAT16: *(_Float16 *)p = (_Float16)(small / 3.0); break; /* sums round */
    case PYMIC2_FLOAT32: *(float *)p = (float)small / 8.0f; break;
    case PYMIC2_FLOAT64: *(double *)p = small / 3.0; break;
    case PYMIC2_COMPLEX64: /* exact in float: sums compare exactly */
        ((float *)p)[0] = (float)small / 8.0f;
        ((float *)p)[1] = (float)small / 4.0f;
        break;
    default: ((double *)p)[0] = small / 3.0; ((double *)p)[1] = small / 7.0; break;
    }
}

/* nbytes of random elements of dtype, uploaded. */
static mirrored make(pymic2_dtype dtype, size_t nbytes)
{
    mirrored m = {.nbytes = nbytes, .host = malloc(nbytes)};
    size_t item = pymic2_dtype_size(dtype);
    for (size_t i = 0; i + item <= nbytes; i += item)
        fill_element(dtype, m.host + i);
    if (pymic2_buffer_alloc(device, nbytes, 0, &m.buffer) != PYMIC2_OK)
        exit(1);
    /* synchronous: the reference updates the mirror while the device works */
    if (pymic2_memcpy_h2d(stream, m.buffer, 0, m.host, nbytes) != PYMIC2_OK ||
        pymic2_stream_sync(stream) != PYMIC2_OK)
        exit(1);
    return m;
}

static void drop(mirrored *m)
{
    pymic2_buffer_release(m->buffer);
    free(m->host);
}

/* Does the device buffer hold exactly the mirror? */
static bool matches(const mirrored *m)
{
    char *got = malloc(m->nbytes);
    bool same = pymic2_memcpy_d2h(stream, got, m->buffer, 0, m->nbytes) == PYMIC2_OK &&
                pymic2_stream_sync(stream) == PYMIC2_OK && memcmp(got, m->host, m->nbytes) == 0;
    free(got);
    return same;
}

static pymic2_operand view(const mirrored *m, pymic2_dtype dtype, int64_t offset, int ndim,
                           const int64_t *shape, const int64_t *strides)
{
    pymic2_operand o;
    memset(&o, 0, sizeof o);
    o.buffer = m->buffer;
    o.offset = offset;
    o.dtype = dtype;
    o.ndim = ndim;
    for (int d = 0; d < ndim; d++) {
        o.shape[d] = shape[d];
        o.strides[d] = strides[d];
    }
    return o;
}

/* Index values in [-size, size) written into an index mirror (and uploaded). */
static void fill_indices(mirrored *m, pymic2_dtype dtype, int64_t size)
{
    size_t item = pymic2_dtype_size(dtype);
    for (size_t i = 0; i + item <= m->nbytes; i += item) {
        int64_t value = (int64_t)(next_random() % (uint64_t)(2 * size)) - size;
        if (dtype == PYMIC2_INT32) {
            int32_t v = (int32_t)value;
            memcpy(m->host + i, &v, sizeof v);
        } else {
            memcpy(m->host + i, &value, sizeof value);
        }
    }
    if (pymic2_memcpy_h2d(stream, m->buffer, 0, m->host, m->nbytes) != PYMIC2_OK ||
        pymic2_stream_sync(stream) != PYMIC2_OK)
        exit(1);
}

/* ---------------------------------------------------------------- the reference */

static void add_element(pymic2_dtype dtype, char *dst, const char *src)
{
    switch (dtype) {
    case PYMIC2_BOOL: *(uint8_t *)dst = (*(uint8_t *)dst | *(const uint8_t *)src) != 0; break;
    case PYMIC2_INT8: *(int8_t *)dst = (int8_t)(uint8_t)(*(int8_t *)dst + *(const int8_t *)src); break;
    case PYMIC2_UINT8: *(uint8_t *)dst = (uint8_t)(*(uint8_t *)dst + *(const uint8_t *)src); break;
    case PYMIC2_INT16:
        *(int16_t *)dst = (int16_t)(uint16_t)(*(int16_t *)dst + *(const int16_t *)src);
        break;
    case PYMIC2_UINT16:
        *(uint16_t *)dst = (uint16_t)(*(uint16_t *)dst + *(const uint16_t *)src);
        break;
    case PYMIC2_INT32:
        *(int32_t *)dst = (int32_t)((uint32_t)*(int32_t *)dst + (uint32_t)*(const int32_t *)src);
        break;
    case PYMIC2_UINT32: *(uint32_t *)dst += *(const uint32_t *)src; break;
    case PYMIC2_UINT64: *(uint64_t *)dst += *(const uint64_t *)src; break;
    case PYMIC2_INT64:
        *(int64_t *)dst = (int64_t)((uint64_t)*(int64_t *)dst + (uint64_t)*(const int64_t *)src);
        break;
    case PYMIC2_FLOAT16: /* in float, rounded to float16 at every add */
        *(_Float16 *)dst = (_Float16)((float)*(_Float16 *)dst + (float)*(const _Float16 *)src);
        break;
    case PYMIC2_FLOAT32: *(float *)dst += *(const float *)src; break;
    case PYMIC2_FLOAT64: *(double *)dst += *(const double *)src; break;
    case PYMIC2_COMPLEX64: *(float complex *)dst += *(const float complex *)src; break;
    default: *(double complex *)dst += *(const double complex *)src; break;
    }
}

/* Serial: walk the result shape in C order, element by element. Host bases per operand
 * (values: the element of a scalar values operand). */
static void reference(const pymic2_index_desc *desc, char *array, char *values,
                      char *const *indices)
{
    const pymic2_operand *a = &desc->array, *v = &desc->values;
    const pymic2_operand *first = &desc->indices[0];
    int ndim = a->ndim - desc->nindices + first->ndim;
    int64_t shape[PYMIC2_MAX_DIMS], total = 1;
    int n = 0;
    for (int d = 0; d < desc->axis; d++)
        shape[n++] = a->shape[d];
    for (int d = 0; d < first->ndim; d++)
        shape[n++] = first->shape[d];
    for (int d = desc->axis + desc->nindices; d < a->ndim; d++)
        shape[n++] = a->shape[d];
    for (int d = 0; d < ndim; d++)
        total *= shape[d];
    size_t item = pymic2_dtype_size(a->dtype);
    for (int64_t flat = 0; flat < total; flat++) {
        int64_t idx[PYMIC2_MAX_DIMS], rest = flat;
        for (int d = ndim - 1; d >= 0; d--) {
            idx[d] = rest % shape[d];
            rest /= shape[d];
        }
        char *value = v->buffer ? values + v->offset : values; /* a scalar's element */
        for (int d = 0; d < v->ndim && v->buffer; d++) { /* right-aligned broadcasting */
            int r = ndim - v->ndim + d;
            if (v->shape[d] != 1)
                value += idx[r] * v->strides[d];
        }
        char *element = array + a->offset;
        for (int d = 0; d < desc->axis; d++)
            element += idx[d] * a->strides[d];
        for (int j = 0; j < desc->nindices; j++) {
            const pymic2_operand *ix = &desc->indices[j];
            const char *at = indices[j] + ix->offset;
            for (int d = 0; d < ix->ndim; d++)
                at += idx[desc->axis + d] * ix->strides[d];
            int64_t i = ix->dtype == PYMIC2_INT32 ? *(const int32_t *)at : *(const int64_t *)at;
            int64_t size = a->shape[desc->axis + j];
            element += (i < 0 ? i + size : i) * a->strides[desc->axis + j];
        }
        for (int d = desc->axis + desc->nindices; d < a->ndim; d++)
            element += idx[d - desc->nindices + first->ndim] * a->strides[d];
        if (desc->mode == PYMIC2_INDEX_GATHER)
            memcpy(value, element, item);
        else if (desc->mode == PYMIC2_INDEX_SCATTER)
            memcpy(element, value, item);
        else
            add_element(a->dtype, element, value);
    }
}

/* ---------------------------------------------------------------- cases */

static const char *const mode_names[] = {"gather", "scatter", "scatter_add"};

/*
 * One case: an array (ashape, possibly transposed), nindices index arrays of shape sshape
 * (int32 or int64, every other element of a larger buffer when strided), values of the result
 * shape (or only its trailing `vdims` dimensions, broadcast; 0 with scalar: a scalar).
 */
typedef struct index_case {
    int andim;
    int64_t ashape[4];
    bool transposed;
    int axis, nindices;
    int sndim;
    int64_t sshape[3];
    pymic2_dtype index_dtype;
    bool strided_index;
    int vdims; /* -1: the full result shape */
    bool scalar;
} index_case;

static void run_case(const index_case *c, pymic2_index_mode mode, pymic2_dtype dtype)
{
    size_t item = pymic2_dtype_size(dtype);
    pymic2_index_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.mode = mode;
    desc.axis = c->axis;
    desc.nindices = c->nindices;

    /* the array: C order, or the transpose of a C-order array of the reversed shape */
    int64_t count = 1, strides[4];
    for (int d = 0; d < c->andim; d++)
        count *= c->ashape[d];
    int64_t stride = (int64_t)item;
    for (int k = 0; k < c->andim; k++) {
        int d = c->transposed ? k : c->andim - 1 - k;
        strides[d] = stride;
        stride *= c->ashape[d];
    }
    mirrored array = make(dtype, (size_t)count * item + 16);
    desc.array = view(&array, dtype, 16, c->andim, c->ashape, strides);

    /* the index arrays */
    mirrored indices[PYMIC2_MAX_INDEX_ARRAYS];
    char *index_hosts[PYMIC2_MAX_INDEX_ARRAYS];
    int64_t scount = 1, sstrides[3];
    for (int d = 0; d < c->sndim; d++)
        scount *= c->sshape[d];
    size_t isize = pymic2_dtype_size(c->index_dtype);
    int64_t spread = c->strided_index ? 2 : 1;
    stride = (int64_t)isize * spread;
    for (int d = c->sndim - 1; d >= 0; d--) {
        sstrides[d] = stride;
        stride *= c->sshape[d];
    }
    for (int j = 0; j < c->nindices; j++) {
        indices[j] = make(c->index_dtype, (size_t)(scount * spread + 1) * isize);
        fill_indices(&indices[j], c->index_dtype, c->ashape[c->axis + j]);
        desc.indices[j] = view(&indices[j], c->index_dtype, 0, c->sndim, c->sshape, sstrides);
        index_hosts[j] = indices[j].host;
    }

    /* the values */
    int rndim = c->andim - c->nindices + c->sndim;
    int64_t rshape[PYMIC2_MAX_DIMS], rcount = 1, rstrides[PYMIC2_MAX_DIMS];
    int n = 0;
    for (int d = 0; d < c->axis; d++)
        rshape[n++] = c->ashape[d];
    for (int d = 0; d < c->sndim; d++)
        rshape[n++] = c->sshape[d];
    for (int d = c->axis + c->nindices; d < c->andim; d++)
        rshape[n++] = c->ashape[d];
    int vdims = c->vdims < 0 || mode == PYMIC2_INDEX_GATHER ? rndim : c->vdims;
    for (int d = rndim - vdims; d < rndim; d++)
        rcount *= rshape[d];
    stride = (int64_t)item;
    for (int d = vdims - 1; d >= 0; d--) {
        rstrides[d] = stride;
        stride *= rshape[rndim - vdims + d];
    }
    mirrored values = make(dtype, (size_t)rcount * item + 8);
    _Alignas(16) char scalar[16]; /* a scalar's value as an element */
    const bool from_scalar = c->scalar && mode != PYMIC2_INDEX_GATHER;
    if (from_scalar) {
        desc.values.dtype = dtype;
        fill_element(dtype, scalar);
        memcpy(&desc.values.value, scalar, item);
        if (dtype == PYMIC2_FLOAT16) /* the scalar holds the float16 value as a float */
            desc.values.value.f16 = *(const _Float16 *)scalar;
    } else {
        desc.values = view(&values, dtype, 8, vdims, rshape + rndim - vdims, rstrides);
    }

    int status = pymic2_index_launch(stream, &desc);
    reference(&desc, array.host, from_scalar ? scalar : values.host, index_hosts);
    char what[160];
    snprintf(what, sizeof what, "%s of %s, array %dd%s axis %d, %d %s index arrays %dd%s",
             mode_names[mode], pymic2_dtype_name(dtype), c->andim,
             c->transposed ? " transposed" : "", c->axis, c->nindices,
             pymic2_dtype_name(c->index_dtype), c->sndim, c->strided_index ? " strided" : "");
    bool ok = status == PYMIC2_OK && matches(&array) && matches(&values);
    check__report(ok, __FILE__, __LINE__, what);
    drop(&array);
    drop(&values);
    for (int j = 0; j < c->nindices; j++)
        drop(&indices[j]);
}

static void test_cases(void)
{
    static const index_case cases[] = {
        /* a[idx]: 1-D, repeats and negatives */
        {1, {37}, false, 0, 1, 1, {50}, PYMIC2_INT64, false, -1, false},
        /* x[perm] rows of a transposed matrix, int32 strided indices of shape (3, 4) */
        {2, {23, 7}, true, 0, 1, 2, {3, 4}, PYMIC2_INT32, true, -1, false},
        /* a[rows, cols]: two index arrays over a 3-D array, trailing dimension kept */
        {3, {6, 5, 3}, false, 0, 2, 1, {40}, PYMIC2_INT64, false, -1, false},
        /* a[:, rows, cols]: outer dimension first */
        {3, {4, 6, 5}, true, 1, 2, 1, {9}, PYMIC2_INT32, false, -1, false},
        /* a[:, idx] with values broadcast along the rows (a trailing block of 1 dim) */
        {2, {5, 8}, false, 1, 1, 1, {12}, PYMIC2_INT64, true, 1, false},
        /* a[idx] = scalar over a 3-D block */
        {3, {9, 2, 3}, false, 0, 1, 1, {20}, PYMIC2_INT64, false, 0, true},
        /* values of one row broadcast over every index: a[idx] = row */
        {2, {10, 6}, false, 0, 1, 2, {4, 5}, PYMIC2_INT32, false, 1, false},
        /* 0-d index array: a[3] as advanced indexing */
        {2, {7, 4}, false, 0, 1, 0, {0}, PYMIC2_INT64, false, -1, false},
        /* empty index array */
        {2, {7, 4}, false, 0, 1, 1, {0}, PYMIC2_INT64, false, -1, false},
        /* large: the parallel path of both passes; many repeats for the scatters */
        {2, {300, 64}, false, 0, 1, 1, {5000}, PYMIC2_INT64, false, -1, false},
        {1, {100}, false, 0, 1, 1, {70000}, PYMIC2_INT32, true, -1, false},
        {2, {3000, 3}, true, 0, 2, 2, {100, 200}, PYMIC2_INT64, false, -1, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int mode = 0; mode < 3; mode++)
            for (int dtype = 0; dtype < PYMIC2_NUM_DTYPES; dtype++)
                run_case(&cases[i], (pymic2_index_mode)mode, (pymic2_dtype)dtype);
}

/* ---------------------------------------------------------------- errors */

static void test_errors(void)
{
    const int64_t ashape[1] = {5}, astrides[1] = {8}, ishape[1] = {4}, istrides[1] = {8};
    mirrored array = make(PYMIC2_FLOAT64, 40), out = make(PYMIC2_FLOAT64, 32);
    mirrored index = make(PYMIC2_INT64, 32);
    const int64_t bad[4] = {1, 10, -7, 2};
    memcpy(index.host, bad, sizeof bad);
    pymic2_memcpy_h2d(stream, index.buffer, 0, index.host, sizeof bad);
    pymic2_index_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.mode = PYMIC2_INDEX_GATHER;
    desc.nindices = 1;
    desc.array = view(&array, PYMIC2_FLOAT64, 0, 1, ashape, astrides);
    desc.indices[0] = view(&index, PYMIC2_INT64, 0, 1, ishape, istrides);
    desc.values = view(&out, PYMIC2_FLOAT64, 0, 1, ishape, astrides);

    /* out of bounds: found on the device, reported by the sync in NumPy's words */
    for (int mode = 0; mode < 3; mode++) {
        desc.mode = (pymic2_index_mode)mode;
        CHECK_OK(pymic2_index_launch(stream, &desc));
        CHECK_STATUS(pymic2_stream_sync(stream), PYMIC2_EASYNC);
        CHECK(pymic2_last_async_status() == PYMIC2_EINDEX);
        CHECK_MESSAGE_HAS("index 10 is out of bounds for axis 0 with size 5");
        if (desc.mode == PYMIC2_INDEX_GATHER)
            memset(out.host, 0, out.nbytes); /* a failed gather's result: zeros */
        CHECK(matches(&array) && matches(&out)); /* nothing else written */
    }
    ((int64_t *)index.host)[1] = 4;
    pymic2_memcpy_h2d(stream, index.buffer, 0, index.host, 32);
    desc.mode = PYMIC2_INDEX_SCATTER;
    CHECK_OK(pymic2_index_launch(stream, &desc));
    CHECK_STATUS(pymic2_stream_sync(stream), PYMIC2_EASYNC);
    CHECK(pymic2_last_async_status() == PYMIC2_EINDEX);
    CHECK_MESSAGE_HAS("index -7 is out of bounds for axis 0 with size 5");
    CHECK_OK(pymic2_stream_sync(stream));
    CHECK(pymic2_last_async_status() == PYMIC2_OK); /* reported once, then cleared */
    CHECK(matches(&array));
    desc.mode = PYMIC2_INDEX_GATHER;

    pymic2_index_desc e = desc;
    e.values.dtype = PYMIC2_FLOAT32;
    CHECK_STATUS(pymic2_index_launch(stream, &e), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("the array is float64 but the values are float32");
    e = desc;
    e.indices[0].dtype = PYMIC2_FLOAT64;
    CHECK_STATUS(pymic2_index_launch(stream, &e), PYMIC2_EDTYPE);
    CHECK_MESSAGE_HAS("must be int32 or int64");
    e = desc;
    e.values.shape[0] = 3;
    CHECK_STATUS(pymic2_index_launch(stream, &e), PYMIC2_ESHAPE);
    CHECK_MESSAGE_HAS("the output has shape (3,), but the indexing result has shape (4,)");
    e.mode = PYMIC2_INDEX_SCATTER;
    CHECK_STATUS(pymic2_index_launch(stream, &e), PYMIC2_ESHAPE);
    CHECK_MESSAGE_HAS("value array of shape (3,) could not be broadcast to indexing result of "
                      "shape (4,)");
    e = desc;
    e.axis = 1;
    CHECK_STATUS(pymic2_index_launch(stream, &e), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("too many indices");
    e = desc;
    e.nindices = 0;
    CHECK_STATUS(pymic2_index_launch(stream, &e), PYMIC2_EINVAL);
    e = desc;
    e.nindices = 2;
    e.indices[1] = desc.indices[0];
    e.indices[1].shape[0] = 2;
    CHECK_STATUS(pymic2_index_launch(stream, &e), PYMIC2_EINVAL); /* 2 indices, 1-d array */
    e = desc;
    e.values.strides[0] = 0;
    CHECK_STATUS(pymic2_index_launch(stream, &e), PYMIC2_EINVAL);
    CHECK_MESSAGE_HAS("stride 0");
    e = desc;
    e.indices[0].offset = 8;
    CHECK_STATUS(pymic2_index_launch(stream, &e), PYMIC2_ERANGE);
    e = desc;
    e.values.buffer = NULL;
    CHECK_STATUS(pymic2_index_launch(stream, &e), PYMIC2_EINVAL);
    e = desc;
    e.mode = (pymic2_index_mode)7;
    CHECK_STATUS(pymic2_index_launch(stream, &e), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_index_launch(NULL, &desc), PYMIC2_EINVAL);
    CHECK_STATUS(pymic2_index_launch(stream, NULL), PYMIC2_EINVAL);
    CHECK_OK(pymic2_stream_sync(stream)); /* refused launches enqueue nothing */
    drop(&array);
    drop(&out);
    drop(&index);
}

int main(void)
{
    CHECK_OK(pymic2_device_default(&device));
    CHECK_OK(pymic2_stream_default(device, &stream));
    test_cases();
    test_errors();
    return CHECK_DONE();
}
