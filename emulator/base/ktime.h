/*
 * ktime.h -- the one representation of time in kdaout.
 *
 * Time is a signed 64-bit count of nanoseconds since the start of a run
 * (virtual time) or since an arbitrary origin (real time).  The core modules
 * never read a clock: they take `now` as an argument and report their next
 * deadline; only drivers and main() read clocks.  KDO_TIME_NEVER stands for
 * "no deadline".
 */
#ifndef KDO_KTIME_H
#define KDO_KTIME_H

#include <stdint.h>

typedef int64_t kdo_time_ns;

#define KDO_NS ((kdo_time_ns)1)
#define KDO_US ((kdo_time_ns)1000)
#define KDO_MS ((kdo_time_ns)1000000)
#define KDO_S ((kdo_time_ns)1000000000)
#define KDO_MIN (60 * KDO_S)
#define KDO_TIME_NEVER INT64_MAX

static inline kdo_time_ns kdo_time_min(kdo_time_ns a, kdo_time_ns b)
{
    return a < b ? a : b;
}

#endif
