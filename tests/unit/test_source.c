/*
 * test_source.c -- the streaming source of emulator/app/source.c.
 *
 * Sources are built from hand-written segments and drained with peek/pop,
 * so arrival times are pinned to the nanosecond (1000/s puts row k at k ms),
 * as are the `end` cut, bursts, injected rows, the merge order across
 * segments (ties to the earlier segment), padded row sizes, the JSON shape
 * of generated rows and determinism per seed.  kdo_source_unread is checked
 * against a count taken by draining.
 */
#include "app/source.h"

#include "base/errors.h"

#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAXSEG 4

static struct kdo_source_segment seg[MAXSEG];
static size_t nseg;
static struct kdo_rng rng;
static struct kdo_source *src;

static void setup(void)
{
    memset(seg, 0, sizeof seg);
    nseg = 0;
    kdo_rng_init(&rng, 3);
    src = NULL;
}

static void teardown(void)
{
    kdo_source_free(src);
    src = NULL;
}

static void rate(double per_s, kdo_time_ns from, kdo_time_ns until)
{
    seg[nseg++] = (struct kdo_source_segment){.kind = KDO_SEGMENT_RATE, .from = from,
                                              .until = until, .rate = per_s};
}

static void burst(uint64_t count, kdo_time_ns at)
{
    seg[nseg++] = (struct kdo_source_segment){.kind = KDO_SEGMENT_BURST, .from = at,
                                              .until = KDO_TIME_NEVER, .count = count};
}

static void inject(const char *row, kdo_time_ns at)
{
    seg[nseg++] = (struct kdo_source_segment){.kind = KDO_SEGMENT_INJECT, .from = at,
                                              .until = KDO_TIME_NEVER, .row = (char *)row,
                                              .row_len = strlen(row)};
}

static void open_source(size_t row_size, kdo_time_ns end)
{
    struct kdo_source_config cfg = {.row_size = row_size, .segments = seg, .nsegments = nseg};
    src = kdo_source_new(&cfg, end, &rng);
}

static int next(struct kdo_source_row *r)
{
    if (!kdo_source_peek(src, r))
        return 0;
    kdo_source_pop(src);
    return 1;
}

START_TEST(rate_1000_per_second_arrives_every_ms)
{
    rate(1000, 0, KDO_S);
    open_source(0, KDO_TIME_NEVER);
    struct kdo_source_row r;
    uint64_t k = 0;
    while (next(&r)) {
        ck_assert_uint_eq(r.seq, k);
        ck_assert_int_eq(r.arrival, (kdo_time_ns)k * KDO_MS);
        ck_assert_uint_gt(r.len, 0);
        k++;
    }
    ck_assert_uint_eq(k, 1000);
    ck_assert_uint_eq(kdo_source_consumed(src), 1000);
    ck_assert_int_eq(kdo_source_peek(src, &r), 0);
}
END_TEST

/* The k-th row arrives at from + k / rate, computed from k (no drift). */
START_TEST(fractional_rate_has_no_drift)
{
    rate(3, 0, 1000 * KDO_S);
    open_source(0, KDO_TIME_NEVER);
    struct kdo_source_row r;
    for (uint64_t k = 0; k < 3000; k++) {
        ck_assert(next(&r));
        ck_assert_int_eq(r.arrival, (kdo_time_ns)((double)k * 1e9 / 3));
    }
    ck_assert(!next(&r));
}
END_TEST

START_TEST(from_and_until)
{
    rate(10, 2 * KDO_S, 3 * KDO_S);
    open_source(0, KDO_TIME_NEVER);
    struct kdo_source_row r;
    for (uint64_t k = 0; k < 10; k++) {
        ck_assert(next(&r));
        ck_assert_int_eq(r.arrival, 2 * KDO_S + (kdo_time_ns)k * 100 * KDO_MS);
    }
    ck_assert(!next(&r)); /* a row at `until` would be the 11th: it never comes */
}
END_TEST

