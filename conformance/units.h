/*
 * units.h -- reading the values a person writes in a scenario.
 *
 * Durations "250ms", "60s", "1.5s", "2m", "1h" (a bare number is seconds);
 * sizes "100B", "512KB", "6MB" (KB/MB/GB are powers of 1024, as AWS's "6 MB"
 * payload limit is 6 x 2^20 bytes; KiB/MiB/GiB mean the same), a bare number
 * is bytes; rates "1000/s", "60/min", "3600/h"; counts; probabilities "0.25"
 * or "25%"; booleans true/false.  Every parser takes the whole text, returns
 * 0 or KDO_ESCHEMA, and on error writes what was expected into `why`.
 */
#ifndef KDO_UNITS_H
#define KDO_UNITS_H

#include "base/ktime.h"

#include <stddef.h>
#include <stdint.h>

int kdo_units_duration(const char *s, kdo_time_ns *out, char *why, size_t why_size);
int kdo_units_size(const char *s, uint64_t *out, char *why, size_t why_size);
int kdo_units_rate(const char *s, double *per_second, char *why, size_t why_size);
int kdo_units_count(const char *s, uint64_t *out, char *why, size_t why_size);
int kdo_units_probability(const char *s, double *out, char *why, size_t why_size);
int kdo_units_bool(const char *s, int *out, char *why, size_t why_size);
/* A number, possibly negative and fractional ("-1.5", "1e3"). */
int kdo_units_number(const char *s, double *out, char *why, size_t why_size);

#endif
