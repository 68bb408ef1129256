/*
 * bench_reply.c -- how fast the reply judge reads a full batch's reply.
 *
 * Builds the reply to the largest batch KDA can send in one invocation --
 * 25,678 records with 56-digit ids, the most whose event fits in 6 MB -- and
 * times, best of REPS runs with CLOCK_MONOTONIC, (1) the baseline: jansson's
 * json_loadb() with JSON_REJECT_DUPLICATES, then a walk of "records" that
 * looks every id up in a jansson object of sent ids; (2) kdo_reply_judge();
 * (3) the strict scanner alone.  Figures are printed as ratios against the
 * baseline measured in the same run; nothing is asserted about time.  A
 * second, mixed reply (every tenth record DeliveryFailed, every twentieth
 * missing) checks that failures cost no more than Oks.
 */
#include "base/json.h"
#include "delivery/reply.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RECORDS 25678
#define ID_LEN 56
#define REPS 9

struct batch {
    struct kdo_str ids[RECORDS];
    char text[RECORDS][ID_LEN + 1];
    json_t *sent; /* id -> index, for the baseline */
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void make_ids(struct batch *b)
{
    b->sent = json_object();
    for (int i = 0; i < RECORDS; i++) {
        /* the shape of AWS's sample ids: a long shared prefix, distinct tail */
        snprintf(b->text[i], sizeof b->text[i],
                 "4954698668313554428650745793632162567570019247%010d", i * 7919);
        b->ids[i] = (struct kdo_str){b->text[i], ID_LEN};
        json_object_set_new(b->sent, b->text[i], json_integer(i));
    }
}

/* The reply: record i is left out if i % missing_every == 0, DeliveryFailed
 * if i % failed_every == 0 (0: never). */
static char *make_reply(const struct batch *b, int failed_every, int missing_every, size_t *len)
{
    size_t cap = (size_t)RECORDS * 100 + 32, o = 0;
    char *s = malloc(cap);
    o += (size_t)snprintf(s, cap, "{\"records\":[");
    for (int i = 0; i < RECORDS; i++) {
        if (missing_every && i % missing_every == 1)
            continue;
        const char *r = failed_every && i % failed_every == 0 ? "DeliveryFailed" : "Ok";
        o += (size_t)snprintf(s + o, cap - o, "%s{\"recordId\":\"%s\",\"result\":\"%s\"}",
                              o > 12 ? "," : "", b->text[i], r);
    }
    o += (size_t)snprintf(s + o, cap - o, "]}");
    *len = o;
    return s;
}

/* The baseline: what a judge built on jansson would do. */
static size_t jansson_judge(const struct batch *b, const char *body, size_t len, uint8_t *v)
{
    json_error_t e;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
    json_t *records = json_object_get(root, "records");
    size_t ok = 0, i;
    json_t *entry;
    memset(v, KDO_REASON_NOT_RETURNED, RECORDS);
    json_array_foreach(records, i, entry)
    {
        json_t *id = json_object_get(entry, "recordId");
        const char *result = json_string_value(json_object_get(entry, "result"));
        json_t *idx = json_is_string(id)
                          ? json_object_getn(b->sent, json_string_value(id), json_string_length(id))
                          : NULL;
        if (idx == NULL || result == NULL)
            continue;
        int ok_now = strcmp(result, "Ok") == 0;
        v[json_integer_value(idx)] = ok_now ? KDO_REASON_OK : KDO_REASON_DELIVERY_FAILED;
        ok += (size_t)ok_now;
    }
    json_decref(root);
    return ok;
}

struct timing {
    double jansson_ms, judge_ms, scan_ms;
    size_t ok_jansson, ok_judge;
};

static double best_of(double *runs)
{
    double best = runs[0];
    for (int i = 1; i < REPS; i++)
        best = runs[i] < best ? runs[i] : best;
    return best;
}

static struct timing measure(const struct batch *b, const char *body, size_t len)
{
    static uint8_t v[RECORDS];
    double jr[REPS], kr[REPS], sr[REPS];
    struct timing t = {0};
    struct kdo_reply *judge = kdo_reply_new();
    struct kdo_json *scan = kdo_json_new(KDO_REPLY_MAX_DEPTH, KDO_MAX_REPLY_BYTES);
    struct kdo_reply_summary sum;
    struct kdo_reply_in in = {KDO_TRANSPORT_DONE, 200, NULL, body, len, NULL};
    for (int r = 0; r < REPS; r++) {
        double t0 = now_ms();
        t.ok_jansson = jansson_judge(b, body, len, v);
        double t1 = now_ms();
        if (kdo_reply_judge(judge, &in, b->ids, RECORDS, v, &sum) != 0)
            abort();
        double t2 = now_ms();
        if (kdo_json_check(scan, body, len) != 0)
            abort();
        double t3 = now_ms();
        jr[r] = t1 - t0;
        kr[r] = t2 - t1;
        sr[r] = t3 - t2;
    }
    t.ok_judge = sum.ok;
    t.jansson_ms = best_of(jr);
    t.judge_ms = best_of(kr);
    t.scan_ms = best_of(sr);
    kdo_reply_free(judge);
    kdo_json_free(scan);
    return t;
}

static void report(const char *name, size_t len, const struct timing *t)
{
    printf("%s: %d records sent, %zu bytes, %zu Ok (jansson agrees: %s)\n", name, RECORDS, len,
           t->ok_judge, t->ok_jansson == t->ok_judge ? "yes" : "NO");
    printf("  jansson load+walk (baseline) %8.3f ms  %12.0f entries/s\n", t->jansson_ms,
           RECORDS / (t->jansson_ms / 1e3));
    printf("  kdo_reply_judge              %8.3f ms  %12.0f entries/s\n", t->judge_ms,
           RECORDS / (t->judge_ms / 1e3));
    printf("  kdo_json_check (scan only)   %8.3f ms  %12.0f MB/s\n", t->scan_ms,
           (double)len / 1e6 / (t->scan_ms / 1e3));
    printf("  judge is %.1f x faster than jansson\n", t->jansson_ms / t->judge_ms);
}

int main(void)
{
    static struct batch b;
    make_ids(&b);
    size_t len;
    char *all_ok = make_reply(&b, 0, 0, &len);
    struct timing t = measure(&b, all_ok, len);
    printf("best of %d runs, CLOCK_MONOTONIC\n", REPS);
    report("full reply, all Ok", len, &t);
    free(all_ok);
    char *mixed = make_reply(&b, 10, 20, &len);
    t = measure(&b, mixed, len);
    report("mixed reply (1 in 10 DeliveryFailed, 1 in 20 missing)", len, &t);
    free(mixed);
    json_decref(b.sent);
    return 0;
}
