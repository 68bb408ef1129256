/*
 * number.h -- numbers as text, as KDA (on the JVM) wrote and read them.  Base layer.
 */
#ifndef KDO_NUMBER_H
#define KDO_NUMBER_H

#include <stddef.h>
#include <stdint.h>

/* Writes a DOUBLE as Java's Double.toString does (KDA ran on the JVM), with
 * the shortest digits that read back to the same double: "82.5", "-0.32",
 * "1.0", "1.0E7", "1.0E-5".  out must hold 32 bytes.  Returns the length. */
size_t kdo_double_format(double d, char out[32]);
/* Writes v in decimal ("-42"), without snprintf's format parsing, which
 * showed in bench_window's output rows.  Returns the length. */
size_t kdo_int64_format(int64_t v, char out[21]);
/* Strict decimal text to double: optional sign, digits, optional fraction
 * and exponent; no hex, no inf/nan, finite result.  Returns 0 or
 * KDO_EINVAL. */
int kdo_double_parse(const char *s, size_t n, double *d);
/* Strict decimal integer text (optional sign) to int64.  Returns 0 or
 * KDO_EINVAL (syntax or range). */
int kdo_bigint_parse(const char *s, size_t n, int64_t *i);

#endif
