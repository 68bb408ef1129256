/*
 * meddler.c -- rules evaluated by a private fake, applied to real replies.
 *
 * The fake (fake_lambda.h) evaluates the rules exactly as it would for the
 * in-process end -- same counters, same probabilities, same timeline -- and
 * either answers for the function (a whole-invocation rule) or says which
 * records a rule picked.  Those records' entries are rewritten in the real
 * reply with jansson: a reply is at most 6 MB and only touched when a rule
 * fired, so the tree costs nothing measurable here.
 */
#include "meddler.h"

#include "base/buf.h"
#include "base/errors.h"
#include "delivery/contract.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct meddler {
    struct kdo_transport base;
    struct kdo_transport *inner;
    struct kdo_fake_lambda *fake;
    const struct kdo_fault_rule *rules;
    size_t nrules;
    /* The invocation in flight: a copy (the caller's struct may be gone by
     * the reply; the arrays it points to are not). */
    struct kdo_invocation inv;
    int *record_rule;
    size_t cap;
    int any_record_rule, own, have_reply;
    kdo_time_ns latency, ready_at;
    /* What poll() hands out. */
    struct kdo_reply_in reply;
    struct kdo_buf body;
    char function_error[64];
};

static void keep_reply(struct meddler *m, const struct kdo_reply_in *in, const char *body,
                       size_t len)
{
    kdo_buf_reset(&m->body);
    if (len)
        kdo_buf_append(&m->body, body, len);
    m->reply = *in;
    m->reply.body = m->body.data ? m->body.data : "";
    m->reply.body_len = m->body.len;
    if (in->function_error) {
        snprintf(m->function_error, sizeof m->function_error, "%s", in->function_error);
        m->reply.function_error = m->function_error;
    }
}

static int meddler_send(struct kdo_transport *t, kdo_time_ns now, const struct kdo_invocation *inv)
{
    struct meddler *m = (struct meddler *)t;
    struct kdo_fake_reply fr;
    kdo_fake_lambda_invoke(m->fake, now, inv, &fr);
    m->inv = *inv;
    m->have_reply = 0;
    /* A whole-invocation rule answered, or a latency past the Timeout did. */
    m->own = fr.record_rule == NULL || fr.function_error || fr.status != 200 ||
             fr.outcome != KDO_TRANSPORT_DONE;
    if (m->own) {
        struct kdo_reply_in in = {fr.outcome, fr.status, fr.function_error, NULL, 0, NULL};
        keep_reply(m, &in, fr.body->data, fr.body->len);
        m->ready_at = fr.latency == KDO_TIME_NEVER ? KDO_TIME_NEVER : now + fr.latency;
        return 0;
    }
    if (inv->n > m->cap) {
        m->cap = inv->n;
        m->record_rule = kdo_xrealloc(m->record_rule, m->cap * sizeof *m->record_rule);
    }
    m->any_record_rule = 0;
    for (size_t i = 0; i < inv->n; i++)
        m->any_record_rule |= (m->record_rule[i] = fr.record_rule[i]) >= 0;
    m->latency = fr.latency == KDO_TIME_NEVER ? 0 : fr.latency;
    return kdo_transport_send(m->inner, now, inv);
}

static kdo_time_ns meddler_next_deadline(const struct kdo_transport *t)
{
    const struct meddler *m = (const struct meddler *)t;
    if (m->own || m->have_reply)
        return m->ready_at;
    return kdo_transport_next_deadline(m->inner);
}

static void append_entry(json_t *records, const char *id, const char *result)
{
    json_t *e = json_object();
    if (id)
        json_object_set_new(e, "recordId", json_string(id));
    if (result)
        json_object_set_new(e, "result", json_string(result));
    json_array_append_new(records, e);
}

/* The function's reply with the picked records' entries rewritten; the
 * reply as it came when there is nothing to rewrite or it is not a
 * records object. */
