/*
 * bench_program.c -- rows per second through an application's SQL in
 * process (kdo_program), one core: the steps that are not one query's.
 *
 * 1,000,000 ticker rows (20 tickers, 1,000 rows per simulated second, JSON
 * in, JSON out), best of 3.  The baseline, measured in the same run because
 * these machines are shared and noisy, is the same pump without the step
 * measured:
 *   ORDER BY  `ORDER BY FLOOR(s.ROWTIME TO SECOND), PRICE DESC` (every row
 *             copied aside with its keys, 1,000 sorted per bucket) against
 *             the bare SELECT;
 *   TOP_K     TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(...), 'TICKER_SYMBOL', 5, 60))
 *             against the same rows through a pump that keeps none of them;
 *   JOIN      orders and shipments (half the rows each, a shipment 0.5 s
 *             after its order) LEFT JOINed with one-minute windows on both
 *             sides (30,000 rows kept a side) against the same two streams
 *             with the orders selected alone;
 *   table     each ticker row LEFT JOINed with a reference table of 1,000
 *             companies (every other ticker has one) against the bare SELECT.
 * The output row counts are checked, so a fast but wrong run fails (exit 1).
 */
#include "base/buf.h"
#include "base/errors.h"
#include "base/rng.h"
#include "sql/program.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROWS 1000000
#define REPS 3
#define TICKERS 20
#define POOL (TICKERS * 256)

static char *pool[POOL], *orders[ROWS];
static size_t pool_len[POOL], orders_len[ROWS];
static uint64_t out_rows;

/* The input of one run: its rows (cycled) and columns. */
struct input {
    char **rows;
    size_t *len, n;
    const char *const *cols; /* "NAME TYPE" pairs: name, then type */
    size_t ncols;
};

static const char *const ticker_cols[] = {"TICKER_SYMBOL", "VARCHAR(4)", "PRICE", "DOUBLE"};
static const char *const order_cols[] = {"ID", "BIGINT", "KIND", "VARCHAR(1)"};
static const struct input tickers_in = {pool, pool_len, POOL, ticker_cols, 2};
static const struct input orders_in = {orders, orders_len, ROWS, order_cols, 2};

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
    struct kdo_rng r;
    kdo_rng_init(&r, 20261206);
    for (size_t i = 0; i < POOL; i++) {
        char buf[128];
        int n = snprintf(buf, sizeof buf, "{\"TICKER_SYMBOL\":\"%s\",\"PRICE\":%.2f}",
                         tickers[i % TICKERS], 10 + (double)kdo_rng_below(&r, 10000) / 100);
        pool[i] = kdo_xstrndup(buf, (size_t)n);
        pool_len[i] = (size_t)n;
    }
    /* order n at row 2n, its shipment 1,001 rows (about 1 s) later: each order meets
     * one shipment, and the first orders' shipments are the cycle's last rows */
    for (size_t i = 0; i < ROWS; i++) {
        char buf[64];
        size_t id = i % 2 == 0 ? i / 2 : (i + ROWS - 1001) % ROWS / 2;
        int n = snprintf(buf, sizeof buf, "{\"ID\":%zu,\"KIND\":\"%s\"}", id,
                         i % 2 == 0 ? "O" : "S");
        orders[i] = kdo_xstrndup(buf, (size_t)n);
        orders_len[i] = (size_t)n;
    }
}

/* The reference table: 1,000 companies, one for every other ticker. */
static char *companies(size_t *len)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 1 << 20);
    for (int i = 0; i < 1000; i++)
        kdo_buf_printf(&b, "%s%d,Company %d\n", i < TICKERS / 2 ? "" : "X", i, i);
    *len = b.len;
    return b.data;
}

static int on_row(void *ctx, size_t output, kdo_time_ns t, const char *row, size_t len)
{
    (void)ctx, (void)output, (void)t, (void)row, (void)len;
    out_rows++;
    return 0;
}

static void on_error(void *ctx, kdo_time_ns t, const struct kdo_query_error *e)
{
    (void)ctx, (void)t;
    fprintf(stderr, "bench_program: error row %s: %s\n", e->name, e->message);
    exit(1);
}

