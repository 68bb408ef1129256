/*
 * report.h -- what a run of scenarios found, and the formats it is told in.
 *
 * The runner fills one struct kdo_scenario_result per scenario (in the order
 * the scenarios were given, whatever order they ran in); the reporters only
 * format: a terminal summary (colour on a TTY only), TAP version 13, JUnit
 * XML (one <testcase> per scenario, a <failure> with the failed checks and
 * their evidence), JSON, a Markdown summary for a CI job page, and HTML: a
 * page per scenario with its timeline drawn from the journal (timeline.h),
 * and an index.  They do no I/O but writing to the FILE given, and return 0
 * or KDO_EIO.
 */
#ifndef KDO_REPORT_H
#define KDO_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum kdo_verdict {
    KDO_VERDICT_PASSED,
    KDO_VERDICT_FAILED,    /* a check failed, or the run stopped */
    KDO_VERDICT_BAD_INPUT, /* the scenario could not be loaded or set up */
    KDO_VERDICT_UNDECIDED, /* a check failed while the endpoint was unreachable */
};

/* One expectation as checked. */
struct kdo_check_result {
    char *fact;      /* "lost", "metric:Success:Average" ... */
    char *expected;  /* "= 0", ">= 1", "in [900, 1100]" */
    double value;    /* what the run showed (NAN if unknown) */
    int passed;
    int line, column; /* where the scenario states it; 0 for a default check */
    char *evidence;  /* journal lines (JSON, newline-separated) that show it, or NULL */
};

struct kdo_scenario_result {
    char *file;
    char *name;
    char *guide;     /* the statement it proves, or NULL */
    enum kdo_verdict verdict;
    char *message;   /* why it could not run or be decided (file:line:col for bad input), or NULL */
    uint64_t seed;
    int realtime;    /* ran over HTTP in real time */
    double virtual_s; /* virtual seconds simulated (real seconds for real-time runs) */
    double wall_s;   /* wall-clock seconds it took */
    char *notes;     /* notes for the user (e.g. a fallback timeout), or NULL */
    char *replay;    /* the command that replays it, when not "kdaout run FILE --seed N" */
    struct kdo_check_result *checks;
    size_t nchecks;
};

void kdo_scenario_result_cleanup(struct kdo_scenario_result *r);

/* "PASS", "FAIL", "ERROR", "UNDECIDED". */
const char *kdo_verdict_name(enum kdo_verdict v);

/* The command that replays a scenario: "kdaout run FILE --seed N". */
void kdo_report_replay(const struct kdo_scenario_result *r, char *out, size_t size);

/* One line per scenario, the failed checks with their evidence and replay
 * command under it (all checks with `verbose`), and a closing line
 * "kdaout: N passed, N failed", and a second line "kdaout: N errors, N undecided"
 * when there are any (the first stays parseable by CI tools).
 * `colour`: ANSI colours (only when writing to a terminal). */
int kdo_report_terminal(FILE *out, const struct kdo_scenario_result *r, size_t n, int colour,
                        int verbose);
/* One scenario's lines, as kdo_report_terminal prints them (for streaming). */
int kdo_report_terminal_one(FILE *out, const struct kdo_scenario_result *r, int colour,
                            int verbose);
/* The closing line alone. */
int kdo_report_terminal_summary(FILE *out, const struct kdo_scenario_result *r, size_t n,
                                int colour);
/* TAP version 13: "ok N - NAME" / "not ok N - NAME" with a YAML diagnostic block. */
int kdo_report_tap(FILE *out, const struct kdo_scenario_result *r, size_t n);
/* JUnit XML: <testsuites><testsuite name="kdaout" tests= failures= errors= skipped= time=>
 * with one <testcase classname="kdaout.scenarios" name=FILE-or-NAME file= time=> each;
 * <failure message= type=> for FAILED, <error> for BAD_INPUT, <skipped> for UNDECIDED;
 * <system-out> with the seed and the replay command.  Text is XML-escaped and
 * stripped of characters XML 1.0 cannot hold. */
int kdo_report_junit(FILE *out, const struct kdo_scenario_result *r, size_t n);
/* JSON: {"kdaout":VERSION,"passed":N,"failed":N,...,"scenarios":[{...every field...}]}. */
int kdo_report_json(FILE *out, const struct kdo_scenario_result *r, size_t n);
/* GitHub-flavoured Markdown: a heading with the counts, a table (verdict, scenario,
 * seed, time), then a section per failed scenario with its failed checks and the
 * replay command. */
int kdo_report_markdown(FILE *out, const struct kdo_scenario_result *r, size_t n);

/* One self-contained HTML5 page (inline CSS and SVG, no script, nothing
 * fetched): the verdict and replay command; per destination on one axis of
 * virtual seconds the invocations coloured by outcome (<rect class="inv
 * inv-ok|partial|failed|timeout|throttled|transport|pending" data-n=N>, N
 * invocations: one, or a pixel-wide bucket's when there are more than
 * pixels), source pauses (<rect class="pause" data-n=N>), restarts, fault
 * periods, lag and stream depth (<polyline class="lag|depth">); every check
 * (<li class="check check-passed|check-failed">) with a failed one's
 * evidence; the records that failed longest.  t (borrowed) may be NULL when
 * nothing ran. */
struct kdo_timeline;
int kdo_report_html(FILE *out, const struct kdo_scenario_result *r, const struct kdo_timeline *t);
/* The index of several pages: one row per scenario with its verdict, linking
 * pages[i] (a file name beside the index, percent-encoded; NULL: no link). */
int kdo_report_html_index(FILE *out, const struct kdo_scenario_result *r, size_t n,
                          const char *const *pages);
/* kdaout conform's page: one row per probe (and session check) with its
 * verdict, what was sent, what came back and why it matters. */
int kdo_report_html_probes(FILE *out, const struct kdo_scenario_result *r, size_t n);

#endif
