/*
 * bench_event.c -- how fast full 6 MB output events are built, and how fast
 * invocation GUIDs are drawn, each against a baseline measured in this run.
 *
 * Events: 100-byte rows with 56-digit decimal record ids (like AWS's samples)
 * and retryHint 0, filled up to KDO_MAX_EVENT_BYTES by the direct writer,
 * versus the same rows built as a jansson tree and dumped compact (tree
 * build, json_dumpb and json_decref all timed).  The two outputs are checked
 * to be byte-identical first, so both sides do the same work.  GUIDs:
 * kdo_rng_uuid4() versus 16 bytes from getrandom() per GUID, formatted the
 * same way.  Best of several repetitions on CLOCK_MONOTONIC; figures only,
 * never a pass/fail on timing.
 */
#include "base/base64.h"
#include "base/rng.h"
#include "delivery/contract.h"
#include "delivery/event.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define ROW_BYTES 100
#define ID_BYTES 56
#define MAX_ROWS 40000
#define REPS 7
#define UUIDS 1000000
#define INV "5d6cc4c8-7e44-4f0e-9b3e-1c2d3e4f5a6b"
#define ARN "arn:aws:kinesisanalytics:us-east-1:123456789012:application/my-app"

struct rows {
    char ids[MAX_ROWS][ID_BYTES + 1];
    unsigned char data[MAX_ROWS][ROW_BYTES];
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* JSON rows of the demo stream, padded with spaces to exactly 100 bytes. */
static void make_rows(struct rows *r)
{
    static const char *tickers[] = {"QXZ", "AMZN", "ABC", "WSB", "NFLX"};
    for (int i = 0; i < MAX_ROWS; i++) {
        snprintf(r->ids[i], sizeof r->ids[i], "49546986683135544286507457936321625675700192%012d",
                 i);
        char row[ROW_BYTES + 1];
        int n = snprintf(row, sizeof row,
                         "{\"TICKER_SYMBOL\":\"%s\",\"SECTOR\":\"HEALTHCARE\",\"CHANGE\":%d.%02d,"
                         "\"PRICE\":%d.%02d}",
                         tickers[i % 5], i % 7 - 3, i % 100, 10 + i % 90, (i * 7) % 100);
        memset(row + n, ' ', sizeof row - (size_t)n);
        memcpy(r->data[i], row, ROW_BYTES);
    }
}

/* One full event with the direct writer; returns rows in it. */
static size_t build_direct(struct kdo_buf *b, const struct rows *r)
{
    struct kdo_event ev;
    if (kdo_event_begin(&ev, b, KDO_MAX_EVENT_BYTES, INV, ARN) != 0)
        abort();
    size_t i = 0;
    while (i < MAX_ROWS &&
           kdo_event_add(&ev, r->ids[i], ID_BYTES, 0, r->data[i], ROW_BYTES) == 0)
        i++;
    kdo_event_end(&ev);
    return i;
}

static json_t *jansson_record(const struct rows *r, size_t i)
{
    char b64[((ROW_BYTES + 2) / 3) * 4];
    size_t n = kdo_base64_encode(b64, r->data[i], ROW_BYTES);
    json_t *rec = json_object();
    json_object_set_new(rec, "recordId", json_stringn(r->ids[i], ID_BYTES));
    json_t *meta = json_object();
    json_object_set_new(meta, "retryHint", json_integer(0));
    json_object_set_new(rec, "lambdaDeliveryRecordMetadata", meta);
    json_object_set_new(rec, "data", json_stringn(b64, n));
    return rec;
}

/* The same event as a jansson tree, dumped compact into out; returns length. */
static size_t build_jansson(char *out, size_t size, const struct rows *r, size_t rows)
{
    json_t *root = json_object();
    json_object_set_new(root, "invocationId", json_string(INV));
    json_object_set_new(root, "applicationArn", json_string(ARN));
    json_t *records = json_array();
    for (size_t i = 0; i < rows; i++)
        json_array_append_new(records, jansson_record(r, i));
    json_object_set_new(root, "records", records);
    size_t n = json_dumpb(root, out, size, JSON_COMPACT);
    json_decref(root);
    return n;
}

struct timing {
    double best_s;
    size_t rows;
    size_t bytes;
};

static struct timing time_direct(struct kdo_buf *b, const struct rows *r)
{
    struct timing t = {1e9, 0, 0};
    for (int rep = 0; rep < REPS; rep++) {
        double t0 = now_s();
        for (int k = 0; k < 4; k++)
            t.rows = build_direct(b, r);
        double dt = (now_s() - t0) / 4;
        t.best_s = dt < t.best_s ? dt : t.best_s;
    }
    t.bytes = b->len;
    return t;
}

static struct timing time_jansson(char *out, size_t size, const struct rows *r, size_t rows)
{
    struct timing t = {1e9, rows, 0};
    for (int rep = 0; rep < REPS; rep++) {
        double t0 = now_s();
        t.bytes = build_jansson(out, size, r, rows);
        double dt = now_s() - t0;
        t.best_s = dt < t.best_s ? dt : t.best_s;
    }
    return t;
}

static void report(const char *name, struct timing t)
{
    printf("  %-28s %10.0f rows/s  %8.1f MB/s  (%.2f ms per event)\n", name, t.rows / t.best_s,
           t.bytes / t.best_s / 1e6, t.best_s * 1e3);
}

static int bench_events(void)
{
    struct rows *r = malloc(sizeof *r);
    make_rows(r);
    struct kdo_buf b;
    kdo_buf_init(&b, KDO_MAX_EVENT_BYTES);
    size_t jsize = KDO_MAX_EVENT_BYTES * 2;
    char *jout = malloc(jsize);

    size_t rows = build_direct(&b, r);
    size_t jlen = build_jansson(jout, jsize, r, rows);
    int same = jlen == b.len && memcmp(jout, b.data, jlen) == 0;
    printf("event: %zu rows of %d bytes (%d-digit ids, retryHint 0) per event of %zu bytes "
           "(limit %zu), %.1f bytes per row; jansson output %s\n",
           rows, ROW_BYTES, ID_BYTES, b.len, KDO_MAX_EVENT_BYTES, (double)b.len / rows,
           same ? "byte-identical" : "DIFFERS");

    struct timing direct = time_direct(&b, r);
    struct timing jans = time_jansson(jout, jsize, r, rows);
    report("direct writer (event.c)", direct);
    report("jansson tree + json_dumpb", jans);
    printf("  direct writer is %.1f x jansson\n", jans.best_s / direct.best_s);

    free(jout);
    kdo_buf_cleanup(&b);
    free(r);
    return same ? 0 : 1;
}

/* Same layout as kdo_rng_uuid4(), for the getrandom() baseline. */
static void format_uuid4(unsigned char b[16], char out[37])
{
    static const char hex[] = "0123456789abcdef";
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[b[i] >> 4];
        *o++ = hex[b[i] & 15];
    }
    *o = '\0';
}

