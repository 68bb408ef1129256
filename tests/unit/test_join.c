/*
 * test_join.c -- JOIN in a pump (emulator/sql/join.c): pairs within the
 * windows with the later ROWTIME, a side without a window as its latest
 * row, LEFT and RIGHT rows that met nothing sent at their window's end (or
 * at once without a window), ROWS windows, keyed and unkeyed conditions,
 * NULL keys, the names of the joined row, reference tables loaded and
 * reloaded, and every refusal at its line:col.  Time is advanced by hand.
 */
#include "program_harness.h"

#include "base/rng.h"

/* Streams A and B (k, v) split from the source by its column SIDE; one line. */
#define AB                                                                                      \
    "CREATE STREAM A (k BIGINT, v DOUBLE); CREATE STREAM B (k BIGINT, v DOUBLE); "              \
    "CREATE PUMP pa AS INSERT INTO A SELECT STREAM k, v FROM SOURCE_SQL_STREAM_001 "            \
    "WHERE side = 'A'; CREATE PUMP pb AS INSERT INTO B SELECT STREAM k, v FROM "                \
    "SOURCE_SQL_STREAM_001 WHERE side = 'B'; "
#define DEST3 "CREATE STREAM DESTINATION_SQL_STREAM (k BIGINT, av DOUBLE, bv DOUBLE); "
#define PUMP "CREATE PUMP pj AS INSERT INTO DESTINATION_SQL_STREAM "

static void setup(void)
{
    harness_setup();
    errors_fail = 1;
    ck_assert_int_eq(kdo_row_schema_add(input, "SIDE", 4, KDO_TYPE_VARCHAR, 1, NULL), 0);
    ck_assert_int_eq(kdo_row_schema_add(input, "K", 1, KDO_TYPE_BIGINT, 0, NULL), 0);
    ck_assert_int_eq(kdo_row_schema_add(input, "V", 1, KDO_TYPE_DOUBLE, 0, NULL), 0);
}

static void row(kdo_time_ns t, const char *side, const char *k, const char *v)
{
    char r[96];
    int n = snprintf(r, sizeof r, "{\"SIDE\":\"%s\",\"K\":%s,\"V\":%s}", side, k, v);
    ck_assert_int_eq(kdo_program_input(prog, 0, t, t, r, (size_t)n, &sink), 0);
}

START_TEST(inner_pairs_within_both_windows_take_the_later_rowtime)
{
    load_ok(AB DEST3 PUMP "SELECT STREAM a.k, a.v, b.v FROM A OVER (RANGE INTERVAL '10' SECOND "
            "PRECEDING) AS a JOIN B OVER (RANGE INTERVAL '10' SECOND PRECEDING) AS b "
            "ON a.k = b.k;");
    row(S(1), "A", "1", "1.5");
    row(S(2), "B", "1", "2.5"); /* meets a's row of 1 s */
    row(S(3), "B", "2", "0");   /* no a row of key 2 */
    row(S(4), "A", "1", "3.5"); /* meets b's row of 2 s */
    row(S(14), "A", "1", "4.5"); /* b's 2 s row left its window at 12 s */
    row(S(15), "B", "1", "5.5"); /* meets a's 14 s row; the 4 s one left at 14 s */
    ck_assert_str_eq(got.data, "@2 {\"K\":1,\"AV\":1.5,\"BV\":2.5}\n"
                               "@4 {\"K\":1,\"AV\":3.5,\"BV\":2.5}\n"
                               "@15 {\"K\":1,\"AV\":4.5,\"BV\":5.5}\n");
}
END_TEST

START_TEST(a_side_without_window_is_its_latest_row)
{
    load_ok(AB DEST3 PUMP "SELECT STREAM a.k, a.v, b.v FROM A OVER (RANGE INTERVAL '1' MINUTE "
            "PRECEDING) AS a JOIN B AS b ON a.k = b.k;");
    row(S(1), "B", "1", "1");
    row(S(2), "B", "2", "2");
    row(S(3), "A", "1", "3"); /* B's current row is key 2 now */
    row(S(4), "A", "2", "4");
    row(S(5), "B", "1", "5"); /* meets a's 3 s row in A's window */
    ck_assert_str_eq(got.data, "@4 {\"K\":2,\"AV\":4.0,\"BV\":2.0}\n"
                               "@5 {\"K\":1,\"AV\":3.0,\"BV\":5.0}\n");
}
END_TEST

