/*
 * main.c -- the kdaout command line.
 *
 * Parses the command and its options and hands over to the runner; reads the
 * clock only to time runs for the report.  Exit status: 0 success, 1 a check
 * failed, 2 bad input or usage.
 */
#include "app/bug.h"
#include "conform.h"
#include "expect.h"
#include "lambda/faults.h"
#include "lambda/host.h"
#include "lambda/lambda_server.h"
#include "probe.h"
#include "runner.h"
#include "scenario-format.h"
#include "scenario.h"
#include "schema.h"
#include "units.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <time.h>

#define VERSION "0.1.0"

static const char usage_main[] =
    "kdaout " VERSION " -- test Lambda functions that receive Kinesis Data Analytics (SQL) output\n"
    "\n"
    "Usage: kdaout COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Commands:\n"
    "  run PATH...        run scenario files or folders against the fake Lambda (virtual time)\n"
    "                     or over HTTP to the fake or any Invoke API endpoint (real time)\n"
    "  validate PATH...   check scenario files without running them\n"
    "  conform            probe a real function (Invoke API) against the output contract\n"
    "  host -- COMMAND    host a real handler: the Runtime API to COMMAND, the Invoke API to callers\n"
    "  fake-lambda        serve the fake Lambda over the real Invoke API (HTTP)\n"
    "  schema             print the JSON Schema of the scenario format (for editors)\n"
    "  version            print the version\n"
    "  help [COMMAND]     this text, or a command's\n"
    "\n"
    "Start with:  kdaout run scenarios/        (the bundled scenarios)\n"
    "             kdaout run --help            (the scenario format and every fact you can check)\n"
    "\n"
    "Exit status: 0 all passed, 1 a check failed, 2 bad input, 3 could not decide.\n";

