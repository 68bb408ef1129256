/*
 * invlog.h -- the fake's log of invocations, for GET /_kdaout/invocations.
 *
 * Bounded in entries and in bytes: when either is full the oldest entries
 * go, counted in `dropped`.  Each entry keeps up to 1,000 recordIds with
 * their retryHints (what fits the byte budget; `records` says how many were
 * sent) and is formatted as JSON only when asked, one at a time, so a log of
 * any size is streamed, never built whole.  Entries are numbered from 1 for
 * the life of the log (a reset forgets entries, not numbers), so a reader can
 * walk first..last while entries are added and dropped.  Pure: time is
 * passed in.
 */
#ifndef KDO_INVLOG_H
#define KDO_INVLOG_H

#include "base/buf.h"
#include "base/ktime.h"
#include "delivery/invocation.h"

#include <stddef.h>
#include <stdint.h>

struct kdo_invlog;

/* At most `limit` entries (0 counts as 1) holding at most `bytes`. */
struct kdo_invlog *kdo_invlog_new(size_t limit, size_t bytes);
void kdo_invlog_free(struct kdo_invlog *l);

/* Logs one invocation.  status 0: nothing came back (dropped, hung);
 * function_error and error_type are static strings or NULL; the strings
 * are copied. */
void kdo_invlog_add(struct kdo_invlog *l, kdo_time_ns at, const char *name, const char *qualifier,
                    const char *request_id, const struct kdo_invocation *inv, int status,
                    const char *function_error, const char *error_type);

/* The number of the oldest entry kept (last + 1 when none), and of the latest. */
uint64_t kdo_invlog_first(const struct kdo_invlog *l);
uint64_t kdo_invlog_last(const struct kdo_invlog *l);
/* Appends entry n as JSON to b; -1 if it is not kept. */
int kdo_invlog_format(struct kdo_invlog *l, uint64_t n, struct kdo_buf *b);
/* Entries dropped to make room since the last reset, and the bytes kept. */
uint64_t kdo_invlog_dropped(const struct kdo_invlog *l);
size_t kdo_invlog_bytes(const struct kdo_invlog *l);
/* Forgets every entry; returns how many there were. */
size_t kdo_invlog_reset(struct kdo_invlog *l);

#endif
