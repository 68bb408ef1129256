/*
 * sim.c -- the virtual-time driver.
 *
 * Order within one instant is fixed: restarts first, then reference data
 * reloads (so the rows of that instant join the new rows), then the
 * application (it reads and pushes rows), then delivery (it flushes what was
 * pushed), so rows read at a flush tick go out in that flush.  This file is
 * the one place of the engine that may read a clock, and only in real-time
 * runs.
 */
#include "app/sim.h"

#include "app/bug.h"
#include "base/errors.h"
#include "delivery/transport.h"
#include "transport/transport_inproc.h"
#include "transport/transport_tap.h"

#include <stdlib.h>
#include <string.h>

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

struct lane {
    struct kdo_transport *transport;
    int own_transport;
    struct kdo_transport *tap; /* wraps transport for cfg->on_send, or NULL */
    const struct kdo_sim_config *cfg;
    const char *id;
    struct kdo_delivery *delivery;
    struct kdo_query *query;
    struct kdo_journal *journal; /* the result's */
};

struct run {
    const struct kdo_sim_config *cfg;
    struct kdo_rng rng;
    struct kdo_fake_lambda *fake;
    struct kdo_transport *transport; /* the first lane's */
    struct lane lanes[KDO_APP_MAX_OUTPUTS];
    size_t nlanes;
    struct kdo_app *app;
    struct kdo_program *program;
    size_t next_restart;
    size_t next_reload;
};

/* The destinations to run: the listed ones, or one from the main fields. */
static size_t outputs_of(const struct kdo_sim_config *cfg, struct kdo_sim_output *outs)
{
    if (cfg->noutputs == 0) {
        memset(outs, 0, sizeof *outs);
        memcpy(outs[0].id, "1.1", 4);
        outs[0].query = cfg->query;
        outs[0].delivery = cfg->delivery;
        return 1;
    }
    size_t n = cfg->noutputs < KDO_APP_MAX_OUTPUTS ? cfg->noutputs : KDO_APP_MAX_OUTPUTS;
    memcpy(outs, cfg->outputs, n * sizeof *outs);
    return n;
}

static void lane_sent(void *ctx, kdo_time_ns now, const struct kdo_invocation *inv)
{
    struct lane *l = ctx;
    l->cfg->on_send(l->cfg->on_send_ctx, l->id, now, inv);
}

static int load_reference(struct kdo_program *p, const struct kdo_sim_reference *ref)
{
    struct kdo_errinfo err;
    return kdo_program_load_table(p, ref->table, ref->data, ref->len, ref->file, &err);
}

