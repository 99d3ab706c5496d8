/* Compiler shims, in one place: what the library asks of a compiler beyond
 * C11, with a portable fallback for each. */
#ifndef CXM_SRC_COMPILER_H
#define CXM_SRC_COMPILER_H

/* Start loading the cache line at p; a hint only, never a correctness
 * matter (the batch look-ups of store.c and merge.c). */
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

#endif
