/*
 * window.h -- the query between the source and the destination stream.
 *
 * Enough of KDA's SQL windows to drive delivery the way a real application
 * does (CONTRACT.md §8):
 *   continuous  SELECT STREAM * ... : each input row is an output row;
 *   sliding     RANGE INTERVAL 'size' PRECEDING: one output row per input row,
 *               the input row plus ROWS_IN_WINDOW, the rows of the last `size`;
 *   tumbling    STEP(ROWTIME BY INTERVAL 'size'): at each window end, one row
 *               with the window's bounds and row count (if it had rows).
 * Rows go out through a callback; the window keeps no clock.
 */
#ifndef KDO_WINDOW_H
#define KDO_WINDOW_H

#include "base/ktime.h"

#include <stddef.h>
#include <stdint.h>

/* At most this many bytes more in an output row than in its input row. */
#define KDO_WINDOW_EXTRA_BYTES 48

enum kdo_window_kind { KDO_WINDOW_CONTINUOUS, KDO_WINDOW_SLIDING, KDO_WINDOW_TUMBLING };

/* The width of a window whose config says 0. */
#define KDO_WINDOW_DEFAULT_SIZE KDO_MIN

struct kdo_window_config {
    enum kdo_window_kind kind;
    kdo_time_ns size;     /* SLIDING/TUMBLING; 0: KDO_WINDOW_DEFAULT_SIZE */
    int64_t epoch_ms;     /* wall-clock time of t = 0, for ROWTIME values */
};

/* Receives one output row (borrowed for the call); returns 0 or an error. */
typedef int (*kdo_window_emit_fn)(void *ctx, kdo_time_ns now, const char *row, size_t len);

struct kdo_window;

struct kdo_window *kdo_window_new(const struct kdo_window_config *cfg);
void kdo_window_free(struct kdo_window *w);

/* An input row with its ROWTIME; may emit rows through `emit`. */
int kdo_window_input(struct kdo_window *w, kdo_time_ns rowtime, const char *row, size_t len,
                     kdo_window_emit_fn emit, void *ctx);
/* When the window next fires on its own (tumbling), or KDO_TIME_NEVER. */
kdo_time_ns kdo_window_next_deadline(const struct kdo_window *w);
/* Fires what is due at `now`. */
int kdo_window_advance(struct kdo_window *w, kdo_time_ns now, kdo_window_emit_fn emit, void *ctx);

/* "2017-12-15 01:09:50.000" for t under epoch_ms; out holds 24 bytes. */
void kdo_window_timestamp(int64_t epoch_ms, kdo_time_ns t, char out[24]);

#endif
