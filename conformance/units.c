/*
 * units.c -- numbers with units, strictly: no trailing junk, no overflow.
 */
#include "units.h"

#include "base/errors.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit {
    const char *name;
    double factor;
};

static int fail(char *why, size_t n, const char *s, const char *expected)
{
    snprintf(why, n, "found \"%s\", expected %s", s, expected);
    return KDO_ESCHEMA;
}

/* Splits "12.5ms" into 12.5 and "ms"; 0 on success. */
static int split(const char *s, double *num, const char **unit)
{
    char *end;
    if (*s == '\0' || *s == ' ' || *s == '+' || (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
        return -1; /* strtod would take hexadecimal */
    errno = 0;
    *num = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(*num))
        return -1;
    while (*end == ' ')
        end++;
    *unit = end;
    return 0;
}

static int with_units(const char *s, const struct unit *units, double bare, double *out)
{
    double num;
    const char *unit;
    if (split(s, &num, &unit) != 0)
        return -1;
    if (*unit == '\0') {
        *out = num * bare;
        return 0;
    }
    for (const struct unit *u = units; u->name; u++)
        if (strcmp(unit, u->name) == 0) {
            *out = num * u->factor;
            return 0;
        }
    return -1;
}

int kdo_units_duration(const char *s, kdo_time_ns *out, char *why, size_t why_size)
{
    static const struct unit units[] = {
        {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"min", 60e9},
        {"h", 3600e9}, {"d", 86400e9}, {NULL, 0},
    };
    double v;
    /* A year at most, so deadlines computed from durations never overflow. */
    if (with_units(s, units, 1e9, &v) != 0 || v < 0 || v > 366 * 86400e9)
        return fail(why, why_size, s, "a duration such as 250ms, 60s, 1.5s, 2m, 1h or 1d (at most 366d)");
    *out = (kdo_time_ns)llround(v);
    return 0;
}

int kdo_units_size(const char *s, uint64_t *out, char *why, size_t why_size)
{
    static const struct unit units[] = {
        {"B", 1}, {"KB", 1024.0}, {"KiB", 1024.0}, {"MB", 1048576.0}, {"MiB", 1048576.0},
        {"GB", 1073741824.0}, {"GiB", 1073741824.0}, {NULL, 0},
    };
    double v;
    if (with_units(s, units, 1, &v) != 0 || v < 0 || v > 1.8e19 || v != floor(v))
        return fail(why, why_size, s, "a whole size such as 100B, 512KB or 6MB (KB = 1024 B)");
    *out = (uint64_t)v;
    return 0;
}

int kdo_units_rate(const char *s, double *per_second, char *why, size_t why_size)
{
    static const struct unit units[] = {
        {"/s", 1}, {"/sec", 1}, {"/min", 1.0 / 60}, {"/m", 1.0 / 60}, {"/h", 1.0 / 3600}, {NULL, 0},
    };
    double v;
    if (with_units(s, units, 1, &v) != 0 || v < 0 || v > 1e7)
        return fail(why, why_size, s, "a rate such as 1000/s, 60/min or 3600/h (at most 10000000/s)");
    *per_second = v;
    return 0;
}

int kdo_units_count(const char *s, uint64_t *out, char *why, size_t why_size)
{
    char *end;
    if (*s < '0' || *s > '9')
        return fail(why, why_size, s, "a whole number such as 0, 3 or 1000");
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return fail(why, why_size, s, "a whole number such as 0, 3 or 1000");
    *out = v;
    return 0;
}

int kdo_units_probability(const char *s, double *out, char *why, size_t why_size)
{
    static const struct unit units[] = {{"%", 0.01}, {NULL, 0}};
    double v;
    if (with_units(s, units, 1, &v) != 0 || v < 0 || v > 1)
        return fail(why, why_size, s, "a probability between 0 and 1, or a percentage such as 25%");
    *out = v;
    return 0;
}

int kdo_units_bool(const char *s, int *out, char *why, size_t why_size)
{
    if (strcmp(s, "true") == 0) {
        *out = 1;
        return 0;
    }
    if (strcmp(s, "false") == 0) {
        *out = 0;
        return 0;
    }
    return fail(why, why_size, s, "true or false");
}

int kdo_units_number(const char *s, double *out, char *why, size_t why_size)
{
    double v;
    const char *unit;
    if (split(s, &v, &unit) != 0 || *unit != '\0')
        return fail(why, why_size, s, "a number such as 0, 1.5 or -2");
    *out = v;
    return 0;
}
