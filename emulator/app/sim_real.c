/*
 * sim_real.c -- the real-time driver (sim.h): the same steps as the virtual
 * one, with `now` read from the monotonic clock once per step and the time
 * between deadlines spent waiting on the transport's sockets.  In the I/O
 * library, so the core (sim.c) never reads a clock.
 */
#include "app/sim.h"

#include "base/clock.h"
#include "base/errors.h"
#include "delivery/transport.h"

int kdo_sim_run_real(const struct kdo_sim_config *cfg, struct kdo_sim_result *out)
{
    struct kdo_sim *m;
    int err = kdo_sim_begin(cfg, out, &m);
    if (err != 0)
        return err;
    kdo_time_ns limit = cfg->duration + cfg->drain_limit, t0 = kdo_clock_now(), now = 0;
    int drained = 0;
    while (err == 0) {
        now = kdo_clock_now() - t0; /* once per step */
        if ((drained = kdo_sim_finished(m, now)) || now > limit)
            break;
        if ((err = kdo_sim_step(m, now)) != 0)
            break;
        if (cfg->on_tick)
            cfg->on_tick(cfg->on_tick_ctx, out, now);
        kdo_time_ns wait = kdo_time_min(kdo_sim_next_deadline(m), limit) - now;
        if (wait > 0)
            err = kdo_transport_wait(kdo_sim_transport(m), wait);
    }
    kdo_sim_end(m, now, drained);
    return err;
}
