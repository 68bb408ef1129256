/*
 * meddler.h -- fault rules on top of a real function's replies.
 *
 * A transport that wraps the one to a real endpoint (borrowed) and applies a
 * scenario's rules (faults.h) the way the fake would, so users can see how
 * the pipeline copes when their function misbehaves in ways they cannot
 * easily provoke:
 *   - a whole-invocation rule (throttle, function_error, timeout, service
 *     error, malformed body ...) answers instead of the function, which is
 *     not invoked -- as when Lambda throttles or the runtime dies;
 *   - record rules (omit, wrong_id, missing_id, missing_result, bad_result,
 *     duplicate_id, delivery_failed, ok) rewrite those records' entries in
 *     the function's own reply; its other entries are left as they were;
 *   - latency holds the reply back that long after it arrives.
 * A reply the function itself got wrong (not 200, a function error, a body
 * that is not an object with a records array) is passed on untouched.
 */
#ifndef KDO_MEDDLER_H
#define KDO_MEDDLER_H

#include "base/rng.h"
#include "delivery/transport.h"
#include "lambda/fake_lambda.h"
#include "lambda/faults.h"

/* Copies the n rules; borrows inner and rng (both must outlive it). */
struct kdo_transport *kdo_meddler_new(struct kdo_transport *inner,
                                      const struct kdo_fake_lambda_config *lambda,
                                      const struct kdo_fault_rule *rules, size_t n,
                                      struct kdo_rng *rng);

#endif
