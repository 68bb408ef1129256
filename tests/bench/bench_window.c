/*
 * bench_window.c -- rows per second through each kind of window, one core.
 *
 * kdo_query directly (no driver, no delivery), over the console's demo
 * ticker schema: 20 tickers in turn, 1,000 rows per simulated second, so a
 * 60 s sliding window holds 3,001 rows of each ticker and a ROWS window its
 * full 101.  Each kind runs ~1M rows, best of several repetitions, into a
 * sink that counts rows and bytes; the windows still open at the end are
 * closed at their deadlines (part of the timed work).  Baseline measured in
 * the same run, because these machines are shared and noisy: only reading
 * each JSON record into a typed row with the same reader (kdo_rowfmt_read),
 * the work every kind must do first.  The output row counts are known in
 * advance and checked, with the aggregate COUNT of a first or last row, so
 * a fast but wrong window fails the run (exit 1) instead of looking good.
 * Each kind runs twice: configured by the structured (text) form, and as the
 * same query written in SQL (a SELECT tree); both compile to one plan, so
 * "x text" (the SQL run's time over the text run's) should stay near 1.0.
 * A third run takes the SQL form's rows typed (sink->typed, as a chained
 * stream reads them), unformatted: the window's own cost without the
 * output JSON, whose DOUBLE formatting dominates a sliding window's time.
 * An argument runs only the kinds whose name contains it (for a profiler:
 * `perf record ./bench_window "sliding RANGE"`).
 */
#include "base/errors.h"
#include "base/rng.h"
#include "sql/parse.h"
#include "sql/query.h"
#include "sql/row.h"
#include "sql/rowfmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROWS 1000000
#define REPS 3
#define TICKERS 20
#define POOL (TICKERS * 256) /* a multiple of TICKERS: row i is ticker i % TICKERS */
#define SEED 20260101
#define EPOCH_MS INT64_C(1767225600000) /* 2026-01-01, a whole minute */

static char *pool[POOL];
static size_t pool_len[POOL];
static int pool_rising[POOL]; /* CHANGE > 0 */
static uint64_t rising; /* rows of the run with CHANGE > 0 */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void make_rows(void)
{
    static const char *const tickers[TICKERS] = {
        "AMZN", "AAPL", "MSFT", "GOOG", "META", "NFLX", "NVDA", "INTC", "ORCL", "IBM",
        "CRM",  "ADBE", "QCOM", "TXN",  "AMD",  "CSCO", "SAP",  "UBER", "LYFT", "SNAP"};
    static const char *const sectors[] = {"TECHNOLOGY", "RETAIL", "FINANCIAL", "ENERGY"};
    struct kdo_rng r;
    kdo_rng_init(&r, SEED);
    for (size_t i = 0; i < POOL; i++) {
        size_t t = i % TICKERS;
        int change = (int)kdo_rng_below(&r, 201) - 100; /* hundredths, -1.00 .. 1.00 */
        double price = 10.0 + 5.0 * (double)t + (double)kdo_rng_below(&r, 10000) / 100;
        char buf[160];
        int n = snprintf(buf, sizeof buf,
                         "{\"TICKER_SYMBOL\":\"%s\",\"SECTOR\":\"%s\",\"CHANGE\":%s%d.%02d,"
                         "\"PRICE\":%.2f}",
                         tickers[t], sectors[t % 4], change < 0 ? "-" : "", abs(change) / 100,
                         abs(change) % 100, price);
        pool[i] = kdo_xstrndup(buf, (size_t)n);
        pool_len[i] = (size_t)n;
        pool_rising[i] = change > 0;
    }
    for (uint64_t i = 0; i < ROWS; i++)
        rising += (uint64_t)pool_rising[i % POOL];
}

/* ---- the sink ------------------------------------------------------------------------ */

struct counts {
    uint64_t rows, bytes, errors;
    char first[256], last[256];
    char first_error[600];
};

