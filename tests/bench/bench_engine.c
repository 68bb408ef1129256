/*
 * bench_engine.c -- rows per second through the whole engine, in process.
 *
 * One run of the virtual-time driver: a continuous query over 100-byte rows,
 * delivered to the in-process fake Lambda (every event encoded, every reply
 * written as JSON and judged strictly, the journal and metrics kept), best of
 * several repetitions.  Baselines measured in the same run, because these
 * machines are shared and noisy:
 *   floor    -- only base64-encoding every row once (work any engine must do);
 *   jansson  -- building each 6 MB event as a jansson tree and dumping it
 *               (what the engine would cost if it encoded events with jansson,
 *               before any delivery work).
 * Target: >= 1M rows/s end to end on one core.
 */
#include "app/sim.h"
#include "base/base64.h"
#include "delivery/contract.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROWS_PER_S 200000
#define SECONDS 10
#define REPS 3

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double engine_once(uint64_t *rows)
{
    struct kdo_sim_config c;
    struct kdo_source_segment seg = {.kind = KDO_SEGMENT_RATE, .from = 0,
                                      .until = KDO_TIME_NEVER, .rate = ROWS_PER_S};
    kdo_sim_config_default(&c);
    c.duration = SECONDS * KDO_S;
    c.source.row_size = 100;
    c.source.segments = &seg;
    c.source.nsegments = 1;
    c.delivery.buffer_rows = 4 * ROWS_PER_S;
    c.delivery.buffer_bytes = 1u << 30;
    struct kdo_sim_result r;
    double t0 = now_s();
    if (kdo_sim_run(&c, &r) != 0) {
        fprintf(stderr, "bench_engine: run failed\n");
        exit(1);
    }
    double t = now_s() - t0;
    *rows = r.delivery.acked;
    if (r.delivery.acked != (uint64_t)ROWS_PER_S * SECONDS) {
        fprintf(stderr, "bench_engine: delivered %llu rows, expected %d\n",
                (unsigned long long)r.delivery.acked, ROWS_PER_S * SECONDS);
        exit(1);
    }
    kdo_sim_result_cleanup(&r);
    return t;
}

static double floor_once(uint64_t rows)
{
    char row[100], out[200];
    memset(row, 'x', sizeof row);
    volatile size_t sink = 0;
    double t0 = now_s();
    for (uint64_t i = 0; i < rows; i++) {
        row[i % 100] = (char)i;
        sink += kdo_base64_encode(out, row, sizeof row);
    }
    (void)sink;
    return now_s() - t0;
}

/* One full event's worth of rows through jansson, scaled to `rows`. */
static double jansson_once(uint64_t rows)
{
    const size_t per_event = 23740; /* rows of 100 bytes in a 6 MB event, 56-digit ids */
    char row[100], b64[200], id[57];
    memset(row, 'x', sizeof row);
    double t0 = now_s();
    json_t *ev = json_object();
    json_object_set_new(ev, "invocationId", json_string("00000000-0000-4000-8000-000000000000"));
    json_object_set_new(ev, "applicationArn", json_string("arn:aws:kinesisanalytics:x"));
    json_t *recs = json_array();
    for (size_t i = 0; i < per_event; i++) {
        json_t *r = json_object(), *meta = json_object();
        snprintf(id, sizeof id, "%056zu", i);
        size_t n = kdo_base64_encode(b64, row, sizeof row);
        json_object_set_new(r, "recordId", json_string(id));
        json_object_set_new(meta, "retryHint", json_integer(0));
        json_object_set_new(r, "lambdaDeliveryRecordMetadata", meta);
        json_object_set_new(r, "data", json_stringn(b64, n));
        json_array_append_new(recs, r);
    }
    json_object_set_new(ev, "records", recs);
    char *s = json_dumps(ev, JSON_COMPACT);
    free(s);
    json_decref(ev);
    return (now_s() - t0) * (double)rows / (double)per_event;
}

int main(void)
{
    double best = 1e9, floor_t = 1e9, jansson_t = 1e9;
    uint64_t rows = 0;
    for (int i = 0; i < REPS; i++) {
        double t = engine_once(&rows);
        best = t < best ? t : best;
        double f = floor_once(rows);
        floor_t = f < floor_t ? f : floor_t;
        double j = jansson_once(rows);
        jansson_t = j < jansson_t ? j : jansson_t;
    }
    double rate = (double)rows / best;
    printf("engine end to end (in process): %llu rows of 100 B in %.3f s = %.2f M rows/s"
           " (target >= 1 M rows/s)\n", (unsigned long long)rows, best, rate / 1e6);
    printf("  floor   (base64 of each row once): %.2f M rows/s -> engine costs %.1f x the floor\n",
           (double)rows / floor_t / 1e6, best / floor_t);
    printf("  jansson (event tree + dump only):  %.2f M rows/s -> engine is %.1f x faster\n",
           (double)rows / jansson_t / 1e6, jansson_t / best);
    return 0;
}
