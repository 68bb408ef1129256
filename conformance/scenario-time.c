/*
 * scenario-time.c -- rows at given times: application.epoch and a row file's
 * `time:` column (scenario-int.h).
 *
 * KDA's documented examples print each input row with its ROWTIME.  Such a
 * recording replays here with every row arriving at the wall-clock time in
 * its column, measured from application.epoch (the wall-clock time of t = 0).
 * The column is cut out of the row's bytes before the source reads it: KDA
 * assigns ROWTIME itself, and a declared schema leaves it out.  Times are
 * the forms KDA prints ("2018-11-01 01:00:00.0"), ISO ("2018-11-01T01:00:00Z")
 * or a time of day ("11:00:20", that time on the epoch's date).
 *
 * The application's keys are read in the order they depend on each other
 * (scenario-app.c), the input before the rest, so a file's rows keep their
 * wall-clock (or time-of-day) milliseconds until kdo__scenario_times() has
 * read the epoch and turns them into instants.  Every error names the file
 * and line of the row at fault.
 */
#include "scenario-int.h"

#include "base/json.h"
#include "base/timestamp.h"
#include "rowfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DAY_MS INT64_C(86400000)
/* Rows later than this after the epoch are refused: instants stay far from
 * int64 nanoseconds' end, and a run lasts at most 30 days anyway. */
#define MAX_AFTER_EPOCH_MS (366 * DAY_MS)
/* The longest time text read ("2018-11-01T01:00:00.000Z" with room to spare). */
#define TIME_TEXT 40

/* The file an error points into; valid until this thread loads another
 * scenario (the scenario's own copy is freed with it on error). */
static _Thread_local char error_file[4096];

static int fail_at(struct kdo__scenario_ctx *c, const char *path, int line, int col,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail_at(struct kdo__scenario_ctx *c, const char *path, int line, int col,
                   const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(error_file, sizeof error_file, "%s", path);
    return kdo_errinfo_set(c->err, KDO_ESCHEMA, error_file, line, col, "%s", msg);
}

/* A time as KDA prints it or in ISO form: wall-clock ms (*tod 0), or the ms
 * of a time of day (*tod 1).  Returns 0 or KDO_EINVAL. */
static int parse_time(const char *s, size_t n, int64_t *ms, int *tod)
{
    char buf[TIME_TEXT];
    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n > 0 && (s[n - 1] == 'Z' || s[n - 1] == 'z')) /* UTC: all times here are */
        n--;
    if (n == 0 || n >= sizeof buf - 11 || memchr(s, '\0', n))
        return KDO_EINVAL;
    *tod = n >= 3 && s[2] == ':';
    /* A time of day is that time on 1970-01-01: its ms since midnight. */
    int len = snprintf(buf, sizeof buf, "%s%.*s", *tod ? "1970-01-01 " : "", (int)n, s);
    return kdo_timestamp_parse(buf, (size_t)len, ms) == 0 ? 0 : KDO_EINVAL;
}

/* application.epoch: a UTC date and time in years 1970..9999. */
static int read_epoch(struct kdo__scenario_ctx *c, node *map)
{
    node *n = kdo_ynode_get(map, "epoch");
    int64_t ms;
    int tod;
    if (n == NULL)
        return 0;
    if (n->type != KDO_YNODE_SCALAR || parse_time(n->text, n->len, &ms, &tod) != 0 || tod ||
        ms < 0)
        return kdo__scenario_fail(c, n,
                                  "epoch: expected a UTC date and time in years 1970 to 9999, "
                                  "such as \"2018-11-01T00:00:00Z\" or '2018-11-01 00:00:00'");
    c->s->sim.app.window.epoch_ms = ms;
    c->s->query.epoch_ms = ms;
    return 0;
}

/* ---- cutting the column out of a row ----------------------------------------------- */

/* The time column's value and the row without it. */
struct cut {
    char value[TIME_TEXT];
    size_t value_len;
    int column; /* 1-based byte column of the value in the row, for errors */
    const char *why; /* set when the row cannot be cut */
    int whole_row;   /* why is about the row, not the column */
};

/* Copies the value text, or says why it cannot be a time. */
static void keep_value(struct cut *k, const char *s, size_t n)
{
    if (n >= sizeof k->value) {
        k->why = "is too long for a time";
        return;
    }
    memcpy(k->value, s, n);
    k->value[n] = '\0';
    k->value_len = n;
}

static int name_is(const char *s, size_t n, const char *name, int nocase)
{
    return strlen(name) == n && (nocase ? strncasecmp(s, name, n) : strncmp(s, name, n)) == 0;
}

/* A JSON object row: the member named `name` (exactly, else ignoring ASCII
 * case, as the reader maps keys to columns) is cut out with its comma. */