START_TEST(end_cuts_every_segment)
{
    rate(1000, 0, KDO_TIME_NEVER);
    burst(5, 500 * KDO_MS);
    inject("{\"late\":1}", 600 * KDO_MS);
    open_source(0, 500 * KDO_MS);
    struct kdo_source_row r;
    uint64_t n = 0;
    kdo_time_ns last = -1;
    while (next(&r)) {
        last = r.arrival;
        n++;
    }
    ck_assert_uint_eq(n, 500);
    ck_assert_int_eq(last, 499 * KDO_MS);
    ck_assert_uint_eq(kdo_source_unread(src, 10 * KDO_S), 0);
}
END_TEST

START_TEST(burst_rows_arrive_at_one_instant)
{
    burst(5, 3 * KDO_S);
    open_source(0, KDO_TIME_NEVER);
    struct kdo_source_row r;
    for (uint64_t k = 0; k < 5; k++) {
        ck_assert(next(&r));
        ck_assert_uint_eq(r.seq, k);
        ck_assert_int_eq(r.arrival, 3 * KDO_S);
    }
    ck_assert(!next(&r));
}
END_TEST

START_TEST(inject_gives_the_literal_row)
{
    static const char row[] = "{\"TICKER_SYMBOL\":\"POISON\",\"PRICE\":-1}";
    inject(row, 10 * KDO_S);
    open_source(0, KDO_TIME_NEVER);
    struct kdo_source_row r;
    ck_assert(next(&r));
    ck_assert_int_eq(r.arrival, 10 * KDO_S);
    ck_assert_uint_eq(r.len, strlen(row));
    ck_assert_int_eq(memcmp(r.data, row, r.len), 0);
    ck_assert(!next(&r));
}
END_TEST

/* The config is copied: the caller's row may go away after _new. */
START_TEST(config_is_copied)
{
    char *row = kdo_xstrdup("{\"copied\":true}");
    inject(row, 0);
    open_source(0, KDO_TIME_NEVER);
    memset(row, 'Z', strlen(row));
    free(row);
    seg[0].row = NULL;
    struct kdo_source_row r;
    ck_assert(next(&r));
    ck_assert_uint_eq(r.len, 15);
    ck_assert_int_eq(memcmp(r.data, "{\"copied\":true}", 15), 0);
}
END_TEST

START_TEST(merge_order_ties_go_to_earlier_segment)
{
    rate(1, 0, 3 * KDO_S);       /* seg 0: rows at 0, 1, 2 s */
    inject("{\"i\":1}", KDO_S);  /* seg 1: at 1 s, ties with seg 0 */
    burst(2, 500 * KDO_MS);      /* seg 2: two rows at 0.5 s */
    inject("{\"i\":0}", 0);      /* seg 3: at 0, ties with seg 0 */
    open_source(0, KDO_TIME_NEVER);
    static const struct {
        kdo_time_ns at;
        const char *literal; /* NULL for a generated row */
    } want[] = {
        {0, NULL}, {0, "{\"i\":0}"}, {500 * KDO_MS, NULL}, {500 * KDO_MS, NULL},
        {KDO_S, NULL}, {KDO_S, "{\"i\":1}"}, {2 * KDO_S, NULL},
    };
    struct kdo_source_row r;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ck_assert(next(&r));
        ck_assert_uint_eq(r.seq, i);
        ck_assert_int_eq(r.arrival, want[i].at);
        if (want[i].literal) {
            ck_assert_uint_eq(r.len, strlen(want[i].literal));
            ck_assert_int_eq(memcmp(r.data, want[i].literal, r.len), 0);
        } else {
            ck_assert_int_eq(memcmp(r.data, "{\"TICKER_SYMBOL\":", 17), 0);
        }
    }
    ck_assert(!next(&r));
}
END_TEST

static void assert_ticker_row(const struct kdo_source_row *r, int padded)
{
    json_error_t e;
    json_t *o = json_loadb(r->data, r->len, 0, &e);
    if (o == NULL)
        ck_abort_msg("row is not JSON (%s): %.*s", e.text, (int)r->len, r->data);
    const char *t = json_string_value(json_object_get(o, "TICKER_SYMBOL"));
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_ge(strlen(t), 1);
    ck_assert_uint_le(strlen(t), 4); /* VARCHAR(4) */
    const char *sector = json_string_value(json_object_get(o, "SECTOR"));
    ck_assert_ptr_nonnull(sector);
    ck_assert_uint_le(strlen(sector), 16); /* VARCHAR(16) */
    ck_assert(json_is_number(json_object_get(o, "CHANGE")));
    double change = json_number_value(json_object_get(o, "CHANGE"));
    ck_assert_double_ge(change, -10.0);
    ck_assert_double_le(change, 10.0);
    ck_assert(json_is_number(json_object_get(o, "PRICE")));
    ck_assert_double_gt(json_number_value(json_object_get(o, "PRICE")), 0.0);
    /* Padding is a PAD column when there is room for one, else blanks. */
    if (padded && r->len >= 100)
        ck_assert(json_is_string(json_object_get(o, "PAD")));
    else if (!padded)
        ck_assert_ptr_null(json_object_get(o, "PAD"));
    json_decref(o);
}

