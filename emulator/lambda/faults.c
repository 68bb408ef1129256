/*
 * faults.c -- matching fault rules against an invocation.
 *
 * Pure: no clock, no I/O; randomness only from the rng passed in, drawn only
 * when every other predicate of a rule holds (so adding a rule that never
 * matches does not shift the random stream of the others).
 */
#include "lambda/faults.h"

#include "base/errors.h"
#include "base/json.h"
#include "base/utf8.h"
#include "delivery/reply.h"

#include <stdlib.h>
#include <string.h>

static const char *const action_names[] = {
#define KDO__FAULT_NAME(e, name, inv, text) name,
    KDO_FAULT_ACTION_MAP(KDO__FAULT_NAME)
#undef KDO__FAULT_NAME
};

static const unsigned char action_is_inv[] = {
#define KDO__FAULT_INV(e, name, inv, text) inv,
    KDO_FAULT_ACTION_MAP(KDO__FAULT_INV)
#undef KDO__FAULT_INV
};

void kdo_fault_rule_init(struct kdo_fault_rule *r)
{
    memset(r, 0, sizeof *r);
    r->match.attempt_min = 1;
    r->match.attempt_max = UINT64_MAX;
    r->match.invocation_min = 1;
    r->match.invocation_max = UINT64_MAX;
    r->match.from = INT64_MIN;
    r->match.until = KDO_TIME_NEVER;
    r->match.probability = 1.0;
    r->action = KDO_FAULT_OK;
}

void kdo_fault_rule_cleanup(struct kdo_fault_rule *r)
{
    free(r->name);
    free(r->match.contains);
    free(r->value);
    memset(r, 0, sizeof *r);
}

struct kdo_fault_rule *kdo_fault_rules_copy(const struct kdo_fault_rule *rules, size_t n)
{
    struct kdo_fault_rule *r = kdo_xcalloc(n ? n : 1, sizeof *r);
    for (size_t i = 0; i < n; i++) {
        r[i] = rules[i];
        r[i].name = rules[i].name ? kdo_xstrdup(rules[i].name) : NULL;
        r[i].value = rules[i].value ? kdo_xstrdup(rules[i].value) : NULL;
        if (rules[i].match.contains)
            r[i].match.contains = kdo_xstrndup(rules[i].match.contains, rules[i].match.contains_len);
        r[i].fired = 0;
    }
    return r;
}

const char *kdo_fault_action_name(enum kdo_fault_action a)
{
    return (unsigned)a < KDO_FAULT_ACTION_COUNT ? action_names[a] : "unknown";
}

int kdo_fault_action_from_name(const char *name)
{
    for (int i = 0; i < KDO_FAULT_ACTION_COUNT; i++)
        if (strcmp(action_names[i], name) == 0)
            return i;
    return -1;
}

int kdo_fault_action_is_invocation(enum kdo_fault_action a)
{
    return (unsigned)a < KDO_FAULT_ACTION_COUNT && action_is_inv[a];
}

