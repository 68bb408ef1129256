/*
 * scenario-lambda.c -- the Lambda end, its fault rules and the timeline
 * (scenario-int.h).
 *
 * lambda: the fake's settings, or an endpoint; rules: {match, action}, the
 * first matching rule wins.  The timeline's items are restarts, fixes (the
 * rules so far, or one named, stop at a time) and faults over a period,
 * which become one more rule each, and reference data reloads
 * (scenario-reference.c); items must come in time order.
 */
#include "scenario-int.h"

#include "suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int range(struct kdo__scenario_ctx *c, node *n, const char *what, uint64_t *lo, uint64_t *hi)
{
    node *v;
    int err;
    if (n->type == KDO_YNODE_SCALAR) {
        err = kdo__scenario_count(c, n, what, lo);
        *hi = *lo;
        return err;
    }
    if ((err = kdo__scenario_check_keys_as(c, n, what, &kdo_format_range)))
        return err;
    if ((v = kdo_ynode_get(n, "min")) && (err = kdo__scenario_count(c, v, what, lo)))
        return err;
    if ((v = kdo_ynode_get(n, "max")) && (err = kdo__scenario_count(c, v, what, hi)))
        return err;
    return *lo > *hi ? kdo__scenario_fail(c, n, "%s: min is above max", what) : 0;
}

static int match(struct kdo__scenario_ctx *c, node *map, struct kdo_fault_match *m)
{
    int err = kdo__scenario_walk(c, map, &kdo_format_match, m);
    node *n;
    if (err == 0 && (n = kdo_ynode_get(map, "attempt")))
        err = range(c, n, "attempt", &m->attempt_min, &m->attempt_max);
    if (err == 0 && m->attempt_min == 0)
        return kdo__scenario_fail(c, kdo_ynode_get(map, "attempt"),
                                  "attempt counts from 1 (retryHint + 1)");
    if (err == 0 && (n = kdo_ynode_get(map, "invocation")))
        err = range(c, n, "invocation", &m->invocation_min, &m->invocation_max);
    if (err == 0 && (n = kdo_ynode_get(map, "contains")) &&
        (err = kdo__scenario_text(c, n, "contains", &m->contains)) == 0)
        m->contains_len = n->len;
    if (err == 0 && (n = kdo_ynode_get(map, "row"))) {
        int kind = n->type == KDO_YNODE_SCALAR ? kdo_row_kind_from_name(n->text) : -1;
        if (kind < 0)
            return kdo__scenario_fail(c, n,
                                      "row: expected any, empty, binary (not UTF-8) or not_json");
        m->row = (enum kdo_row_kind)kind;
    }
    return err;
}

static int action(struct kdo__scenario_ctx *c, node *n, struct kdo_fault_rule *r)
{
    const char *names[KDO_FAULT_ACTION_COUNT + 1] = {NULL};
    for (int i = 0; i < KDO_FAULT_ACTION_COUNT; i++)
        names[i] = kdo_fault_action_name((enum kdo_fault_action)i);
    if (n->type != KDO_YNODE_SCALAR)
        return kdo__scenario_fail(c, n, "found a %s for action, expected an action name",
                    kdo_ynode_type_name(n->type));
    int a = kdo_fault_action_from_name(n->text);
    if (a >= 0) {
        r->action = (enum kdo_fault_action)a;
        return 0;
    }
    const char *near = kdo_suggest_nearest(n->text, names);
    char list[600];
    kdo__scenario_list_keys(names, list, sizeof list);
    if (near)
        return kdo__scenario_fail(c, n, "unknown action \"%s\"; did you mean \"%s\"?", n->text,
                                  near);
    return kdo__scenario_fail(c, n, "unknown action \"%s\"; expected one of: %s", n->text, list);
}

static int rule(struct kdo__scenario_ctx *c, node *map, struct kdo_fault_rule *r)
{
    int err = kdo__scenario_walk(c, map, kdo__scenario_table(c, "lambda/rules"), r);
    node *n;
    if (err == 0 && (n = kdo_ynode_get(map, "match")))
        err = match(c, n, &r->match);
    if (err == 0) {
        if ((n = kdo_ynode_get(map, "action")) == NULL)
            return kdo__scenario_fail(
                c, map,
                "a rule needs an action (ok, delivery_failed, omit, wrong_id, "
                "missing_result, timeout, function_error, throttle, ...)");
        err = action(c, n, r);
    }
    return err;
}

int kdo__scenario_rules(struct kdo__scenario_ctx *c, node *seq)
{
    struct kdo_sim_config *sim = &c->s->sim;
    int err = kdo__scenario_want(c, seq, KDO_YNODE_SEQ, "a list of rules ({match, action})");
    if (err)
        return err;
    sim->rules = kdo_xcalloc(seq->n ? seq->n : 1, sizeof *sim->rules);
    for (size_t i = 0; i < seq->n && err == 0; i++) {
        kdo_fault_rule_init(&sim->rules[i]);
        sim->nrules++;
        err = rule(c, seq->items[i], &sim->rules[i]);
    }
    return err;
}