static const char usage_run[] =
    "Usage: kdaout run [OPTIONS] PATH...\n"
    "\n"
    "Runs each scenario (a .yaml file, or every .yaml/.yml file in a folder) against its\n"
    "Lambda end: by default the built-in fake in virtual time -- minutes of KDA delivery\n"
    "take milliseconds, and the same seed gives the same run, byte for byte -- or, in real\n"
    "time, the fake behind a loopback HTTP server or any Invoke API endpoint.  Prints one\n"
    "line per scenario, the evidence for every failed check, and a closing\n"
    "\"N passed, N failed\" line.\n"
    "\n"
    "Options:\n"
    "  --seed N            seed every random choice (GUIDs, fault probabilities, data);\n"
    "                      default: the scenario's `seed`, else a random one (always printed)\n"
    "  --journal PATH      write the journal as JSON Lines: a file for one scenario, a folder\n"
    "                      with one NAME.jsonl per scenario for several\n"
    "  --junit FILE        JUnit XML report (one test case per scenario)\n"
    "  --json FILE         JSON report;  --tap FILE  TAP 13;  --markdown FILE  Markdown summary\n"
    "                      (e.g. --markdown \"$GITHUB_STEP_SUMMARY\")\n"
    "  --filter TEXT       only the scenario files whose path contains TEXT\n"
    "  --shard I/N         only the I-th of N slices of the files (split a suite across CI jobs)\n"
    "  --jobs N            run N scenarios at once (default 1); reports keep the order\n"
    "  --no-colour         no ANSI colour (default: colour on a terminal unless NO_COLOR is set)\n"
    "  --records PATH      write every record as sent (recordId, retryHint, its row decoded)\n"
    "                      as JSON Lines: a file, or NAME.records.jsonl per scenario\n"
    "  --metrics PATH      write the CloudWatch metrics (namespace AWS/KinesisAnalytics) as\n"
    "                      JSON, per minute and in total: a file, or NAME.metrics.json per scenario\n"
    "  --plant-bug NAME    run with a deliberate engine bug, to see the checks catch it\n"
    "                      (--plant-bug list shows them)\n"    "  --allow-path DIR    row files (input: - {file: ...}) may also be read from under DIR\n"
    "                      (repeatable); by default only the scenario's own folder and below,\n"
    "                      after `..` and symlinks are resolved, and only regular files\n"
    "  -v, --verbose       more detail\n"
    "  -h, --help          this text\n"
    "\n"
    "A scenario, with every key optional but noted (units: 250ms 60s 2m, 100B 512KB 6MB, 1000/s):\n"
    "\n"
    "  name: a poison pill stalls delivery until the fix\n"
    "  guide: \"the statement of the KDA guide this proves\"\n"
    "  seed: 7\n"
    "  duration: 120s               # the source produces rows for this long\n"
    "  drain: 10m                   # then delivery may finish for at most this long\n"
    "  application:\n"
    "    arn: arn:aws:kinesisanalytics:us-east-1:123456789012:application/demo\n"
    "    query: tumbling            # continuous | tumbling | sliding | stagger\n"
    "    window: 60s                # tumbling STEP / sliding or stagger RANGE; \"10 rows\" for\n"
    "                               #  a sliding ROWS 10 PRECEDING\n"
    "    partition_by: [TICKER_SYMBOL]   # GROUP BY / PARTITION BY keys; a tumbling key may be\n"
    "                               #  \"STEP(ROWTIME BY INTERVAL '60' SECOND)\" or FLOOR(ROWTIME TO MINUTE)\n"
    "    poll: 200ms                # how often the source is read\n"
    "    buffer: {rows: 100000, bytes: 64MB}   # the destination stream's bound\n"
    "    row_size: 100B             # generated ticker rows padded to this size\n"
    "    schema: {TICKER_SYMBOL: VARCHAR(4), PRICE: REAL}  # input columns (default: the demo\n"
    "                               #  ticker's; a CSV file's header); input_format: JSON | CSV\n"
    "    where: \"CHANGE > 0\"        # typed rows: SELECT STREAM ... WHERE (SQL expressions)\n"
    "    select: [ROWTIME, TICKER_SYMBOL, \"COUNT(*) AS N\", \"AVG(PRICE) AS AVG_PRICE\"]\n"
    "                               #  COUNT(*), COUNT SUM AVG MIN MAX (expr) [OVER w] with a window\n"
    "    format: JSON               # the destination's RecordFormatType: JSON or CSV\n"
    "    input:                     # default: 100/s\n"
    "      - {rate: 1000/s, from: 0s, until: 60s}\n"
    "      - {burst: 60000, at: 5s}\n"
    "      - {row: '{\"TICKER_SYMBOL\":\"POISON\"}', at: 10s}\n"
    "      - {rows: [{TICKER_SYMBOL: X, PRICE: 1}, 'raw text'], at: 20s}\n"
    "      - {file: recorded.jsonl, rate: 100/s}  # JSON Lines, in the scenario's folder\n"
    "      - {file: ticker.csv, header: true}      # CSV (a .csv name); header: false needs schema\n"
    "    destinations:              # instead of query/window/partition_by/select/where/format:\n"
    "      - {id: \"1.1\", query: continuous}   # up to 3, each its own lane (and cadence:); the\n"
    "      - {id: \"1.2\", query: tumbling, window: 60s}  # source is read only while all have room\n"
    "  delivery:\n"
    "    cadence: 1s                # flush grid (tumbling: every window trigger)\n"
    "    retry_interval: 1s\n"
    "    invoke_timeout: 8s         # default: the function's timeout + 5s\n"
    "  lambda:                      # the fake function (transport: http to serve it over HTTP;\n"
    "    timeout: 3s                #  endpoint: URL, function: NAME, sign: true for a real one)\n"
    "    latency: 20ms\n"
    "    rules:                     # first match wins; no match answers Ok\n"
    "      - match: {contains: POISON, until: 40s}\n"
    "        action: function_error\n"
    "  timeline:\n"
    "    - {from: 10s, until: 20s, fault: throttle}        # a fault over a period\n"
    "    - {at: 30s, restart: {downtime: 5s}}               # an application restart\n"
    "    - {at: 45s, fix: true}                             # a fix deployed: faults end\n"
    "  expect:                      # fact: value, or fact: {min, max, eq, during}\n"
    "    failures.function_error: {min: 1}\n"
    "    \"1.2\": {invocations: 2}     # with destinations: that one's facts (others: the first's)\n"
    "    max_lag_ms: {min: 10000, during: {from: 20s, until: 40s}}\n"
    "\n"
    "Against an HTTP endpoint, GetFunctionConfiguration comes first (KDA's role needs\n"
    "lambda:GetFunctionConfiguration): a 404 (no such function) is an ERROR, a 401/403\n"
    "(credentials, permission, signature) UNDECIDED, both with the failed check\n"
    "function_configuration, its cause and the fix, and the scenario is not run.\n"
    "\n"
    "Exit status: 0 all passed, 1 a check failed, 2 bad input (or no such function: 404),\n"
    "3 could not decide (a check failed while the endpoint was unreachable, or\n"
    "GetFunctionConfiguration was refused: 401/403).\n";

