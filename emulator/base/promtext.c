/*
 * promtext.c -- the Prometheus text format 0.0.4 writer (promtext.h).
 *
 * Invariant: what is in `out` is always a valid exposition up to the last
 * complete line: every sample belongs to the family whose HELP and TYPE came
 * last, and no family appears twice.  A call that fails writes nothing
 * (label and name checks come before the first byte), except when `out`
 * fills, which is kept in `error` and said by every later call.
 */
#include "base/promtext.h"

#include "base/errors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kdo_promtext_init(struct kdo_promtext *w, struct kdo_buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

void kdo_promtext_cleanup(struct kdo_promtext *w)
{
    w->out = NULL;
    w->nseen = 0;
}

static int keep(struct kdo_promtext *w, int rc)
{
    if (rc != 0 && w->error == 0)
        w->error = rc;
    return rc;
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* for metrics; labels the same without ':'. */
static int valid_name(const char *s, int colon)
{
    size_t n = strlen(s);
    if (n == 0 || n > KDO_PROMTEXT_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                    (colon && c == ':');
        if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
            return 0;
    }
    return 1;
}

static int valid_labels(const struct kdo_promtext_label *l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (l[i].value == NULL || !valid_name(l[i].name, 0) || strncmp(l[i].name, "__", 2) == 0)
            return 0;
    return 1;
}

/* Text escaped for a HELP line (\\ and \n) or a label value (also \"). */
static int put_escaped(struct kdo_buf *b, const char *s, int quote)
{
    int rc = 0;
    for (; *s && rc == 0; s++) {
        if (*s == '\\')
            rc = kdo_buf_puts(b, "\\\\");
        else if (*s == '\n')
            rc = kdo_buf_puts(b, "\\n");
        else if (quote && *s == '"')
            rc = kdo_buf_puts(b, "\\\"");
        else
            rc = kdo_buf_append(b, s, 1);
    }
    return rc;
}

void kdo_promtext_number(double v, char out[32])
{
    if (isnan(v)) {
        strcpy(out, "NaN");
    } else if (isinf(v)) {
        strcpy(out, v > 0 ? "+Inf" : "-Inf");
    } else if (v == floor(v) && fabs(v) < 9007199254740992.0) { /* 2^53: exact */
        snprintf(out, 32, "%.0f", v);
    } else {
        for (int p = 1; p <= 17; p++) { /* the shortest text that reads back as v */
            snprintf(out, 32, "%.*g", p, v);
            if (strtod(out, NULL) == v)
                break;
        }
    }
}

static const char *type_name(enum kdo_promtext_type t)
{
    switch (t) {
    case KDO_PROMTEXT_COUNTER: return "counter";
    case KDO_PROMTEXT_GAUGE: return "gauge";
    case KDO_PROMTEXT_HISTOGRAM: return "histogram";
    case KDO_PROMTEXT_UNTYPED: break;
    }
    return "untyped";
}

static int was_seen(const struct kdo_promtext *w, const char *name)
{
    for (size_t i = 0; i < w->nseen; i++)
        if (strcmp(w->seen[i], name) == 0)
            return 1;
    return 0;
}

int kdo_promtext_family(struct kdo_promtext *w, const char *name, enum kdo_promtext_type type,
                        const char *help)
{
    if (w->error)
        return w->error;
    if (!valid_name(name, 1))
        return KDO_EINVAL;
    if (strcmp(name, w->family) == 0)
        return type == w->type ? 0 : KDO_ESTATE;
    if (was_seen(w, name))
        return KDO_ESTATE; /* reopening it would split the family */
    if (w->nseen == KDO_PROMTEXT_FAMILIES_MAX)
        return KDO_EFULL;
    int rc = kdo_buf_printf(w->out, "# HELP %s ", name);
    if (rc == 0)
        rc = put_escaped(w->out, help ? help : "", 0);
    if (rc == 0)
        rc = kdo_buf_printf(w->out, "\n# TYPE %s %s\n", name, type_name(type));
    if (rc != 0)
        return keep(w, rc);
    strcpy(w->seen[w->nseen++], name);
    strcpy(w->family, name);
    w->type = type;
    return 0;
}

/* `family` + suffix + {labels[, le="..."]}; the caller adds the value. */
static int put_series(struct kdo_promtext *w, const char *suffix,
                      const struct kdo_promtext_label *l, size_t n, const char *le)
{
    int rc = kdo_buf_printf(w->out, "%s%s", w->family, suffix);
    if (rc == 0 && (n > 0 || le))
        rc = kdo_buf_puts(w->out, "{");
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = kdo_buf_printf(w->out, "%s%s=\"", i ? "," : "", l[i].name);
        if (rc == 0)
            rc = put_escaped(w->out, l[i].value, 1);
        if (rc == 0)
            rc = kdo_buf_puts(w->out, "\"");
    }
    if (rc == 0 && le)
        rc = kdo_buf_printf(w->out, "%sle=\"%s\"", n ? "," : "", le);
    if (rc == 0 && (n > 0 || le))
        rc = kdo_buf_puts(w->out, "}");
    return rc;
}

