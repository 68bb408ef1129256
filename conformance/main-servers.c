/*
 * main-servers.c -- the two commands that serve the Invoke API until
 * stopped: `kdaout host` (a real handler behind the Runtime API) and
 * `kdaout fake-lambda` (the fake over HTTP).
 *
 * Both parse their options into the server's config, start it, print
 * "listening on http://HOST:PORT" first on stdout (then "metrics on ..." with
 * --metrics-listen) and wait for SIGINT or SIGTERM (main-watch.c: /metrics and
 * the progress line); the servers themselves live in emulator/lambda.  Every limit an
 * option is held to is named: a function's Timeout and MemorySize from
 * contract.h, the rest below.  A part of the command line (main-int.h).
 */
#include "main-int.h"

#include "base/errors.h"
#include "lambda/faults.h"
#include "lambda/host.h"
#include "lambda/lambda_server.h"
#include "scenario.h"
#include "units.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* fake-lambda's port when --listen names none. */
#define FAKE_PORT 9001
#define PORT_MAX UINT16_MAX
/* [choice] Bounds of fake-lambda's server options, far past any real use
 * but finite.  The byte floors are lambda_server.c's own (it refuses less):
 * the bodies in flight must hold one maximal event (KDO_MAX_EVENT_BYTES). */
#define CONNECTIONS_MAX 65536
#define CONNECTION_TIMEOUT_MIN KDO_S
#define REQUEST_TIMEOUT_MIN (100 * KDO_MS)
#define LOG_BYTES_MIN ((uint64_t)64 << 10)
#define SIZE_OPTION_MAX ((uint64_t)1 << 40)

/* Servers stop on SIGINT/SIGTERM, taken with sigwait(): blocked before any
 * thread starts, so no thread is interrupted by them; SIGPIPE is ignored. */
static void block_stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static const char usage_host[] =
    "Usage: kdaout host [OPTIONS] -- COMMAND [ARGS...]\n"
    "\n"
    "Hosts a real Lambda handler the way the service does, without Docker: starts COMMAND (a\n"
    "runtime that speaks the Lambda Runtime API, e.g. AWS's runtime interface client) with\n"
    "AWS_LAMBDA_RUNTIME_API and the variables AWS's clients need, and serves the Invoke API on\n"
    "the same loopback port, so kdaout run, kdaout conform or any SDK can invoke it.  One\n"
    "invocation at a time.  A handler past its Timeout: the runtime is stopped, the caller gets\n"
    "200 + X-Amz-Function-Error: Unhandled (Sandbox.Timedout), and a fresh runtime serves the\n"
    "next invocation; errors and init errors become function errors.  The runtime's output\n"
    "goes to stderr, each line led by [runtime].\n"
    "\n"
    "Options:\n"
    "  --timeout S         the function's Timeout in seconds, " KDO__MAIN_TIMEOUT_MIN " to "
    KDO__MAIN_TIMEOUT_MAX " (default " KDO__MAIN_TIMEOUT_DEFAULT ")\n"
    "  --function NAME     the function's name (default kdaout-hosted)\n"
    "  --handler H         _HANDLER for the runtime (default: the environment's)\n"
    "  --memory MB         AWS_LAMBDA_FUNCTION_MEMORY_SIZE (default " KDO__MAIN_MEMORY_DEFAULT ")\n"
    "  --port N            listen on 127.0.0.1:N (default: any free port)\n"
    "  --metrics-listen HOST:PORT  serve Prometheus metrics at http://HOST:PORT/metrics (port 0 =\n"
    "                      any free port; PORT alone = 127.0.0.1:PORT)\n"
    "  --quiet             no live progress line on stderr (none either when stdout or\n"
    "                      stderr is not a terminal, or NO_COLOR is set)\n"
    "\n"
    "The first line on stdout is `listening on http://127.0.0.1:PORT`, with --metrics-listen the\n"
    "second `metrics on http://HOST:PORT/metrics`.  Stops on SIGINT/SIGTERM.\n"
    "Examples (run in the function's folder; the runtime client is yours to choose):\n"
    "  kdaout host --timeout 5 --handler index.handler -- npx aws-lambda-ric\n"
    "      Node.js async handlers, aws-lambda-ric 4 (it refuses callback handlers)\n"
    "  kdaout host --handler index.handler -- npx aws-lambda-ric index.handler\n"
    "      Node.js callback handlers too, aws-lambda-ric 3\n"
    "  kdaout host --handler app.handler -- python3 -m awslambdaric app.handler\n"
    "      Python, AWS's awslambdaric (pip install awslambdaric)\n"
    "  kdaout host --handler app.handler -- python3 tests/integration/host/pyruntime.py\n"
    "      Python without pip: kdaout's standard-library Runtime API loop\n";

