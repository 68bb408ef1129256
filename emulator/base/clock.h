/*
 * clock.h -- the one place kdaout reads a clock.
 *
 * The core never reads one (ktime.h): drivers, servers and main() read the
 * time here, once per step of their loop, and pass `now` down, as libuv
 * caches uv__update_time once per turn.  Two clocks only: the monotonic one
 * for every duration and deadline, and the wall clock where a protocol
 * names wall time (SigV4's X-Amz-Date, the Runtime API's
 * Lambda-Runtime-Deadline-Ms) or for a default seed.  In the I/O library.
 */
#ifndef KDO_CLOCK_H
#define KDO_CLOCK_H

#include "base/ktime.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Monotonic nanoseconds since an arbitrary origin. */
kdo_time_ns kdo_clock_now(void);
/* Monotonic milliseconds (the same origin). */
static inline int64_t kdo_clock_now_ms(void)
{
    return kdo_clock_now() / KDO_MS;
}
/* Milliseconds since the Unix epoch (the wall clock). */
int64_t kdo_clock_epoch_ms(void);

/* A condition variable that waits on the monotonic clock, and the absolute
 * timespec of monotonic time `at` for pthread_cond_timedwait on it (a wall
 * clock step never shortens or stretches a wait). */
int kdo_clock_cond_init(pthread_cond_t *cv);
struct timespec kdo_clock_timespec(kdo_time_ns at);

#endif