static void rewrite(struct meddler *m, const struct kdo_reply_in *in)
{
    json_t *root = NULL, *records;
    if (!m->any_record_rule || in->outcome != KDO_TRANSPORT_DONE || in->status != 200 ||
        in->function_error ||
        (root = json_loadb(in->body, in->body_len, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
        !json_is_array(records = json_object_get(root, "records"))) {
        json_decref(root);
        keep_reply(m, in, in->body, in->body_len);
        return;
    }
    for (size_t i = 0; i < m->inv.n; i++) {
        if (m->record_rule[i] < 0)
            continue;
        char id[300];
        snprintf(id, sizeof id, "%.*s", (int)(m->inv.ids[i].n < 299 ? m->inv.ids[i].n : 299),
                 m->inv.ids[i].p);
        for (size_t k = json_array_size(records); k-- > 0;) { /* the function's own entries */
            const char *got = json_string_value(json_object_get(json_array_get(records, k),
                                                                "recordId"));
            if (got && strcmp(got, id) == 0)
                json_array_remove(records, k);
        }
        const struct kdo_fault_rule *r = &m->rules[m->record_rule[i]];
        char wrong[310];
        switch (r->action) {
        case KDO_FAULT_OMIT:
            break;
        case KDO_FAULT_DELIVERY_FAILED:
            append_entry(records, id, KDO_RESULT_DELIVERY_FAILED);
            break;
        case KDO_FAULT_WRONG_ID:
            snprintf(wrong, sizeof wrong, "wrong-%s", id);
            append_entry(records, wrong, KDO_RESULT_OK);
            break;
        case KDO_FAULT_MISSING_ID:
            append_entry(records, NULL, KDO_RESULT_OK);
            break;
        case KDO_FAULT_MISSING_RESULT:
            append_entry(records, id, NULL);
            break;
        case KDO_FAULT_BAD_RESULT:
            append_entry(records, id, r->value ? r->value : "OK");
            break;
        case KDO_FAULT_DUPLICATE_ID:
            append_entry(records, id, KDO_RESULT_OK);
            append_entry(records, id, KDO_RESULT_OK);
            break;
        default: /* ok */
            append_entry(records, id, KDO_RESULT_OK);
            break;
        }
    }
    char *text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    keep_reply(m, in, text ? text : "", text ? strlen(text) : 0);
    free(text);
}

static int meddler_poll(struct kdo_transport *t, kdo_time_ns now, struct kdo_reply_in *out)
{
    struct meddler *m = (struct meddler *)t;
    if (!m->own && !m->have_reply) {
        struct kdo_reply_in in;
        if (!kdo_transport_poll(m->inner, now, &in))
            return 0;
        rewrite(m, &in);
        m->have_reply = 1;
        m->ready_at = now + m->latency;
    }
    if (now < m->ready_at)
        return 0;
    *out = m->reply;
    m->own = m->have_reply = 0;
    return 1;
}

static void meddler_cancel(struct kdo_transport *t)
{
    struct meddler *m = (struct meddler *)t;
    if (!m->own && !m->have_reply)
        kdo_transport_cancel(m->inner);
    m->own = m->have_reply = 0;
}

static int meddler_wait(struct kdo_transport *t, kdo_time_ns timeout)
{
    return kdo_transport_wait(((struct meddler *)t)->inner, timeout);
}

static void meddler_free(struct kdo_transport *t)
{
    struct meddler *m = (struct meddler *)t;
    kdo_fake_lambda_free(m->fake);
    kdo_buf_cleanup(&m->body);
    free(m->record_rule);
    free(m);
}

static const struct kdo_transport_ops meddler_real = {
    .name = "meddler", .send = meddler_send, .next_deadline = meddler_next_deadline,
    .poll = meddler_poll, .cancel = meddler_cancel, .wait = meddler_wait, .free = meddler_free,
};
static const struct kdo_transport_ops meddler_virtual = {
    .name = "meddler", .send = meddler_send, .next_deadline = meddler_next_deadline,
    .poll = meddler_poll, .cancel = meddler_cancel, .wait = NULL, .free = meddler_free,
};

struct kdo_transport *kdo_meddler_new(struct kdo_transport *inner,
                                      const struct kdo_fake_lambda_config *lambda,
                                      const struct kdo_fault_rule *rules, size_t n,
                                      struct kdo_rng *rng)
{
    struct meddler *m = kdo_xcalloc(1, sizeof *m);
    struct kdo_fake_lambda_config c = *lambda;
    c.latency = 0; /* the function takes its own time */
    c.latency_per_record = 0;
    m->base.ops = kdo_transport_is_real(inner) ? &meddler_real : &meddler_virtual;
    m->inner = inner;
    m->fake = kdo_fake_lambda_new(&c, kdo_fault_rules_copy(rules, n), n, rng);
    m->rules = kdo_fake_lambda_rules(m->fake, &m->nrules);
    kdo_buf_init(&m->body, KDO_MAX_REPLY_BYTES * 2);
    return &m->base;
}