START_TEST(natural_rows_are_ticker_json)
{
    burst(2000, 0);
    open_source(0, KDO_TIME_NEVER);
    struct kdo_source_row r;
    while (next(&r))
        assert_ticker_row(&r, 0);
    ck_assert_uint_eq(kdo_source_consumed(src), 2000);
}
END_TEST

static void assert_exact_sizes(size_t row_size, uint64_t rows)
{
    burst(rows, 0);
    open_source(row_size, KDO_TIME_NEVER);
    struct kdo_source_row r;
    while (next(&r)) {
        ck_assert_uint_eq(r.len, row_size);
        ck_assert_uint_eq(strlen(r.data), row_size); /* NUL-terminated, no NUL inside */
        assert_ticker_row(&r, 1);
    }
}

START_TEST(row_size_pads_exactly)
{
    assert_exact_sizes(200, 1000);
}
END_TEST

/* The pool holds at most 16 MB of rows, so large rows repeat more often. */
START_TEST(row_size_pads_large_rows_exactly)
{
    assert_exact_sizes(65536, 40);
}
END_TEST

/* source.h: "generated rows are padded to exactly this many bytes".  A
 * natural row is 68..77 bytes and the PAD field costs at least 10, so a
 * row_size of 80 leaves most rows at their natural size instead of 80. */
START_TEST(literal_rows_all_at_once_or_at_a_rate)
{
    struct kdo_rng r;
    kdo_rng_init(&r, 1);
    struct kdo_source_segment g[2] = {
        {.kind = KDO_SEGMENT_ROWS, .from = 5 * KDO_S, .until = KDO_TIME_NEVER},
        {.kind = KDO_SEGMENT_ROWS, .from = 0, .until = KDO_TIME_NEVER, .rate = 2},
    };
    kdo_source_segment_add_row(&g[0], "a", 1);
    kdo_source_segment_add_row(&g[0], "bb", 2);
    kdo_source_segment_add_row(&g[1], "x", 1);
    kdo_source_segment_add_row(&g[1], "yy", 2);
    kdo_source_segment_add_row(&g[1], "zzz", 3);
    struct kdo_source_config cfg = {.segments = g, .nsegments = 2};
    struct kdo_source *x = kdo_source_new(&cfg, KDO_TIME_NEVER, &r);
    static const struct {
        kdo_time_ns at;
        const char *row;
    } want[] = {{0, "x"}, {500 * KDO_MS, "yy"}, {KDO_S, "zzz"}, {5 * KDO_S, "a"}, {5 * KDO_S, "bb"}};
    ck_assert_uint_eq(kdo_source_unread(x, 5 * KDO_S), 5);
    for (size_t i = 0; i < 5; i++) {
        struct kdo_source_row row;
        ck_assert(kdo_source_peek(x, &row));
        ck_assert_int_eq(row.arrival, want[i].at);
        ck_assert_uint_eq(row.len, strlen(want[i].row));
        ck_assert_int_eq(memcmp(row.data, want[i].row, row.len), 0);
        kdo_source_pop(x);
    }
    struct kdo_source_row row;
    ck_assert(!kdo_source_peek(x, &row));
    kdo_source_free(x);
    for (int i = 0; i < 2; i++) {
        free(g[i].rows);
        free(g[i].row_ends);
    }
}
END_TEST

/* Rows with their own times (a replayed file): each arrives at its time,
 * equal times keep file order, a rate segment merges in between, unread
 * counts by time and `end` cuts at the exact instant; the copy keeps the
 * times. */