START_TEST(left_rows_that_met_nothing_come_at_their_window_end)
{
    load_ok(AB DEST3 PUMP "SELECT STREAM a.k, a.v, b.v FROM A OVER (RANGE INTERVAL '10' SECOND "
            "PRECEDING) AS a LEFT JOIN B AS b ON a.k = b.k;");
    row(S(1), "A", "1", "1");
    row(S(2), "A", "2", "2");
    row(S(3), "B", "2", "3");
    ck_assert_str_eq(got.data, "@3 {\"K\":2,\"AV\":2.0,\"BV\":3.0}\n");
    ck_assert_int_eq(kdo_program_next_deadline(prog), S(11) + 1);
    run_to(S(11)); /* a row of exactly 10 s earlier is still in the window */
    ck_assert_str_eq(got.data, "@3 {\"K\":2,\"AV\":2.0,\"BV\":3.0}\n");
    run_to(S(30));
    /* key 1 alone, at 1 s + 10 s; key 2 met a row and is not sent again */
    ck_assert_str_eq(got.data, "@3 {\"K\":2,\"AV\":2.0,\"BV\":3.0}\n"
                               "@11 {\"K\":1,\"AV\":1.0,\"BV\":null}\n");
    ck_assert_int_eq(kdo_program_next_deadline(prog), KDO_TIME_NEVER);
}
END_TEST

START_TEST(right_rows_without_window_come_at_once)
{
    load_ok(AB DEST3 PUMP "SELECT STREAM b.k, a.v, b.v FROM A OVER (RANGE INTERVAL '10' SECOND "
            "PRECEDING) AS a RIGHT JOIN B AS b ON a.k = b.k;");
    row(S(1), "A", "1", "1");
    row(S(2), "B", "1", "2");
    row(S(3), "B", "7", "3");
    ck_assert_str_eq(got.data, "@2 {\"K\":1,\"AV\":1.0,\"BV\":2.0}\n"
                               "@3 {\"K\":7,\"AV\":null,\"BV\":3.0}\n");
}
END_TEST

START_TEST(rows_windows_keep_the_latest_n_plus_one)
{
    load_ok(AB DEST3 PUMP "SELECT STREAM a.k, a.v, b.v FROM A OVER (ROWS 1 PRECEDING) AS a "
            "LEFT JOIN B AS b ON a.k = b.k;");
    row(S(1), "A", "1", "1");
    row(S(2), "A", "2", "2");
    row(S(3), "B", "1", "3"); /* both A rows are kept */
    row(S(4), "A", "3", "4"); /* pushes out key 1 (met) */
    row(S(5), "A", "4", "5"); /* pushes out key 2 (met nothing): sent now */
    ck_assert_str_eq(got.data, "@3 {\"K\":1,\"AV\":1.0,\"BV\":3.0}\n"
                               "@5 {\"K\":2,\"AV\":2.0,\"BV\":null}\n");
}
END_TEST

START_TEST(conditions_with_and_without_keys)
{
    /* 1 = 1.0 across types: not hashed, still equal; NULL meets nothing */
    load_ok("CREATE STREAM A (k BIGINT, v DOUBLE); CREATE STREAM B (k DOUBLE, v DOUBLE); "
            "CREATE PUMP pa AS INSERT INTO A SELECT STREAM k, v FROM SOURCE_SQL_STREAM_001 "
            "WHERE side = 'A'; CREATE PUMP pb AS INSERT INTO B SELECT STREAM k, v FROM "
            "SOURCE_SQL_STREAM_001 WHERE side = 'B'; " DEST3 PUMP
            "SELECT STREAM a.k, a.v, b.v FROM A OVER (ROWS 10 PRECEDING) AS a JOIN B AS b "
            "ON a.k = b.k AND a.v < b.v;");
    row(S(1), "A", "1", "1");
    row(S(1), "A", "null", "1");
    row(S(1), "A", "1", "9");
    row(S(2), "B", "1", "5");
    row(S(2), "B", "null", "5");
    ck_assert_str_eq(got.data, "@2 {\"K\":1,\"AV\":1.0,\"BV\":5.0}\n");
    kdo_buf_reset(&got);
    /* keyed: many keys, each row meets its own key's rows only */
    load_ok(AB DEST3 PUMP "SELECT STREAM a.k, a.v, b.v FROM A OVER (ROWS 1000 PRECEDING) AS a "
            "JOIN B AS b ON b.k = a.k;");
    char k[16];
    for (int i = 0; i < 500; i++) {
        snprintf(k, sizeof k, "%d", i);
        row(S(1), "A", k, k);
    }
    row(S(2), "B", "250", "0.5");
    row(S(2), "B", "-1", "0.5");
    ck_assert_str_eq(got.data, "@2 {\"K\":250,\"AV\":250.0,\"BV\":0.5}\n");
}
END_TEST

