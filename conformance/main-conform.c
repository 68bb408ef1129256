/*
 * main-conform.c -- `kdaout conform`: its options and its --help.
 *
 * Turns the command line into struct kdo_conform_options and hands over to
 * conform.c, which probes the endpoint.  --timeout is held to a function's
 * Timeout range (contract.h), the longest a probe could rightly wait.  The
 * --help lists the probes from probe.c's own table.  A part of the command
 * line (main-int.h).
 */
#include "main-int.h"

#include "conform.h"
#include "probe.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

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
    "  --timeout S         the most each probe waits for a reply, " KDO__MAIN_TIMEOUT_MIN " to "
    KDO__MAIN_TIMEOUT_MAX " seconds (default:\n"
    "                      the function's Timeout + 5 s, at most 60 s); also the Timeout\n"
    "                      assumed when the endpoint has no GetFunctionConfiguration (default "
    KDO__MAIN_TIMEOUT_DEFAULT ")\n"
    "  --probe TEXT        run only the probes whose name contains TEXT\n"
    "  --seed N            seed the record ids and rows (default: random, printed in reports)\n"
    "  --junit FILE, --json FILE, --tap FILE, --markdown FILE   reports, as for kdaout run\n"
    "  --report FILE.html  one self-contained HTML page: a row per probe, what was sent, what\n"
    "                      came back and why it matters\n"
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

void kdo__main_help_conform(FILE *out)
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

int kdo__main_conform(int argc, char **argv)
{
    static const struct option opts[] = {
        {"endpoint", required_argument, NULL, 'e'}, {"function", required_argument, NULL, 'F'},
        {"qualifier", required_argument, NULL, 'q'}, {"sign", no_argument, NULL, 'g'},
        {"region", required_argument, NULL, 'r'},   {"timeout", required_argument, NULL, 't'},
        {"probe", required_argument, NULL, 'p'},    {"seed", required_argument, NULL, 's'},
        {"junit", required_argument, NULL, 'J'},    {"json", required_argument, NULL, 'O'},
        {"report", required_argument, NULL, 'H'},
        {"tap", required_argument, NULL, 'T'},      {"markdown", required_argument, NULL, 'M'},
        {"verbose", no_argument, NULL, 'v'},        {"no-colour", no_argument, NULL, 'c'},
        {"no-color", no_argument, NULL, 'c'},       {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct kdo_conform_options o = {
        .out = stdout, .colour = kdo__main_want_colour(), .seed = kdo__main_random_seed()};
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
            if (*end || !(o.timeout_s >= KDO_FUNCTION_TIMEOUT_MIN_S &&
                          o.timeout_s <= KDO_FUNCTION_TIMEOUT_MAX_S)) {
                fprintf(stderr, "kdaout conform: --timeout expects seconds from "
                        KDO__MAIN_TIMEOUT_MIN " to " KDO__MAIN_TIMEOUT_MAX " (the "
                        "most a probe waits), found \"%s\"\n", optarg);
                return 2;
            }
            break;
        case 'p': o.only = optarg; break;
        case 's':
            if (kdo__main_parse_u64(optarg, &o.seed) != 0) {
                fprintf(stderr, "kdaout conform: --seed expects a whole number, found \"%s\"\n",
                        optarg);
                return 2;
            }
            break;
        case 'J': o.junit = optarg; break;
        case 'H': o.report = optarg; break;
        case 'O': o.json = optarg; break;
        case 'T': o.tap = optarg; break;
        case 'M': o.markdown = optarg; break;
        case 'v': o.verbose = 1; break;
        case 'c': o.colour = 0; break;
        case 'h': kdo__main_help_conform(stdout); return 0;
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
