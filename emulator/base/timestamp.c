/*
 * timestamp.c -- see timestamp.h.
 */
#include "base/timestamp.h"

#include "base/errors.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MS_PER_DAY INT64_C(86400000)

/* --- timestamps -------------------------------------------------------- */

int64_t kdo_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void kdo_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int kdo_timestamp_format(int64_t ms, char out[KDO_TIMESTAMP_TEXT])
{
    if (ms < KDO_TIMESTAMP_MIN_MS || ms > KDO_TIMESTAMP_MAX_MS) {
        out[0] = '\0';
        return KDO_EINVAL;
    }
    int64_t days = ms / MS_PER_DAY, rem = ms % MS_PER_DAY;
    if (rem < 0) {
        days--;
        rem += MS_PER_DAY;
    }
    int64_t y;
    int m, d;
    kdo_civil_from_days(days, &y, &m, &d);
    int sec = (int)(rem / 1000);
    char tmp[64]; /* the fields are in range; the compiler cannot tell */
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d %02d:%02d:%02d.%03d", (int)y, m, d, sec / 3600,
             sec / 60 % 60, sec % 60, (int)(rem % 1000));
    memcpy(out, tmp, KDO_TIMESTAMP_TEXT - 1);
    out[KDO_TIMESTAMP_TEXT - 1] = '\0';
    return 0;
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Exactly `width` digits at s[*at]; advances *at. */
static bool digits(const char *s, size_t n, size_t *at, int width, int *v)
{
    *v = 0;
    for (int k = 0; k < width; k++, (*at)++) {
        if (*at >= n || s[*at] < '0' || s[*at] > '9')
            return false;
        *v = *v * 10 + (s[*at] - '0');
    }
    return true;
}

static bool expect_char(const char *s, size_t n, size_t *at, char c)
{
    if (*at >= n || s[*at] != c)
        return false;
    (*at)++;
    return true;
}

/* The optional ".S", ".SS" or ".SSS" at s[*at], as milliseconds. */
static bool fraction(const char *s, size_t n, size_t *at, int *ms)
{
    *ms = 0;
    if (*at == n)
        return true;
    if (!expect_char(s, n, at, '.'))
        return false;
    int width = 0;
    while (*at < n && width < 3 && s[*at] >= '0' && s[*at] <= '9') {
        *ms = *ms * 10 + (s[(*at)++] - '0');
        width++;
    }
    if (width == 0)
        return false;
    for (; width < 3; width++)
        *ms *= 10;
    return *at == n;
}

int kdo_timestamp_parse(const char *s, size_t n, int64_t *ms)
{
    size_t at = 0;
    int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0;
    if (!digits(s, n, &at, 4, &y) || !expect_char(s, n, &at, '-') || !digits(s, n, &at, 2, &mo) ||
        !expect_char(s, n, &at, '-') || !digits(s, n, &at, 2, &d))
        return KDO_EINVAL;
    if (at < n) {
        if (s[at] != ' ' && s[at] != 'T')
            return KDO_EINVAL;
        at++;
        if (!digits(s, n, &at, 2, &h) || !expect_char(s, n, &at, ':') ||
            !digits(s, n, &at, 2, &mi) || !expect_char(s, n, &at, ':') ||
            !digits(s, n, &at, 2, &sec) || !fraction(s, n, &at, &frac))
            return KDO_EINVAL;
    }
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        sec > 59)
        return KDO_EINVAL;
    *ms = kdo_days_from_civil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi) * 60 + sec) * INT64_C(1000) +
          frac;
    return 0;
}