static int put_sample(struct kdo_promtext *w, const char *suffix,
                      const struct kdo_promtext_label *l, size_t n, const char *le, double v)
{
    char num[32];
    kdo_promtext_number(v, num);
    int rc = put_series(w, suffix, l, n, le);
    if (rc == 0)
        rc = kdo_buf_printf(w->out, " %s\n", num);
    return keep(w, rc);
}

int kdo_promtext_value(struct kdo_promtext *w, const struct kdo_promtext_label *labels,
                       size_t nlabels, double v)
{
    if (w->error)
        return w->error;
    if (w->family[0] == '\0' || w->type == KDO_PROMTEXT_HISTOGRAM)
        return KDO_ESTATE;
    if (!valid_labels(labels, nlabels))
        return KDO_EINVAL;
    return put_sample(w, "", labels, nlabels, NULL, v);
}

static int valid_bounds(const struct kdo_promtext_label *l, size_t n, const double *le,
                        size_t nle)
{
    for (size_t i = 0; i < n; i++)
        if (l[i].name && strcmp(l[i].name, "le") == 0)
            return 0;
    for (size_t i = 0; i < nle; i++)
        if (isnan(le[i]) || isinf(le[i]) || (i > 0 && le[i] <= le[i - 1]))
            return 0;
    return valid_labels(l, n);
}

int kdo_promtext_histogram(struct kdo_promtext *w, const struct kdo_promtext_label *labels,
                           size_t nlabels, const double *le, size_t nle, const uint64_t *counts,
                           double sum)
{
    if (w->error)
        return w->error;
    if (w->type != KDO_PROMTEXT_HISTOGRAM || w->family[0] == '\0')
        return KDO_ESTATE;
    if (!valid_bounds(labels, nlabels, le, nle))
        return KDO_EINVAL;
    uint64_t below = 0;
    int rc = 0;
    for (size_t i = 0; i <= nle && rc == 0; i++) {
        char bound[32];
        below += counts[i];
        if (i < nle)
            kdo_promtext_number(le[i], bound);
        rc = put_sample(w, "_bucket", labels, nlabels, i < nle ? bound : "+Inf", (double)below);
    }
    if (rc == 0)
        rc = put_sample(w, "_sum", labels, nlabels, NULL, sum);
    if (rc == 0)
        rc = put_sample(w, "_count", labels, nlabels, NULL, (double)below);
    return rc;
}

int kdo_promtext_cloudwatch_name(const char *cw, const char *suffix, char *out, size_t n)
{
    static const char prefix[] = "kdaout_";
    size_t len = sizeof prefix - 1, cwlen = strlen(cw), sfx = suffix ? strlen(suffix) : 0;
    if (cwlen == 0)
        return KDO_EINVAL;
    if (len + cwlen + sfx + 1 > n)
        return KDO_ETOOBIG;
    memcpy(out, prefix, len);
    for (size_t i = 0; i < cwlen; i++) {
        char c = cw[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        out[len++] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_';
    }
    memcpy(out + len, suffix ? suffix : "", sfx + 1);
    return 0;
}