int kdo_row_kind_from_name(const char *name)
{
    static const char *const names[] = {"any", "empty", "binary", "not_json"};
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

int kdo_fault_match_reads_rows(const struct kdo_fault_match *m)
{
    return m->contains != NULL || m->row != KDO_ROW_ANY || m->min_bytes > 0;
}

static int has_record_predicates(const struct kdo_fault_match *m)
{
    return kdo_fault_match_reads_rows(m) || m->attempt_min > 1 || m->attempt_max != UINT64_MAX;
}

/* One evaluation's scratch: a JSON scanner, made only if a rule asks. */
struct eval {
    struct kdo_json *json;
};

static int row_is(struct eval *ev, enum kdo_row_kind kind, const struct kdo_str *d)
{
    switch (kind) {
    case KDO_ROW_EMPTY:
        return d->n == 0;
    case KDO_ROW_BINARY:
        return !kdo_utf8_valid(d->p, d->n);
    case KDO_ROW_NOT_JSON:
        if (ev->json == NULL)
            ev->json = kdo_json_new(KDO_REPLY_MAX_DEPTH, KDO_MAX_ROW_BYTES);
        return kdo_json_check(ev->json, d->p, d->n) != 0;
    default:
        return 1;
    }
}

static int record_matches(struct eval *ev, const struct kdo_fault_match *m,
                          const struct kdo_invocation *inv, size_t i)
{
    uint64_t attempt = inv->hints[i] + 1;
    if (attempt < m->attempt_min || attempt > m->attempt_max)
        return 0;
    if (inv->data[i].n < m->min_bytes || !row_is(ev, m->row, &inv->data[i]))
        return 0;
    if (m->contains == NULL || m->contains_len == 0)
        return 1;
    return memmem(inv->data[i].p, inv->data[i].n, m->contains, m->contains_len) != NULL;
}

/* The predicates that do not look at records, except probability. */
static int invocation_allows(const struct kdo_fault_rule *r, kdo_time_ns now,
                             const struct kdo_invocation *inv)
{
    const struct kdo_fault_match *m = &r->match;
    if (now < m->from || now >= m->until)
        return 0;
    if (inv->number < m->invocation_min || inv->number > m->invocation_max)
        return 0;
    return m->times == 0 || r->fired < m->times;
}

static int chance(const struct kdo_fault_match *m, struct kdo_rng *rng)
{
    return m->probability >= 1.0 || kdo_rng_unit(rng) < m->probability;
}

static int any_record_matches(struct eval *ev, const struct kdo_fault_match *m,
                              const struct kdo_invocation *inv)
{
    if (!has_record_predicates(m))
        return 1;
    for (size_t i = 0; i < inv->n; i++)
        if (record_matches(ev, m, inv, i))
            return 1;
    return 0;
}

static int eval_invocation_rules(struct eval *ev, struct kdo_fault_rule *rules, size_t n,
                                 kdo_time_ns now,
                                 const struct kdo_invocation *inv, struct kdo_rng *rng,
                                 kdo_time_ns *latency)
{
    for (size_t k = 0; k < n; k++) {
        struct kdo_fault_rule *r = &rules[k];
        if (!kdo_fault_action_is_invocation(r->action) || !invocation_allows(r, now, inv))
            continue;
        if (!any_record_matches(ev, &r->match, inv) || !chance(&r->match, rng))
            continue;
        r->fired++;
        *latency += r->latency;
        if (r->action != KDO_FAULT_LATENCY)
            return (int)k;
    }
    return -1;
}

static int eval_record(struct eval *ev, struct kdo_fault_rule *rules, size_t n, kdo_time_ns now,
                       const struct kdo_invocation *inv, size_t i, struct kdo_rng *rng,
                       kdo_time_ns *latency)
{
    for (size_t k = 0; k < n; k++) {
        struct kdo_fault_rule *r = &rules[k];
        if (kdo_fault_action_is_invocation(r->action) || !invocation_allows(r, now, inv))
            continue;
        if (!record_matches(ev, &r->match, inv, i) || !chance(&r->match, rng))
            continue;
        r->fired++;
        *latency += r->latency; /* the function works through its records one by one */
        return (int)k;
    }
    return -1;
}

void kdo_faults_eval(struct kdo_fault_rule *rules, size_t n, kdo_time_ns now,
                     const struct kdo_invocation *inv, struct kdo_rng *rng,
                     struct kdo_fault_verdict *out)
{
    struct eval ev = {NULL};
    out->latency = 0;
    out->whole_rule = eval_invocation_rules(&ev, rules, n, now, inv, rng, &out->latency);
    if (out->whole_rule < 0) {
        kdo_time_ns record_latency = 0;
        for (size_t i = 0; i < inv->n; i++)
            out->record_rule[i] = eval_record(&ev, rules, n, now, inv, i, rng, &record_latency);
        out->latency += record_latency;
    }
    kdo_json_free(ev.json);
}