static int run_init(struct run *r, const struct kdo_sim_config *cfg, struct kdo_sim_result *out)
{
    struct kdo_sim_output outs[KDO_APP_MAX_OUTPUTS];
    struct kdo_app_output aouts[KDO_APP_MAX_OUTPUTS];
    memset(r, 0, sizeof *r);
    r->cfg = cfg;
    kdo_rng_init(&r->rng, cfg->seed);
    r->nlanes = outputs_of(cfg, outs);
    if (cfg->transport && r->nlanes > 1)
        return KDO_EINVAL; /* one real transport serves one lane */
    if (!cfg->transport)
        r->fake = kdo_fake_lambda_new(&cfg->lambda, kdo_fault_rules_copy(cfg->rules, cfg->nrules),
                                      cfg->nrules, &r->rng);
    struct kdo_app_config ac = cfg->app;
    kdo_bug_window(cfg->bugs, &ac.window); /* planted bugs enter here and only here */
    if (cfg->program) {
        struct kdo_program_config pc = *cfg->program;
        struct kdo_errinfo err;
        pc.epoch_ms = cfg->app.window.epoch_ms;
        pc.seed = cfg->seed;
        if (kdo_program_new(&pc, &r->program, &err) != 0)
            return KDO_ESCHEMA; /* the loader compiled it once already */
        for (size_t i = 0; i < cfg->nreferences; i++)
            if (load_reference(r->program, &cfg->references[i]) != 0)
                return KDO_ESCHEMA; /* the loader read it once already */
        ac.program = r->program;
    }
    out->nlanes = r->nlanes;
    for (size_t i = 0; i < r->nlanes; i++) {
        struct lane *l = &r->lanes[i];
        struct kdo_sim_lane *ol = &out->lanes[i];
        memcpy(ol->id, outs[i].id, sizeof ol->id);
        ol->journal = kdo_journal_new();
        ol->metrics = kdo_metrics_new();
        if (cfg->on_journal)
            cfg->on_journal(cfg->on_journal_ctx, i, ol->id, ol->journal);
        if (cfg->transport) {
            l->transport = cfg->transport;
        } else { /* every lane invokes the same fake function */
            l->transport = kdo_transport_inproc_new(r->fake);
            l->own_transport = 1;
        }
        struct kdo_delivery_config dc = outs[i].delivery;
        kdo_bug_delivery(cfg->bugs, &dc);
        l->cfg = cfg;
        l->id = ol->id;
        l->journal = ol->journal;
        if (cfg->on_send)
            l->tap = kdo_transport_tap_new(l->transport, lane_sent, l);
        l->delivery = kdo_delivery_new(&dc, l->tap ? l->tap : l->transport, ol->journal,
                                       ol->metrics, &r->rng);
        if (outs[i].query && !cfg->program) {
            struct kdo_query_config qc = *outs[i].query;
            qc.epoch_ms = cfg->app.window.epoch_ms;
            kdo_bug_query(cfg->bugs, &qc);
            struct kdo_errinfo err;
            if (kdo_query_new(&qc, &l->query, &err) != 0)
                return KDO_ESCHEMA; /* the loader compiled it once already */
        }
        aouts[i] = (struct kdo_app_output){ol->id, l->delivery, ol->journal, ol->metrics, l->query};
    }
    out->journal = out->lanes[0].journal;
    out->metrics = out->lanes[0].metrics;
    r->transport = r->lanes[0].transport;
    struct kdo_source *src = kdo_source_new(&cfg->source, cfg->duration, &r->rng);
    r->app = kdo_app_new_outputs(&ac, src, aouts, r->nlanes);
    return 0;
}

static void run_cleanup(struct run *r)
{
    kdo_app_free(r->app);
    for (size_t i = 0; i < r->nlanes; i++) {
        struct lane *l = &r->lanes[i];
        kdo_query_free(l->query);
        kdo_delivery_free(l->delivery);
        kdo_transport_free(l->tap);
        if (l->own_transport)
            kdo_transport_free(l->transport);
    }
    kdo_fake_lambda_free(r->fake);
    kdo_program_free(r->program);
}

static kdo_time_ns next_deadline(const struct run *r)
{
    kdo_time_ns t = kdo_app_next_deadline(r->app);
    for (size_t i = 0; i < r->nlanes; i++)
        t = kdo_time_min(t, kdo_delivery_next_deadline(r->lanes[i].delivery));
    if (r->next_restart < r->cfg->nrestarts)
        t = kdo_time_min(t, r->cfg->restarts[r->next_restart].at);
    if (r->next_reload < r->cfg->nreloads)
        t = kdo_time_min(t, r->cfg->reloads[r->next_reload].at);
    return t;
}

static int finished(struct run *r, kdo_time_ns now)
{
    struct kdo_delivery_stats st;
    if (now < r->cfg->duration || r->next_restart < r->cfg->nrestarts ||
        r->next_reload < r->cfg->nreloads)
        return 0;
    for (size_t i = 0; i < r->nlanes; i++) {
        kdo_delivery_stats(r->lanes[i].delivery, &st);
        if (!st.idle)
            return 0;
    }
    return kdo_app_caught_up(r->app, now);
}

/* A timeline reload: the table's new rows, journaled in every lane as a
 * restart is. */
static int reload(struct run *r, kdo_time_ns now, const struct kdo_sim_reference *ref)
{
    int err = r->program ? load_reference(r->program, ref) : KDO_EINVAL;
    for (size_t i = 0; err == 0 && i < r->nlanes; i++)
        kdo_journal_reload(r->lanes[i].journal, now, ref->table, ref->file);
    return err;
}