START_TEST(timed_rows_arrive_at_their_own_times)
{
    struct kdo_rng r;
    kdo_rng_init(&r, 1);
    struct kdo_source_segment g[2] = {
        {.kind = KDO_SEGMENT_ROWS, .until = KDO_TIME_NEVER},
        {.kind = KDO_SEGMENT_RATE, .from = 0, .until = 3 * KDO_S, .rate = 1},
    };
    static const struct {
        kdo_time_ns at;
        const char *row;
    } in[] = {{500 * KDO_MS, "a"}, {2 * KDO_S, "b"}, {2 * KDO_S, "c"}, {7 * KDO_S, "d"},
              {9 * KDO_S, "e"}};
    for (size_t i = 0; i < 5; i++)
        kdo_source_segment_add_row_at(&g[0], in[i].row, strlen(in[i].row), in[i].at);
    struct kdo_source_config cfg = {.segments = g, .nsegments = 2}, copy;
    kdo_source_config_copy(&copy, &cfg);
    free(g[0].rows); /* the copy must stand alone */
    free(g[0].row_ends);
    free(g[0].row_times);
    ck_assert_ptr_nonnull(copy.segments[0].row_times);
    ck_assert_ptr_null(copy.segments[1].row_times);
    struct kdo_source *x = kdo_source_new(&copy, 9 * KDO_S, &r); /* e at 9 s is cut */
    ck_assert_uint_eq(kdo_source_unread(x, 0), 1);               /* the rate's row at 0 */
    ck_assert_uint_eq(kdo_source_unread(x, 2 * KDO_S - 1), 3);
    ck_assert_uint_eq(kdo_source_unread(x, 2 * KDO_S), 6);
    ck_assert_uint_eq(kdo_source_unread(x, 100 * KDO_S), 7);
    static const struct {
        kdo_time_ns at;
        const char *row; /* NULL: a generated row */
    } want[] = {{0, NULL},         {500 * KDO_MS, "a"}, {KDO_S, NULL},  {2 * KDO_S, "b"},
                {2 * KDO_S, "c"},  {2 * KDO_S, NULL},   {7 * KDO_S, "d"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct kdo_source_row row;
        ck_assert(kdo_source_peek(x, &row));
        ck_assert_int_eq(row.arrival, want[i].at);
        if (want[i].row) {
            ck_assert_uint_eq(row.len, strlen(want[i].row));
            ck_assert_int_eq(memcmp(row.data, want[i].row, row.len), 0);
        } else {
            ck_assert_uint_gt(row.len, 1);
        }
        kdo_source_pop(x);
    }
    struct kdo_source_row row;
    ck_assert(!kdo_source_peek(x, &row));
    ck_assert_uint_eq(kdo_source_unread(x, 100 * KDO_S), 0);
    kdo_source_free(x);
    kdo_source_config_cleanup(&copy);
}
END_TEST

START_TEST(row_size_just_above_natural_pads_exactly)
{
    assert_exact_sizes(80, 1000);
}
END_TEST

static void drain_data(uint64_t seed, char **out, size_t n)
{
    struct kdo_rng r;
    kdo_rng_init(&r, seed);
    struct kdo_source_segment s = {.kind = KDO_SEGMENT_RATE, .from = 0, .until = KDO_TIME_NEVER,
                                   .rate = 100};
    struct kdo_source_config cfg = {.row_size = 0, .segments = &s, .nsegments = 1};
    struct kdo_source *x = kdo_source_new(&cfg, KDO_TIME_NEVER, &r);
    struct kdo_source_row row;
    for (size_t i = 0; i < n; i++) {
        ck_assert(kdo_source_peek(x, &row));
        out[i] = kdo_xstrndup(row.data, row.len);
        kdo_source_pop(x);
    }
    kdo_source_free(x);
}

START_TEST(same_seed_same_rows)
{
    enum { N = 300 };
    char *a[N], *b[N], *c[N];
    drain_data(11, a, N);
    drain_data(11, b, N);
    drain_data(12, c, N);
    int differ = 0;
    for (size_t i = 0; i < N; i++) {
        ck_assert_str_eq(a[i], b[i]);
        differ += strcmp(a[i], c[i]) != 0;
    }
    ck_assert_int_gt(differ, N / 2);
    for (size_t i = 0; i < N; i++) {
        free(a[i]);
        free(b[i]);
        free(c[i]);
    }
}
END_TEST

START_TEST(peek_does_not_consume)
{
    rate(1000, 0, 10 * KDO_MS);
    open_source(0, KDO_TIME_NEVER);
    struct kdo_source_row a, b;
    ck_assert(kdo_source_peek(src, &a));
    ck_assert(kdo_source_peek(src, &b));
    ck_assert_uint_eq(a.seq, b.seq);
    ck_assert_int_eq(a.arrival, b.arrival);
    ck_assert_ptr_eq(a.data, b.data);
    ck_assert_uint_eq(kdo_source_consumed(src), 0);
    kdo_source_pop(src);
    ck_assert_uint_eq(kdo_source_consumed(src), 1);
    ck_assert(kdo_source_peek(src, &b));
    ck_assert_uint_eq(b.seq, 1);
    ck_assert_int_eq(b.arrival, KDO_MS);
}
END_TEST

START_TEST(pop_without_peek_is_a_no_op)
{
    rate(1000, 0, 10 * KDO_MS);
    open_source(0, KDO_TIME_NEVER);
    kdo_source_pop(src);
    ck_assert_uint_eq(kdo_source_consumed(src), 0);
    struct kdo_source_row r;
    ck_assert(kdo_source_peek(src, &r));
    ck_assert_uint_eq(r.seq, 0);
    ck_assert_int_eq(r.arrival, 0);
}
END_TEST

START_TEST(empty_and_zero_rate_sources)
{
    rate(0, 0, KDO_TIME_NEVER);
    burst(0, 0);
    open_source(0, KDO_TIME_NEVER);
    struct kdo_source_row r;
    ck_assert_int_eq(kdo_source_peek(src, &r), 0);
    ck_assert_uint_eq(kdo_source_unread(src, 100 * KDO_S), 0);
    kdo_source_pop(src);
    ck_assert_uint_eq(kdo_source_consumed(src), 0);
}
END_TEST

START_TEST(unread_counts)
{
    rate(1000, 0, KDO_S);
    burst(7, 2 * KDO_S);
    inject("{}", 3 * KDO_S);
    open_source(0, KDO_TIME_NEVER);
    ck_assert_uint_eq(kdo_source_unread(src, -1), 0);
    ck_assert_uint_eq(kdo_source_unread(src, 0), 1); /* row 0 arrives at 0 */
    ck_assert_uint_eq(kdo_source_unread(src, 10 * KDO_MS - 1), 10);
    ck_assert_uint_eq(kdo_source_unread(src, 10 * KDO_MS), 11);
    ck_assert_uint_eq(kdo_source_unread(src, 999 * KDO_MS), 1000);
    ck_assert_uint_eq(kdo_source_unread(src, 1500 * KDO_MS), 1000);
    ck_assert_uint_eq(kdo_source_unread(src, 2 * KDO_S - 1), 1000);
    ck_assert_uint_eq(kdo_source_unread(src, 2 * KDO_S), 1007);
    ck_assert_uint_eq(kdo_source_unread(src, 3 * KDO_S), 1008);
    ck_assert_uint_eq(kdo_source_unread(src, 3600 * KDO_S), 1008);
    struct kdo_source_row r;
    for (int i = 0; i < 5; i++)
        ck_assert(next(&r));
    ck_assert_uint_eq(kdo_source_unread(src, 10 * KDO_MS), 6);
    ck_assert_uint_eq(kdo_source_unread(src, 3 * KDO_S), 1003);
    /* A peeked row is not consumed yet. */
    ck_assert(kdo_source_peek(src, &r));
    ck_assert_uint_eq(kdo_source_unread(src, 10 * KDO_MS), 6);
}
END_TEST

START_TEST(unread_respects_end)
{
    rate(1000, 0, KDO_TIME_NEVER);
    burst(3, 700 * KDO_MS);
    open_source(0, 500 * KDO_MS);
    ck_assert_uint_eq(kdo_source_unread(src, 499 * KDO_MS), 500);
    ck_assert_uint_eq(kdo_source_unread(src, 10 * KDO_S), 500);
}
END_TEST

/* At every instant, unread equals the rows with arrival <= now not yet
 * popped, for rates that do not divide a second. */
START_TEST(unread_agrees_with_draining)
{
    rate(7, 0, 5 * KDO_S);
    rate(1000.0 / 3, 250 * KDO_MS, 4 * KDO_S);
    burst(4, 1234 * KDO_MS);
    open_source(0, KDO_TIME_NEVER);
    struct kdo_source_row r;
    for (kdo_time_ns now = 0; now <= 6 * KDO_S; now += 7 * KDO_MS + 13) {
        uint64_t expect = kdo_source_unread(src, now);
        uint64_t popped = 0;
        while (kdo_source_peek(src, &r) && r.arrival <= now) {
            kdo_source_pop(src);
            popped++;
        }
        ck_assert_uint_eq(popped, expect);
        ck_assert_uint_eq(kdo_source_unread(src, now), 0);
    }
    ck_assert_uint_eq(kdo_source_consumed(src), 35 + 1250 + 4);
}
END_TEST

/* unread() must not cost time proportional to how long ago a segment ended:
 * the app samples it every second, so a 1 s segment in a 30-day run would
 * walk billions of steps per sample ("never walks far" in arrived() does not
 * hold).  The case runs under a 10 s timeout; a correct arrived() answers in
 * microseconds. */
START_TEST(unread_long_after_until_is_cheap)
{
    rate(1000, 0, KDO_S);
    open_source(0, KDO_TIME_NEVER);
    for (int i = 0; i < 10; i++)
        ck_assert_uint_eq(kdo_source_unread(src, 30 * 24 * 3600 * KDO_S + i), 1000);
}
END_TEST

START_TEST(config_copy_and_cleanup)
{
    inject("{\"a\":1}", KDO_S);
    rate(5, 0, KDO_S);
    struct kdo_source_config cfg = {.row_size = 9, .segments = seg, .nsegments = nseg}, copy;
    kdo_source_config_copy(&copy, &cfg);
    ck_assert_uint_eq(copy.nsegments, 2);
    ck_assert_uint_eq(copy.row_size, 9);
    ck_assert_ptr_ne(copy.segments, seg);
    ck_assert_ptr_ne(copy.segments[0].row, seg[0].row);
    ck_assert_str_eq(copy.segments[0].row, "{\"a\":1}");
    ck_assert_ptr_null(copy.segments[1].row);
    kdo_source_config_cleanup(&copy);
    ck_assert_ptr_null(copy.segments);
    ck_assert_uint_eq(copy.nsegments, 0);
}
END_TEST

static Suite *source_suite(void)
{
    Suite *s = suite_create("source");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"rate_1000_per_second_arrives_every_ms", rate_1000_per_second_arrives_every_ms},
        {"fractional_rate_has_no_drift", fractional_rate_has_no_drift},
        {"from_and_until", from_and_until},
        {"end_cuts_every_segment", end_cuts_every_segment},
        {"burst_rows_arrive_at_one_instant", burst_rows_arrive_at_one_instant},
        {"inject_gives_the_literal_row", inject_gives_the_literal_row},
        {"config_is_copied", config_is_copied},
        {"merge_order_ties_go_to_earlier_segment", merge_order_ties_go_to_earlier_segment},
        {"natural_rows_are_ticker_json", natural_rows_are_ticker_json},
        {"row_size_pads_exactly", row_size_pads_exactly},
        {"row_size_pads_large_rows_exactly", row_size_pads_large_rows_exactly},
        {"literal_rows", literal_rows_all_at_once_or_at_a_rate},
        {"row_size_just_above_natural", row_size_just_above_natural_pads_exactly},
        {"timed_rows", timed_rows_arrive_at_their_own_times},
        {"same_seed_same_rows", same_seed_same_rows},
        {"peek_does_not_consume", peek_does_not_consume},
        {"pop_without_peek_is_a_no_op", pop_without_peek_is_a_no_op},
        {"empty_and_zero_rate_sources", empty_and_zero_rate_sources},
        {"unread_counts", unread_counts},
        {"unread_respects_end", unread_respects_end},
        {"unread_agrees_with_draining", unread_agrees_with_draining},
        {"config_copy_and_cleanup", config_copy_and_cleanup},
        {"unread_long_after_until", unread_long_after_until_is_cheap},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        tcase_set_timeout(tc, 10);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(source_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