static void host_stats(void *server, struct kdo_srvstats *out)
{
    kdo_host_stats(server, out);
}

void kdo__main_help_host(FILE *out)
{
    fputs(usage_host, out);
}

int kdo__main_host(int argc, char **argv)
{
    static const struct option opts[] = {
        {"timeout", required_argument, NULL, 't'}, {"function", required_argument, NULL, 'f'},
        {"handler", required_argument, NULL, 'H'}, {"memory", required_argument, NULL, 'm'},
        {"port", required_argument, NULL, 'p'},    {"help", no_argument, NULL, 'h'},
        {"metrics-listen", required_argument, NULL, 'M'}, {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    struct kdo_host_config cfg = {.log = stderr};
    struct kdo__main_watch watch = {.name = "host", .stats = host_stats};
    uint64_t v;
    int c;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (kdo__main_parse_u64(optarg, &v) != 0 || v < KDO_FUNCTION_TIMEOUT_MIN_S ||
                v > KDO_FUNCTION_TIMEOUT_MAX_S) {
                fprintf(stderr, "kdaout host: --timeout expects seconds from " KDO__MAIN_TIMEOUT_MIN
                        " to " KDO__MAIN_TIMEOUT_MAX ", found "
                        "\"%s\"\n", optarg);
                return 2;
            }
            cfg.timeout_s = (unsigned)v;
            break;
        case 'f': cfg.function = optarg; break;
        case 'H': cfg.handler = optarg; break;
        case 'm':
            if (kdo__main_parse_u64(optarg, &v) != 0 || v < KDO_FUNCTION_MEMORY_MIN_MB ||
                v > KDO_FUNCTION_MEMORY_MAX_MB) {
                fprintf(stderr, "kdaout host: --memory expects MB from " KDO__MAIN_MEMORY_MIN
                        " to " KDO__MAIN_MEMORY_MAX "\n");
                return 2;
            }
            cfg.memory_mb = (unsigned)v;
            break;
        case 'p':
            if (kdo__main_parse_u64(optarg, &v) != 0 || v > PORT_MAX) {
                fprintf(stderr, "kdaout host: --port expects 0 to 65535\n");
                return 2;
            }
            cfg.port = (uint16_t)v;
            break;
        case 'M':
            if (kdo__main_metrics_listen("host", optarg, &watch) != 0)
                return 2;
            break;
        case 'q': watch.quiet = 1; break;
        case 'h': kdo__main_help_host(stdout); return 0;
        default: fprintf(stderr, "Try 'kdaout host --help'.\n"); return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "kdaout host: no runtime command (kdaout host -- COMMAND ...)\n");
        return 2;
    }
    cfg.argv = argv + optind;
    sigset_t set;
    char err[300];
    struct kdo_host *h;
    block_stop_signals(&set);
    if (kdo_host_start(&cfg, &h, err, sizeof err) != 0) {
        fprintf(stderr, "kdaout host: %s\n", err);
        return 2;
    }
    printf("listening on http://127.0.0.1:%u\n", (unsigned)kdo_host_port(h));
    fflush(stdout);
    watch.server = h;
    int rc = kdo__main_watch_start(&watch);
    if (rc == 0)
        kdo__main_watch_wait(&watch, &set);
    kdo__main_watch_stop(&watch);
    kdo_host_stop(h);
    return rc;
}