static void print_actions(FILE *out)
{
    fprintf(out, "Rule actions:\n");
    for (int a = 0; a < KDO_FAULT_ACTION_COUNT; a++)
        fprintf(out, "  %-18s %s\n", kdo_fault_action_name((enum kdo_fault_action)a),
                kdo_fault_action_is_invocation((enum kdo_fault_action)a) ? "(whole invocation)"
                                                                         : "(per record)");
}

static void help_run(FILE *out)
{
    fputs(usage_run, out);
    fprintf(out, "\nScenario keys (the same tables as the loader and `kdaout schema`):\n");
    kdo_format_help(out, &kdo_format_scenario);
    fputc('\n', out);
    print_actions(out);
    fprintf(out, "\nFacts (checked in every scenario: lost = 0, ok_resent = 0, retry_hint_errors = 0,\n"
                 "head_of_line_violations = 0, max_event_bytes <= 6291456):\n");
    kdo_facts_help(out);
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s < '0' || *s > '9' || *end != '\0' || errno)
        return -1;
    *out = v;
    return 0;
}

static uint64_t random_seed(void)
{
    uint64_t s = 0;
    if (getrandom(&s, sizeof s, 0) != (ssize_t)sizeof s)
        s = (uint64_t)time(NULL);
    return s;
}

static int list_bugs(void)
{
    for (int b = 0; b < KDO_BUG_COUNT; b++)
        printf("  %-20s %s\n", kdo_bug_name((enum kdo_bug)b), kdo_bug_text((enum kdo_bug)b));
    return 0;
}

static int plant(const char *name, unsigned *bugs)
{
    if (strcmp(name, "list") == 0)
        return 1;
    int b = kdo_bug_from_name(name);
    if (b < 0) {
        fprintf(stderr, "kdaout: unknown bug \"%s\" (kdaout run --plant-bug list)\n", name);
        return -1;
    }
    *bugs |= 1u << b;
    return 0;
}

static int run_error(const char *opt, const char *arg, const char *expected)
{
    fprintf(stderr, "kdaout run: %s expects %s, found \"%s\"\n", opt, expected, arg);
    return 2;
}

/* --shard I/N */
static int parse_shard(const char *arg, struct kdo_suite_options *s)
{
    unsigned i, n;
    char extra;
    if (sscanf(arg, "%u/%u%c", &i, &n, &extra) != 2 || n == 0 || i == 0 || i > n || n > 100000)
        return run_error("--shard", arg, "I/N with 1 <= I <= N, e.g. 2/4");
    s->shard = i;
    s->shards = n;
    return 0;
}

/* --allow-path DIR: row files may also be read from under DIR. */
static int allow_path(const char *cmd, const char *arg)
{
    char why[600];
    if (kdo_scenario_allow_path(arg, why, sizeof why) == 0)
        return 0;
    fprintf(stderr, "kdaout %s: %s\n", cmd, why);
    return 2;
}

