/*
 * expect.h -- the facts of a run, computed from its journal, and the
 * expectations over them.
 *
 * Checks are pure functions over the journal (and the metrics, which the
 * engine derived from the same events): a ledger of every output row
 * (delivered, lost, still undelivered, sent again), the retry rule (retryHint
 * starts at 0 and rises by exactly one per failed attempt, resets after a
 * restart; Ok records are never resent; only failed records are retried),
 * cadence, splitting, backpressure and the CloudWatch metrics.  Each fact
 * remembers a journal entry that shows it, so a failed expectation can print
 * the evidence.
 */
#ifndef KDO_EXPECT_H
#define KDO_EXPECT_H

#include "base/ktime.h"
#include "delivery/journal.h"
#include "delivery/metrics.h"
#include "rowdiff.h"

#include <stddef.h>

/* `expect: output:` -- the rows a destination's function must receive
 * (expect-output.c).  Loaded with the scenario, so a bad file is a load
 * error; owned by its expectation. */
struct kdo_rowfile;
struct kdo_output_expect {
    char *file;                    /* the expected rows' file as named, or NULL: output: [] */
    struct kdo_rowdiff_config cfg; /* its columns and names point at the arrays below */
    char **columns;                /* `columns`: compare only these, or NULL */
    size_t ncolumns;
    char **names;                  /* CSV: the file's header, the destination's columns */
    size_t nnames;
    struct kdo_rowfile *rows;      /* the file's rows, or NULL */
    struct kdo_rowdiff_text *text; /* rows[i] as rowdiff reads them */
    size_t n;
};
/* kdo_output_expect_free(NULL) is a no-op. */
void kdo_output_expect_free(struct kdo_output_expect *o);

/* One expectation: a named fact of the run within bounds. */
struct kdo_expectation {
    char *fact;   /* "lost", "failures.not_returned", "metric:Success:Average" ... */
    double min, max;
    kdo_time_ns from, until; /* counted in this period only (`during`); whole run by default */
    int line, column;
    size_t destination; /* index of the destination whose journal it reads (0: the first) */
    struct kdo_output_expect *output; /* fact "output" (min = max = 0 differences), else NULL */
};

struct kdo_facts;

/* Facts as a run goes: watches j (kdo_journal_watch) from now on and
 * counts the windowable facts only in [from, until).  The ledger keeps one
 * small state per row the engine has not had acknowledged yet, so it costs
 * about what the destination stream holds however long the run.  Returns a
 * new object (NULL if j has no room for another watcher); call
 * kdo_facts_finish() once the run has ended, then read it. */
struct kdo_facts *kdo_facts_watch(struct kdo_journal *j, kdo_time_ns from, kdo_time_ns until);
/* Closes the ledger; m (borrowed while f lives) answers the metric facts. */
void kdo_facts_finish(struct kdo_facts *f, const struct kdo_metrics *m);

/* Computes every fact of a finished run whose journal kept every entry. */
struct kdo_facts *kdo_facts_new(const struct kdo_journal *j, const struct kdo_metrics *m);
/* The same with the windowable facts (kdo_fact_windowable) counted only in
 * [from, until); metric facts then cover the minutes the period touches. */
struct kdo_facts *kdo_facts_new_window(const struct kdo_journal *j, const struct kdo_metrics *m,
                                       kdo_time_ns from, kdo_time_ns until);
void kdo_facts_free(struct kdo_facts *f);

/* The value of a fact by name; 0 and *value set, or KDO_EINVAL if unknown.
 * *witness (may be NULL) gets the index of a journal entry that shows it,
 * or SIZE_MAX. */
int kdo_facts_get(const struct kdo_facts *f, const char *name, double *value, size_t *witness);

/* The records failed so far by reason (failures.<reason>), as the run
 * goes: out[r] for each enum kdo_reason r (KDO_REASON_COUNT entries) is
 * increased by f's count; for the live view. */
void kdo_facts_add_failures(const struct kdo_facts *f, uint64_t *out);

/* Prints every fact of the run, one per line. */
void kdo_facts_print(const struct kdo_facts *f, FILE *out);

/* The journal lines that show a fact: the entry that explains its witness
 * (when there is one) and the witness, each cut to 400 bytes; a new string,
 * or NULL if no entry shows it. */
char *kdo_facts_evidence(const struct kdo_facts *f, const char *name);

/* The journal entry that explains a violation's witness (the reply that set
 * up what it broke), or -1. */
int kdo_facts_context(const struct kdo_facts *f, const char *name);
/* Whether a fact can be restricted to a period (`during`). */
int kdo_fact_windowable(const char *name);

/* The rows a destination's function received, each once (a row resent
 * after a failure or a restart is still one row), in the order the
 * application emitted them, grouped by the instant it emitted them (the
 * journal's rows_emitted entries), compared with an output expectation as
 * the run goes.  Rows wait here only until their instant is final. */
struct kdo_output_watch;
struct kdo_invocation;
/* Watches j from now on; o is borrowed while the watch lives.  Returns a
 * new object, or NULL if j has no room for another watcher. */
struct kdo_output_watch *kdo_output_watch_new(struct kdo_journal *j,
                                              const struct kdo_output_expect *o);
/* An invocation sent to the destination (its records are copied as needed). */
void kdo_output_watch_sent(struct kdo_output_watch *w, const struct kdo_invocation *inv);
/* The run is over and its journal flushed: the rows still expected are missing. */
void kdo_output_watch_finish(struct kdo_output_watch *w);
/* Rows missing, unexpected or changed (0: the function received exactly the rows). */
double kdo_output_watch_differences(const struct kdo_output_watch *w);
/* The row diff (kdo_rowdiff_report()), a new string. */
char *kdo_output_watch_evidence(const struct kdo_output_watch *w);
void kdo_output_watch_free(struct kdo_output_watch *w);

/* Whether `name` is a known fact (metric facts included). */
int kdo_fact_known(const char *name);
/* The nearest known fact name to a misspelt one, or NULL. */
const char *kdo_fact_suggest(const char *name);
/* Prints the list of facts with one line of explanation each. */
void kdo_facts_help(FILE *out);
/* Named fact i (metric facts aside): its name and a phrase saying what it
 * counts.  Returns 0, or -1 past the last. */
int kdo_fact_describe(size_t i, char *name, size_t name_size, char *text, size_t text_size);

/* Facts every scenario checks unless it says otherwise. */
extern const struct kdo_expectation kdo_default_expectations[];
extern const size_t kdo_default_expectations_count;

#endif