static void json_cut(struct kdo_json *j, const char *row, size_t len, const char *name,
                     struct cut *k, struct kdo_buf *out)
{
    struct kdo_json_tok t;
    size_t key = SIZE_MAX, next = SIZE_MAX, close = 0;
    for (int nocase = 0; nocase < 2 && key == SIZE_MAX; nocase++) {
        if (kdo_json_reset(j, row, len) != 0 || kdo_json_next(j, &t) != 0 ||
            t.type != KDO_JSON_OBJECT) {
            k->why = "is not a JSON object";
            k->whole_row = 1;
            return;
        }
        while (kdo_json_next(j, &t) == 0 && t.type != KDO_JSON_END) {
            if (t.type == KDO_JSON_OBJECT_END && t.depth == 0)
                close = t.offset;
            if (t.type != KDO_JSON_KEY || t.depth != 1)
                continue;
            if (key != SIZE_MAX && next == SIZE_MAX)
                next = t.offset;
            if (key == SIZE_MAX && name_is(t.s, t.len, name, nocase)) {
                key = t.offset;
                if (kdo_json_next(j, &t) != 0 || t.type != KDO_JSON_STRING)
                    k->why = "is not a text such as \"2018-11-01 01:00:00.0\"";
                else
                    keep_value(k, t.s, t.len);
                k->column = (int)t.offset + 1;
            }
        }
    }
    if (kdo_json_error(j)) {
        k->why = "is not valid JSON";
        k->whole_row = 1;
        k->column = (int)kdo_json_error(j)->offset + 1;
        return;
    }
    if (key == SIZE_MAX) {
        k->why = "is missing";
        return;
    }
    size_t from = key, to = next != SIZE_MAX ? next : close;
    if (next == SIZE_MAX) { /* the last member: cut the comma before it, and the blanks */
        size_t p = key;
        while (p > 0 && (row[p - 1] == ' ' || row[p - 1] == '\t' || row[p - 1] == '\r'))
            p--;
        if (p > 0 && row[p - 1] == ',')
            for (from = --p; p > 0 && (row[p - 1] == ' ' || row[p - 1] == '\t'); p--)
                from = p - 1;
    }
    kdo_buf_append(out, row, from);
    kdo_buf_append(out, row + to, len - to);
}

/* Where CSV field i of row starts and ends (RFC 4180: a field opening with a
 * quote runs to the closing quote).  Returns 0, or -1 if there are fewer. */
static int csv_field(const char *row, size_t len, size_t i, size_t *start, size_t *end)
{
    size_t p = 0;
    for (size_t f = 0;; f++) {
        size_t s = p;
        if (p < len && row[p] == '"') {
            for (p++; p < len; p++)
                if (row[p] == '"' && !(p + 1 < len && row[p + 1] == '"'))
                    break;
                else if (row[p] == '"')
                    p++;
            p += p < len;
        }
        while (p < len && row[p] != ',')
            p++;
        if (f == i) {
            *start = s;
            *end = p;
            return 0;
        }
        if (p >= len)
            return -1;
        p++;
    }
}

/* A CSV record: field `idx` is cut out with one comma. */
static void csv_cut(const char *row, size_t len, size_t idx, struct cut *k, struct kdo_buf *out)
{
    size_t s, e, next_s, next_e;
    if (csv_field(row, len, idx, &s, &e) != 0) {
        k->why = "is missing (the record has fewer fields than the header)";
        return;
    }
    k->column = (int)s + 1;
    if (e - s >= 2 && row[s] == '"') /* a time holds no quotes: drop the pair */
        keep_value(k, row + s + 1, e - s - 2);
    else
        keep_value(k, row + s, e - s);
    if (csv_field(row, len, idx + 1, &next_s, &next_e) == 0) {
        e = next_s; /* the field and the comma after it */
    } else if (idx > 0) {
        s--; /* the last field: the comma before it */
    }
    kdo_buf_append(out, row, s);
    kdo_buf_append(out, row + e, len - e);
}

/* ---- reading a file's rows ------------------------------------------------------------ */

/* The header column named by time: (exactly, else ignoring case). */
int kdo__scenario_time_column(struct kdo__scenario_ctx *c, node *time,
                              const struct kdo_rowfile *f, size_t *idx)
{
    size_t n = kdo_rowfile_ncolumns(f);
    for (int nocase = 0; nocase < 2; nocase++)
        for (size_t i = 0; i < n; i++) {
            const char *col = kdo_rowfile_column(f, i);
            if (name_is(col, strlen(col), time->text, nocase)) {
                *idx = i;
                return n > 1 ? 0
                             : kdo__scenario_fail(c, time,
                                                  "time: %s is the file's only column; a row "
                                                  "needs another besides its time",
                                                  time->text);
            }
        }
    return kdo__scenario_fail(c, time, "time: %s names no column of %s's header", time->text,
                              c->csv_path);
}