static int run_option(int c, const char *arg, struct kdo_runner_options *o)
{
    uint64_t v;
    int rc;
    switch (c) {
    case 's':
        if (parse_u64(arg, &o->seed) != 0)
            return run_error("--seed", arg, "a whole number");
        o->has_seed = 1;
        return 0;
    case 'j': o->journal = arg; return 0;
    case 'm': o->metrics = arg; return 0;
    case 'R': o->records = arg; return 0;
    case 'J': o->junit = arg; return 0;
    case 'O': o->json = arg; return 0;
    case 'T': o->tap = arg; return 0;
    case 'M': o->markdown = arg; return 0;
    case 'f': o->suite.filter = arg; return 0;
    case 'S': return parse_shard(arg, &o->suite);
    case 'n':
        if (parse_u64(arg, &v) != 0 || v < 1 || v > 64)
            return run_error("--jobs", arg, "a number of parallel runs from 1 to 64");
        o->jobs = (unsigned)v;
        return 0;
    case 'b':
        if ((rc = plant(arg, &o->bugs)) != 0)
            return rc > 0 ? (list_bugs(), -1) : 2;
        return 0;
    case 'v': o->verbose = 1; return 0;
    case 'c': o->colour = 0; return 0;
    case 'A': return allow_path("run", arg);
    }
    fprintf(stderr, "Try 'kdaout run --help'.\n");
    return 2;
}

/* Colour only on a terminal, and never when NO_COLOR is set (no-color.org). */
static int want_colour(void)
{
    const char *term = getenv("TERM");
    return isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL && term && strcmp(term, "dumb") != 0;
}

static int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'},      {"journal", required_argument, NULL, 'j'},
        {"metrics", required_argument, NULL, 'm'},   {"junit", required_argument, NULL, 'J'},
        {"records", required_argument, NULL, 'R'},
        {"json", required_argument, NULL, 'O'},      {"tap", required_argument, NULL, 'T'},
        {"markdown", required_argument, NULL, 'M'},  {"filter", required_argument, NULL, 'f'},
        {"shard", required_argument, NULL, 'S'},     {"jobs", required_argument, NULL, 'n'},
        {"plant-bug", required_argument, NULL, 'b'}, {"verbose", no_argument, NULL, 'v'},
        {"no-colour", no_argument, NULL, 'c'},       {"no-color", no_argument, NULL, 'c'},
        {"allow-path", required_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0},
    };
    struct kdo_runner_options o = {.out = stdout, .jobs = 1, .colour = want_colour()};
    int c, rc = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        if (c == 'h') {
            help_run(stdout);
            return 0;
        }
        rc = run_option(c, optarg, &o);
    }
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if (optind >= argc) {
        fprintf(stderr, "kdaout run: no scenario given (try: kdaout run scenarios/)\n");
        return 2;
    }
    return kdo_runner_run(argv + optind, argc - optind, &o);
}

