/*
 * endpoint.c -- opening a scenario's Lambda end.
 */
#include "endpoint.h"

#include "base/errors.h"
#include "lambda/lambda_server.h"
#include "meddler.h"
#include "transport/transport_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kdo_endpoint {
    struct kdo_lambda_server *server;
    struct kdo_transport *transport;
    struct kdo_transport *meddler; /* the scenario's rules on a real function's replies */
    struct kdo_rng rng;
    int unreachable;
    struct kdo_function_config config; /* what GetFunctionConfiguration answered */
    char url[1024];   /* as given: may hold user:password@ */
    char shown[1024]; /* url without its userinfo: the only one printed */
};

static int start_fake(struct kdo_scenario *s, struct kdo_endpoint *e, char *err, size_t n)
{
    struct kdo_lambda_server_config c;
    const char *name = s->end.function ? s->end.function : "kdaout-fake";
    kdo_lambda_server_config_default(&c);
    c.lambda = s->sim.lambda;
    c.rules = s->sim.rules;
    c.nrules = s->sim.nrules;
    c.functions = &name;
    c.nfunctions = 1;
    c.seed = s->sim.seed;
    int rc = kdo_lambda_server_start(&c, &e->server, err, n);
    if (rc == 0)
        snprintf(e->url, sizeof e->url, "http://127.0.0.1:%u",
                 (unsigned)kdo_lambda_server_port(e->server));
    return rc;
}

/* The invocation timeout: the function's Timeout + 5 s, as read from the end.
 * Returns 1 if the end could not be reached. */
static int derive_timeout(struct kdo_scenario *s, const struct kdo_http_end *he, FILE *notes,
                          struct kdo_function_config *c)
{
    char err[600];
    if (kdo_transport_http_function_config(he, c, err, sizeof err) == 0) {
        if (!s->end.invoke_timeout_set)
            s->sim.delivery.invoke_timeout = c->timeout + 5 * KDO_S;
        return 0;
    }
    if (notes)
        fprintf(notes, "%s; using an invocation timeout of %lld ms\n", err,
                (long long)(s->sim.delivery.invoke_timeout / KDO_MS));
    return 1;
}

int kdo_endpoint_open(struct kdo_scenario *s, FILE *notes, struct kdo_endpoint **out, char *err,
                      size_t err_size)
{
    struct kdo_endpoint *e = kdo_xcalloc(1, sizeof *e);
    *out = e;
    snprintf(e->url, sizeof e->url, "in-process");
    if (s->end.kind == KDO_END_INPROCESS)
        return 0;
    int rc = 0;
    if (s->end.kind == KDO_END_HTTP_FAKE)
        rc = start_fake(s, e, err, err_size);
    else
        snprintf(e->url, sizeof e->url, "%s", s->end.endpoint);
    if (rc != 0)
        return rc;
    struct kdo_http_end he = {
        .endpoint = e->url, .function = s->end.function ? s->end.function : "kdaout-fake",
        .qualifier = s->end.qualifier, .sigv4 = s->end.sigv4, .region = s->end.region,
        .connect_timeout = 5 * KDO_S,
    };
    kdo_transport_http_redact_url(e->url, e->shown, sizeof e->shown);
    e->unreachable = derive_timeout(s, &he, notes, &e->config);
    he.timeout = s->sim.delivery.invoke_timeout + KDO_S; /* a backstop; delivery times out first */
    e->transport = kdo_transport_http_new(&he, err, err_size);
    if (e->transport && s->end.kind == KDO_END_ENDPOINT && s->sim.nrules > 0) {
        /* The fake behind HTTP applies the rules itself; a real function gets them here. */
        kdo_rng_init(&e->rng, s->sim.seed ^ 0x6d656464u);
        e->meddler = kdo_meddler_new(e->transport, &s->sim.lambda, s->sim.rules, s->sim.nrules,
                                     &e->rng);
        if (notes)
            fprintf(notes, "the %zu fault rule%s apply to %s's replies\n", s->sim.nrules,
                    s->sim.nrules == 1 ? "" : "s", e->shown);
    }
    return e->transport ? 0 : KDO_EINVAL;
}

int kdo_endpoint_unreachable(const struct kdo_endpoint *e)
{
    return e->unreachable;
}

int kdo_endpoint_config_refused(const struct kdo_endpoint *e, const char **error_type)
{
    int st = e->config.status;
    const char *t = e->config.error_type;
    *error_type = t;
    if (st == 404) /* another 404 type (UnknownOperationException): no such operation here */
        return !t[0] || strcmp(t, "ResourceNotFoundException") == 0 ? st : 0;
    return st == 401 || st == 403 ? st : 0;
}

struct kdo_transport *kdo_endpoint_transport(const struct kdo_endpoint *e)
{
    return e->meddler ? e->meddler : e->transport;
}

const char *kdo_endpoint_describe(const struct kdo_endpoint *e)
{
    return e->shown[0] ? e->shown : e->url;
}

void kdo_endpoint_close(struct kdo_endpoint *e)
{
    if (e == NULL)
        return;
    kdo_transport_free(e->meddler);
    kdo_transport_free(e->transport);
    kdo_lambda_server_stop(e->server);
    free(e);
}
