/*
 * conform.h -- `kdaout conform`: probe a real function through the Invoke
 * API and report each probe as pass, fail or warn.
 *
 * Reads the function's Timeout with GetFunctionConfiguration (as KDA does),
 * runs the probes of probe.h one after another -- each waits as long as KDA
 * would (Timeout + 5 s) but never longer than the cap (--timeout, default
 * 60 s); a probe cut short by the cap is undecided, not failed -- then
 * judges the timing: a failure when an answer took longer than the
 * function's Timeout (the service would have cut it off), a warning when the
 * slowest took more than half the Timeout, or more than the guide's 5 s; and
 * delivery: a failure when every well-formed row was answered DeliveryFailed.
 * Prints a line per probe (with what was sent, what came back and why it
 * matters under a failure or warning) and writes the same as JUnit XML, JSON,
 * TAP or Markdown (report.h).  Only the function's answers are judged: 429/5xx
 * are resent (probe.h), and 404, 401/403, 429/5xx that persist or a handler
 * that did not start stop the session with one ERROR/UNDECIDED result naming
 * cause and fix.  Exit status: 0 nothing failed (warnings allowed), 1 a probe
 * or check failed, 2 bad usage, no such function (404) or nothing at the URL,
 * 3 nothing could be decided (401/403, persistent 429/5xx, the handler did not
 * start, or a probe ran into the cap).  Nothing shown (stdout,
 * reports, replay lines) carries the endpoint URL's userinfo.  This module reads the clock (to time replies).
 */
#ifndef KDO_CONFORM_H
#define KDO_CONFORM_H

#include <stdint.h>
#include <stdio.h>

struct kdo_conform_options {
    const char *endpoint;  /* base URL of the Invoke API */
    const char *function;  /* default "kdaout-fake" */
    const char *qualifier; /* or NULL */
    int sigv4;             /* sign with AWS credentials from the environment */
    const char *region;
    double timeout_s;      /* the most a probe waits (0: Timeout + 5 s, at most 60 s); also
                              the Timeout assumed if GetFunctionConfiguration fails (0: 3 s) */
    const char *only;      /* run only probes whose name contains this, or NULL */
    uint64_t seed;
    const char *junit, *json, *tap, *markdown, *report; /* report: the HTML page */
    int verbose, colour;
    FILE *out;
};

int kdo_conform_run(const struct kdo_conform_options *o);

#endif