static const char usage_fake[] =
    "Usage: kdaout fake-lambda [OPTIONS]\n"
    "\n"
    "Serves a fake Lambda function over the Lambda Invoke API, answering like the real\n"
    "service: 200 + X-Amz-Function-Error for function errors and timeouts (Sandbox.Timedout),\n"
    "413 over 6,291,456 bytes, 429, 500, 404 for unknown functions, 400 for bodies that are\n"
    "not JSON, with x-amzn-RequestId, x-amzn-ErrorType and X-Amz-Executed-Version.  Its\n"
    "behaviour is a list of fault rules, the same as a scenario's `lambda:` section.\n"
    "The first line on stdout is `listening on http://HOST:PORT`.  Stops on SIGINT/SIGTERM.\n"
    "\n"
    "  POST /2015-03-31/functions/NAME/invocations[?Qualifier=Q]   Invoke (NAME, ACCOUNT:function:NAME\n"
    "                                                              or a full ARN)\n"
    "  GET  /2015-03-31/functions/NAME/configuration               GetFunctionConfiguration\n"
    "  GET  /_kdaout/invocations     what arrived (ids, retryHints, status), JSON\n"
    "  POST /_kdaout/reset           forget what arrived\n"
    "  GET  /_kdaout/health\n"
    "\n"
    "Options:\n"
    "  --listen HOST:PORT        address to bind (default 127.0.0.1:" KDO__MAIN_STR(FAKE_PORT)
    "; port 0 = any free port)\n"
    "  --function NAME           a function name to serve (repeatable; default kdaout-fake;\n"
    "                            * serves any name)\n"
    "  --rules FILE              YAML: a list of rules, or {timeout, latency, memory, rules}\n"
    "  --fail ACTION             shorthand for one rule applying ACTION to everything\n"
    "  --fail-probability P      ... with this probability (0..1 or a percentage)\n"
    "  --timeout DURATION        the function's Timeout (default " KDO__MAIN_TIMEOUT_DEFAULT "s; whole seconds, "
    KDO__MAIN_TIMEOUT_MIN "-" KDO__MAIN_TIMEOUT_MAX ")\n"
    "  --latency DURATION        how long each invocation takes (default 0)\n"
    "  --memory MB               MemorySize (default " KDO__MAIN_MEMORY_DEFAULT ")\n"
    "  --max-connections N       connection limit (default 256)\n"
    "  --connection-timeout DUR  close idle connections after this (default 30s)\n"
    "  --request-timeout DUR     close a connection whose request (head and body) has not\n"
    "                            arrived this long after it opened or was last answered (30s)\n"
    "  --inflight-bytes SIZE     request bodies held at once, all connections; past it: 429\n"
    "                            (default 64MiB, at least 6MiB)\n"
    "  --log-bytes SIZE          bytes the /_kdaout/invocations log keeps, the oldest\n"
    "                            entries dropped first (default 64MiB, at least 64KiB)\n"
    "  --seed N                  seed request ids and fault probabilities\n"
    "  --metrics-listen HOST:PORT  serve Prometheus metrics at http://HOST:PORT/metrics (port 0 =\n"
    "                            any free port; PORT alone = 127.0.0.1:PORT); printed second\n"
    "  --quiet                   no live progress line on stderr (none either when stdout or\n"
    "                            stderr is not a terminal, NO_COLOR is set, or with -v)\n"
    "  -v, --verbose             one line per request on stderr\n"
    "  -h, --help                this text\n";

void kdo__main_help_fake_lambda(FILE *out)
{
    fputs(usage_fake, out);
}

struct fake_opts {
    struct kdo_lambda_server_config cfg;
    const char *names[64];
    size_t nnames;
    struct kdo_fault_rule *rules;
    size_t nrules;
    const char *fail;
    double fail_probability;
    struct kdo__main_watch watch;
};

static int bad_option(const char *opt, const char *value, const char *why)
{
    fprintf(stderr, "kdaout fake-lambda: %s \"%s\": %s\n", opt, value, why);
    return 2;
}

static int parse_listen(const char *arg, struct kdo_lambda_server_config *c)
{
    static char host[64];
    const char *colon = strrchr(arg, ':');
    uint64_t port;
    if (colon == NULL || (size_t)(colon - arg) >= sizeof host ||
        kdo__main_parse_u64(colon + 1, &port) != 0 || port > PORT_MAX)
        return bad_option("--listen", arg, "expected HOST:PORT, e.g. 127.0.0.1:0");
    memcpy(host, arg, (size_t)(colon - arg));
    host[colon - arg] = '\0';
    c->host = host;
    c->port = (uint16_t)port;
    return 0;
}

