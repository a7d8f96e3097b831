/*
 * vector_math.h - the host's own float64 log and exp (vector_log.c, vector_exp.c), which
 * the loops use with AVX-512, where they are 1.3-1.4x the speed of glibc's libmvec and
 * within 0.55 ulp. Declared `simd` so that gcc's vectoriser calls the vector versions those
 * files define under the x86-64 vector-function ABI names (_ZGVbN2v_, _ZGVdN4v_, _ZGVeN8v_ +
 * the name); `const` as glibc's functions are under loops.c's -fno-math-errno (the scalar
 * versions may set errno, which nothing reads), else gcc would not vectorise a loop that
 * calls them.
 */
#ifndef PYMIC2_HOST_VECTOR_MATH_H
#define PYMIC2_HOST_VECTOR_MATH_H

#if defined(__x86_64__) && defined(__GLIBC__)
#define PYMIC2__OWN_VECTOR_MATH __attribute__((simd("notinbranch"), const))
#else
#define PYMIC2__OWN_VECTOR_MATH
#endif

PYMIC2__OWN_VECTOR_MATH double pymic2__log_f64(double x);
PYMIC2__OWN_VECTOR_MATH double pymic2__exp_f64(double x);

#endif /* PYMIC2_HOST_VECTOR_MATH_H */
