/*
 * ocl_row_names.h - included after op_table.h where the op rows are turned into OpenCL C
 * text (ocl_source.c, and the test that checks that text): removes the C meanings of names
 * the rows use, so that stringified rows keep the names, which the OpenCL prelude defines.
 */
/* The rows say INFINITY and isinf; OpenCL C has both. Keep the names in the text instead of
 * glibc's expansions. */
#undef INFINITY
#undef isinf
/* op_table.h's type-generic helpers for C; the prelude defines OpenCL ones. */
#undef pymic2__cfrom_real
#undef pymic2__cexp2
#undef pymic2__cexpm1
#undef pymic2__clog1p
#undef pymic2__floor_divide_float
#undef pymic2__remainder_float
#undef pymic2__maximum
#undef pymic2__minimum