/* transport / endpoint / function / qualifier / region / sign */
static int lambda_end(struct kdo__scenario_ctx *c, node *map)
{
    struct kdo_scenario_end *e = &c->s->end;
    node *t = kdo_ynode_get(map, "transport"), *ep = kdo_ynode_get(map, "endpoint");
    int err = 0;
    if (t && t->type == KDO_YNODE_SCALAR && strcmp(t->text, "http") == 0)
        e->kind = KDO_END_HTTP_FAKE;
    else if (t && !(t->type == KDO_YNODE_SCALAR && strcmp(t->text, "in-process") == 0))
        return kdo__scenario_fail(
            c, t,
            "transport: expected in-process (virtual time) or http (the fake behind "
            "a real HTTP server, real time)");
    if (ep) {
        if (t)
            return kdo__scenario_fail(
                c, ep,
                "endpoint and transport exclude each other: an endpoint is always "
                "reached over HTTP");
        if ((err = kdo__scenario_text(c, ep, "endpoint", &e->endpoint)))
            return err;
        if (strncmp(e->endpoint, "http://", 7) != 0 && strncmp(e->endpoint, "https://", 8) != 0)
            return kdo__scenario_fail(c, ep, "endpoint must be an http:// or https:// URL");
        e->kind = KDO_END_ENDPOINT; /* rules, if any, meddle with its replies (meddler.h) */
    }
    return err;
}

int kdo__scenario_lambda(struct kdo__scenario_ctx *c, node *map)
{
    int err = kdo__scenario_walk(c, map, kdo__scenario_table(c, "lambda"), c->s);
    node *n;
    if (err == 0)
        err = lambda_end(c, map);
    if (err == 0 && (n = kdo_ynode_get(map, "rules")))
        err = kdo__scenario_rules(c, n);
    return err;
}

/* ---- the timeline ---------------------------------------------------------------- */

static int restart_item(struct kdo__scenario_ctx *c, node *map, kdo_time_ns at)
{
    struct kdo_sim_config *sim = &c->s->sim;
    struct kdo_restart_event *ev = &sim->restarts[sim->nrestarts++];
    node *r = kdo_ynode_get(map, "restart");
    int err = 0;
    ev->at = at;
    ev->downtime = 0;
    if (r->type == KDO_YNODE_SCALAR) {
        int yes;
        if ((err = kdo__scenario_bool(c, r, "restart", &yes)))
            return err;
        return yes ? 0 : kdo__scenario_fail(c, r, "restart: false means nothing; remove the item");
    }
    return kdo__scenario_walk(c, r, kdo__scenario_table(c, "timeline/restart"), ev);
}

/* A fix deployed at `at`: the rules so far (all, or the one named) stop. */
static int fix_item(struct kdo__scenario_ctx *c, node *fix, kdo_time_ns at)
{
    struct kdo_sim_config *sim = &c->s->sim;
    int all = 0, hit = 0;
    size_t ended = 0; /* rules still active at `at` (the report says how many it ended) */
    if (fix->type == KDO_YNODE_SCALAR && (strcmp(fix->text, "true") == 0))
        all = 1;
    else if (fix->type != KDO_YNODE_SCALAR)
        return kdo__scenario_fail(c, fix,
                                  "fix: expected true (every fault so far ends) or a rule's name");
    for (size_t i = 0; i < sim->nrules; i++) {
        struct kdo_fault_rule *r = &sim->rules[i];
        if (!all && (r->name == NULL || strcmp(r->name, fix->text) != 0))
            continue;
        if (r->match.until > at) {
            r->match.until = at;
            ended += r->match.from < at;
        }
        hit = 1;
    }
    if (!hit && !all)
        return kdo__scenario_fail(c, fix, "fix: no rule is named \"%s\"", fix->text);
    c->s->fixes[c->s->nfixes++] = (struct kdo_scenario_fix){
        .at = at, .rule = all ? NULL : kdo_xstrdup(fix->text), .ended = ended};
    return 0;
}

/* A fault over a period: one more rule, its plain keys stored where the
 * fault shape's table says; the match first (its own from/until yield to
 * the item's), then the keys in the table's order. */
static int fault_item(struct kdo__scenario_ctx *c, node *map, const struct kdo_format_map *shape,
                      kdo_time_ns from)
{
    struct kdo_sim_config *sim = &c->s->sim;
    node *n;
    int err = 0;
    sim->rules = kdo_xrealloc(sim->rules, (sim->nrules + 1) * sizeof *sim->rules);
    struct kdo_fault_rule *r = &sim->rules[sim->nrules++];
    kdo_fault_rule_init(r);
    if ((n = kdo_ynode_get(map, "match")) && (err = match(c, n, &r->match)))
        return err;
    r->match.from = from;
    for (size_t i = 0; i < shape->nkeys && err == 0; i++) {
        const struct kdo_format_key *k = &shape->keys[i];
        if (strcmp(k->name, "fault") == 0)
            err = action(c, kdo_ynode_get(map, k->name), r);
        else if (k->store != KDO_FORMAT_NOWHERE && (n = kdo_ynode_get(map, k->name)))
            err = kdo__scenario_plain_key(c, n, k, (char *)r);
    }
    return err;
}