START_TEST(names_resolve_to_one_side)
{
    load_ok(AB "CREATE STREAM DESTINATION_SQL_STREAM (k BIGINT, t TIMESTAMP, u TIMESTAMP); "
            PUMP "SELECT STREAM a.k, a.ROWTIME, ROWTIME FROM A OVER (RANGE INTERVAL '1' "
            "MINUTE PRECEDING) AS a JOIN B ON a.k = B.k;");
    row(S(1), "A", "1", "1");
    row(S(5), "B", "1", "1");
    ck_assert_str_eq(got.data, "@5 {\"K\":1,\"T\":\"1970-01-01 00:00:01.000\","
                               "\"U\":\"1970-01-01 00:00:05.000\"}\n");
    const char *head = AB DEST3 PUMP;
    refused_at(head, "SELECT STREAM k, a.v, b.v FROM A AS a JOIN B AS b ON a.k = b.k", "",
               "column K is in both A and B", "k,");
    refused_at(head, "SELECT STREAM a.k, a.v, c.v FROM A AS a JOIN B AS b ON a.k = b.k", "",
               "unknown stream C: the join reads A and B", "c.v");
    refused_at(head, "SELECT STREAM a.k, a.w, b.v FROM A AS a JOIN B AS b ON a.k = b.k", "",
               "A has no column W", "w,");
    refused_at(head, "SELECT STREAM * FROM A AS a JOIN B AS b ON a.k = b.k", "",
               "SELECT * over a JOIN is not supported yet", "*");
    refused_at(head, "SELECT STREAM a.k, a.v, b.v FROM A AS a JOIN B AS b ON a.k + b.k", "",
               "ON takes a condition", "a.k +");
}
END_TEST

START_TEST(what_is_not_built_is_refused_by_name)
{
    const char *head = AB DEST3 PUMP "SELECT STREAM a.k, a.v, b.v FROM ";
    refused_at(head, "A AS a FULL OUTER JOIN B AS b ON a.k = b.k", "",
               "FULL OUTER JOIN is not supported yet", "A AS a");
    refused_at(head, "A AS a CROSS JOIN B AS b", "", "CROSS JOIN is not supported", "A AS a");
    refused_at(head, "A OVER (PARTITION BY k RANGE INTERVAL '1' MINUTE PRECEDING) AS a JOIN B "
               "AS b ON a.k = b.k", "", "takes no PARTITION BY or ORDER BY", "(PARTITION");
    refused_at(head, "A OVER (RANGE INTERVAL '1' MINUTE FOLLOWING) AS a JOIN B AS b ON a.k = b.k",
               "", "RANGE INTERVAL ... PRECEDING or ROWS n PRECEDING", "(RANGE");
    refused_at(head, "A OVER w AS a JOIN B AS b ON a.k = b.k", "",
               "window W is not defined", "w AS");
    refused_at(head, "A OVER (ROWS 2 PRECEDING) AS a", "", "belongs to a JOIN side", "(ROWS");
}
END_TEST

/* ---- against a brute-force join ---- */

struct orow {
    kdo_time_ns t;
    int side, k, v;
    int met;
};

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of text, sorted, joined again: the same rows in any order. */
static char *sorted_lines(const char *text)
{
    char *copy = kdo_xstrdup(text), *save = NULL, **lines = NULL;
    size_t n = 0;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        lines = kdo_xrealloc(lines, (n + 1) * sizeof *lines);
        lines[n++] = l;
    }
    qsort(lines, n, sizeof *lines, cmp_line);
    struct kdo_buf b;
    kdo_buf_init(&b, 64 << 20);
    for (size_t i = 0; i < n; i++)
        kdo_buf_printf(&b, "%s\n", lines[i]);
    char *out = kdo_xstrndup(b.data ? b.data : "", b.len);
    kdo_buf_cleanup(&b);
    free(lines);
    free(copy);
    return out;
}