static int step(struct run *r, kdo_time_ns now)
{
    while (r->next_restart < r->cfg->nrestarts && r->cfg->restarts[r->next_restart].at <= now) {
        kdo_time_ns down = r->cfg->restarts[r->next_restart++].downtime;
        for (size_t i = 0; i < r->nlanes; i++)
            kdo_delivery_restart(r->lanes[i].delivery, now, down);
        kdo_app_restart(r->app, now, down);
    }
    int err = 0;
    while (err == 0 && r->next_reload < r->cfg->nreloads &&
           r->cfg->reloads[r->next_reload].at <= now)
        err = reload(r, now, &r->cfg->reloads[r->next_reload++]);
    if (err == 0)
        err = kdo_app_advance(r->app, now);
    for (size_t i = 0; err == 0 && i < r->nlanes; i++)
        err = kdo_delivery_advance(r->lanes[i].delivery, now);
    return err;
}

/* ---- the stepping API: the virtual driver below, the real-time one in sim_real.c ---- */

struct kdo_sim {
    struct run r;
    struct kdo_sim_result *out;
};

int kdo_sim_begin(const struct kdo_sim_config *cfg, struct kdo_sim_result *out,
                  struct kdo_sim **sim)
{
    struct kdo_sim *m = kdo_xcalloc(1, sizeof *m);
    memset(out, 0, sizeof *out);
    int rc = run_init(&m->r, cfg, out);
    if (rc != 0) {
        run_cleanup(&m->r);
        kdo_sim_result_cleanup(out);
        free(m);
        return rc == KDO_EINVAL ? rc : KDO_ESCHEMA;
    }
    m->out = out;
    out->seed = cfg->seed;
    out->realtime = kdo_transport_is_real(m->r.transport);
    memcpy(out->record_prefix, kdo_delivery_record_prefix(m->r.lanes[0].delivery), 37);
    for (size_t i = 0; i < m->r.nlanes; i++)
        kdo_journal_start(out->lanes[i].journal, 0, cfg->seed,
                          kdo_delivery_record_prefix(m->r.lanes[i].delivery));
    *sim = m;
    return 0;
}

int kdo_sim_step(struct kdo_sim *m, kdo_time_ns now)
{
    if (++m->out->steps > m->r.cfg->max_steps)
        return KDO_ETOOBIG;
    return step(&m->r, now);
}

int kdo_sim_finished(struct kdo_sim *m, kdo_time_ns now)
{
    return finished(&m->r, now);
}

kdo_time_ns kdo_sim_next_deadline(const struct kdo_sim *m)
{
    return next_deadline(&m->r);
}

struct kdo_transport *kdo_sim_transport(const struct kdo_sim *m)
{
    return m->r.transport;
}

void kdo_sim_end(struct kdo_sim *m, kdo_time_ns now, int drained)
{
    struct kdo_sim_result *out = m->out;
    out->drained = drained;
    if (out->realtime)
        kdo_transport_cancel(m->r.transport);
    out->end = now;
    for (size_t i = 0; i < m->r.nlanes; i++) {
        struct kdo_sim_lane *l = &out->lanes[i];
        kdo_delivery_stats(m->r.lanes[i].delivery, &l->delivery);
        kdo_journal_end(l->journal, now, l->delivery.unacked, l->delivery.bytes);
    }
    out->delivery = out->lanes[0].delivery;
    run_cleanup(&m->r);
    free(m);
}

/* Virtual time: jump to the next deadline. */
int kdo_sim_run(const struct kdo_sim_config *cfg, struct kdo_sim_result *out)
{
    struct kdo_sim *m;
    memset(out, 0, sizeof *out);
    if (cfg->transport && kdo_transport_is_real(cfg->transport))
        return KDO_EINVAL; /* real ends are driven in real time: kdo_sim_run_real */
    int err = kdo_sim_begin(cfg, out, &m);
    if (err != 0)
        return err;
    kdo_time_ns now = 0, limit = cfg->duration + cfg->drain_limit;
    int drained = 0;
    while (err == 0 && !(drained = kdo_sim_finished(m, now))) {
        kdo_time_ns t = kdo_sim_next_deadline(m);
        if (t > limit)
            break;
        now = t > now ? t : now;
        err = kdo_sim_step(m, now);
    }
    if (!drained && err == 0) {
        now = limit;
        drained = kdo_sim_finished(m, now);
    }
    kdo_sim_end(m, now, drained);
    return err;
}

void kdo_sim_result_cleanup(struct kdo_sim_result *r)
{
    for (size_t i = 0; i < r->nlanes; i++) {
        kdo_journal_free(r->lanes[i].journal);
        kdo_metrics_free(r->lanes[i].metrics);
    }
    memset(r, 0, sizeof *r);
}
