/*
 * ocl_source.c - OpenCL C sources of the built-in ops and reductions, generated from the op
 * rows of src/ops/op_table.h (the same rows the host loops are compiled from).
 *
 * A row's expression for a dtype class arrives here as text (stringified through
 * PYMIC2__CALL); the kernel source defines what the text names: T (the element type), W (the
 * unsigned type integer arithmetic wraps in), `invalid`, the C type names int8_t ... uint64_t
 * and the pymic2__ helpers, in OpenCL C. So an op is described once for both backends.
 *
 * What does not depend on the key (the preludes, the reduction and indexing kernels) is
 * OpenCL C in the .cl files of cl/, embedded at build time; this file writes the macros
 * those files read, and the elementwise kernels, whose parameter lists follow the layout
 * and scalar mask.
 */
#include "ocl_ops.h"

#include "../../ops/op_table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocl_row_names.h" /* last: the rows' names stay names in their text */

/* ---------------------------------------------------------------- text builder */

typedef struct text {
    char *data;
    size_t length, capacity;
    bool failed; /* out of memory: the text is incomplete */
} text;

static void append(text *t, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void append(text *t, const char *format, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list args;
        va_start(args, format);
        size_t room = t->capacity - t->length;
        int n = vsnprintf(t->data ? t->data + t->length : NULL, room, format, args);
        va_end(args);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if ((size_t)n < room) {
            t->length += (size_t)n;
            return;
        }
        size_t capacity = (t->capacity + (size_t)n + 1) * 2;
        char *data = realloc(t->data, capacity);
        if (data == NULL) {
            t->failed = true;
            return;
        }
        t->data = data;
        t->capacity = capacity;
    }
}

/* Hands the text over as *source, or frees it and reports ENOMEM. */
static int finish(text *t, const char *device, char **source)
{
    if (t->failed || t->data == NULL) {
        free(t->data);
        return pymic2__error(PYMIC2_ENOMEM, "%s: out of host memory for a kernel source",
                             device);
    }
    *source = t->data;
    return PYMIC2_OK;
}

int pymic2__ocl_source_printf(const char *device, char **source, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *text = NULL;
    const int length = vasprintf(&text, format, args);
    va_end(args);
    if (length < 0)
        return pymic2__error(PYMIC2_ENOMEM, "%s: out of host memory for a kernel source",
                             device);
    *source = text;
    return PYMIC2_OK;
}

/* ---------------------------------------------------------------- the rows as text */

#define PYMIC2__OCL_STRING(x) #x
#define PYMIC2__OCL_EXPANDED_STRING(x) PYMIC2__OCL_STRING(x)

/* A class column `1, expression` gives the expression's text, `0, reason` NULL. */
#define PYMIC2__OCL_TEXT_1(expression) #expression
#define PYMIC2__OCL_TEXT_0(reason) NULL
#define PYMIC2__OCL_ROW_TEXT(RULE, bo, be, io, ie, fo, fe, co, ce)                        \
    {                                                                                     \
        [PYMIC2__CLASS_BOOL] = PYMIC2__OCL_TEXT_##bo(be),                                 \
        [PYMIC2__CLASS_INT] = PYMIC2__OCL_TEXT_##io(ie),                                  \
        [PYMIC2__CLASS_FLOAT] = PYMIC2__OCL_TEXT_##fo(fe),                                \
        [PYMIC2__CLASS_COMPLEX] = PYMIC2__OCL_TEXT_##co(ce),                              \
    },
