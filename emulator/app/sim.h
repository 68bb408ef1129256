/*
 * sim.h -- the virtual-time driver: one whole run of an emulated application.
 *
 * The driver owns the clock.  It jumps from deadline to deadline -- the
 * earliest of the application's, the delivery engine's and the timeline's --
 * so a ten-minute scenario with 60 s windows takes milliseconds, and with one
 * seed it takes the same steps and writes the same journal every time.  The
 * source stops producing rows at `duration`; the run then goes on until
 * everything read has been delivered, or until `drain_limit` more has passed.
 * One struct kdo_rng, seeded from `seed`, serves every random choice.
 *
 * With a real transport (HTTP) the same steps run in real time instead
 * (kdo_sim_run_real, in the I/O library): time is the monotonic clock since
 * the start, and between deadlines the driver waits on the transport's
 * sockets.  Rule times and the journal then count
 * real seconds, and a seed no longer fixes the run.
 */
#ifndef KDO_SIM_H
#define KDO_SIM_H

#include "app/app.h"
#include "app/source.h"
#include "delivery/delivery.h"
#include "delivery/journal.h"
#include "delivery/metrics.h"
#include "lambda/fake_lambda.h"
#include "sql/program.h"
#include "sql/query.h"

struct kdo_restart_event {
    kdo_time_ns at;
    kdo_time_ns downtime;
};

/* Records for one of the program's reference tables (kdo_program_load_table):
 * its initial data, or the timeline's reload of it at `at`. */
struct kdo_sim_reference {
    kdo_time_ns at;    /* a reload's instant (0 for initial data) */
    const char *table; /* exact, as the SQL names it */
    const char *data;  /* the records (borrowed: must outlive the run) */
    size_t len;
    const char *file;  /* names the data in messages */
};

/* One destination of the application (KDA's output), when there are several. */
struct kdo_sim_output {
    char id[16];                          /* KDA's output Id: "1.1", "1.2", "1.3" */
    const struct kdo_query_config *query; /* typed rows; NULL: rows as read (app.window) */
    struct kdo_delivery_config delivery;  /* its own lane: cadence, buffer, timeouts */
};

struct kdo_sim_result;

struct kdo_sim_config {
    uint64_t seed;
    kdo_time_ns duration;
    kdo_time_ns drain_limit;
    uint64_t max_steps; /* a bound on driver steps; a run past it is an error */
    struct kdo_source_config source;
    struct kdo_app_config app;
    struct kdo_delivery_config delivery;
    struct kdo_fake_lambda_config lambda;
    struct kdo_fault_rule *rules; /* copied by kdo_sim_run */
    size_t nrules;
    const struct kdo_query_config *query; /* typed rows, WHERE, SELECT; NULL: rows as read */
    /* The application's SQL (application.sql), or NULL: when set, the
     * outputs' queries are unused and output i reads program->outputs[i];
     * its epoch is app.window.epoch_ms. */
    const struct kdo_program_config *program;
    /* With program: the reference tables' data, loaded right after the
     * program is built (before the first row), and the timeline's reloads,
     * sorted by `at`, each before the rows read at its instant (KDA swaps a
     * reloaded table in whole).  The data was checked when the scenario
     * loaded: a load that fails here ends the run with its error. */
    const struct kdo_sim_reference *references;
    size_t nreferences;
    const struct kdo_sim_reference *reloads;
    size_t nreloads;
    /* Destinations: none listed means one, from `query` and `delivery`. */
    struct kdo_sim_output outputs[KDO_APP_MAX_OUTPUTS];
    size_t noutputs;
    struct kdo_restart_event *restarts; /* sorted by `at` */
    size_t nrestarts;
    unsigned bugs; /* planted bugs, applied to every module */
    /* Where invocations go: NULL for the in-process fake (virtual time), or
     * a real transport (borrowed; real time). */
    struct kdo_transport *transport;
    /* Told every invocation as it is sent, with its destination's id (NULL:
     * nobody): for kdaout run --records. */
    void (*on_send)(void *ctx, const char *dest, kdo_time_ns now,
                    const struct kdo_invocation *inv);
    void *on_send_ctx;
    /* Told each destination's journal as it is made, before anything is
     * recorded (NULL: nobody): to watch it, forget it, write it out. */
    void (*on_journal)(void *ctx, size_t lane, const char *id, struct kdo_journal *j);
    void *on_journal_ctx;
    /* Real time only: told after each step, on the run's thread, what the
     * run has recorded so far (NULL: nobody): for kdaout run's live view. */
    void (*on_tick)(void *ctx, const struct kdo_sim_result *r, kdo_time_ns now);
    void *on_tick_ctx;
};

/* Defaults for everything; no source segments, no rules, no restarts. */
void kdo_sim_config_default(struct kdo_sim_config *c);

/* What one destination's lane recorded. */
struct kdo_sim_lane {
    char id[16];
    struct kdo_journal *journal; /* owned */
    struct kdo_metrics *metrics; /* owned */
    struct kdo_delivery_stats delivery;
};

struct kdo_sim_result {
    struct kdo_journal *journal; /* owned: the first destination's, = lanes[0].journal */
    struct kdo_metrics *metrics; /* owned: = lanes[0].metrics */
    struct kdo_sim_lane lanes[KDO_APP_MAX_OUTPUTS];
    size_t nlanes;
    uint64_t seed;
    kdo_time_ns end;             /* virtual time at which the run ended */
    uint64_t steps;
    int drained;                 /* everything read was delivered */
    int realtime;                /* driven by the wall clock */
    struct kdo_delivery_stats delivery; /* the first destination's */
    char record_prefix[37];
};

/* Runs a whole scenario in virtual time with the in-process fake.  Returns 0
 * and fills *out (free with kdo_sim_result_cleanup), or a KDO_E* code
 * (KDO_EINVAL for a real transport: see kdo_sim_run_real). */
int kdo_sim_run(const struct kdo_sim_config *cfg, struct kdo_sim_result *out);
/* The same in real time, against cfg->transport (a real end).  In the I/O
 * library (sim_real.c): the monotonic clock is read there, once per step. */
int kdo_sim_run_real(const struct kdo_sim_config *cfg, struct kdo_sim_result *out);

/* The steps both drivers take: begin (the journal starts at 0), then, at
 * non-decreasing times, finished? / step / next deadline, then end (cancels
 * a real transport's invocation in flight, closes the journals, frees).
 * kdo_sim_step counts steps and returns KDO_ETOOBIG past max_steps. */
struct kdo_sim;
int kdo_sim_begin(const struct kdo_sim_config *cfg, struct kdo_sim_result *out,
                  struct kdo_sim **sim);
int kdo_sim_step(struct kdo_sim *sim, kdo_time_ns now);
int kdo_sim_finished(struct kdo_sim *sim, kdo_time_ns now);
kdo_time_ns kdo_sim_next_deadline(const struct kdo_sim *sim);
struct kdo_transport *kdo_sim_transport(const struct kdo_sim *sim);
void kdo_sim_end(struct kdo_sim *sim, kdo_time_ns now, int drained);
void kdo_sim_result_cleanup(struct kdo_sim_result *r);

#endif