static int fake_option(int c, const char *arg, struct fake_opts *o)
{
    char why[300];
    uint64_t v;
    switch (c) {
    case 'l':
        return parse_listen(arg, &o->cfg);
    case 'f':
        if (o->nnames == sizeof o->names / sizeof o->names[0])
            return bad_option("--function", arg, "too many functions");
        o->names[o->nnames++] = arg;
        return 0;
    case 'r': {
        struct kdo_errinfo err = {0};
        char msg[700];
        if (kdo_scenario_load_lambda(arg, &o->cfg.lambda, &o->rules, &o->nrules, &err) == 0)
            return 0;
        kdo_errinfo_format(&err, msg, sizeof msg);
        fprintf(stderr, "kdaout fake-lambda: %s\n", msg);
        return 2;
    }
    case 'F':
        if (kdo_fault_action_from_name(arg) < 0)
            return bad_option("--fail", arg, "unknown action (kdaout run --help lists them)");
        o->fail = arg;
        return 0;
    case 'p':
        return kdo_units_probability(arg, &o->fail_probability, why, sizeof why) ? bad_option("--fail-probability", arg, why) : 0;
    case 't':
        if (kdo_units_duration(arg, &o->cfg.lambda.timeout, why, sizeof why))
            return bad_option("--timeout", arg, why);
        if (o->cfg.lambda.timeout < KDO_FUNCTION_TIMEOUT_MIN_S * KDO_S ||
            o->cfg.lambda.timeout > KDO_FUNCTION_TIMEOUT_MAX_S * KDO_S ||
            o->cfg.lambda.timeout % KDO_S)
            return bad_option("--timeout", arg, "a whole number of seconds between "
                              KDO__MAIN_TIMEOUT_MIN "s and " KDO__MAIN_TIMEOUT_MAX "s");
        return 0;
    case 'L':
        return kdo_units_duration(arg, &o->cfg.lambda.latency, why, sizeof why) ? bad_option("--latency", arg, why) : 0;
    case 'm':
        if (kdo__main_parse_u64(arg, &v) != 0 || v < KDO_FUNCTION_MEMORY_MIN_MB ||
            v > KDO_FUNCTION_MEMORY_MAX_MB)
            return bad_option("--memory", arg, "expected MB between " KDO__MAIN_MEMORY_MIN
                              " and " KDO__MAIN_MEMORY_MAX);
        o->cfg.lambda.memory_mb = (int)v;
        return 0;
    case 'c':
        if (kdo__main_parse_u64(arg, &v) != 0 || v < 1 || v > CONNECTIONS_MAX)
            return bad_option("--max-connections", arg,
                              "expected 1.." KDO__MAIN_STR(CONNECTIONS_MAX));
        o->cfg.max_connections = (unsigned)v;
        return 0;
    case 'T': {
        kdo_time_ns t;
        if (kdo_units_duration(arg, &t, why, sizeof why) || t < CONNECTION_TIMEOUT_MIN)
            return bad_option("--connection-timeout", arg, "expected a duration of at least 1s");
        o->cfg.connection_timeout_s = (unsigned)(t / KDO_S);
        return 0;
    }
    case 'R':
        if (kdo_units_duration(arg, &o->cfg.request_timeout, why, sizeof why) ||
            o->cfg.request_timeout < REQUEST_TIMEOUT_MIN)
            return bad_option("--request-timeout", arg, "expected a duration of at least 100ms");
        return 0;
    case 'I':
        if (kdo_units_size(arg, &v, why, sizeof why) || v < KDO_MAX_EVENT_BYTES ||
            v > SIZE_OPTION_MAX)
            return bad_option("--inflight-bytes", arg, "expected a size from 6MiB to 1TiB");
        o->cfg.inflight_bytes = (size_t)v;
        return 0;
    case 'B':
        if (kdo_units_size(arg, &v, why, sizeof why) || v < LOG_BYTES_MIN || v > SIZE_OPTION_MAX)
            return bad_option("--log-bytes", arg, "expected a size from 64KiB to 1TiB");
        o->cfg.log_bytes = (size_t)v;
        return 0;
    case 's':
        if (kdo__main_parse_u64(arg, &o->cfg.seed) != 0)
            return bad_option("--seed", arg, "expected a whole number");
        return 0;
    case 'v':
        o->cfg.verbose = 1;
        return 0;
    case 'M':
        return kdo__main_metrics_listen("fake-lambda", arg, &o->watch);
    case 'q':
        o->watch.quiet = 1;
        return 0;
    }
    fprintf(stderr, "Try 'kdaout fake-lambda --help'.\n");
    return 2;
}

