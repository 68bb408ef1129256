/*
 * bug.h -- planted bugs: deliberate deviations from the contract.
 *
 * They exist only to prove that the checks can fail: `kdaout run
 * --plant-bug NAME` runs the engine with one of them and the scenario that
 * guards the rule must then fail.  Each is a bit in a mask that only bug.c
 * reads: the driver passes the mask through kdo_bug_delivery(),
 * kdo_bug_window() and kdo_bug_query(), which turn it into the rules those
 * modules are configured with, once, before a run.  The engine itself never
 * sees the mask.
 */
#ifndef KDO_BUG_H
#define KDO_BUG_H

/* X(enum, name, what goes wrong) */
#define KDO_BUG_MAP(X)                                                                             \
    X(NO_HINT_INCREMENT, "no-hint-increment", "retryHint is not raised after a failed delivery")   \
    X(DROP_FAILED, "drop-failed", "failed records are dropped instead of retried")                 \
    X(RESEND_OK, "resend-ok", "a retry resends the records already answered Ok")                   \
    X(NO_SPLIT, "no-split", "batches are not split at 6,291,456 bytes")                            \
    X(ACCEPT_ANY_REPLY, "accept-any-reply", "every reply counts as Ok for every record")           \
    X(NO_HINT_RESET, "no-hint-reset", "a restart keeps the retryHints")                            \
    X(LOSE_ON_RESTART, "lose-on-restart", "a restart drops the rows not yet acknowledged")         \
    X(NO_BACKPRESSURE, "no-backpressure", "the destination stream is unbounded")                  \
    X(FAST_CADENCE, "fast-cadence", "output is flushed every 250 ms and windows fire twice as often") \
    X(SKIP_HEAD_OF_LINE, "skip-head-of-line", "new rows are sent while failed ones wait")

enum kdo_bug {
#define KDO__BUG_ENUM(e, name, text) KDO_BUG_##e,
    KDO_BUG_MAP(KDO__BUG_ENUM)
#undef KDO__BUG_ENUM
    KDO_BUG_COUNT
};

#define KDO_BUG(b) (1u << KDO_BUG_##b)

/* Bug by name; -1 if unknown. */
int kdo_bug_from_name(const char *name);
const char *kdo_bug_name(enum kdo_bug b);
const char *kdo_bug_text(enum kdo_bug b);

/* The seam: each rewrites a module's configuration so that the module
 * follows the planted bugs in `bugs` (a mask of KDO_BUG()); 0 leaves it
 * unchanged.  Called once per module, before it is made. */
struct kdo_delivery_config;
struct kdo_window_config;
struct kdo_query_config;
void kdo_bug_delivery(unsigned bugs, struct kdo_delivery_config *c);
void kdo_bug_window(unsigned bugs, struct kdo_window_config *c);
void kdo_bug_query(unsigned bugs, struct kdo_query_config *c);

#endif