static int count_row(void *ctx, kdo_time_ns now, const char *row, size_t len)
{
    struct counts *c = ctx;
    if (c->rows++ == 0)
        snprintf(c->first, sizeof c->first, "%.*s", (int)len, row);
    c->bytes += len;
    if (len < sizeof c->last) { /* cheap enough: rows here are ~100 bytes */
        memcpy(c->last, row, len);
        c->last[len] = 0;
    }
    return 0;
}

static int count_typed(void *ctx, kdo_time_ns rowtime, const struct kdo_row *out)
{
    struct counts *c = ctx;
    c->rows++;
    c->bytes += kdo_row_schema_count(kdo_row_schema(out));
    return 0;
}

static void count_error(void *ctx, kdo_time_ns now, const struct kdo_query_error *e)
{
    struct counts *c = ctx;
    if (c->errors++ == 0)
        snprintf(c->first_error, sizeof c->first_error, "%s: %.500s", e->name, e->message);
}

/* ---- the kinds ----------------------------------------------------------------------- */

static const char *const by_ticker[] = {"TICKER_SYMBOL"};
static const char *const sel_continuous[] = {"TICKER_SYMBOL", "PRICE"};
static const char *const sel_group[] = {"TICKER_SYMBOL", "COUNT(*) AS N", "AVG(PRICE) AS A"};
static const char *const sel_slide[] = {"TICKER_SYMBOL", "PRICE", "COUNT(*) OVER W AS N",
                                        "AVG(PRICE) OVER W AS A", "MIN(PRICE) OVER W AS LO",
                                        "MAX(PRICE) OVER W AS HI"};

struct kind {
    const char *name;
    const char *sql; /* the same query in SQL */
    struct kdo_query_config c;
    uint64_t want_rows; /* 0: `rising`, filled in at run time */
    const char *first_has, *last_has;
};

/* 1,000 s of rows: 17 windows of 60 s (the last one partial), each with every ticker. */
#define GROUP_ROWS ((uint64_t)TICKERS * ((ROWS / 1000 + 59) / 60))

#define FROM " FROM SOURCE_SQL_STREAM_001"
#define SLIDE_ITEMS "SELECT STREAM TICKER_SYMBOL, PRICE, COUNT(*) OVER W AS N, " \
    "AVG(PRICE) OVER W AS A, MIN(PRICE) OVER W AS LO, MAX(PRICE) OVER W AS HI" FROM

