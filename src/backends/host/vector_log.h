/*
 * vector_log.h - the host's own float64 natural logarithm (vector_log.c), which the loops
 * use with AVX-512: 1.4x the speed of glibc's libmvec there and within 0.53 ulp. Declared
 * `simd` so that gcc's vectoriser calls the vector versions that vector_log.c defines under
 * the x86-64 vector-function ABI names (_ZGVbN2v_, _ZGVdN4v_, _ZGVeN8v_ + pymic2__log_f64);
 * `const` as glibc's log is under loops.c's -fno-math-errno (the scalar version may set
 * errno, which nothing reads), else gcc would not vectorise a loop that calls it.
 */
#ifndef PYMIC2_HOST_VECTOR_LOG_H
#define PYMIC2_HOST_VECTOR_LOG_H

#if defined(__x86_64__) && defined(__GLIBC__)
__attribute__((simd("notinbranch"), const))
#endif
double pymic2__log_f64(double x);

#endif /* PYMIC2_HOST_VECTOR_LOG_H */
