/*
 * kassert.h -- KDO_ASSERT, the engine's internal invariants (curl's DEBUGASSERT).
 *
 * An assertion states something the code guarantees, never something the
 * input may break: bad input gets a KDO_E* code and a message, a violated
 * invariant is a bug in kdaout.  Debug and test builds (meson's debug and
 * debugoptimized buildtypes, every sanitizer build) check them and abort at
 * once with file:line and the expression, so a broken rule shows up at the
 * step that broke it rather than as a wrong figure in a journal.  A release
 * build (`--buildtype=release`, which defines NDEBUG: b_ndebug=if-release)
 * compiles them away -- the condition is not evaluated, only type-checked --
 * so an assertion must have no side effects.
 */
#ifndef KDO_KASSERT_H
#define KDO_KASSERT_H

/* Prints "file:line: func: invariant violated: expr" to stderr and aborts. */
_Noreturn void kdo__assert_fail(const char *expr, const char *file, int line, const char *func);

#ifdef NDEBUG
#define KDO_ASSERT(cond) ((void)sizeof(!(cond)))
#else
#define KDO_ASSERT(cond) \
    ((cond) ? (void)0 : kdo__assert_fail(#cond, __FILE__, __LINE__, __func__))
#endif

#endif