static const char usage_conform[] =
    "Usage: kdaout conform --endpoint URL [--function NAME] [OPTIONS]\n"
    "\n"
    "Probes a real function through the Lambda Invoke API with the events KDA sends and\n"
    "reports each probe as PASS, FAIL or WARN, with what was sent, what came back and why it\n"
    "matters.  A probe passes when every record comes back exactly once with its recordId\n"
    "and exactly \"Ok\" or \"DeliveryFailed\".  The function's Timeout is read with\n"
    "GetFunctionConfiguration (as KDA does); each probe waits for its reply as long as KDA\n"
    "would (Timeout + 5 s) but at most --timeout (default 60 s): a probe cut short is\n"
    "UNDECIDED, not failed.  The endpoint URL's user:password@ is never shown.\n"
    "\n"
    "Options:\n"
    "  --endpoint URL      the Invoke API, e.g. http://127.0.0.1:9001 (kdaout fake-lambda,\n"
    "                      kdaout host) or https://lambda.us-east-1.amazonaws.com\n"
    "  --function NAME     function name or ARN (default kdaout-fake)\n"
    "  --qualifier Q       version or alias\n"
    "  --sign              sign requests with SigV4 (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,\n"
    "                      AWS_SESSION_TOKEN; --region or AWS_REGION)\n"
    "  --region R          the region for SigV4\n"
    "  --timeout S         the most each probe waits for a reply, 1 to 900 seconds (default:\n"
    "                      the function's Timeout + 5 s, at most 60 s); also the Timeout\n"
    "                      assumed when the endpoint has no GetFunctionConfiguration (default 3)\n"
    "  --probe TEXT        run only the probes whose name contains TEXT\n"
    "  --seed N            seed the record ids and rows (default: random, printed in reports)\n"
    "  --junit FILE, --json FILE, --tap FILE, --markdown FILE   reports, as for kdaout run\n"
    "  -v, --verbose       what was sent and received for passing probes too\n"
    "  --no-colour         no ANSI colour\n"
    "\n"
    "Only the function's own answers are judged.  429 and 5xx from the service are resent a\n"
    "second apart, as KDA resends, up to 9 times (a throttle that lets calls through changes\n"
    "no verdict).  These stop the session with one ERROR or UNDECIDED line naming the cause\n"
    "and the fix, never a FAIL of the function: 404 (no such function) or nothing listening\n"
    "at the URL; 401/403 (credentials, a permission, the signature); 429/5xx after the\n"
    "resends; a handler that did not start (the runtime's init error, e.g.\n"
    "Runtime.ImportModuleError, with its message).\n"
    "\n"
    "Exit status: 0 no probe failed (warnings allowed), 1 a probe or check failed, 2 bad\n"
    "usage, no such function (404) or nothing answers at the URL, 3 could not decide\n"
    "(401/403, 429/5xx that persist, the handler did not start, or a probe ran into\n"
    "--timeout).\n";

static void help_conform(FILE *out)
{
    fputs(usage_conform, out);
    fputs("\nProbes, in order:\n", out);
    for (size_t i = 0; i < kdo_probes_count; i++)
        fprintf(out, "  %-12s %s\n", kdo_probes[i].name, kdo_probes[i].title);
    fprintf(out, "  %-12s %s\n", "timing", "fail when an answer takes longer than the function's "
            "Timeout (the first, a cold start: Timeout + 10 s); warn past half the Timeout or "
            "5 s");
    fprintf(out, "  %-12s %s\n", "delivery", "fail when every well-formed row of every probe "
            "was answered DeliveryFailed (nothing is ever delivered)");
}

