/*
 * main-watch.c -- what fake-lambda and host do while they serve: wait for
 * SIGINT/SIGTERM, serve /metrics (--metrics-listen) and draw the live
 * progress line on stderr.
 *
 * The servers count what they serve (lambda/srvstats.h); this part reads a
 * copy at each scrape (a promhttp collector) and at each tick of the loop.
 * The loop waits for the stop signals with sigtimedwait() in ticks of
 * TICK_MS, so the progress line changes at most 1000 / TICK_MS times a
 * second, and only when its text did.  The line is drawn only when stderr is
 * a terminal, and not with --quiet, NO_COLOR set, or a server that writes
 * lines of its own there (-v): a `\r`-rewritten line between log lines would
 * garble both.  A part of the command line (main-int.h).
 */
#include "main-int.h"
#include "live.h"

#include "base/clock.h"
#include "base/errors.h"
#include "base/promhttp.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TICK_MS 250 /* at most 4 updates a second (issue 15) */

int kdo__main_metrics_listen(const char *cmd, const char *arg, struct kdo__main_watch *w)
{
    const char *colon = strrchr(arg, ':');
    const char *port_text = colon ? colon + 1 : arg;
    size_t host_len = colon ? (size_t)(colon - arg) : 0;
    uint64_t port;
    if (host_len >= sizeof w->metrics_host || kdo__main_parse_u64(port_text, &port) != 0 ||
        port > UINT16_MAX) {
        fprintf(stderr, "kdaout %s: --metrics-listen \"%s\": expected HOST:PORT, e.g. "
                "127.0.0.1:0\n", cmd, arg);
        return 2;
    }
    /* Only an address written out binds beyond loopback, as with --listen. */
    if (host_len == 0)
        strcpy(w->metrics_host, "127.0.0.1");
    else {
        memcpy(w->metrics_host, arg, host_len);
        w->metrics_host[host_len] = '\0';
    }
    w->metrics_port = (uint16_t)port;
    w->metrics = 1;
    return 0;
}

static int collect(void *ctx, struct kdo_promtext *pt)
{
    struct kdo__main_watch *w = ctx;
    struct kdo_srvstats s;
    w->stats(w->server, &s);
    return kdo_srvstats_write(&s, w->name, pt);
}

static int want_progress(const struct kdo__main_watch *w)
{
    const char *no_color = getenv("NO_COLOR");
    /* on stderr, only when stdout is a terminal too (as run's) */
    return !w->quiet && !w->verbose && isatty(STDOUT_FILENO) && isatty(STDERR_FILENO) &&
           (no_color == NULL || no_color[0] == '\0');
}

int kdo__main_watch_start(struct kdo__main_watch *w)
{
    char err[300];
    w->t0 = kdo_clock_now();
    w->progress = want_progress(w);
    if (!w->metrics)
        return 0;
    if (kdo_promhttp_start(w->metrics_host, w->metrics_port, &w->exporter, err, sizeof err) != 0) {
        fprintf(stderr, "kdaout %s: --metrics-listen: %s\n", w->name, err);
        return 2;
    }
    kdo_promhttp_add(w->exporter, collect, w);
    printf("metrics on http://%s:%u/metrics\n", w->metrics_host,
           (unsigned)kdo_promhttp_port(w->exporter));
    fflush(stdout);
    return 0;
}

/* Rewrites the line when its text changed; spaces cover a longer old one. */
static void draw(struct kdo__main_watch *w)
{
    struct kdo_srvstats s;
    char line[sizeof w->line];
    w->stats(w->server, &s);
    kdo_srvstats_progress(&s, w->name, kdo_clock_now() - w->t0, kdo_live_terminal_width(), line,
                          sizeof line);
    if (strcmp(line, w->line) == 0)
        return;
    size_t now = strlen(line), before = strlen(w->line);
    fprintf(stderr, "\r%s%*s", line, before > now ? (int)(before - now) : 0, "");
    fflush(stderr);
    memcpy(w->line, line, sizeof line);
}

void kdo__main_watch_wait(struct kdo__main_watch *w, const sigset_t *stop)
{
    const struct timespec tick = {.tv_sec = 0, .tv_nsec = TICK_MS * 1000000L};
    for (;;) {
        int sig = w->progress ? sigtimedwait(stop, NULL, &tick) : sigwaitinfo(stop, NULL);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        if (sig < 0 && errno != EAGAIN && errno != EINTR)
            break; /* cannot wait: stop rather than spin */
        if (w->progress)
            draw(w);
    }
    if (w->progress && w->line[0])
        fputc('\n', stderr); /* leave the last figures on screen */
}

void kdo__main_watch_stop(struct kdo__main_watch *w)
{
    kdo_promhttp_stop(w->exporter); /* before the server: its collector reads the server */
    w->exporter = NULL;
}
