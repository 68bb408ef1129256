/*
 * clock.c -- the one place kdaout reads a clock (clock.h).
 */
#include "base/clock.h"

kdo_time_ns kdo_clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (kdo_time_ns)ts.tv_sec * KDO_S + ts.tv_nsec;
}

int64_t kdo_clock_epoch_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int kdo_clock_cond_init(pthread_cond_t *cv)
{
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);
    if (rc == 0)
        rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(cv, &attr);
    pthread_condattr_destroy(&attr);
    return rc;
}

struct timespec kdo_clock_timespec(kdo_time_ns at)
{
    if (at < 0)
        at = 0;
    struct timespec ts = {(time_t)(at / KDO_S), (long)(at % KDO_S)};
    return ts;
}