static int cmd_conform(int argc, char **argv)
{
    static const struct option opts[] = {
        {"endpoint", required_argument, NULL, 'e'}, {"function", required_argument, NULL, 'F'},
        {"qualifier", required_argument, NULL, 'q'}, {"sign", no_argument, NULL, 'g'},
        {"region", required_argument, NULL, 'r'},   {"timeout", required_argument, NULL, 't'},
        {"probe", required_argument, NULL, 'p'},    {"seed", required_argument, NULL, 's'},
        {"junit", required_argument, NULL, 'J'},    {"json", required_argument, NULL, 'O'},
        {"tap", required_argument, NULL, 'T'},      {"markdown", required_argument, NULL, 'M'},
        {"verbose", no_argument, NULL, 'v'},        {"no-colour", no_argument, NULL, 'c'},
        {"no-color", no_argument, NULL, 'c'},       {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct kdo_conform_options o = {.out = stdout, .colour = want_colour(), .seed = random_seed()};
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        switch (c) {
        case 'e': o.endpoint = optarg; break;
        case 'F': o.function = optarg; break;
        case 'q': o.qualifier = optarg; break;
        case 'g': o.sigv4 = 1; break;
        case 'r': o.region = optarg; break;
        case 't':
            o.timeout_s = strtod(optarg, &end);
            if (*end || !(o.timeout_s >= 1 && o.timeout_s <= 900)) {
                fprintf(stderr, "kdaout conform: --timeout expects seconds from 1 to 900 (the "
                        "most a probe waits), found \"%s\"\n", optarg);
                return 2;
            }
            break;
        case 'p': o.only = optarg; break;
        case 's':
            if (parse_u64(optarg, &o.seed) != 0) {
                fprintf(stderr, "kdaout conform: --seed expects a whole number, found \"%s\"\n",
                        optarg);
                return 2;
            }
            break;
        case 'J': o.junit = optarg; break;
        case 'O': o.json = optarg; break;
        case 'T': o.tap = optarg; break;
        case 'M': o.markdown = optarg; break;
        case 'v': o.verbose = 1; break;
        case 'c': o.colour = 0; break;
        case 'h': help_conform(stdout); return 0;
        default: fprintf(stderr, "Try 'kdaout conform --help'.\n"); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "kdaout conform: unexpected argument \"%s\"\n", argv[optind]);
        return 2;
    }
    if (o.endpoint == NULL) {
        fprintf(stderr, "kdaout conform: --endpoint URL is required (e.g. the URL printed by "
                        "kdaout fake-lambda)\n");
        return 2;
    }
    return kdo_conform_run(&o);
}

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
    "  --timeout S         the function's Timeout in seconds, 1 to 900 (default 3)\n"
    "  --function NAME     the function's name (default kdaout-hosted)\n"
    "  --handler H         _HANDLER for the runtime (default: the environment's)\n"
    "  --memory MB         AWS_LAMBDA_FUNCTION_MEMORY_SIZE (default 128)\n"
    "  --port N            listen on 127.0.0.1:N (default: any free port)\n"
    "\n"
    "The first line on stdout is `listening on http://127.0.0.1:PORT`.  Stops on SIGINT/SIGTERM.\n"
    "Examples (run in the function's folder; the runtime client is yours to choose):\n"
    "  kdaout host --timeout 5 --handler index.handler -- npx aws-lambda-ric\n"
    "      Node.js async handlers, aws-lambda-ric 4 (it refuses callback handlers)\n"
    "  kdaout host --handler index.handler -- npx aws-lambda-ric index.handler\n"
    "      Node.js callback handlers too, aws-lambda-ric 3\n"
    "  kdaout host --handler app.handler -- python3 -m awslambdaric app.handler\n"
    "      Python, AWS's awslambdaric (pip install awslambdaric)\n"
    "  kdaout host --handler app.handler -- python3 tests/integration/host/pyruntime.py\n"
    "      Python without pip: kdaout's standard-library Runtime API loop\n";

static int cmd_host(int argc, char **argv)
{
    static const struct option opts[] = {
        {"timeout", required_argument, NULL, 't'}, {"function", required_argument, NULL, 'f'},
        {"handler", required_argument, NULL, 'H'}, {"memory", required_argument, NULL, 'm'},
        {"port", required_argument, NULL, 'p'},    {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct kdo_host_config cfg = {.log = stderr};
    uint64_t v;
    int c;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (parse_u64(optarg, &v) != 0 || v < KDO_FUNCTION_TIMEOUT_MIN_S ||
                v > KDO_FUNCTION_TIMEOUT_MAX_S) {
                fprintf(stderr, "kdaout host: --timeout expects seconds from 1 to 900, found "
                        "\"%s\"\n", optarg);
                return 2;
            }
            cfg.timeout_s = (unsigned)v;
            break;
        case 'f': cfg.function = optarg; break;
        case 'H': cfg.handler = optarg; break;
        case 'm':
            if (parse_u64(optarg, &v) != 0 || v < KDO_FUNCTION_MEMORY_MIN_MB ||
                v > KDO_FUNCTION_MEMORY_MAX_MB) {
                fprintf(stderr, "kdaout host: --memory expects MB from 128 to 10240\n");
                return 2;
            }
            cfg.memory_mb = (unsigned)v;
            break;
        case 'p':
            if (parse_u64(optarg, &v) != 0 || v > 65535) {
                fprintf(stderr, "kdaout host: --port expects 0 to 65535\n");
                return 2;
            }
            cfg.port = (uint16_t)v;
            break;
        case 'h': fputs(usage_host, stdout); return 0;
        default: fprintf(stderr, "Try 'kdaout host --help'.\n"); return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "kdaout host: no runtime command (kdaout host -- COMMAND ...)\n");
        return 2;
    }
    cfg.argv = argv + optind;
    sigset_t set;
    int sig;
    char err[300];
    struct kdo_host *h;
    block_stop_signals(&set);
    if (kdo_host_start(&cfg, &h, err, sizeof err) != 0) {
        fprintf(stderr, "kdaout host: %s\n", err);
        return 2;
    }
    printf("listening on http://127.0.0.1:%u\n", (unsigned)kdo_host_port(h));
    fflush(stdout);
    sigwait(&set, &sig);
    kdo_host_stop(h);
    return 0;
}

static int cmd_schema(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("Usage: kdaout schema > kdaout.schema.json\n\nPrints the JSON Schema of the "
               "scenario format.  Editors with the YAML language\nserver use it when a "
               "scenario starts with:\n  # yaml-language-server: $schema=kdaout.schema.json\n");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "kdaout schema: takes no arguments\n");
        return 2;
    }
    return kdo_schema_write(stdout) == 0 ? 0 : 2;
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
    "  --listen HOST:PORT        address to bind (default 127.0.0.1:9001; port 0 = any free port)\n"
    "  --function NAME           a function name to serve (repeatable; default kdaout-fake;\n"
    "                            * serves any name)\n"
    "  --rules FILE              YAML: a list of rules, or {timeout, latency, memory, rules}\n"
    "  --fail ACTION             shorthand for one rule applying ACTION to everything\n"
    "  --fail-probability P      ... with this probability (0..1 or a percentage)\n"
    "  --timeout DURATION        the function's Timeout (default 3s; whole seconds, 1-900)\n"
    "  --latency DURATION        how long each invocation takes (default 0)\n"
    "  --memory MB               MemorySize (default 128)\n"
    "  --max-connections N       connection limit (default 256)\n"
    "  --connection-timeout DUR  close idle connections after this (default 30s)\n"
    "  --request-timeout DUR     close a connection whose request (head and body) has not\n"
    "                            arrived this long after it opened or was last answered (30s)\n"
    "  --inflight-bytes SIZE     request bodies held at once, all connections; past it: 429\n"
    "                            (default 64MiB, at least 6MiB)\n"
    "  --log-bytes SIZE          bytes the /_kdaout/invocations log keeps, the oldest\n"
    "                            entries dropped first (default 64MiB, at least 64KiB)\n"
    "  --seed N                  seed request ids and fault probabilities\n"
    "  -v, --verbose             one line per request on stderr\n"
    "  -h, --help                this text\n";