static double time_uuid_rng(unsigned *sink)
{
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    double best = 1e9;
    char u[37];
    for (int rep = 0; rep < REPS; rep++) {
        double t0 = now_s();
        for (int i = 0; i < UUIDS; i++) {
            kdo_rng_uuid4(&rng, u);
            *sink += (unsigned char)u[i % 36];
        }
        double dt = now_s() - t0;
        best = dt < best ? dt : best;
    }
    return UUIDS / best;
}

static double time_uuid_getrandom(unsigned *sink)
{
    double best = 1e9;
    char u[37];
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now_s();
        for (int i = 0; i < UUIDS / 4; i++) {
            unsigned char b[16];
            if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
                abort();
            format_uuid4(b, u);
            *sink += (unsigned char)u[i % 36];
        }
        double dt = now_s() - t0;
        best = dt < best ? dt : best;
    }
    return UUIDS / 4 / best;
}

static void bench_uuids(void)
{
    unsigned sink = 0;
    double rng = time_uuid_rng(&sink);
    double sys = time_uuid_getrandom(&sink);
    printf("uuid4: kdo_rng_uuid4 %.1f M/s, getrandom(16)+format %.1f M/s: %.1f x (sink %u)\n",
           rng / 1e6, sys / 1e6, rng / sys, sink & 1);
}

int main(void)
{
    int err = bench_events();
    bench_uuids();
    return err;
}