static const struct kdo_program_sink sink = {on_row, on_error, NULL};

static struct kdo_row_schema *schema_of(const struct input *w)
{
    struct kdo_row_schema *s = kdo_row_schema_new();
    for (size_t i = 0; i < w->ncols; i++) {
        struct kdo_row_column t;
        kdo_row_parse_type(w->cols[2 * i + 1], &t, NULL);
        kdo_row_schema_add_type(s, w->cols[2 * i], strlen(w->cols[2 * i]), &t, NULL);
    }
    return s;
}

/* Seconds for one run of sql over every row of w; exits on a wrong row
 * count.  The table NAMES (when the SQL reads it) holds companies(). */
static double run(const char *sql, uint64_t want, const struct input *w)
{
    static const enum kdo_rowfmt_format fmts[1] = {KDO_ROWFMT_JSON};
    static const char *const dest[] = {"DESTINATION_SQL_STREAM"};
    static const char *const names_cols[] = {"TICKER", "VARCHAR(8)", "NAME", "VARCHAR(16)"};
    struct kdo_row_schema *in = schema_of(w);
    struct kdo_row_schema *names = schema_of(&(struct input){.cols = names_cols, .ncols = 2});
    struct kdo_program_table table = {"NAMES", names, KDO_ROWFMT_CSV};
    struct kdo_program_config c = {.sql = sql, .sql_len = strlen(sql), .file = "bench.sql",
                                   .parallelism = 1, .input_schema = in,
                                   .input_format = KDO_ROWFMT_JSON, .outputs = dest,
                                   .output_formats = fmts, .noutputs = 1, .tables = &table,
                                   .ntables = 1};
    struct kdo_program *p;
    struct kdo_errinfo e = {0};
    size_t clen;
    char *csv = companies(&clen);
    if (kdo_program_new(&c, &p, &e) != 0 ||
        kdo_program_load_table(p, "NAMES", csv, clen, "names.csv", &e) != 0) {
        fprintf(stderr, "bench_program: %s at %d:%d\n", e.msg, e.line, e.column);
        exit(1);
    }
    free(csv);
    out_rows = 0;
    double t0 = now_s();
    for (uint64_t i = 0; i < ROWS; i++) {
        kdo_time_ns t = (kdo_time_ns)i * KDO_MS; /* 1,000 rows a second */
        kdo_time_ns due = kdo_program_next_deadline(p);
        if (due <= t)
            kdo_program_advance(p, due, &sink);
        kdo_program_input(p, 0, t, t, w->rows[i % w->n], w->len[i % w->n], &sink);
    }
    for (kdo_time_ns due; (due = kdo_program_next_deadline(p)) != KDO_TIME_NEVER;)
        kdo_program_advance(p, due, &sink);
    double dt = now_s() - t0;
    kdo_program_free(p);
    kdo_row_schema_free(in);
    kdo_row_schema_free(names);
    if (out_rows != want) {
        fprintf(stderr, "bench_program: %" PRIu64 " rows out, want %" PRIu64 "\n", out_rows,
                want);
        exit(1);
    }
    return dt;
}

static double best(const char *sql, uint64_t want, const struct input *w)
{
    double b = 1e9;
    for (int r = 0; r < REPS; r++) {
        double t = run(sql, want, w);
        b = t < b ? t : b;
    }
    return b;
}

#define DEST "CREATE STREAM DESTINATION_SQL_STREAM (t VARCHAR(4), p DOUBLE);\n"

/* Orders and shipments split from the source, then `query` into the destination. */
static const char *split(const char *query)
{
    static char sql[2][1024];
    static int n;
    char *s = sql[n++ % 2];
    snprintf(s, sizeof sql[0], "CREATE STREAM O (id BIGINT); CREATE STREAM S (id BIGINT);\n"
             "CREATE PUMP po AS INSERT INTO O SELECT STREAM ID FROM SOURCE_SQL_STREAM_001 "
             "WHERE KIND = 'O';\n"
             "CREATE PUMP ps AS INSERT INTO S SELECT STREAM ID FROM SOURCE_SQL_STREAM_001 "
             "WHERE KIND = 'S';\n"
             "CREATE STREAM DESTINATION_SQL_STREAM (id BIGINT, o TIMESTAMP, s TIMESTAMP);\n"
             "CREATE PUMP p AS INSERT INTO DESTINATION_SQL_STREAM %s", query);
    return s;
}