/* 6,000 rows, 40 keys, RANGE 3 s on both sides, LEFT JOIN: the hash's
 * chains and deletions against every pair checked by hand; then the rows
 * left unmatched; then ROWTIME never goes back. */
START_TEST(a_random_join_equals_the_brute_force_one)
{
    enum { N = 6000, KEYS = 40, RANGE_MS = 3000 };
    static struct orow rows[N];
    struct kdo_rng r;
    kdo_rng_init(&r, 14);
    load_ok(AB DEST3 PUMP "SELECT STREAM a.k, a.v, b.v FROM A OVER (RANGE INTERVAL '3' SECOND "
            "PRECEDING) AS a LEFT JOIN B OVER (RANGE INTERVAL '3' SECOND PRECEDING) AS b "
            "ON a.k = b.k;");
    struct kdo_buf want;
    kdo_buf_init(&want, 64 << 20);
    kdo_time_ns t = 0;
    for (int i = 0; i < N; i++) {
        t += (kdo_time_ns)kdo_rng_below(&r, 4) * 5 * KDO_MS; /* equal times too */
        rows[i] = (struct orow){t, (int)kdo_rng_below(&r, 2), (int)kdo_rng_below(&r, KEYS), i, 0};
        for (int j = 0; j < i; j++) { /* the earlier rows of the other side in its window */
            struct orow *o = &rows[j];
            if (o->side == rows[i].side || o->k != rows[i].k || o->t < t - RANGE_MS * KDO_MS)
                continue;
            const struct orow *a = rows[i].side == 0 ? &rows[i] : o, *b = a == o ? &rows[i] : o;
            o->met = rows[i].met = 1;
            kdo_buf_printf(&want, "@%lld {\"K\":%d,\"AV\":%d.0,\"BV\":%d.0}\n",
                           (long long)(t / KDO_MS / 1000), a->k, a->v, b->v);
        }
        char k[16], v[16];
        snprintf(k, sizeof k, "%d", rows[i].k);
        snprintf(v, sizeof v, "%d", i);
        row(t, rows[i].side ? "B" : "A", k, v);
    }
    run_to(t + S(10));
    for (int i = 0; i < N; i++)
        if (rows[i].side == 0 && !rows[i].met)
            kdo_buf_printf(&want, "@%lld {\"K\":%d,\"AV\":%d.0,\"BV\":null}\n",
                           (long long)((rows[i].t + RANGE_MS * KDO_MS) / KDO_MS / 1000),
                           rows[i].k, i);
    char *a = sorted_lines(got.data), *b = sorted_lines(want.data ? want.data : "");
    ck_assert_uint_gt(strlen(b), 100000);
    ck_assert_msg(strcmp(a, b) == 0, "the join's rows differ from the brute-force join's");
    long long last = -1, at;
    for (const char *l = got.data; l && *l; l = strchr(l, '\n') + 1) {
        ck_assert_int_eq(sscanf(l, "@%lld", &at), 1);
        ck_assert_msg(at >= last, "ROWTIME went back: %lld after %lld", at, last);
        last = at;
    }
    free(a);
    free(b);
    kdo_buf_cleanup(&want);
}
END_TEST

/* ---- reference tables ---- */

static struct kdo_row_schema *names;

