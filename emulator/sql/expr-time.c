/*
 * expr-time.c -- INTERVAL literals, calendar arithmetic (months and years)
 * and the SimpleDateFormat templates of CHAR_TO_TIMESTAMP and
 * TIMESTAMP_TO_CHAR.
 *
 * Day-time intervals are milliseconds and year-month intervals months, as
 * KDA keeps them; a value does not remember its qualifier (DAY TO HOUR):
 * its text needs one, which the compiled node keeps where it is known.  Calendar code is H. Hinnant's civil
 * algorithms, integer only, with no time zone: everything is UTC.
 * Templates follow java.text.SimpleDateFormat as the SQL Reference's worked
 * examples show it (GAPS #24): fields in any order, missing ones from
 * 1970-01-01 00:00:00, trailing input ignored, out-of-range fields an error
 * (KDA drops the row).  One deliberate difference: a two-digit `yy` year
 * maps into 1950..2049, a fixed window, where Java slides it with the clock
 * (an expression reads no clock).
 */
#include "base/timestamp.h"
#include "sql/expr-int.h"

#include <stdio.h>
#include <string.h>

#define DAY_MS INT64_C(86400000)

/* --- the civil calendar ------------------------------------------------------- */

static int month_days(int64_t y, int m)
{
    static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : n[m - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static bool in_range(int64_t ms)
{
    return ms >= KDO_TIMESTAMP_MIN_MS && ms <= KDO_TIMESTAMP_MAX_MS;
}

int kdo__expr_add_months(int64_t ts_ms, int64_t months, int64_t *out)
{
    if (months > 12 * 10000 || months < -12 * 10000)
        return KDO_EINVAL;
    int64_t days = floor_div(ts_ms, DAY_MS), y;
    int m, d;
    kdo_civil_from_days(days, &y, &m, &d);
    int64_t total = y * 12 + (m - 1) + months;
    int64_t ny = floor_div(total, 12);
    int nm = (int)(total - ny * 12) + 1;
    if (d > month_days(ny, nm))
        d = month_days(ny, nm);
    *out = kdo_days_from_civil(ny, nm, d) * DAY_MS + (ts_ms - days * DAY_MS);
    return in_range(*out) ? 0 : KDO_EINVAL;
}

int kdo__expr_floor_months(int64_t ts_ms, int64_t months, bool ceil, int64_t *out)
{
    int64_t y;
    int m, d;
    kdo_civil_from_days(floor_div(ts_ms, DAY_MS), &y, &m, &d);
    int64_t idx = y * 12 + (m - 1) - 1970 * 12;
    int64_t f = floor_div(idx, months) * months + 1970 * 12;
    *out = kdo_days_from_civil(floor_div(f, 12), (int)(f - floor_div(f, 12) * 12) + 1, 1) * DAY_MS;
    if (ceil && *out != ts_ms)
        return kdo__expr_add_months(*out, months, out);
    return in_range(*out) ? 0 : KDO_EINVAL;
}

/* --- INTERVAL literals --------------------------------------------------------- */

/* Reads digits at s[*i..n) (at most `max` of them) into *v; false for none. */
static bool digits(const char *s, size_t n, size_t *i, int max, int64_t *v, int *count)
{
    *v = 0;
    *count = 0;
    while (*i < n && s[*i] >= '0' && s[*i] <= '9' && *count < max) {
        *v = *v * 10 + (s[*i] - '0');
        ++*i;
        ++*count;
    }
    return *count > 0;
}

static const char *const unit_names[] = {"", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};

/* The fields of 'text' for units start..end into f[unit]; false if malformed. */
static bool interval_fields(const char *s, size_t n, enum kdo_ast_unit start, enum kdo_ast_unit end,
                            int64_t f[8], bool *minus)
{
    static const int64_t limit[] = {0, 0, 12, 0, 24, 60, 60};
    size_t i = 0;
    int cnt;
    while (i < n && s[i] == ' ')
        i++;
    *minus = i < n && s[i] == '-';
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    for (int u = (int)start; u <= (int)end; u++) {
        if (u > (int)start && (i >= n || s[i++] != (u == KDO_AST_UNIT_MONTH ? '-'
                                                    : u == KDO_AST_UNIT_HOUR ? ' '
                                                                             : ':')))
            return false;
        if (!digits(s, n, &i, u == (int)start ? 9 : 2, &f[u], &cnt))
            return false;
        if (u > (int)start && f[u] >= limit[u])
            return false;
    }
    f[7] = 0; /* milliseconds */
    if (end == KDO_AST_UNIT_SECOND && i < n && s[i] == '.') {
        i++;
        int64_t frac;
        if (!digits(s, n, &i, 9, &frac, &cnt))
            return false;
        for (; cnt > 3; cnt--)
            frac /= 10; /* below a millisecond: dropped, as the value keeps ms */
        for (; cnt < 3; cnt++)
            frac *= 10;
        f[7] = frac;
    }
    while (i < n && s[i] == ' ')
        i++;
    return i == n;
}

static bool mixes(enum kdo_ast_unit start, enum kdo_ast_unit end)
{
    bool ym = start == KDO_AST_UNIT_YEAR || start == KDO_AST_UNIT_MONTH;
    return ym != (end == KDO_AST_UNIT_YEAR || end == KDO_AST_UNIT_MONTH) || end < start;
}

int kdo__expr_interval_text(const char *s, size_t n, enum kdo_ast_unit start, enum kdo_ast_unit end,
                            struct kdo_value *v)
{
    bool ym = start == KDO_AST_UNIT_YEAR || start == KDO_AST_UNIT_MONTH, minus;
    int64_t f[8] = {0};
    if (end == KDO_AST_UNIT_NONE)
        end = start;
    if (mixes(start, end) || !interval_fields(s, n, start, end, f, &minus))
        return KDO_EINVAL;
    int64_t total = ym ? f[1] * 12 + f[2]
                       : f[3] * DAY_MS + f[4] * 3600000 + f[5] * 60000 + f[6] * 1000 + f[7];
    v->type = ym ? KDO_TYPE_INTERVAL_YM : KDO_TYPE_INTERVAL_DS;
    v->u.i = minus ? -total : total;
    return 0;
}

int kdo__expr_interval(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, struct kdo_value *v)
{
    enum kdo_ast_unit start = ax->qual.start, end = ax->qual.end ? ax->qual.end : ax->qual.start;
    if (mixes(start, end))
        return kdo__expr_fail(c->e, ax->line, ax->col, KDO_EPARSE,
                              "INTERVAL %s TO %s mixes months and days", unit_names[start],
                              unit_names[end]);
    if (kdo__expr_interval_text(ax->text, ax->len, start, end, v))
        return kdo__expr_fail(c->e, ax->line, ax->col, KDO_EPARSE, "bad INTERVAL '%.*s' %s%s%s",
                              (int)(ax->len > 64 ? 64 : ax->len), ax->text, unit_names[start],
                              end != start ? " TO " : "", end != start ? unit_names[end] : "");
    if (ax->op < 0)
        v->u.i = -v->u.i;
    return 0;
}

int64_t kdo__expr_unit_ms(enum kdo_ast_unit u)
{
    static const int64_t ms[] = {[KDO_AST_UNIT_YEAR] = 12, [KDO_AST_UNIT_MONTH] = 1,
                                 [KDO_AST_UNIT_DAY] = DAY_MS, [KDO_AST_UNIT_HOUR] = 3600000,
                                 [KDO_AST_UNIT_MINUTE] = 60000, [KDO_AST_UNIT_SECOND] = 1000};
    return u >= KDO_AST_UNIT_YEAR && u <= KDO_AST_UNIT_SECOND ? ms[u] : 1;
}

/* KDA's interval text: a sign, the leading field unpadded, the others two
 * digits after their separator ('-' before MONTH, ' ' before HOUR, ':'),
 * and milliseconds after SECOND when there are any: +3 04:20, -1-06, +6:11.
 * Fields below the qualifier's last unit are cut. */
size_t kdo__expr_interval_format(int64_t v, enum kdo_ast_unit start, enum kdo_ast_unit end,
                                 char out[64])
{
    uint64_t a = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    size_t n = (size_t)snprintf(out, 64, "%c", v < 0 ? '-' : '+');
    if (end == KDO_AST_UNIT_NONE)
        end = start;
    for (int u = (int)start; u <= (int)end; u++) {
        uint64_t w = (uint64_t)kdo__expr_unit_ms((enum kdo_ast_unit)u);
        uint64_t f = a / w;
        a %= w;
        const char *sep = u == (int)start        ? ""
                          : u == KDO_AST_UNIT_MONTH ? "-"
                          : u == KDO_AST_UNIT_HOUR  ? " "
                                                    : ":";
        n += (size_t)snprintf(out + n, 64 - n, u == (int)start ? "%s%llu" : "%s%02llu", sep,
                              (unsigned long long)f);
    }
    if (end == KDO_AST_UNIT_SECOND && a)
        n += (size_t)snprintf(out + n, 64 - n, ".%03llu", (unsigned long long)a);
    return n;
}

/* --- SimpleDateFormat templates -------------------------------------------------- */

static const char *const months[] = {"January", "February", "March",     "April",
                                     "May",     "June",     "July",      "August",
                                     "September", "October", "November", "December"};
static const char *const weekdays[] = {"Thursday", "Friday", "Saturday", "Sunday",
                                       "Monday",   "Tuesday", "Wednesday"};

/* The fields a template sets. */
struct fields {
    int64_t y;
    int mo, d, h, mi, s, ms;
    bool pm, h12;
};

static bool prefix_ci(const char *s, size_t n, const char *word, size_t wn)
{
    if (n < wn)
        return false;
    for (size_t k = 0; k < wn; k++)
        if ((s[k] | 0x20) != (word[k] | 0x20))
            return false;
    return true;
}

/* MMM: a month's full name or its first three letters. */
static bool month_name(const char *s, size_t n, size_t *i, int *mo)
{
    for (int k = 0; k < 12; k++) {
        size_t full = strlen(months[k]);
        size_t len = prefix_ci(s + *i, n - *i, months[k], full) ? full
                     : prefix_ci(s + *i, n - *i, months[k], 3) ? 3
                                                                : 0;
        if (len) {
            *i += len;
            *mo = k + 1;
            return true;
        }
    }
    return false;
}

static bool is_field(char ch)
{
    return ch && strchr("yMdHhmsSa", ch) != NULL;
}

/* One field of `run` letters ch; adjacent fields (yyyyMMdd) take exactly run digits. */
static bool parse_field(char ch, size_t run, bool adjacent, const char *s, size_t n, size_t *i,
                        struct fields *f)
{
    while (*i < n && s[*i] == ' ')
        ++*i; /* SimpleDateFormat skips blanks before a field ('MMM dd,y' reads ", 2010") */
    if (ch == 'M' && run >= 3)
        return month_name(s, n, i, &f->mo);
    if (ch == 'a') {
        if (!prefix_ci(s + *i, n - *i, "AM", 2) && !prefix_ci(s + *i, n - *i, "PM", 2))
            return false;
        f->pm = (s[*i] | 0x20) == 'p';
        *i += 2;
        return true;
    }
    int64_t v;
    int cnt;
    size_t at = *i;
    if (!digits(s, n, i, adjacent && run < 9 ? (int)run : 9, &v, &cnt))
        return false;
    switch (ch) {
    case 'y':
        f->y = run == 2 && cnt == 2 ? (v < 50 ? 2000 + v : 1900 + v) : v;
        return true;
    case 'M':
        f->mo = (int)v;
        return v >= 1 && v <= 12;
    case 'd':
        f->d = (int)v;
        return v >= 1 && v <= 31;
    case 'H':
        f->h = (int)v;
        return v <= 23;
    case 'h':
        f->h = (int)(v == 12 ? 0 : v);
        f->h12 = true;
        return v >= 1 && v <= 12;
    case 'm':
        f->mi = (int)v;
        return v <= 59;
    case 's':
        f->s = (int)v;
        return v <= 59;
    default: /* S */
        f->ms = (int)v;
        return v <= 999 && *i > at;
    }
}

/* A '...' quoted literal of the template at fmt[*k] ('' is one quote). */
static bool quoted(const char *fmt, size_t fn, size_t *k, const char *s, size_t n, size_t *i)
{
    for (++*k; *k < fn; ++*k) {
        if (fmt[*k] == '\'' && !(*k + 1 < fn && fmt[*k + 1] == '\''))
            return true;
        if (fmt[*k] == '\'')
            ++*k;
        if (*i >= n || s[(*i)++] != fmt[*k])
            return false;
    }
    return false;
}

int kdo__expr_char_to_ts(const char *fmt, size_t fn, const char *s, size_t n, int64_t *ms)
{
    struct fields f = {.y = 1970, .mo = 1, .d = 1};
    size_t i = 0;
    for (size_t k = 0; k < fn; k++) {
        char ch = fmt[k];
        if (ch == '\'') {
            if (!quoted(fmt, fn, &k, s, n, &i))
                return KDO_EINVAL;
        } else if (is_field(ch)) {
            size_t run = 1;
            while (k + run < fn && fmt[k + run] == ch)
                run++;
            bool adjacent = k + run < fn && is_field(fmt[k + run]);
            if (!parse_field(ch, run, adjacent, s, n, &i, &f))
                return KDO_EINVAL;
            k += run - 1;
        } else if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')) {
            return KDO_EINVAL; /* E, z, Z, ...: not built */
        } else if (i >= n || s[i++] != ch) {
            return KDO_EINVAL;
        }
    }
    if (f.y < 1 || f.y > 9999 || f.d > month_days(f.y, f.mo))
        return KDO_EINVAL;
    int h = f.h + (f.h12 && f.pm ? 12 : 0);
    *ms = kdo_days_from_civil(f.y, f.mo, f.d) * DAY_MS + h * INT64_C(3600000) + f.mi * 60000 +
          f.s * 1000 + f.ms;
    return 0;
}

/* Appends field ch x run of time ms to out. */
static int format_field(char ch, size_t run, int64_t ms, char *out, size_t cap, size_t *len)
{
    int64_t days = floor_div(ms, DAY_MS), y, rest = ms - days * DAY_MS;
    int mo, d;
    kdo_civil_from_days(days, &y, &mo, &d);
    int64_t v;
    switch (ch) {
    case 'y': v = run == 2 ? y % 100 : y; break;
    case 'M':
        if (run >= 3)
            return snprintf(out + *len, cap - *len, "%.*s", run == 3 ? 3 : 9, months[mo - 1]) < 0;
        v = mo;
        break;
    case 'd': v = d; break;
    case 'H': v = rest / 3600000; break;
    case 'h': v = (rest / 3600000) % 12 ? (rest / 3600000) % 12 : 12; break;
    case 'm': v = rest / 60000 % 60; break;
    case 's': v = rest / 1000 % 60; break;
    case 'S': v = rest % 1000; break;
    case 'a': return snprintf(out + *len, cap - *len, "%s", rest >= 43200000 ? "PM" : "AM") < 0;
    case 'k': v = rest / 3600000 ? rest / 3600000 : 24; break;
    case 'K': v = (rest / 3600000) % 12; break;
    case 'D': v = days - kdo_days_from_civil(y, 1, 1) + 1; break;
    case 'F': v = (d - 1) / 7 + 1; break;
    case 'u': v = (floor_div(days, 1) % 7 + 7 + 3) % 7 + 1; break; /* 1970-01-01 was a Thursday */
    case 'z': return snprintf(out + *len, cap - *len, "%s", run >= 4 ? "Coordinated Universal Time"
                                                                     : "UTC") < 0;
    case 'Z': return snprintf(out + *len, cap - *len, "+0000") < 0;
    case 'X': return snprintf(out + *len, cap - *len, "Z") < 0;
    default: /* E */
        return snprintf(out + *len, cap - *len, "%.*s", run >= 4 ? 9 : 3,
                        weekdays[floor_div(days, 1) % 7 < 0 ? floor_div(days, 1) % 7 + 7
                                                            : floor_div(days, 1) % 7]) < 0;
    }
    return snprintf(out + *len, cap - *len, "%0*lld", (int)(run > 9 ? 9 : run), (long long)v) < 0;
}

int kdo__expr_ts_to_char(const char *fmt, size_t fn, int64_t ms, char *out, size_t cap,
                         size_t *len)
{
    *len = 0;
    out[0] = '\0';
    for (size_t k = 0; k < fn && *len + 16 < cap; k++) {
        char ch = fmt[k];
        if (ch == '\'') {
            for (++k; k < fn && *len + 1 < cap; k++) {
                if (fmt[k] == '\'' && !(k + 1 < fn && fmt[k + 1] == '\''))
                    break;
                k += fmt[k] == '\'';
                out[(*len)++] = fmt[k];
            }
            out[*len] = '\0';
            continue;
        }
        if (!is_field(ch) && !(ch && strchr("EkKDFuzZX", ch))) { /* w, W, Y: week rules of a locale */
            if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))
                return KDO_EINVAL;
            out[(*len)++] = ch;
            out[*len] = '\0';
            continue;
        }
        size_t run = 1;
        while (k + run < fn && fmt[k + run] == ch)
            run++;
        if (format_field(ch, run, ms, out, cap, len))
            return KDO_EINVAL;
        *len += strlen(out + *len);
        k += run - 1;
    }
    return *len + 16 < cap ? 0 : KDO_ETOOBIG;
}
