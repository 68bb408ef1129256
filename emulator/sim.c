/*
 * sim.c -- the virtual-time driver.
 *
 * Order within one instant is fixed: restarts first, then the application
 * (it reads and pushes rows), then delivery (it flushes what was pushed), so
 * rows read at a flush tick go out in that flush.  This file is the one place
 * of the engine that may read a clock, and only in real-time runs.
 */
#include "sim.h"

#include "errors.h"
#include "transport.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void kdo_sim_config_default(struct kdo_sim_config *c)
{
    memset(c, 0, sizeof *c);
    c->seed = 1;
    c->duration = 60 * KDO_S;
    c->drain_limit = 10 * KDO_MIN;
    c->max_steps = 50000000;
    kdo_app_config_default(&c->app);
    kdo_delivery_config_default(&c->delivery);
    kdo_fake_lambda_config_default(&c->lambda);
}

struct run {
    const struct kdo_sim_config *cfg;
    struct kdo_rng rng;
    struct kdo_fake_lambda *fake;
    struct kdo_transport *transport;
    int own_transport;
    struct kdo_delivery *delivery;
    struct kdo_app *app;
    struct kdo_query *query;
    size_t next_restart;
};

static int run_init(struct run *r, const struct kdo_sim_config *cfg, struct kdo_sim_result *out)
{
    memset(r, 0, sizeof *r);
    r->cfg = cfg;
    kdo_rng_init(&r->rng, cfg->seed);
    out->journal = kdo_journal_new();
    out->metrics = kdo_metrics_new();
    if (cfg->transport) {
        r->transport = cfg->transport;
    } else {
        r->fake = kdo_fake_lambda_new(&cfg->lambda, kdo_fault_rules_copy(cfg->rules, cfg->nrules),
                                      cfg->nrules, &r->rng);
        r->transport = kdo_transport_inproc_new(r->fake);
        r->own_transport = 1;
    }
    struct kdo_delivery_config dc = cfg->delivery;
    dc.bugs |= cfg->bugs;
    r->delivery = kdo_delivery_new(&dc, r->transport, out->journal, out->metrics, &r->rng);
    struct kdo_app_config ac = cfg->app;
    ac.bugs |= cfg->bugs;
    if (cfg->query) {
        struct kdo_query_config qc = *cfg->query;
        qc.epoch_ms = cfg->app.window.epoch_ms;
        qc.bugs |= ac.bugs;
        struct kdo_errinfo err;
        if (kdo_query_new(&qc, &r->query, &err) != 0)
            return KDO_ESCHEMA; /* the loader compiled it once already */
        ac.query = r->query;
    }
    struct kdo_source *src = kdo_source_new(&cfg->source, cfg->duration, &r->rng);
    r->app = kdo_app_new(&ac, src, r->delivery, out->journal, out->metrics);
    return 0;
}

static void run_cleanup(struct run *r)
{
    kdo_app_free(r->app);
    kdo_query_free(r->query);
    kdo_delivery_free(r->delivery);
    if (r->own_transport)
        kdo_transport_free(r->transport);
    kdo_fake_lambda_free(r->fake);
}

static kdo_time_ns next_deadline(const struct run *r)
{
    kdo_time_ns t = kdo_time_min(kdo_app_next_deadline(r->app),
                                 kdo_delivery_next_deadline(r->delivery));
    if (r->next_restart < r->cfg->nrestarts)
        t = kdo_time_min(t, r->cfg->restarts[r->next_restart].at);
    return t;
}

static int finished(struct run *r, kdo_time_ns now)
{
    struct kdo_delivery_stats st;
    if (now < r->cfg->duration || r->next_restart < r->cfg->nrestarts)
        return 0;
    kdo_delivery_stats(r->delivery, &st);
    return st.idle && kdo_app_caught_up(r->app, now);
}

static int step(struct run *r, kdo_time_ns now)
{
    while (r->next_restart < r->cfg->nrestarts && r->cfg->restarts[r->next_restart].at <= now) {
        kdo_time_ns down = r->cfg->restarts[r->next_restart++].downtime;
        kdo_delivery_restart(r->delivery, now, down);
        kdo_app_restart(r->app, now, down);
    }
    int err = kdo_app_advance(r->app, now);
    if (err == 0)
        err = kdo_delivery_advance(r->delivery, now);
    return err;
}

/* Virtual time: jump to the next deadline. */
static int run_virtual(struct run *r, struct kdo_sim_result *out, kdo_time_ns *now)
{
    kdo_time_ns limit = r->cfg->duration + r->cfg->drain_limit;
    int err = 0;
    while (err == 0) {
        if (finished(r, *now)) {
            out->drained = 1;
            break;
        }
        kdo_time_ns t = next_deadline(r);
        if (t > limit)
            break;
        *now = t > *now ? t : *now;
        if (++out->steps > r->cfg->max_steps)
            err = KDO_ETOOBIG;
        else
            err = step(r, *now);
    }
    return err;
}

static kdo_time_ns clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (kdo_time_ns)ts.tv_sec * KDO_S + ts.tv_nsec;
}

/* Real time: step at every wake-up, wait on the transport in between. */
static int run_real(struct run *r, struct kdo_sim_result *out, kdo_time_ns *now)
{
    kdo_time_ns limit = r->cfg->duration + r->cfg->drain_limit, t0 = clock_ns();
    int err = 0;
    while (err == 0) {
        *now = clock_ns() - t0;
        if (finished(r, *now)) {
            out->drained = 1;
            break;
        }
        if (*now > limit)
            break;
        if (++out->steps > r->cfg->max_steps)
            return KDO_ETOOBIG;
        if ((err = step(r, *now)) != 0)
            break;
        kdo_time_ns wait = kdo_time_min(next_deadline(r), limit) - (clock_ns() - t0);
        if (wait > 0)
            err = kdo_transport_wait(r->transport, wait);
    }
    return err;
}

int kdo_sim_run(const struct kdo_sim_config *cfg, struct kdo_sim_result *out)
{
    struct run r;
    memset(out, 0, sizeof *out);
    if (run_init(&r, cfg, out) != 0) {
        run_cleanup(&r);
        return KDO_ESCHEMA;
    }
    out->seed = cfg->seed;
    out->realtime = kdo_transport_is_real(r.transport);
    memcpy(out->record_prefix, kdo_delivery_record_prefix(r.delivery), 37);
    kdo_journal_start(out->journal, 0, cfg->seed, out->record_prefix);
    kdo_time_ns now = 0;
    int err = out->realtime ? run_real(&r, out, &now) : run_virtual(&r, out, &now);
    if (!out->drained && err == 0 && !out->realtime) {
        now = cfg->duration + cfg->drain_limit;
        out->drained = finished(&r, now);
    }
    if (out->realtime)
        kdo_transport_cancel(r.transport);
    out->end = now;
    kdo_delivery_stats(r.delivery, &out->delivery);
    kdo_journal_end(out->journal, now, out->delivery.unacked, out->delivery.bytes);
    run_cleanup(&r);
    return err;
}

void kdo_sim_result_cleanup(struct kdo_sim_result *r)
{
    kdo_journal_free(r->journal);
    kdo_metrics_free(r->metrics);
    memset(r, 0, sizeof *r);
}