struct fake_opts {
    struct kdo_lambda_server_config cfg;
    const char *names[64];
    size_t nnames;
    struct kdo_fault_rule *rules;
    size_t nrules;
    const char *fail;
    double fail_probability;
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
    if (colon == NULL || (size_t)(colon - arg) >= sizeof host || parse_u64(colon + 1, &port) != 0 ||
        port > 65535)
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
            return bad_option("--timeout", arg, "a whole number of seconds between 1s and 900s");
        return 0;
    case 'L':
        return kdo_units_duration(arg, &o->cfg.lambda.latency, why, sizeof why) ? bad_option("--latency", arg, why) : 0;
    case 'm':
        if (parse_u64(arg, &v) != 0 || v < KDO_FUNCTION_MEMORY_MIN_MB ||
            v > KDO_FUNCTION_MEMORY_MAX_MB)
            return bad_option("--memory", arg, "expected MB between 128 and 10240");
        o->cfg.lambda.memory_mb = (int)v;
        return 0;
    case 'c':
        if (parse_u64(arg, &v) != 0 || v < 1 || v > 65536)
            return bad_option("--max-connections", arg, "expected 1..65536");
        o->cfg.max_connections = (unsigned)v;
        return 0;
    case 'T': {
        kdo_time_ns t;
        if (kdo_units_duration(arg, &t, why, sizeof why) || t < KDO_S)
            return bad_option("--connection-timeout", arg, "expected a duration of at least 1s");
        o->cfg.connection_timeout_s = (unsigned)(t / KDO_S);
        return 0;
    }
    case 'R':
        if (kdo_units_duration(arg, &o->cfg.request_timeout, why, sizeof why) ||
            o->cfg.request_timeout < 100 * KDO_MS)
            return bad_option("--request-timeout", arg, "expected a duration of at least 100ms");
        return 0;
    case 'I':
        if (kdo_units_size(arg, &v, why, sizeof why) || v < (6u << 20) || v > (uint64_t)1 << 40)
            return bad_option("--inflight-bytes", arg, "expected a size from 6MiB to 1TiB");
        o->cfg.inflight_bytes = (size_t)v;
        return 0;
    case 'B':
        if (kdo_units_size(arg, &v, why, sizeof why) || v < (64u << 10) || v > (uint64_t)1 << 40)
            return bad_option("--log-bytes", arg, "expected a size from 64KiB to 1TiB");
        o->cfg.log_bytes = (size_t)v;
        return 0;
    case 's':
        return parse_u64(arg, &o->cfg.seed) ? bad_option("--seed", arg, "expected a whole number") : 0;
    case 'v':
        o->cfg.verbose = 1;
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

static int serve(struct fake_opts *o)
{
    sigset_t set;
    int sig;
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
    sigwait(&set, &sig);
    kdo_lambda_server_stop(srv);
    return 0;
}

static int cmd_fake_lambda(int argc, char **argv)
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
        {"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    struct fake_opts o = {.fail_probability = 1.0};
    int c, rc = 0;
    kdo_lambda_server_config_default(&o.cfg);
    o.cfg.port = 9001;
    o.cfg.seed = random_seed(); /* --seed replays */
    while (rc == 0 && (c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_fake, stdout);
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

static const char usage_validate[] =
    "Usage: kdaout validate [--allow-path DIR]... PATH...\n"
    "\n"
    "Checks scenario files (or folders of them) without running them;\n"
    "errors name file:line:column.  Exit 0 if all are valid, 2 if not.\n"
    "\n"
    "Options:\n"
    "  --allow-path DIR    row files may also be read from under DIR (repeatable; by default\n"
    "                      only from the scenario's own folder, and only regular files)\n";

static int cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"allow-path", required_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_validate, stdout);
            return 0;
        }
        if (c != 'A' || allow_path("validate", optarg) != 0) {
            if (c != 'A')
                fprintf(stderr, "Try 'kdaout validate --help'.\n");
            return 2;
        }
    }
    if (optind >= argc) {
        fputs(usage_validate, stdout);
        return 2;
    }
    return kdo_runner_validate(argv + optind, argc - optind, stdout);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0)
        return cmd_validate(argc - 1, argv + 1);
    if (strcmp(cmd, "conform") == 0)
        return cmd_conform(argc - 1, argv + 1);
    if (strcmp(cmd, "host") == 0)
        return cmd_host(argc - 1, argv + 1);
    if (strcmp(cmd, "fake-lambda") == 0)
        return cmd_fake_lambda(argc - 1, argv + 1);
    if (strcmp(cmd, "schema") == 0)
        return cmd_schema(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("kdaout %s\n", VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        if (argc > 2 && strcmp(argv[2], "run") == 0)
            help_run(stdout);
        else if (argc > 2 && strcmp(argv[2], "fake-lambda") == 0)
            fputs(usage_fake, stdout);
        else if (argc > 2 && strcmp(argv[2], "conform") == 0)
            help_conform(stdout);
        else if (argc > 2 && strcmp(argv[2], "host") == 0)
            fputs(usage_host, stdout);
        else
            fputs(usage_main, stdout);
        return 0;
    }
    fprintf(stderr, "kdaout: unknown command \"%s\"\n\n%s", cmd, usage_main);
    return 2;
}
