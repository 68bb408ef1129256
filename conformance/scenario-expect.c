/*
 * scenario-expect.c -- the expectations of a scenario (scenario-int.h).
 *
 * expect: a mapping of fact: bound (or a list of one-entry mappings, to
 * state one fact for several periods); with several destinations a key
 * naming one holds its facts.  The fact names are expect.c's; here they are
 * only checked and bound, never computed.
 */
#include "scenario-int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* during: {from: T, until: T} restricts a fact to a period. */
static int during(struct kdo__scenario_ctx *c, node *n, const char *fact, struct kdo_expectation *e)
{
    int err = kdo__scenario_check_keys(c, n, &kdo_format_during);
    if (err == 0 && !kdo_fact_windowable(fact))
        return kdo__scenario_fail(
            c, n, "%s counts over the whole run and cannot be restricted to a period", fact);
    if (err == 0)
        err = kdo__scenario_plain(c, n, &kdo_format_during, e);
    if (err == 0 && e->from >= e->until)
        return kdo__scenario_fail(c, n, "during: from must come before until");
    return err;
}

static int bound(struct kdo__scenario_ctx *c, node *n, const char *fact, struct kdo_expectation *e)
{
    node *v;
    int err;
    e->min = -1e300;
    e->max = 1e300;
    e->from = INT64_MIN;
    e->until = KDO_TIME_NEVER;
    if (n->type == KDO_YNODE_SCALAR) {
        if ((err = kdo__scenario_number(c, n, fact, &e->min)))
            return err;
        e->max = e->min;
        return 0;
    }
    if ((err = kdo__scenario_check_keys(c, n, &kdo_format_bound)))
        return err;
    if ((v = kdo_ynode_get(n, "eq")) && (err = kdo__scenario_number(c, v, fact, &e->min)) == 0)
        e->max = e->min;
    if (err == 0 && (v = kdo_ynode_get(n, "min")))
        err = kdo__scenario_number(c, v, fact, &e->min);
    if (err == 0 && (v = kdo_ynode_get(n, "max")))
        err = kdo__scenario_number(c, v, fact, &e->max);
    if (err == 0 && (v = kdo_ynode_get(n, "during")))
        err = during(c, v, fact, e);
    if (err == 0 && !kdo_ynode_get(n, "min") && !kdo_ynode_get(n, "max") && !kdo_ynode_get(n, "eq"))
        return kdo__scenario_fail(c, n, "an expectation needs min, max or eq");
    if (err == 0 && e->min > e->max)
        return kdo__scenario_fail(c, n, "%s: min %g is above max %g, so it can never hold", fact,
                                  e->min, e->max);
    return err;
}

/* `dest`: the destination whose facts these are, or TOP for the top level
 * (the first destination's facts, and where destinations may be named). */
#define TOP SIZE_MAX
static int expectation(struct kdo__scenario_ctx *c, const struct kdo_ypair *pair, size_t dest);

/* "1.2": {fact: bound, ...} -- facts of destination 1.2's lane. */
static int destination_expectations(struct kdo__scenario_ctx *c, const struct kdo_ypair *pair,
                                    size_t dest)
{
    node *m = pair->value;
    int err = 0;
    if (m->type != KDO_YNODE_MAP)
        return kdo__scenario_fail(
            c, m, "expectations of destination %s are a mapping of fact: bound", pair->key->text);
    for (size_t i = 0; i < m->n && err == 0; i++)
        err = expectation(c, &m->pairs[i], dest);
    return err;
}

static int expectation(struct kdo__scenario_ctx *c, const struct kdo_ypair *pair, size_t dest)
{
    struct kdo_scenario *s = c->s;
    node *k = pair->key;
    for (size_t d = 0; d < s->ndest; d++)
        if (strcmp(k->text, s->sim.outputs[d].id) == 0)
            return dest == TOP ? destination_expectations(c, pair, d)
                               : kdo__scenario_fail(c, k, "destinations do not nest");
    if (!kdo_fact_known(k->text)) {
        const char *near = kdo_fact_suggest(k->text);
        return kdo__scenario_fail(c, k,
                                  "unknown fact \"%s\"%s%s%s (kdaout run --help lists them; a "
                                  "destination's facts go under its id)",
                                  k->text, near ? "; did you mean \"" : "", near ? near : "",
                                  near ? "\"?" : "");
    }
    s->expect = kdo_xrealloc(s->expect, (s->nexpect + 1) * sizeof *s->expect);
    struct kdo_expectation *e = &s->expect[s->nexpect++];
    memset(e, 0, sizeof *e);
    e->fact = kdo_xstrdup(k->text);
    e->line = k->line;
    e->column = k->column;
    e->destination = dest == TOP ? 0 : dest;
    return bound(c, pair->value, k->text, e);
}

/* A mapping of fact: bound, or -- to state one fact for several periods -- a
 * list of one-entry mappings.  With several destinations, a key naming one
 * ("1.2") holds that destination's facts; the others are the first's. */
int kdo__scenario_expectations(struct kdo__scenario_ctx *c, node *n)
{
    int err = 0;
    if (n->type == KDO_YNODE_MAP) {
        for (size_t i = 0; i < n->n && err == 0; i++)
            err = expectation(c, &n->pairs[i], TOP);
        return err;
    }
    if (n->type != KDO_YNODE_SEQ)
        return kdo__scenario_fail(
            c, n,
            "found a %s for expect, expected a mapping of fact: value or "
            "fact: {min, max, eq, during}, or a list of such one-entry mappings",
            kdo_ynode_type_name(n->type));
    for (size_t i = 0; i < n->n && err == 0; i++) {
        node *item = n->items[i];
        if (item->type != KDO_YNODE_MAP || item->n != 1)
            return kdo__scenario_fail(c, item, "each item of an expect list is one fact: bound");
        err = expectation(c, &item->pairs[0], TOP);
    }
    return err;
}