#define PYMIC2__OCL_OP_TEXT(NAME, lname, n) \
    [PYMIC2_OP_##NAME] = PYMIC2__CALL(PYMIC2__OCL_ROW_TEXT, PYMIC2__OP_ROW_##NAME)
static const char *const op_text[PYMIC2_NUM_OPS][PYMIC2__NUM_CLASSES] = {
    PYMIC2_OP_TABLE(PYMIC2__OCL_OP_TEXT)};
#undef PYMIC2__OCL_OP_TEXT
#undef PYMIC2__OCL_ROW_TEXT

/* Conversions between classes, as op_table.h's PYMIC2__CONVERT_* with TO_T and VALUE;
 * complex to complex is convert_<type> (pymic2__ocl_source_elementwise). */
#define PYMIC2__OCL_CONVERT(FROM, TO)                                            \
    [PYMIC2__CLASS_##FROM][PYMIC2__CLASS_##TO] =                                 \
        PYMIC2__OCL_EXPANDED_STRING(PYMIC2__CONVERT_##FROM##_##TO(TO_T, VALUE))
static const char *const convert_text[PYMIC2__NUM_CLASSES][PYMIC2__NUM_CLASSES] = {
    PYMIC2__OCL_CONVERT(BOOL, BOOL),  PYMIC2__OCL_CONVERT(BOOL, INT),
    PYMIC2__OCL_CONVERT(BOOL, FLOAT), PYMIC2__OCL_CONVERT(INT, BOOL),
    PYMIC2__OCL_CONVERT(INT, INT),    PYMIC2__OCL_CONVERT(INT, FLOAT),
    PYMIC2__OCL_CONVERT(FLOAT, BOOL), PYMIC2__OCL_CONVERT(FLOAT, INT),
    PYMIC2__OCL_CONVERT(FLOAT, FLOAT), PYMIC2__OCL_CONVERT(BOOL, COMPLEX),
    PYMIC2__OCL_CONVERT(INT, COMPLEX), PYMIC2__OCL_CONVERT(FLOAT, COMPLEX),
    PYMIC2__OCL_CONVERT(COMPLEX, BOOL), PYMIC2__OCL_CONVERT(COMPLEX, INT),
    PYMIC2__OCL_CONVERT(COMPLEX, FLOAT),
};
#undef PYMIC2__OCL_CONVERT
static const char *const convert_same = PYMIC2__OCL_EXPANDED_STRING(
    PYMIC2__CONVERT_C(TO_T, VALUE));
static const char *const convert_bool = PYMIC2__OCL_EXPANDED_STRING(
    PYMIC2__CONVERT_TO_BOOL(TO_T, VALUE));

/* Per dtype, from the dtype table: the C type name the rows' T takes (typedef'ed in the
 * prelude: the compute type), the wrap type W, OpenCL's name of the type in memory and its
 * smallest and largest values (the identities of max and min; <stdint.h> names, which the
 * prelude defines). */
typedef struct dtype_text {
    const char *compute, *wrap, *ocl, *lowest, *highest;
} dtype_text;

#define PYMIC2__OCL_DTYPE_TEXT(context, NAME, name, ctype, CLASS, wrap, REAL, real_ctype, member, \
                               lowest, highest, opencl, dlpack, compute)                       \
    [PYMIC2_##NAME] = {#compute, #wrap, #opencl, #lowest, #highest},
static const dtype_text dtype_texts[PYMIC2_NUM_DTYPES] = {
    PYMIC2_DTYPE_TABLE(PYMIC2__OCL_DTYPE_TEXT, unused)};
#undef PYMIC2__OCL_DTYPE_TEXT

const char *pymic2__ocl_type_name(pymic2_dtype dtype)
{
    if ((int)dtype < 0 || (int)dtype >= PYMIC2_NUM_DTYPES)
        return NULL;
    return dtype_texts[dtype].ocl;
}

/* OpenCL's name of the type a dtype computes in: its own, or (float16, stored as half) its
 * compute dtype's. */
static const char *compute_name(pymic2_dtype dtype)
{
    return dtype_texts[pymic2__dtype_compute(dtype)].ocl;
}

/* The macros LOAD(p, i) and STORE(p, i, v) a kernel reads and writes elements of a dtype
 * with, under the given names (NULL: not needed): [] and =, or for a dtype stored in a
 * narrower type than it computes in (float16: OpenCL 1.2's half, which is only loaded and
 * stored) vload_half and vstore_half_rte (round to nearest even, as the host's conversion). */
static void define_access(text *t, const char *load, const char *store, pymic2_dtype dtype)
{
    const bool half = pymic2__dtype_compute(dtype) != dtype;
    if (load != NULL)
        append(t, half ? "#define %s(p, i) vload_half((i), (p))\n" : "#define %s(p, i) ((p)[i])\n",
               load);
    if (store != NULL)
        append(t, half ? "#define %s(p, i, v) vstore_half_rte((v), (i), (p))\n"
                       : "#define %s(p, i, v) ((p)[i] = (v))\n",
               store);
}

bool pymic2__ocl_op_may_be_invalid(pymic2_op op, pymic2_dtype dtype)
{
    const char *expression = op_text[op][pymic2__dtype_class_of(dtype)];
    return expression != NULL && strstr(expression, "invalid") != NULL;
}

/* ---------------------------------------------------------------- the preludes */

/* The constant OpenCL C, embedded from the files in cl/ at build time (cl/embed.py):
 * pymic2__ocl_cl_prelude (every source), pymic2__ocl_cl_prelude_float (float T),
 * pymic2__ocl_cl_prelude_complex (complex64 or complex128), pymic2__ocl_cl_reduce,
 * pymic2__ocl_cl_index. */
#include "ocl_cl_sources.h"

/* EDTYPE for dtypes an OpenCL device cannot run: float64 and complex128 (a pair of float64)
 * without fp64. */
static int check_dtype(const char *device, const char *what, pymic2_dtype dtype, bool fp64)
{
    if (!pymic2__dtype_needs_fp64(dtype) || fp64)
        return PYMIC2_OK;
    char needs[64] = "";
    if (pymic2__dtype_class_of(dtype) == PYMIC2__CLASS_COMPLEX)
        snprintf(needs, sizeof needs, ", which %s needs", pymic2_dtype_name(dtype));
    return pymic2__error(PYMIC2_EDTYPE, "%s: %s: the device has no float64 support "
                         "(cl_khr_fp64)%s", device, what, needs);
}

/* The header of a source whose element type is `dtype`: fp64, the prelude, T and W, and the
 * complex helpers for the one complex dtype the kernel computes in: `dtype` if complex, else
 * `other` if complex (a conversion to complex), else none. A kernel with two complex dtypes
 * converts between them with convert_<type> only. */
static void begin_source(text *t, pymic2_dtype dtype, bool fp64, pymic2_dtype other)
{
    const dtype_text *types = &dtype_texts[dtype];
    const pymic2__dtype_class class = pymic2__dtype_class_of(dtype);
    if (fp64)
        append(t, "#define PYMIC2_FP64 1\n");
    append(t, "%s", pymic2__ocl_cl_prelude);
    /* the row's T: the compute type's C name, typedef'ed in the prelude, or OpenCL's for
     * complex */
    append(t, "#define T %s\n",
           class == PYMIC2__CLASS_COMPLEX ? types->ocl : types->compute);
    if (strcmp(types->wrap, "void") != 0)
        append(t, "#define W %s\n", types->wrap);
    if (class == PYMIC2__CLASS_FLOAT) {
        append(t, "#define PYMIC2_T_IS_DOUBLE %d\n", dtype == PYMIC2_FLOAT64);
        append(t, "%s", pymic2__ocl_cl_prelude_float);
    }
    const pymic2_dtype helpers = class == PYMIC2__CLASS_COMPLEX ? dtype : other;
    if (pymic2__dtype_class_of(helpers) == PYMIC2__CLASS_COMPLEX) {
        append(t, "#define PYMIC2_COMPLEX_DOUBLE %d\n", pymic2__dtype_needs_fp64(helpers));
        append(t, "%s", pymic2__ocl_cl_prelude_complex);
    }
}

/* The conversion from class `from` to dtype `to` under a rule, as PYMIC2_CONVERT(TO_T, VALUE). */
static void define_convert(text *t, const char *convert)
{
    append(t, "#define PYMIC2_CONVERT(TO_T, VALUE) %s\n", convert);
}

/* ---------------------------------------------------------------- elementwise ops */

static const char *const input_names[] = {"a", "b", "c"};

/* Kernel names by layout and scalar mask (string literals: the kernel cache keeps them). */
#define PYMIC2__OCL_MASK_NAMES(prefix)                                                      \
    {prefix "_0", prefix "_1", prefix "_2", prefix "_3", prefix "_4", prefix "_5",          \
     prefix "_6", prefix "_7"}
static const char *const elementwise_names[PYMIC2__OCL_NUM_LAYOUTS][8] = {
    [PYMIC2__OCL_CONTIGUOUS] = PYMIC2__OCL_MASK_NAMES("pymic2_contiguous"),
    [PYMIC2__OCL_CONTIGUOUS_TAIL] = PYMIC2__OCL_MASK_NAMES("pymic2_contiguous_tail"),
    [PYMIC2__OCL_STRIDED] = PYMIC2__OCL_MASK_NAMES("pymic2_strided"),
    [PYMIC2__OCL_STRIDED_1] = PYMIC2__OCL_MASK_NAMES("pymic2_strided1"),
    [PYMIC2__OCL_STRIDED_2] = PYMIC2__OCL_MASK_NAMES("pymic2_strided2"),
    [PYMIC2__OCL_STRIDED_3] = PYMIC2__OCL_MASK_NAMES("pymic2_strided3"),
};
#undef PYMIC2__OCL_MASK_NAMES

const char *pymic2__ocl_elementwise_kernel_name(int layout, unsigned scalars)
{
    return elementwise_names[layout][scalars];
}

/*
 * One kernel of an elementwise program: `out = row(inputs)` for one layout, input k a
 * scalar argument where bit k of `scalars` is set. The contiguous kernel has no bounds
 * check (a branch there kept PoCL from vectorising exp's body fully, exp 25 % slower): it
 * runs on whole work-groups of PYMIC2__OCL_ELEMENTWISE_GROUP, and the checked tail kernel
 * takes the last partial group. Strided kernels decompose the element number over the
 * shape (geometry); those with a fixed ndim run unchecked on whole work-groups, the checked
 * one with ndim from its argument takes tails and more dimensions. Every launch has one
 * work-group size and no global offset, so PoCL compiles one work-group function per kernel
 * instead of one per remainder size.
 */
static void append_elementwise_kernel(text *t, const pymic2__op_info *info,
                                      const char *expression, int layout, unsigned scalars)
{
    const bool iota = info->rule == PYMIC2__OUT_IOTA;
    const bool flags = strstr(expression, "invalid") != NULL;
    const bool strided = layout >= PYMIC2__OCL_STRIDED;
    const bool checked = layout == PYMIC2__OCL_CONTIGUOUS_TAIL || layout == PYMIC2__OCL_STRIDED;
    /* the strided loop's dimension count: the argument, or a constant to unroll */
    char ndim[16] = "ndim";
    if (strided && layout != PYMIC2__OCL_STRIDED)
        snprintf(ndim, sizeof ndim, "%d", layout - PYMIC2__OCL_STRIDED);
    /* input k's element type and the type it is stored as (read with LOAD_T, see
     * define_access): where's condition is bool */
    const char *types[3], *stored[3];
    for (int k = 0; k < info->ninputs; k++) {
        const bool condition = info->rule == PYMIC2__OUT_SELECT && k == 0;
        types[k] = condition ? "uchar" : "T";
        stored[k] = condition ? "uchar" : "TS";
    }

    append(t, "__kernel void %s(__global TOS *out, long out_offset",
           elementwise_names[layout][scalars]);
    for (int k = 0; k < info->ninputs; k++) {
        if (scalars >> k & 1)
            append(t, ", const %s %s_value", types[k], input_names[k]);
        else
            append(t, ", __global const %s *%s_data, long %s_offset", stored[k],
                   input_names[k], input_names[k]);
    }
    if (strided)
        append(t, ", __global const long *geometry, int ndim");
    if (layout != PYMIC2__OCL_CONTIGUOUS)
        append(t, ", long first, long n");
    append(t, "%s)\n{\n", flags ? ", __global int *flags" : "");
    if (checked)
        append(t, "    const long i = first + get_global_id(0);\n"
                  "    if (i >= n)\n        return;\n");
    else
        append(t, "    const long i = get_global_id(0);\n");
    append(t, "    int invalid = 0;\n");
    if (iota)
        append(t, "    const long index = i;\n");
    if (strided) {
        /* geometry: shape[ndim], then the strides (elements) of the output and each input */
        append(t, "    long out_at = out_offset");
        for (int k = 0; k < info->ninputs; k++)
            if (!(scalars >> k & 1))
                append(t, ", %s_at = %s_offset", input_names[k], input_names[k]);
        append(t, ";\n    long rest = i;\n"
                  "    for (int d = %s - 1; d >= 0; d--) {\n"
                  "        const long size = geometry[d];\n"
                  "        const long j = rest %% size;\n"
                  "        rest /= size;\n"
                  "        out_at += j * geometry[%s + d];\n", ndim, ndim);
        for (int k = 0; k < info->ninputs; k++)
            if (!(scalars >> k & 1))
                append(t, "        %s_at += j * geometry[%d * %s + d];\n", input_names[k],
                       k + 2, ndim);
        append(t, "    }\n");
    } else {
        append(t, "    const long out_at = out_offset + i;\n");
        for (int k = 0; k < info->ninputs; k++)
            if (!(scalars >> k & 1))
                append(t, "    const long %s_at = %s_offset + i;\n", input_names[k],
                       input_names[k]);
    }
    for (int k = 0; k < info->ninputs; k++) {
        if (scalars >> k & 1)
            append(t, "    const %s %s = %s_value;\n", types[k], input_names[k],
                   input_names[k]);
        else if (strcmp(types[k], "T") == 0)
            append(t, "    const T %s = LOAD_T(%s_data, %s_at);\n", input_names[k],
                   input_names[k], input_names[k]);
        else
            append(t, "    const %s %s = %s_data[%s_at];\n", types[k], input_names[k],
                   input_names[k], input_names[k]);
    }
    append(t, "    STORE_TO(out, out_at, PYMIC2_CONVERT(TO, (%s)));\n", expression);
    if (flags)
        append(t, "    if (invalid)\n        flags[0] = 1;\n");
    append(t, "}\n");
}

int pymic2__ocl_source_elementwise(const char *device, const pymic2__ocl_elementwise_key *key,
                                   char **source)
{
    const pymic2__op_info *info = pymic2__op_get_info(key->op);
    int status = check_dtype(device, info->name, key->input, key->fp64);
    if (status == PYMIC2_OK)
        status = check_dtype(device, info->name, key->output, key->fp64);
    if (status != PYMIC2_OK)
        return status;
    pymic2__dtype_class from = pymic2__dtype_class_of(key->input);
    const char *expression = op_text[key->op][from];
    if (expression == NULL)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s of %s: %s", device, info->name,
                             pymic2_dtype_name(key->input),
                             info->rejects[from] ? info->rejects[from] : "not supported");
    const pymic2__dtype_class to = pymic2__dtype_class_of(key->output);
    const char *convert = convert_same;
    /* between OpenCL vector types a cast is illegal: complex64 <-> complex128 converts */
    char convert_complex[32];
    snprintf(convert_complex, sizeof convert_complex, "convert_%s(VALUE)",
             dtype_texts[key->output].ocl);
    if (info->rule == PYMIC2__OUT_BOOL)
        convert = convert_bool;
    else if (info->rule == PYMIC2__OUT_ANY)
        convert = from == PYMIC2__CLASS_COMPLEX && to == PYMIC2__CLASS_COMPLEX
                      ? convert_complex
                      : convert_text[from][to];
    text t = {0};
    begin_source(&t, key->input, key->fp64, key->output);
    define_convert(&t, convert);
    /* TO: the type results convert to (the output's compute type; a float64 or complex128
     * value going to float16 stays double, which vstore_half_rte rounds once), TOS the
     * output's type in memory */
    const bool direct = pymic2__dtype_compute(key->output) != key->output &&
                        pymic2__dtype_needs_fp64(key->input);
    append(&t, "#define TO %s\n#define TOS %s\n#define TS %s\n",
           direct ? "double" : compute_name(key->output), dtype_texts[key->output].ocl,
           dtype_texts[key->input].ocl);
    define_access(&t, "LOAD_T", NULL, key->input);
    define_access(&t, NULL, "STORE_TO", key->output);
    for (unsigned scalars = 0; scalars < 1u << info->ninputs; scalars++)
        for (int layout = 0; layout < PYMIC2__OCL_NUM_LAYOUTS; layout++)
            append_elementwise_kernel(&t, info, expression, layout, scalars);
    return finish(&t, device, source);
}

/* ---------------------------------------------------------------- reductions */

/* The binary op that combines, as the reduction table names it. */
#define PYMIC2__OCL_REDUCE_OP(NAME, lname, OP, OUT) [PYMIC2_REDUCE_##NAME] = PYMIC2_OP_##OP,
static const pymic2_op reduce_ops[PYMIC2_NUM_REDUCTIONS] = {
    PYMIC2_REDUCTION_TABLE(PYMIC2__OCL_REDUCE_OP)};
#undef PYMIC2__OCL_REDUCE_OP

/* The identity of the combine for the accumulator's dtype: combine(identity, x) == x for
 * every x (max of floats starts at -inf, which loses even to a NaN). */
static const char *reduce_identity(pymic2_reduction reduction, pymic2_dtype acc)
{
    switch (reduction) {
    case PYMIC2_REDUCE_PROD:
    case PYMIC2_REDUCE_CUMPROD:
        /* IDENTITY casts it to ACC: for complex ACC a vector literal */
        return pymic2__dtype_class_of(acc) == PYMIC2__CLASS_COMPLEX ? "(1, 0)" : "1";
    case PYMIC2_REDUCE_ALL: return "1";
    case PYMIC2_REDUCE_MAX:
    case PYMIC2_REDUCE_ARGMAX: return dtype_texts[acc].lowest;
    case PYMIC2_REDUCE_MIN:
    case PYMIC2_REDUCE_ARGMIN: return dtype_texts[acc].highest;
    case PYMIC2_REDUCE_SUM: /* -0.0 + x is x for every x, -0.0 included (NumPy's sum) */
        switch (pymic2__dtype_class_of(acc)) {
        case PYMIC2__CLASS_FLOAT: return "-0.0";
        case PYMIC2__CLASS_COMPLEX: return "(-0.0f, -0.0f)";
        default: return "0";
        }
    default: return "0";
    }
}

/* How a reduction reads its input: the accumulator's dtype (the input's compute dtype,
 * float32 for float16; float64 for float32 sums and complex128 for complex64 ones, bool for
 * all/any, int64 for count_nonzero), the output's (argmax/argmin: int64 indices) and LIFT,
 * an input element as an accumulator value. */
typedef struct reduce_plan {
    pymic2_dtype acc, out;
    const char *lift;
    /* float32 (complex64) sums in float64 (complex128) parts: column sums round each step
     * to the input's precision (see reduce.cl) */
    bool each_step;
} reduce_plan;

static reduce_plan plan_reduce(const pymic2__ocl_reduce_key *key,
                               const pymic2__reduce_info *reduce)
{
    reduce_plan plan = {pymic2__dtype_compute(key->input), key->input, "VALUE", false};
    const bool complex_input = pymic2__dtype_class_of(key->input) == PYMIC2__CLASS_COMPLEX;
    plan.each_step = pymic2__ocl_reduce_in_float64(key->reduction, key->input, key->fp64);
    if (plan.each_step) {
        plan.acc = complex_input ? PYMIC2_COMPLEX128 : PYMIC2_FLOAT64;
        /* vectors convert explicitly; a float converts to double by itself */
        plan.lift = complex_input ? "convert_double2(VALUE)" : "VALUE";
    }
    if (reduce->out == PYMIC2__REDUCE_OUT_BOOL) {
        plan.acc = plan.out = PYMIC2_BOOL;
        plan.lift = complex_input ? "(uchar)pymic2__cnonzero(VALUE)" : "(uchar)((VALUE) != 0)";
    } else if (reduce->out == PYMIC2__REDUCE_OUT_INT64) {
        plan.out = PYMIC2_INT64;
        if (!reduce->arg) {
            plan.acc = PYMIC2_INT64;
            plan.lift = complex_input ? "(long)pymic2__cnonzero(VALUE)" : "(long)((VALUE) != 0)";
        }
    } else if (pymic2__dtype_class_of(plan.acc) == PYMIC2__CLASS_BOOL) {
        plan.lift = "(uchar)((VALUE) != 0)"; /* any nonzero byte reads as true */
    }
    return plan;
}

size_t pymic2__ocl_reduce_acc_size(const pymic2__ocl_reduce_key *key)
{
    const reduce_plan plan = plan_reduce(key, pymic2__reduce_get_info(key->reduction));
    return pymic2_dtype_size(plan.acc);
}

/* The macros and the combine function cl/reduce.cl reads (see its head). */
static void define_reduce(text *t, const pymic2__ocl_reduce_key *key,
                          const pymic2__reduce_info *reduce, const reduce_plan *plan,
                          const char *combine)
{
    append(t, "#define TI %s\n", dtype_texts[key->input].ocl);
    append(t, "#define ACC %s\n", dtype_texts[plan->acc].ocl);
    append(t, "#define TO %s\n#define TOC %s\n", dtype_texts[plan->out].ocl,
           compute_name(plan->out));
    define_access(t, "LOAD_IN", NULL, key->input);
    define_access(t, NULL, "STORE_OUT", plan->out);
    /* an accumulator rounded to the output's precision: through its type, or through the
     * bits of a half (which OpenCL 1.2 has no variables of) */
    append(t, "#define NARROW(VALUE) convert_%s(VALUE)\n", compute_name(plan->out));
    if (pymic2__dtype_compute(plan->out) != plan->out)
        append(t, "ACC pymic2_round_out(ACC x)\n{\n    ushort bits;\n"
                  "    vstore_half_rte(x, 0, (half *)&bits);\n"
                  "    return vload_half(0, (const half *)&bits);\n}\n");
    else
        append(t, "#define pymic2_round_out(x) convert_%s(NARROW(x))\n",
               dtype_texts[plan->acc].ocl);
    append(t, "#define LIFT(VALUE) (%s)\n", plan->lift);
    append(t, "#define IDENTITY ((ACC)%s)\n", reduce_identity(key->reduction, plan->acc));
    /* the merged dimensions are kernel arguments, not constants: one program serves every
     * shape */
    append(t, "#define KEPT kept\n#define REDUCED reduced\n#define GROUP %d\n",
           PYMIC2__OCL_REDUCE_GROUP);
    append(t, "ACC pymic2_combine(ACC a, ACC b)\n{\n    int invalid = 0;\n"
              "    return (ACC)(%s);\n}\n", combine);
    if (reduce->arg) {
        const bool nan = pymic2__dtype_class_of(plan->acc) == PYMIC2__CLASS_FLOAT;
        append(t, "#define IS_NAN(x) (%s)\n", nan ? "(x) != (x)" : "0");
        append(t, "#define BETTER(v, w) ((v) %s (w))\n",
               key->reduction == PYMIC2_REDUCE_ARGMAX ? ">" : "<");
    }
    append(t, "#define PYMIC2_ARG %d\n#define PYMIC2_CUMULATIVE %d\n", reduce->arg ? 1 : 0,
           reduce->cumulative ? 1 : 0);
    append(t, "#define SEGMENTED %d\n#define PYMIC2_ROUND_EACH_STEP %d\n",
           key->segmented ? 1 : 0, plan->each_step ? 1 : 0);
}

int pymic2__ocl_source_reduce(const char *device, const pymic2__ocl_reduce_key *key,
                              char **source)
{
    const pymic2__reduce_info *reduce = pymic2__reduce_get_info(key->reduction);
    int status = check_dtype(device, reduce->name, key->input, key->fp64);
    if (status != PYMIC2_OK)
        return status;
    const reduce_plan plan = plan_reduce(key, reduce);
    const char *combine =
        op_text[reduce_ops[key->reduction]][pymic2__dtype_class_of(plan.acc)];
    if (combine == NULL)
        return pymic2__error(PYMIC2_EDTYPE, "%s: %s of %s is not supported", device,
                             reduce->name, pymic2_dtype_name(key->input));
    text t = {0};
    begin_source(&t, plan.acc, key->fp64, key->input);
    define_reduce(&t, key, reduce, &plan, combine);
    append(&t, "%s", pymic2__ocl_cl_reduce);
    return finish(&t, device, source);
}

/* ---------------------------------------------------------------- indexing */

/* INDEX_PARAMS and INDEX_ARGS (each index array and its offset, as parameters and as
 * arguments; bit j of wide_indices: array j is int64, else int32) and read_index(j, at). */
static void define_index_reads(text *t, int nindices, unsigned wide_indices)
{
    append(t, "#define INDEX_PARAMS ");
    for (int j = 0; j < nindices; j++)
        append(t, ", __global const %s *index%d, long index%d_offset",
               wide_indices >> j & 1 ? "long" : "int", j, j);
    append(t, "\n#define INDEX_ARGS ");
    for (int j = 0; j < nindices; j++)
        append(t, ", index%d, index%d_offset", j, j);
    append(t, "\nlong read_index(int j, long at INDEX_PARAMS)\n{\n");
    for (int j = 0; j < nindices; j++)
        append(t, "    if (j == %d) return index%d[index%d_offset + at];\n", j, j, j);
    append(t, "    return 0;\n}\n");
}

/* The kernels of cl/index.cl for one element dtype and the index arrays' dtypes. */
int pymic2__ocl_source_index(const char *device, pymic2_dtype dtype, int nindices,
                             unsigned wide_indices, bool fp64, char **source)
{
    int status = check_dtype(device, "indexing", dtype, fp64);
    if (status != PYMIC2_OK)
        return status;
    if (nindices < 1 || nindices > PYMIC2_MAX_INDEX_ARRAYS)
        return pymic2__error(PYMIC2_EINVAL, "%s: indexing: %d index arrays", device, nindices);
    text t = {0};
    begin_source(&t, dtype, fp64, dtype);
    append(&t, "#define ELEMENT %s\n#define STORED %s\n#define NINDICES %d\n",
           compute_name(dtype), dtype_texts[dtype].ocl, nindices);
    define_access(&t, "LOAD", "STORE", dtype);
    append(&t, "ELEMENT pymic2_add(ELEMENT a, ELEMENT b)\n{\n    int invalid = 0;\n"
               "    return (ELEMENT)(%s);\n}\n",
           op_text[PYMIC2_OP_ADD][pymic2__dtype_class_of(dtype)]);
    define_index_reads(&t, nindices, wide_indices);
    append(&t, "%s", pymic2__ocl_cl_index);
    return finish(&t, device, source);
}