int main(void)
{
    make_rows();
    const char *plain = DEST "CREATE PUMP p AS INSERT INTO DESTINATION_SQL_STREAM\n"
                             " SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001 AS s;";
    const char *sorted = DEST "CREATE PUMP p AS INSERT INTO DESTINATION_SQL_STREAM\n"
                              " SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001 AS s\n"
                              " ORDER BY FLOOR(s.ROWTIME TO SECOND), PRICE DESC;";
    const char *none = DEST "CREATE PUMP p AS INSERT INTO DESTINATION_SQL_STREAM\n"
                            " SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001\n"
                            " WHERE PRICE < 0;";
    const char *topk = "CREATE STREAM DESTINATION_SQL_STREAM (t VARCHAR(4), n BIGINT);\n"
                       "CREATE PUMP p AS INSERT INTO DESTINATION_SQL_STREAM SELECT STREAM * FROM\n"
                       " TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM\n"
                       " SOURCE_SQL_STREAM_001), 'TICKER_SYMBOL', 5, 60));";
    const char *alone = "SELECT STREAM ID, ROWTIME AS a, ROWTIME AS b FROM O;";
    const char *joined = "SELECT STREAM o.ID, o.ROWTIME, s.ROWTIME FROM O OVER (RANGE INTERVAL "
                         "'1' MINUTE PRECEDING) AS o LEFT JOIN S OVER (RANGE INTERVAL '1' MINUTE "
                         "PRECEDING) AS s ON o.ID = s.ID;";
    const char *reference = DEST "CREATE PUMP p AS INSERT INTO DESTINATION_SQL_STREAM\n"
                                 " SELECT STREAM s.TICKER_SYMBOL, s.PRICE FROM "
                                 "SOURCE_SQL_STREAM_001 AS s\n LEFT JOIN NAMES AS c ON "
                                 "s.TICKER_SYMBOL = c.TICKER;";
    printf("application SQL, one core: %d rows (20 tickers, 1,000 rows per simulated second), "
           "best of %d\n", ROWS, REPS);
    printf("  %-34s %10s %9s\n", "step", "rows/s", "x base");
    double b1 = best(plain, ROWS, &tickers_in), t1 = best(sorted, ROWS, &tickers_in);
    printf("  %-34s %10.0f %9s\n", "baseline: SELECT, no ORDER BY", ROWS / b1, "1.0");
    printf("  %-34s %10.0f %9.2f\n", "ORDER BY FLOOR(ROWTIME), PRICE DESC", ROWS / t1, t1 / b1);
    double b2 = best(none, 0, &tickers_in);
    double t2 = best(topk, (ROWS / 60000 + 1) * 5, &tickers_in);
    printf("  %-34s %10.0f %9s\n", "baseline: a pump keeping no row", ROWS / b2, "1.0");
    printf("  %-34s %10.0f %9.2f\n", "TOP_K_ITEMS_TUMBLING, K 5, 60 s", ROWS / t2, t2 / b2);
    double b3 = best(split(alone), ROWS / 2, &orders_in);
    double t3 = best(split(joined), ROWS / 2, &orders_in);
    printf("  %-34s %10.0f %9s\n", "baseline: orders alone", ROWS / b3, "1.0");
    printf("  %-34s %10.0f %9.2f\n", "LEFT JOIN, 1-minute windows", ROWS / t3, t3 / b3);
    double t4 = best(reference, ROWS, &tickers_in);
    printf("  %-34s %10.0f %9.2f\n", "LEFT JOIN a 1,000-row table", ROWS / t4, t4 / b1);
    printf("  (x base: time per row as a multiple of the baseline's above it; the table's\n"
           "   baseline is the first, the bare SELECT)\n");
    return 0;
}