/* One row's time: parsed, of the file's kind, not before the previous row. */
static int row_time(struct kdo__scenario_ctx *c, const struct cut *k, int line,
                    struct kdo__scenario_timed *td, int64_t *prev, char *prev_text, int *prev_line)
{
    int64_t ms;
    int tod;
    if (parse_time(k->value, k->value_len, &ms, &tod) != 0)
        return fail_at(c, c->csv_path, line, k->column,
                       "%s: '%s' is not a time such as '2018-11-01 01:00:00.0', "
                       "'2018-11-01T01:00:00Z' or '11:00:20'",
                       td->column, k->value);
    if (*prev_line == 0) {
        td->tod = tod;
        td->line = line;
        td->col = k->column;
        td->first = ms;
    } else if (tod != td->tod) {
        return fail_at(c, c->csv_path, line, k->column,
                       "%s: '%s' and the first row's time (line %d) differ in kind: write "
                       "every time with a date, or every one as a time of day",
                       td->column, k->value, td->line);
    } else if (ms < *prev) {
        return fail_at(c, c->csv_path, line, k->column,
                       "%s: '%s' comes before the previous row's '%s' (line %d): rows must be "
                       "in time order",
                       td->column, k->value, prev_text, *prev_line);
    }
    *prev = ms;
    *prev_line = line;
    snprintf(prev_text, TIME_TEXT, "%s", k->value);
    return 0;
}

int kdo__scenario_timed_rows(struct kdo__scenario_ctx *c, node *time, const struct kdo_rowfile *f,
                             enum kdo_rowfmt_format format, size_t idx,
                             struct kdo_source_segment *g)
{
    if (c->ntimed == KDO__SCENARIO_MAX_TIMED)
        return kdo__scenario_fail(c, time, "at most %d files with time: in one scenario",
                                  KDO__SCENARIO_MAX_TIMED);
    struct kdo__scenario_timed *td = &c->timed[c->ntimed];
    *td = (struct kdo__scenario_timed){.g = g,
                                       .path = kdo__scenario_keep(c, c->csv_path,
                                                                  strlen(c->csv_path)),
                                       .column = kdo__scenario_keep_string(c, time),
                                       .time = time};
    struct kdo_json *j = kdo_json_new(64, KDO_MAX_ROW_BYTES);
    struct kdo_buf out;
    kdo_buf_init(&out, KDO_MAX_ROW_BYTES + 1);
    int64_t prev = 0;
    char prev_text[TIME_TEXT] = "";
    int prev_line = 0, err = 0;
    for (size_t i = 0; err == 0 && i < kdo_rowfile_count(f); i++) {
        size_t len;
        const char *row = kdo_rowfile_row(f, i, &len);
        int line = kdo_rowfile_line(f, i);
        struct cut k = {.column = 1};
        out.len = 0;
        if (format == KDO_ROWFMT_CSV)
            csv_cut(row, len, idx, &k, &out);
        else
            json_cut(j, row, len, time->text, &k, &out);
        if (k.why && k.whole_row)
            err = fail_at(c, c->csv_path, line, k.column, "the row %s", k.why);
        else if (k.why)
            err = fail_at(c, c->csv_path, line, k.column, "the row's %s %s", td->column, k.why);
        else if ((err = row_time(c, &k, line, td, &prev, prev_text, &prev_line)) == 0)
            kdo_source_segment_add_row_at(g, out.data ? out.data : "", out.len, prev);
    }
    kdo_buf_cleanup(&out);
    kdo_json_free(j);
    c->ntimed += err == 0;
    return err;
}

/* ---- instants ----------------------------------------------------------------------- */

/* application.epoch, then every timed file's rows as instants after it. */
int kdo__scenario_times(struct kdo__scenario_ctx *c, node *map)
{
    int err = read_epoch(c, map);
    int64_t epoch = c->s->sim.app.window.epoch_ms, midnight = epoch - epoch % DAY_MS;
    char a[KDO_TIMESTAMP_TEXT] = "", b[KDO_TIMESTAMP_TEXT] = "";
    for (size_t i = 0; err == 0 && i < c->ntimed; i++) {
        struct kdo__scenario_timed *td = &c->timed[i];
        struct kdo_source_segment *g = td->g;
        int64_t base = td->tod ? midnight : 0;
        if (base + td->first < epoch) {
            kdo_timestamp_format(base + td->first, a);
            kdo_timestamp_format(epoch, b);
            return fail_at(c, td->path, td->line, td->col,
                           "%s: the first row's time %s is before application.epoch %s",
                           td->column, a, b);
        }
        for (size_t r = 0; r < g->nrows; r++) {
            int64_t after = base + g->row_times[r] - epoch;
            if (after > MAX_AFTER_EPOCH_MS)
                return kdo__scenario_fail(c, td->time,
                                          "time: a row of %s comes more than 366 days after "
                                          "application.epoch",
                                          td->path);
            g->row_times[r] = after * KDO_MS;
        }
    }
    return err;
}
