/*
 * main-int.h -- what the parts of the kdaout command line share.
 *
 * main.c dispatches to one kdo__main_<command>() per subcommand, each in its
 * own part (main-run.c, main-validate.c, main-conform.c, main-servers.c), and
 * prints a command's --help through kdo__main_help_<command>() for
 * `kdaout help COMMAND`.  The option helpers here are the ones more than one
 * command uses.  Every command returns the exit status: 0 success, 1 a check
 * failed, 2 bad input or usage, 3 could not decide.  Nothing here is a public
 * interface: only main.c and its parts include this header.
 */
#ifndef KDO_MAIN_INT_H
#define KDO_MAIN_INT_H

#include "delivery/contract.h"
#include "base/ktime.h"
#include "lambda/srvstats.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

/* A numeric macro as a string literal, so a --help text or an error message
 * states the very limit the code checks (KDO__MAIN_STR(KDO_FUNCTION_MEMORY_MAX_MB)
 * is "10240"). */
#define KDO__MAIN_STR_(x) #x
#define KDO__MAIN_STR(x) KDO__MAIN_STR_(x)

/* A function's Timeout (s) and MemorySize (MB) limits, contract.h's, as text. */
#define KDO__MAIN_TIMEOUT_MIN KDO__MAIN_STR(KDO_FUNCTION_TIMEOUT_MIN_S)
#define KDO__MAIN_TIMEOUT_MAX KDO__MAIN_STR(KDO_FUNCTION_TIMEOUT_MAX_S)
#define KDO__MAIN_MEMORY_MIN KDO__MAIN_STR(KDO_FUNCTION_MEMORY_MIN_MB)
#define KDO__MAIN_MEMORY_MAX KDO__MAIN_STR(KDO_FUNCTION_MEMORY_MAX_MB)
#define KDO__MAIN_TIMEOUT_DEFAULT KDO__MAIN_STR(KDO_FUNCTION_TIMEOUT_DEFAULT_S)
#define KDO__MAIN_MEMORY_DEFAULT KDO__MAIN_STR(KDO_FUNCTION_MEMORY_DEFAULT_MB)

/* The subcommands: argv[0] is the command's own name.  Each returns the
 * process's exit status. */
int kdo__main_run(int argc, char **argv);
int kdo__main_validate(int argc, char **argv);
int kdo__main_schema(int argc, char **argv);
int kdo__main_conform(int argc, char **argv);
int kdo__main_host(int argc, char **argv);
int kdo__main_fake_lambda(int argc, char **argv);

/* A command's --help text, as `kdaout help COMMAND` prints it too. */
void kdo__main_help_run(FILE *out);
void kdo__main_help_conform(FILE *out);
void kdo__main_help_host(FILE *out);
void kdo__main_help_fake_lambda(FILE *out);

/* A decimal whole number, digits only; 0, or -1 if s is not one or overflows. */
int kdo__main_parse_u64(const char *s, uint64_t *out);
/* A seed from the kernel (the clock if that fails); --seed replays it. */
uint64_t kdo__main_random_seed(void);
/* Colour only on a terminal, and never when NO_COLOR is set or TERM=dumb. */
int kdo__main_want_colour(void);
/* --allow-path DIR for `kdaout cmd`: 0, or 2 after saying why on stderr. */
int kdo__main_allow_path(const char *cmd, const char *arg);

/* main-watch.c: fake-lambda's and host's wait for a stop signal, their
 * /metrics (--metrics-listen) and their live progress line (--quiet). */
struct kdo_promhttp;
struct kdo__main_watch {
    const char *name;                                      /* "fake-lambda" or "host" */
    void (*stats)(void *server, struct kdo_srvstats *out); /* a copy of its counts */
    void *server;
    char metrics_host[64];
    uint16_t metrics_port;
    int metrics; /* --metrics-listen was given */
    int quiet;   /* --quiet */
    int verbose; /* the server writes lines of its own to stderr */
    /* set by kdo__main_watch_start */
    int progress;
    kdo_time_ns t0;
    struct kdo_promhttp *exporter;
    char line[512]; /* the progress line on screen */
};
/* --metrics-listen HOST:PORT (or PORT, then 127.0.0.1) into w; 0, or 2 after
 * saying why on stderr. */
int kdo__main_metrics_listen(const char *cmd, const char *arg, struct kdo__main_watch *w);
/* Starts /metrics if asked (printing "metrics on http://HOST:PORT/metrics");
 * 0, or 2 after saying why. */
int kdo__main_watch_start(struct kdo__main_watch *w);
/* Waits for a signal in `stop` (blocked), drawing the progress line. */
void kdo__main_watch_wait(struct kdo__main_watch *w, const sigset_t *stop);
/* Stops /metrics; call before stopping the server it reads. */
void kdo__main_watch_stop(struct kdo__main_watch *w);

#endif