/* The shape of a timeline item: the one whose deciding key (its last
 * required one) the item has; NULL when it has none or several. */
static const struct kdo_format_map *shape_of(const struct kdo_format_map *t, node *map)
{
    const struct kdo_format_map *found = NULL;
    for (size_t i = 0; i < t->nshapes; i++) {
        const char *const *r = t->shapes[i]->required;
        while (r[1])
            r++;
        if (kdo_ynode_get(map, *r) && found)
            return NULL;
        if (kdo_ynode_get(map, *r))
            found = t->shapes[i];
    }
    return found;
}

/* Keys of the other shapes mean nothing in this one: refuse them, naming
 * the shape they belong to. */
static int foreign_keys(struct kdo__scenario_ctx *c, node *map, const struct kdo_format_map *t,
                        const struct kdo_format_map *shape)
{
    for (size_t i = 0; i < t->nshapes; i++) {
        const struct kdo_format_map *o = t->shapes[i];
        const char *names[32];
        char keys[300];
        kdo_format_names(o, names, sizeof names / sizeof names[0]);
        kdo__scenario_list_keys(names, keys, sizeof keys);
        for (size_t j = 0; o != shape && j < o->nkeys; j++) {
            node *n = kdo_ynode_get(map, o->keys[j].name);
            if (n && kdo_format_find(shape, o->keys[j].name) == NULL)
                return kdo__scenario_fail(c, n, "`%s` belongs to a %s item ({%s}), not to a %s",
                                          o->keys[j].name, o->name, keys, shape->name);
        }
    }
    return 0;
}

static int timeline_item(struct kdo__scenario_ctx *c, node *map, kdo_time_ns *when)
{
    const struct kdo_format_map *t = kdo__scenario_table(c, "timeline");
    int err = kdo__scenario_check_keys(c, map, t);
    if (err)
        return err;
    const struct kdo_format_map *shape = shape_of(t, map);
    if (shape == NULL)
        return kdo__scenario_fail(c, map, "a timeline item is one of: {at, restart}, {at, fix}, "
                            "{from, until, fault, match} or {at, reference}");
    int fault = strcmp(shape->name, "fault") == 0;
    node *at = kdo_ynode_get(map, "at"), *from = kdo_ynode_get(map, "from");
    node *time = kdo_ynode_get(map, shape->required[0]);
    if (time == NULL)
        return kdo__scenario_fail(c, map, "%s", fault ? "a fault needs `from` (and usually `until`)"
                                        : "a restart, a fix or a reload needs `at`");
    if ((fault && at) || (!fault && (from || kdo_ynode_get(map, "until"))))
        return kdo__scenario_fail(c, fault ? at : from, "%s",
                                  fault ? "a fault runs from/until, not at"
                                        : "a restart, a fix or a reload happens at one "
                                          "time: use `at`");
    if ((err = kdo__scenario_duration(c, time, shape->required[0], when)))
        return err;
    if ((err = foreign_keys(c, map, t, shape)))
        return err;
    if (strcmp(shape->name, "restart") == 0)
        return restart_item(c, map, *when);
    if (strcmp(shape->name, "reload") == 0)
        return kdo__scenario_reload(c, map, *when);
    return fault ? fault_item(c, map, shape, *when)
                 : fix_item(c, kdo_ynode_get(map, "fix"), *when);
}

int kdo__scenario_timeline(struct kdo__scenario_ctx *c, node *seq)
{
    struct kdo_sim_config *sim = &c->s->sim;
    int err = kdo__scenario_want(c, seq, KDO_YNODE_SEQ,
                                 "a list of timeline items (restarts, fixes, faults, reloads)");
    kdo_time_ns prev = INT64_MIN, when = 0;
    if (err)
        return err;
    sim->restarts = kdo_xcalloc(seq->n ? seq->n : 1, sizeof *sim->restarts);
    c->s->reloads = kdo_xcalloc(seq->n ? seq->n : 1, sizeof *c->s->reloads);
    sim->reloads = c->s->reloads;
    c->s->fixes = kdo_xcalloc(seq->n ? seq->n : 1, sizeof *c->s->fixes);
    for (size_t i = 0; i < seq->n && err == 0; i++) {
        err = timeline_item(c, seq->items[i], &when);
        sim->nreloads = c->s->nreloads;
        if (err == 0 && when < prev)
            return kdo__scenario_fail(c, seq->items[i], "timeline items must be in time order");
        prev = when;
    }
    return err;
}

