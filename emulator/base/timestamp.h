/*
 * timestamp.h -- KDA SQL's TIMESTAMP as text ("yyyy-MM-dd HH:mm:ss.SSS", UTC,
 * milliseconds since the epoch).  Base layer.
 */
#ifndef KDO_TIMESTAMP_H
#define KDO_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

/* "yyyy-MM-dd HH:mm:ss.SSS" plus the NUL. */
#define KDO_TIMESTAMP_TEXT 24
/* 0001-01-01 00:00:00.000 and 9999-12-31 23:59:59.999 UTC. */
#define KDO_TIMESTAMP_MIN_MS INT64_C(-62135596800000)
#define KDO_TIMESTAMP_MAX_MS INT64_C(253402300799999)

/* Formats ms as "yyyy-MM-dd HH:mm:ss.SSS" into out (NUL-terminated).
 * Returns 0, or KDO_EINVAL outside years 0001..9999. */
int kdo_timestamp_format(int64_t ms, char out[KDO_TIMESTAMP_TEXT]);
/* Parses "yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss" or that with a fraction of 1
 * to 3 digits (a 'T' may replace the space).  Fields must be in range,
 * including February 29 only in leap years.  Returns 0 or KDO_EINVAL. */
int kdo_timestamp_parse(const char *s, size_t n, int64_t *ms);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's algorithms; callers keep years within 0001..9999 or near). */
int64_t kdo_days_from_civil(int64_t y, int m, int d);
void kdo_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

#endif
