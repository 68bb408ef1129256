/*
 * main.c -- the kdaout command line.
 *
 * Parses the command and its options and hands over to the runner; reads the
 * clock only to time runs for the report.  Exit status: 0 success, 1 a check
 * failed, 2 bad input or usage.
 */
#include "bug.h"
#include "expect.h"
#include "faults.h"
#include "runner.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VERSION "0.1.0"

static const char usage_main[] =
    "kdaout " VERSION " -- test Lambda functions that receive Kinesis Data Analytics (SQL) output\n"
    "\n"
    "Usage: kdaout COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Commands:\n"
    "  run PATH...        run scenario files or folders (virtual time, in-process fake Lambda)\n"
    "  validate PATH...   check scenario files without running them\n"
    "  version            print the version\n"
    "  help [COMMAND]     this text, or a command's\n"
    "\n"
    "Start with:  kdaout run scenarios/        (the bundled scenarios)\n"
    "             kdaout run --help            (the scenario format and every fact you can check)\n"
    "\n"
    "Exit status: 0 all passed, 1 a check failed, 2 bad input.\n";

static const char usage_run[] =
    "Usage: kdaout run [OPTIONS] PATH...\n"
    "\n"
    "Runs each scenario (a .yaml file, or every .yaml/.yml file in a folder) against the\n"
    "built-in fake Lambda in virtual time: minutes of KDA delivery take milliseconds, and\n"
    "the same seed gives the same run, byte for byte.  Prints one line per scenario, the\n"
    "evidence for every failed check, and a closing \"N passed, N failed\" line.\n"
    "\n"
    "Options:\n"
    "  --seed N            seed every random choice (GUIDs, fault probabilities, data);\n"
    "                      default: the scenario's `seed`, else a random one (always printed)\n"
    "  --journal PATH      write the journal as JSON Lines: a file for one scenario, a folder\n"
    "                      with one NAME.jsonl per scenario for several\n"
    "  --metrics PATH      write the CloudWatch metrics (namespace AWS/KinesisAnalytics) as\n"
    "                      JSON, per minute and in total: a file, or NAME.metrics.json per scenario\n"
    "  --plant-bug NAME    run with a deliberate engine bug, to see the checks catch it\n"
    "                      (--plant-bug list shows them)\n"
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
    "    query: continuous          # continuous | sliding | tumbling\n"
    "    window: 60s                # sliding range / tumbling step\n"
    "    poll: 200ms                # how often the source is read\n"
    "    buffer: {rows: 100000, bytes: 64MB}   # the destination stream's bound\n"
    "    row_size: 100B             # generated ticker rows padded to this size\n"
    "    input:                     # default: 100/s\n"
    "      - {rate: 1000/s, from: 0s, until: 60s}\n"
    "      - {burst: 60000, at: 5s}\n"
    "      - {row: '{\"TICKER_SYMBOL\":\"POISON\"}', at: 10s}\n"
    "  delivery:\n"
    "    cadence: 1s                # flush grid (tumbling: every window trigger)\n"
    "    retry_interval: 1s\n"
    "    invoke_timeout: 8s         # default: the function's timeout + 5s\n"
    "  lambda:                      # the fake function\n"
    "    timeout: 3s\n"
    "    latency: 20ms\n"
    "    rules:                     # first match wins; no match answers Ok\n"
    "      - match: {contains: POISON, until: 40s}\n"
    "        action: function_error\n"
    "  timeline:\n"
    "    - {at: 30s, restart: {downtime: 5s}}\n"
    "  expect:                      # fact: value, or fact: {min, max, eq}\n"
    "    failures.function_error: {min: 1}\n"
    "    max_lag_ms: {min: 10000}\n"
    "\n"
    "Rule matches: attempt (N or {min,max}; 1 = retryHint 0), invocation, from, until,\n"
    "times (first N matches only), probability, contains (row content).\n";

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
    fputc('\n', out);
    print_actions(out);
    fprintf(out, "\nFacts (checked in every scenario: lost = 0, ok_resent = 0, retry_hint_errors = 0,\n"
                 "new_rows_in_retries = 0, max_event_bytes <= 6291456):\n");
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

static int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'},    {"journal", required_argument, NULL, 'j'},
        {"plant-bug", required_argument, NULL, 'b'}, {"verbose", no_argument, NULL, 'v'},
        {"metrics", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    struct kdo_runner_options o = {.out = stdout};
    int c, rc;
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (parse_u64(optarg, &o.seed) != 0) {
                fprintf(stderr, "kdaout run: --seed expects a whole number, found \"%s\"\n", optarg);
                return 2;
            }
            o.has_seed = 1;
            break;
        case 'j':
            o.journal = optarg;
            break;
        case 'm':
            o.metrics = optarg;
            break;
        case 'b':
            if ((rc = plant(optarg, &o.bugs)) != 0)
                return rc > 0 ? list_bugs() : 2;
            break;
        case 'v':
            o.verbose = 1;
            break;
        case 'h':
            help_run(stdout);
            return 0;
        default:
            fprintf(stderr, "Try 'kdaout run --help'.\n");
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "kdaout run: no scenario given (try: kdaout run scenarios/)\n");
        return 2;
    }
    return kdo_runner_run(argv + optind, argc - optind, &o);
}

static int cmd_validate(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        printf("Usage: kdaout validate PATH...\n\nChecks scenario files (or folders of them) "
               "without running them;\nerrors name file:line:column.  Exit 0 if all are valid, "
               "2 if not.\n");
        return argc < 2 ? 2 : 0;
    }
    return kdo_runner_validate(argv + 1, argc - 1, stdout);
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
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("kdaout %s\n", VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        if (argc > 2 && strcmp(argv[2], "run") == 0)
            help_run(stdout);
        else
            fputs(usage_main, stdout);
        return 0;
    }
    fprintf(stderr, "kdaout: unknown command \"%s\"\n\n%s", cmd, usage_main);
    return 2;
}
