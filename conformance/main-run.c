/*
 * main-run.c -- `kdaout run`: its options, its --help and the scenario
 * format's reference that --help prints.
 *
 * Turns the command line into struct kdo_runner_options and hands over to
 * the runner; the --help text's tables (scenario keys, rule actions, facts)
 * come from the same tables the loader and the checks use, so they cannot
 * drift.  A part of the command line (main-int.h); runs nothing itself.
 */
#include "main-int.h"

#include "app/bug.h"
#include "expect.h"
#include "lambda/faults.h"
#include "live.h"
#include "runner.h"
#include "scenario-format.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* [choice] --shard I/N: a bound on N, far above any CI matrix. */
#define SHARDS_MAX 100000

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
    "  --report PATH       HTML timeline report, self-contained: FILE.html for one scenario,\n"
    "                      a folder (several, or PATH ending in /) with index.html and NAME.html;\n"
    "                      drag across a timeline to zoom, FILE.html#t=50-70 opens at 50-70 s\n"
    "  --metrics-listen HOST:PORT  during real-time runs (an HTTP Lambda end), serve the\n"
    "                      CloudWatch-named metrics at http://HOST:PORT/metrics (Prometheus\n"
    "                      text; labels scenario, output, flow; PORT alone = 127.0.0.1:PORT,\n"
    "                      port 0 = any free port); virtual-time runs end in milliseconds\n"
    "                      and serve nothing worth a scrape\n"
    "  --quiet             no progress line (else drawn on stderr during real-time runs when\n"
    "                      it and stdout are terminals, NO_COLOR is unset, --jobs 1)\n"
    "  --filter TEXT       only the scenario files whose path contains TEXT\n"
    "  --shard I/N         only the I-th of N slices of the files (split a suite across CI jobs)\n"
    "  --jobs N            run N scenarios at once (default 1); reports keep the order\n"
    "  --no-colour         no ANSI colour (default: colour on a terminal unless NO_COLOR is set)\n"
    "  --records PATH      write every record as sent (recordId, retryHint, its row decoded)\n"
    "                      as JSON Lines: a file, or NAME.records.jsonl per scenario\n"
    "  --metrics PATH      write the CloudWatch metrics (namespace AWS/KinesisAnalytics) as\n"
    "                      JSON, per minute and in total: a file, or NAME.metrics.json per scenario\n"
    "  --plant-bug NAME    run with a deliberate engine bug, to see the checks catch it\n"
    "                      (--plant-bug list shows them)\n"
    "  --allow-path DIR    row files (input: - {file: ...}) may also be read from under DIR\n"
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
    "    # or, instead of query/window/partition_by/select/where, the application's own code:\n"
    "    # sql: app.sql             # a file beside the scenario, or the SQL inline (a | block)\n"
    "    # name_prefix: SOURCE_SQL_STREAM    parallelism: 2    epoch: \"2018-11-01T00:00:00Z\"\n"
    "    # input: [{file: rows.jsonl, time: ROWTIME}]   # rows arrive at their column's time\n"
    "    # destinations: [{stream: DESTINATION_SQL_STREAM, format: JSON}]  # up to 3 streams\n"
    "    # reference: [{name: CompanyName, file: tickers.csv, schema: {'\"Ticker\"': VARCHAR(4)}}]\n"
    "    #                          # reference tables the SQL joins (name as the SQL writes it)\n"
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
    "    # - {at: 50s, reference: {name: CompanyName, file: v2.csv}}  # with sql: a table\n"
    "    #                          #  reloaded, before the rows read at 50s\n"
    "  expect:                      # fact: value, or fact: {min, max, eq, during}\n"
    "    failures.function_error: {min: 1}\n"
    "    \"1.2\": {invocations: 2}     # with destinations: that one's facts (others: the first's)\n"
    "    max_lag_ms: {min: 10000, during: {from: 20s, until: 40s}}\n"
    "    output: rows-out.jsonl     # exactly the rows the function must receive (row diff if not)\n"
    "    # sql_error: {message: \"FULL OUTER JOIN is not supported yet\", at: \"app.sql:7:3\"}  # refused\n"
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

void kdo__main_help_run(FILE *out)
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
    if (sscanf(arg, "%u/%u%c", &i, &n, &extra) != 2 || n == 0 || i == 0 || i > n || n > SHARDS_MAX)
        return run_error("--shard", arg, "I/N with 1 <= I <= N, e.g. 2/4");
    s->shard = i;
    s->shards = n;
    return 0;
}

/* What the live view (live.h) is asked for. */
struct live_opts {
    struct kdo__main_watch listen; /* metrics_host, metrics_port, metrics */
    int quiet;
};

static int run_option(int c, const char *arg, struct kdo_runner_options *o,
                      struct live_opts *lo)
{
    uint64_t v;
    int rc;
    switch (c) {
    case 's':
        if (kdo__main_parse_u64(arg, &o->seed) != 0)
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
    case 'H': o->report = arg; return 0;
    case 'f': o->suite.filter = arg; return 0;
    case 'S': return parse_shard(arg, &o->suite);
    case 'n':
        if (kdo__main_parse_u64(arg, &v) != 0 || v < 1 || v > KDO_RUNNER_MAX_JOBS)
            return run_error("--jobs", arg,
                             "a number of parallel runs from 1 to " KDO__MAIN_STR(KDO_RUNNER_MAX_JOBS));
        o->jobs = (unsigned)v;
        return 0;
    case 'b':
        if ((rc = plant(arg, &o->bugs)) != 0)
            return rc > 0 ? (list_bugs(), -1) : 2;
        return 0;
    case 'v': o->verbose = 1; return 0;
    case 'c': o->colour = 0; return 0;
    case 'A': return kdo__main_allow_path("run", arg);
    case 'L': return kdo__main_metrics_listen("run", arg, &lo->listen);
    case 'q': lo->quiet = 1; return 0;
    }
    fprintf(stderr, "Try 'kdaout run --help'.\n");
    return 2;
}

int kdo__main_run(int argc, char **argv)
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
        {"report", required_argument, NULL, 'H'},
        {"metrics-listen", required_argument, NULL, 'L'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0},
    };
    struct kdo_runner_options o = {.out = stdout, .jobs = 1, .colour = kdo__main_want_colour()};
    struct live_opts lo = {{.name = "run"}, 0};
    int c, rc = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        if (c == 'h') {
            kdo__main_help_run(stdout);
            return 0;
        }
        rc = run_option(c, optarg, &o, &lo);
    }
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if (optind >= argc) {
        fprintf(stderr, "kdaout run: no scenario given (try: kdaout run scenarios/)\n");
        return 2;
    }
    const char *no_color = getenv("NO_COLOR");
    /* drawn on stderr, and only when both ends are a terminal: a user reading
     * stdout from a file or a pipe wants none (nor escapes in a log) */
    int progress = !lo.quiet && o.jobs == 1 && isatty(STDOUT_FILENO) && isatty(STDERR_FILENO) &&
                   (no_color == NULL || no_color[0] == '\0');
    char err[300];
    if ((lo.listen.metrics || progress) &&
        kdo_live_start(lo.listen.metrics ? lo.listen.metrics_host : NULL, lo.listen.metrics_port,
                       progress, &o.live, err, sizeof err) != 0) {
        fprintf(stderr, "kdaout run: --metrics-listen: %s\n", err);
        return 2;
    }
    rc = kdo_runner_run(argv + optind, argc - optind, &o);
    kdo_live_stop(o.live);
    return rc;
}
