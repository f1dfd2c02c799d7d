/*
 * gc/gc_config_macros.h — attribute and platform macros shared by the
 * Boehm-compatible headers of Gleaner.
 *
 * Programs sometimes test the thread macros (GC_THREADS, GC_PTHREADS,
 * GC_LINUX_THREADS) or reuse the attribute macros (GC_API, GC_CALL,
 * GC_ATTR_MALLOC …) in their own declarations, so the names match Boehm
 * GC's.  Only POSIX threads on Linux are supported; the other thread
 * flavours fail at compile time.
 *
 * GC_BDW_UNAVAILABLE(why) marks a Boehm entry point that Gleaner does not
 * provide: any use is a compile-time error carrying `why`, never a silent
 * run-time no-op.
 */
#ifndef GC_CONFIG_MACROS_H
#define GC_CONFIG_MACROS_H

#include <stddef.h>

#if defined(GC_WIN32_THREADS) || defined(GC_WIN32_PTHREADS) \
    || defined(GC_DARWIN_THREADS) || defined(GC_SOLARIS_THREADS) \
    || defined(GC_AIX_THREADS) || defined(GC_HPUX_THREADS) \
    || defined(GC_IRIX_THREADS) || defined(GC_OSF1_THREADS) \
    || defined(GC_RTEMS_PTHREADS) || defined(GC_DGUX386_THREADS)
# error "Gleaner's Boehm GC layer supports POSIX threads on Linux only (define GC_THREADS)"
#endif
#if defined(GC_USE_LD_WRAP) || defined(USE_LD_WRAP)
# error "Gleaner's Boehm GC layer does not support GC_USE_LD_WRAP: build with GC_THREADS and the header redirects instead"
#endif

#if defined(GC_THREADS) || defined(GC_PTHREADS) || defined(GC_LINUX_THREADS) \
    || defined(GC_FREEBSD_THREADS) || defined(GC_NETBSD_THREADS) \
    || defined(GC_OPENBSD_THREADS) || defined(GC_HAIKU_THREADS)
# ifndef GC_THREADS
#   define GC_THREADS
# endif
# ifndef GC_PTHREADS
#   define GC_PTHREADS
# endif
# if defined(__linux__) && !defined(GC_LINUX_THREADS)
#   define GC_LINUX_THREADS
# endif
# ifndef _REENTRANT
#   define _REENTRANT 1
# endif
# define GC_HAVE_PTHREAD_EXIT
#endif

/* Export attribute: token for token the one of gleaner.h, so that a file
 * including both headers sees one consistent definition. */
#ifndef GC_API
# if defined(__GNUC__)
#   define GC_API __attribute__((visibility("default")))
# else
#   define GC_API
# endif
#endif
#ifndef GC_CALL
# define GC_CALL
#endif
#ifndef GC_CALLBACK
# define GC_CALLBACK GC_CALL
#endif

#if defined(__GNUC__)
# define GC_ATTR_MALLOC __attribute__((__malloc__))
# define GC_ATTR_ALLOC_SIZE(n) __attribute__((__alloc_size__(n)))
# define GC_ATTR_CALLOC_SIZE(n, s) __attribute__((__alloc_size__(n, s)))
# if defined(GLEANER_BDW_BUILD)
    /* The layer checks for NULL anyway (bad input is expected input), and
     * the attribute would let the compiler drop those checks. */
#   define GC_ATTR_NONNULL(n)
# else
#   define GC_ATTR_NONNULL(n) __attribute__((__nonnull__(n)))
# endif
# define GC_ATTR_CONST __attribute__((__const__))
# define GC_ATTR_NORETURN __attribute__((__noreturn__))
# define GC_ATTR_UNUSED __attribute__((__unused__))
# define GC_PTHREAD_EXIT_ATTRIBUTE __attribute__((__noreturn__))
#else
# define GC_ATTR_MALLOC
# define GC_ATTR_ALLOC_SIZE(n)
# define GC_ATTR_CALLOC_SIZE(n, s)
# define GC_ATTR_NONNULL(n)
# define GC_ATTR_CONST
# define GC_ATTR_NORETURN
# define GC_ATTR_UNUSED
# define GC_PTHREAD_EXIT_ATTRIBUTE
#endif

/* Boehm GC marks the directly accessed variables deprecated (the getters
 * and setters are preferred); we do the same so that a program gets the
 * same diagnostics on both collectors.  The layer's own sources define
 * GLEANER_BDW_BUILD to switch this off. */
#ifndef GC_ATTR_DEPRECATED
# if defined(GLEANER_BDW_BUILD) || !defined(__GNUC__)
#   define GC_ATTR_DEPRECATED
# else
#   define GC_ATTR_DEPRECATED __attribute__((__deprecated__))
# endif
#endif

#if defined(__has_attribute)
# if __has_attribute(__unavailable__)
#   define GC_BDW_UNAVAILABLE(why) \
      __attribute__((__unavailable__("not provided by Gleaner's Boehm GC layer: " why)))
# endif
#endif
#ifndef GC_BDW_UNAVAILABLE
# if defined(__GNUC__)
    /* Older compilers: an error at the call (functions) and a warning at
     * least (variables, types). */
#   define GC_BDW_UNAVAILABLE(why) \
      __attribute__((__deprecated__("not provided by Gleaner's Boehm GC layer: " why)))
# else
#   define GC_BDW_UNAVAILABLE(why)
# endif
#endif

/* With GC_DEBUG the allocation macros pass the call site.  Gleaner's debug
 * entry points take the file and line only (GC_ADD_CALLER's return address
 * is accepted and dropped), on every architecture. */
#define GC_EXTRAS __FILE__, __LINE__
#define GC_EXTRA_PARAMS const char *s, int i
#if defined(__GNUC__)
# define GC_RETURN_ADDR (GC_word)__builtin_return_address(0)
#else
# define GC_RETURN_ADDR 0
#endif

#endif /* GC_CONFIG_MACROS_H */