START_TEST(a_reference_table_is_joined_and_reloaded)
{
    names = kdo_row_schema_new();
    kdo_row_schema_add(names, "\"k\"", 3, KDO_TYPE_BIGINT, 0, NULL);
    kdo_row_schema_add(names, "\"name\"", 6, KDO_TYPE_VARCHAR, 8, NULL);
    struct kdo_program_table t = {"Names", names, KDO_ROWFMT_CSV};
    tables = &t;
    ntables = 1;
    const char *sql = "CREATE STREAM DESTINATION_SQL_STREAM (k BIGINT, n VARCHAR(8)); " PUMP
                      "SELECT STREAM s.k, \"name\" FROM SOURCE_SQL_STREAM_001 AS s "
                      "LEFT JOIN \"Names\" AS t ON s.k = t.\"k\";";
    ck_assert_msg(load(sql) == 0, "%s", err.msg);
    row(S(1), "A", "1", "0"); /* no data yet: NULL */
    const char *v1 = "k,name\n1,one\n\n2,two\n";
    ck_assert_int_eq(kdo_program_load_table(prog, "Names", v1, strlen(v1), "n.csv", &err),
                     KDO_ESCHEMA); /* the CSV header is a row, as KDA reads it: K */
    ck_assert_str_eq(err.file, "n.csv");
    ck_assert_int_eq(err.line, 1);
    v1 = "1,one\n\n2,two\n";
    ck_assert_int_eq(kdo_program_load_table(prog, "Names", v1, strlen(v1), "n.csv", &err), 0);
    row(S(2), "A", "2", "0");
    row(S(3), "A", "3", "0");
    const char *bad = "1,uno\n2,dos\nthree,3\n"; /* line 3 does not read: the table stays */
    ck_assert_int_ne(kdo_program_load_table(prog, "Names", bad, strlen(bad), "v2.csv", &err), 0);
    ck_assert_int_eq(err.line, 3);
    row(S(4), "A", "1", "0");
    const char *v2 = "1,uno\n";
    ck_assert_int_eq(kdo_program_load_table(prog, "Names", v2, strlen(v2), "v2.csv", &err), 0);
    row(S(5), "A", "1", "0");
    row(S(6), "A", "2", "0");
    ck_assert_int_eq(kdo_program_load_table(prog, "Nope", v2, strlen(v2), "v2.csv", &err),
                     KDO_EINVAL);
    ck_assert_str_eq(got.data, "@1 {\"K\":1,\"N\":null}\n@2 {\"K\":2,\"N\":\"two\"}\n"
                               "@3 {\"K\":3,\"N\":null}\n@4 {\"K\":1,\"N\":\"one\"}\n"
                               "@5 {\"K\":1,\"N\":\"uno\"}\n@6 {\"K\":2,\"N\":null}\n");
    /* a table is never the preserved side, takes no window, is read only by a join */
    const char *refused[][2] = {
        {"SELECT STREAM s.k, \"name\" FROM \"Names\" AS t LEFT JOIN SOURCE_SQL_STREAM_001 AS s "
         "ON s.k = t.\"k\"", "cannot be the preserved side"},
        {"SELECT STREAM s.k, \"name\" FROM SOURCE_SQL_STREAM_001 OVER (ROWS 2 PRECEDING) AS s "
         "JOIN \"Names\" AS t ON s.k = t.\"k\"", "takes no window"},
        {"SELECT STREAM \"k\", \"name\" FROM \"Names\"", "is a reference table"},
    };
    for (size_t i = 0; i < 3; i++) {
        char text[512];
        snprintf(text, sizeof text, "CREATE STREAM DESTINATION_SQL_STREAM (k BIGINT, "
                 "n VARCHAR(8)); " PUMP "%s;", refused[i][0]);
        ck_assert_int_ne(load(text), 0);
        ck_assert_msg(strstr(err.msg, refused[i][1]) && err.line == 1, "%s", err.msg);
    }
    kdo_program_free(prog); /* it borrows the table's schema */
    prog = NULL;
    kdo_row_schema_free(names);
    tables = NULL;
    ntables = 0;
}
END_TEST

static Suite *join_suite(void)
{
    Suite *s = suite_create("join");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, inner_pairs_within_both_windows_take_the_later_rowtime);
    tcase_add_test(tc, a_side_without_window_is_its_latest_row);
    tcase_add_test(tc, left_rows_that_met_nothing_come_at_their_window_end);
    tcase_add_test(tc, right_rows_without_window_come_at_once);
    tcase_add_test(tc, rows_windows_keep_the_latest_n_plus_one);
    tcase_add_test(tc, conditions_with_and_without_keys);
    tcase_add_test(tc, names_resolve_to_one_side);
    tcase_add_test(tc, what_is_not_built_is_refused_by_name);
    tcase_add_test(tc, a_reference_table_is_joined_and_reloaded);
    tcase_add_test(tc, a_random_join_equals_the_brute_force_one);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(join_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