/* --fail ACTION: one more rule, after those of --rules. */
static void add_fail_rule(struct fake_opts *o)
{
    if (o->fail == NULL)
        return;
    o->rules = kdo_xrealloc(o->rules, (o->nrules + 1) * sizeof *o->rules);
    struct kdo_fault_rule *r = &o->rules[o->nrules++];
    kdo_fault_rule_init(r);
    r->name = kdo_xstrdup("--fail");
    r->action = (enum kdo_fault_action)kdo_fault_action_from_name(o->fail);
    r->match.probability = o->fail_probability;
}

static void fake_stats(void *server, struct kdo_srvstats *out)
{
    kdo_lambda_server_stats(server, out);
}

static int serve(struct fake_opts *o)
{
    sigset_t set;
    char err[300];
    struct kdo_lambda_server *srv;
    block_stop_signals(&set);
    o->cfg.rules = o->rules;
    o->cfg.nrules = o->nrules;
    if (kdo_lambda_server_start(&o->cfg, &srv, err, sizeof err) != 0) {
        fprintf(stderr, "kdaout fake-lambda: %s\n", err);
        return 2;
    }
    printf("listening on http://%s:%u\n", o->cfg.host, (unsigned)kdo_lambda_server_port(srv));
    fflush(stdout);
    o->watch.server = srv;
    o->watch.verbose = o->cfg.verbose;
    int rc = kdo__main_watch_start(&o->watch);
    if (rc == 0)
        kdo__main_watch_wait(&o->watch, &set);
    kdo__main_watch_stop(&o->watch);
    kdo_lambda_server_stop(srv);
    return rc;
}

int kdo__main_fake_lambda(int argc, char **argv)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'}, {"function", required_argument, NULL, 'f'},
        {"rules", required_argument, NULL, 'r'}, {"fail", required_argument, NULL, 'F'},
        {"fail-probability", required_argument, NULL, 'p'}, {"timeout", required_argument, NULL, 't'},
        {"latency", required_argument, NULL, 'L'}, {"memory", required_argument, NULL, 'm'},
        {"max-connections", required_argument, NULL, 'c'},
        {"connection-timeout", required_argument, NULL, 'T'}, {"seed", required_argument, NULL, 's'},
        {"request-timeout", required_argument, NULL, 'R'},
        {"inflight-bytes", required_argument, NULL, 'I'}, {"log-bytes", required_argument, NULL, 'B'},
        {"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'},
        {"metrics-listen", required_argument, NULL, 'M'}, {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    struct fake_opts o = {.fail_probability = 1.0,
                          .watch = {.name = "fake-lambda", .stats = fake_stats}};
    int c, rc = 0;
    kdo_lambda_server_config_default(&o.cfg);
    o.cfg.port = FAKE_PORT;
    o.cfg.seed = kdo__main_random_seed(); /* --seed replays */
    while (rc == 0 && (c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        if (c == 'h') {
            kdo__main_help_fake_lambda(stdout);
            return 0;
        }
        rc = fake_option(c, optarg, &o);
    }
    if (rc == 0 && optind < argc)
        rc = bad_option("argument", argv[optind], "fake-lambda takes no arguments");
    if (rc == 0) {
        add_fail_rule(&o);
        if (o.nnames) {
            o.cfg.functions = o.names;
            o.cfg.nfunctions = o.nnames;
        }
        rc = serve(&o);
    }
    for (size_t i = 0; i < o.nrules; i++)
        kdo_fault_rule_cleanup(&o.rules[i]);
    free(o.rules);
    return rc;
}
