/*
 * expect-facts.c -- the facts a scenario can expect, by name: what each
 * means (`kdaout run --help`), which can be restricted to a period
 * (`during`), the checks every scenario gets, and the nearest name to a
 * misspelt one.  Their values: the ledger, expect.c.
 */
#include "expect.h"
#include "expect-int.h"

#include "base/errors.h"
#include "delivery/metrics.h"
#include "suggest.h"

#include <stdio.h>
#include <string.h>

const char *const kdo__fact_names[F_REASON_BASE] = {
#define FACT_NAME(e, name, win, text) name,
    FACT_MAP(FACT_NAME)
#undef FACT_NAME
};

const char *const kdo__fact_texts[F_REASON_BASE] = {
#define FACT_TEXT(e, name, win, text) text,
    FACT_MAP(FACT_TEXT)
#undef FACT_TEXT
};

const unsigned char kdo__fact_windowable[F_REASON_BASE] = {
#define FACT_WIN(e, name, win, text) win,
    FACT_MAP(FACT_WIN)
#undef FACT_WIN
};

#define WHOLE_RUN INT64_MIN, KDO_TIME_NEVER
const struct kdo_expectation kdo_default_expectations[] = {
    {"lost", 0, 0, WHOLE_RUN, 0, 0, 0, NULL},
    {"ok_resent", 0, 0, WHOLE_RUN, 0, 0, 0, NULL},
    {"retry_hint_errors", 0, 0, WHOLE_RUN, 0, 0, 0, NULL},
    {"head_of_line_violations", 0, 0, WHOLE_RUN, 0, 0, 0, NULL},
    {"max_event_bytes", 0, 6291456, WHOLE_RUN, 0, 0, 0, NULL},
};
const size_t kdo_default_expectations_count =
    sizeof kdo_default_expectations / sizeof kdo_default_expectations[0];

int kdo__fact_index(const char *name)
{
    for (int k = 0; k < F_REASON_BASE; k++)
        if (strcmp(kdo__fact_names[k], name) == 0)
            return k;
    if (strncmp(name, "failures.", 9) == 0) {
        int r = kdo_reason_from_name(name + 9);
        if (r > 0)
            return F_REASON_BASE + r;
    }
    return -1;
}

int kdo__metric_fact_parse(const char *name, int *metric, int *stat)
{
    char buf[128], *parts[4];
    int n = 0;
    if (strncmp(name, "metric:", 7) != 0 || strlen(name) >= sizeof buf)
        return KDO_EINVAL;
    snprintf(buf, sizeof buf, "%s", name + 7);
    for (char *s = buf, *tok; n < 4 && (tok = strsep(&s, ":")) != NULL;)
        parts[n++] = tok;
    if (n < 2 || n > 3)
        return KDO_EINVAL;
    *metric = kdo_metric_from_name(parts[0], n == 3 ? parts[1] : NULL);
    *stat = kdo_stat_from_name(parts[n - 1]);
    return *metric < 0 || *stat < 0 ? KDO_EINVAL : 0;
}

/* The rows the function received (expect-output.c): a fact of its own
 * form, compared whole, never windowed, never in the list of counted facts. */
#define OUTPUT_FACT "output"

int kdo_fact_known(const char *name)
{
    int metric, stat;
    return kdo__fact_index(name) >= 0 || kdo__metric_fact_parse(name, &metric, &stat) == 0 ||
           strcmp(name, OUTPUT_FACT) == 0 || strcmp(name, "sql_error") == 0;
}

int kdo_fact_windowable(const char *name)
{
    int k = kdo__fact_index(name);
    if (strcmp(name, OUTPUT_FACT) == 0 || strcmp(name, "sql_error") == 0)
        return 0; /* a whole run's, or the load's (expect.sql_error) */
    return k < 0 ? kdo_fact_known(name) : k >= F_REASON_BASE || kdo__fact_windowable[k];
}

const char *kdo_fact_suggest(const char *name)
{
    /* Per thread: scenarios may be loaded in parallel (--jobs). */
    static _Thread_local char names[F_COUNT][96];
    static _Thread_local const char *list[F_COUNT + 1];
    size_t n = 0;
    for (int k = 0; k < F_COUNT; k++) {
        if (k < F_REASON_BASE)
            snprintf(names[n], sizeof names[n], "%s", kdo__fact_names[k]);
        else if (k > F_REASON_BASE)
            snprintf(names[n], sizeof names[n], "failures.%s",
                     kdo_reason_name((enum kdo_reason)(k - F_REASON_BASE)));
        else
            continue;
        list[n] = names[n];
        n++;
    }
    list[n++] = OUTPUT_FACT; /* n < F_COUNT: the reasons' base has no name */
    list[n] = NULL;
    return kdo_suggest_nearest(name, list);
}

int kdo_fact_describe(size_t i, char *name, size_t name_size, char *text, size_t text_size)
{
    if (i < (size_t)F_REASON_BASE) {
        snprintf(name, name_size, "%s", kdo__fact_names[i]);
        snprintf(text, text_size, "%s", kdo__fact_texts[i]);
        return 0;
    }
    size_t r = i - (size_t)F_REASON_BASE + 1;
    if (r >= (size_t)KDO_REASON_COUNT)
        return -1;
    snprintf(name, name_size, "failures.%s", kdo_reason_name((enum kdo_reason)r));
    snprintf(text, text_size, "records that failed because %s", kdo_reason_text((enum kdo_reason)r));
    return 0;
}

void kdo_facts_help(FILE *out)
{
    char name[96], text[512];
    for (size_t i = 0; kdo_fact_describe(i, name, sizeof name, text, sizeof text) == 0; i++)
        fprintf(out, "  %-28s %s\n", name, text);
    fprintf(out, "  %-28s a CloudWatch metric's statistic over the run, e.g.\n"
                 "  %-28s metric:LambdaDelivery.OkRecords:Sum, metric:Success:Average,\n"
                 "  %-28s metric:Bytes:Input:Sum, metric:MillisBehindLatest:Maximum\n",
            "metric:NAME[:FLOW]:STAT", "", "");
    fprintf(out, "  %-28s the rows the function must receive, each once, in emission order:\n"
                 "  %-28s a file name, [] for none, or {file, ...} (expect.output.* above)\n",
            OUTPUT_FACT, "");
}