static struct kind kinds[] = {
    {"continuous", "SELECT STREAM TICKER_SYMBOL, PRICE" FROM " WHERE CHANGE > 0",
     {.where = "CHANGE > 0", .select = sel_continuous, .nselect = 2}, 0, NULL, NULL},
    {"tumbling 60 s",
     "SELECT STREAM TICKER_SYMBOL, COUNT(*) AS N, AVG(PRICE) AS A" FROM " GROUP BY "
     "TICKER_SYMBOL, STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '60' SECOND)",
     {.window = KDO_QUERY_TUMBLING, .partition_by = by_ticker, .npartition = 1,
      .range_ms = 60000, .select = sel_group, .nselect = 3},
     GROUP_ROWS, "\"N\":3000,", "\"N\":2000,"},
    {"sliding RANGE 60 s",
     SLIDE_ITEMS " WINDOW W AS (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '60' SECOND PRECEDING)",
     {.window = KDO_QUERY_SLIDING, .partition_by = by_ticker, .npartition = 1,
      .range_ms = 60000, .select = sel_slide, .nselect = 6},
     ROWS, "\"N\":1,", "\"N\":3001,"},
    {"sliding ROWS 100",
     SLIDE_ITEMS " WINDOW W AS (PARTITION BY TICKER_SYMBOL ROWS 100 PRECEDING)",
     {.window = KDO_QUERY_SLIDING, .partition_by = by_ticker, .npartition = 1, .by_rows = 1,
      .rows = 100, .select = sel_slide, .nselect = 6},
     ROWS, "\"N\":1,", "\"N\":101,"},
    {"stagger 60 s",
     "SELECT STREAM TICKER_SYMBOL, COUNT(*) AS N, AVG(PRICE) AS A" FROM " WINDOWED BY "
     "STAGGER (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '60' SECOND)",
     {.window = KDO_QUERY_STAGGER, .partition_by = by_ticker, .npartition = 1,
      .range_ms = 60000, .select = sel_group, .nselect = 3},
     GROUP_ROWS, "\"N\":3000,", "\"N\":2000,"},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* Runs kind k in its text form (mode 0), as SQL (1), or as SQL into a typed sink (2);
 * returns the seconds taken. */
static double kind_once(const struct kind *k, int mode, struct counts *c)
{
    int sql = mode > 0;
    struct kdo_query_config cfg = k->c;
    struct kdo_query *q;
    struct kdo_errinfo err = {0};
    struct kdo_query_sink sink = {count_row, count_error, c, mode == 2 ? count_typed : NULL};
    struct kdo_arena arena;
    struct kdo_ast_program *prog;
    kdo_arena_init(&arena, 1 << 20);
    if (sql) {
        if (kdo_sql_parse("bench.sql", k->sql, strlen(k->sql), &arena, &prog, &err) != 0) {
            fprintf(stderr, "bench_window: %s: %s\n", k->sql, err.msg);
            exit(1);
        }
        cfg = (struct kdo_query_config){.select_ast = prog->stmts->query->selects};
    }
    cfg.epoch_ms = EPOCH_MS;
    int rc = kdo_query_new(&cfg, &q, &err);
    kdo_arena_cleanup(&arena);
    if (rc != 0) {
        fprintf(stderr, "bench_window: %s: %s\n", k->name, err.msg);
        exit(1);
    }
    memset(c, 0, sizeof *c);
    double t0 = now_s();
    for (uint64_t i = 0; i < ROWS; i++) {
        kdo_time_ns t = (kdo_time_ns)i * KDO_MS; /* 1,000 rows per simulated second */
        if (kdo_query_input(q, t, t, pool[i % POOL], pool_len[i % POOL], &sink) != 0) {
            fprintf(stderr, "bench_window: %s: input failed\n", k->name);
            exit(1);
        }
    }
    for (kdo_time_ns d; (d = kdo_query_next_deadline(q)) != KDO_TIME_NEVER;)
        kdo_query_advance(q, d, &sink);
    double t = now_s() - t0;
    kdo_query_free(q);
    return t;
}

static double parse_once(void)
{
    static const struct {
        const char *name;
        enum kdo_type type;
        size_t max;
    } cols[] = {{"TICKER_SYMBOL", KDO_TYPE_VARCHAR, 4}, {"SECTOR", KDO_TYPE_VARCHAR, 16},
                {"CHANGE", KDO_TYPE_DOUBLE, 0}, {"PRICE", KDO_TYPE_DOUBLE, 0}};
    struct kdo_row_schema *s = kdo_row_schema_new();
    for (size_t i = 0; i < 4; i++)
        if (kdo_row_schema_add(s, cols[i].name, strlen(cols[i].name), cols[i].type, cols[i].max,
                               NULL) != 0)
            exit(1);
    struct kdo_row *row = kdo_row_new(s);
    struct kdo_rowfmt_reader *rd = kdo_rowfmt_reader_new(0);
    struct kdo_rowfmt_error e;
    double t0 = now_s();
    for (uint64_t i = 0; i < ROWS; i++)
        if (kdo_rowfmt_read(rd, KDO_ROWFMT_JSON, pool[i % POOL], pool_len[i % POOL], row, &e)) {
            fprintf(stderr, "bench_window: baseline: %s\n", e.msg);
            exit(1);
        }
    double t = now_s() - t0;
    kdo_rowfmt_reader_free(rd);
    kdo_row_free(row);
    kdo_row_schema_free(s);
    return t;
}

/* 0 if c is what kind k must produce; else says why on stderr. */
static int plausible(const struct kind *k, const struct counts *c)
{
    uint64_t want = k->want_rows ? k->want_rows : rising;
    int ok = 1;
    if (c->errors) {
        fprintf(stderr, "bench_window: %s: %" PRIu64 " rows to the error stream, first: %s\n",
                k->name, c->errors, c->first_error);
        ok = 0;
    }
    if (c->rows != want) {
        fprintf(stderr, "bench_window: %s: %" PRIu64 " output rows, expected %" PRIu64 "\n",
                k->name, c->rows, want);
        ok = 0;
    }
    if (k->first_has && !strstr(c->first, k->first_has)) {
        fprintf(stderr, "bench_window: %s: first row %s lacks %s\n", k->name, c->first,
                k->first_has);
        ok = 0;
    }
    if (k->last_has && !strstr(c->last, k->last_has)) {
        fprintf(stderr, "bench_window: %s: last row %s lacks %s\n", k->name, c->last,
                k->last_has);
        ok = 0;
    }
    return ok ? 0 : -1;
}

static int selected(const char *name, const char *filter)
{
    return filter == NULL || strstr(name, filter) != NULL;
}

int main(int argc, char **argv)
{
    double best[NKINDS][3], base = 1e9;
    struct counts c[NKINDS][3];
    const char *filter = argc > 1 ? argv[1] : NULL;
    int bad = 0;
    make_rows();
    for (size_t k = 0; k < NKINDS; k++)
        best[k][0] = best[k][1] = best[k][2] = 1e9;
    for (int rep = 0; rep < REPS; rep++) {
        double b = parse_once();
        base = b < base ? b : base;
        for (size_t k = 0; k < NKINDS; k++)
            for (int m = 0; m < 3 && selected(kinds[k].name, filter); m++) {
                double t = kind_once(&kinds[k], m, &c[k][m]);
                best[k][m] = t < best[k][m] ? t : best[k][m];
                if (rep == 0 && m < 2 && plausible(&kinds[k], &c[k][m]) != 0)
                    bad = 1;
                if (rep == 0 && m == 2 && c[k][2].rows != c[k][1].rows) {
                    fprintf(stderr, "bench_window: %s: %" PRIu64 " typed rows, %" PRIu64
                            " formatted\n", kinds[k].name, c[k][2].rows, c[k][1].rows);
                    bad = 1;
                }
            }
    }
    printf("windows, one core: %d rows (%d tickers, 1,000 rows per simulated second), "
           "best of %d, seed %d\n", ROWS, TICKERS, REPS, SEED);
    printf("  %-20s %10s %8s %11s %9s %10s %7s %10s\n", "kind", "rows/s", "x parse",
           "output rows", "output MB", "SQL rows/s", "x text", "typed out");
    printf("  %-20s %10.0f %8s\n", "baseline: parse only", ROWS / base, "1.0");
    for (size_t k = 0; k < NKINDS; k++)
        if (selected(kinds[k].name, filter))
            printf("  %-20s %10.0f %8.1f %11" PRIu64 " %9.1f %10.0f %7.2f %10.0f\n",
                   kinds[k].name, ROWS / best[k][0], best[k][0] / base, c[k][0].rows,
                   (double)c[k][0].bytes / 1e6, ROWS / best[k][1], best[k][1] / best[k][0],
                   ROWS / best[k][2]);
    printf("  (x parse: time per row as a multiple of only reading it; x text: the SQL form's "
           "time over the text form's;\n   typed out: rows/s of the SQL form into a typed "
           "sink, no output formatting)\n");
    for (size_t i = 0; i < POOL; i++)
        free(pool[i]);
    if (bad)
        fprintf(stderr, "bench_window: implausible output (see above)\n");
    return bad;
}
