/*
 * expr_eval-int.h -- the evaluator's state and the helpers its parts share
 * (expr_eval.c: the walk, arithmetic, logic and casts; expr_eval-fn.c: the
 * functions of several operands, strings and time).
 */
#ifndef KDO_EXPR_EVAL_INT_H
#define KDO_EXPR_EVAL_INT_H

#include "sql/expr-int.h"

struct kdo__eval {
    const struct kdo_expr *x;
    const struct kdo_row *row;
    struct kdo_arena *scratch;
    struct kdo_errinfo *e;
};

/* Evaluates node i into *out. */
int kdo__eval_node(struct kdo__eval *ev, int i, struct kdo_value *out);
/* An error at node nd's position: returns err. */
int kdo__eval_fail(struct kdo__eval *ev, const struct kdo__expr_node *nd, int err,
                   const char *what);
/* *out = DOUBLE r, or "DOUBLE overflow" when r is not finite. */
int kdo__eval_finite(struct kdo__eval *ev, const struct kdo__expr_node *nd, double r,
                     struct kdo_value *out);
struct kdo_value kdo__eval_truth(enum kdo_tv tv);
/* A number (BIGINT, DECIMAL or DOUBLE) as a DOUBLE. */
double kdo__eval_double(const struct kdo_value *v);
enum kdo_tv kdo__eval_tv(const struct kdo_value *v);

/* In expr_eval-fn.c: nodes with operands beyond a and b (or no a), the
 * one-operand functions (v non-NULL), the two-operand ones, TIMESTAMP and
 * INTERVAL arithmetic, and CHAR(n)'s blank padding. */
int kdo__eval_many(struct kdo__eval *ev, const struct kdo__expr_node *nd, struct kdo_value *out);
int kdo__eval_unary_fn(struct kdo__eval *ev, const struct kdo__expr_node *nd,
                       struct kdo_value *v);
int kdo__eval_binary_fn(struct kdo__eval *ev, const struct kdo__expr_node *nd,
                        const struct kdo_value *a, const struct kdo_value *b,
                        struct kdo_value *out);
int kdo__eval_time_arith(struct kdo__eval *ev, const struct kdo__expr_node *nd,
                         const struct kdo_value *a, const struct kdo_value *b,
                         struct kdo_value *out);
/* CAST to or from an INTERVAL (v non-NULL or NULL), before narrow()'s checks. */
int kdo__eval_interval_cast(struct kdo__eval *ev, const struct kdo__expr_node *nd,
                            struct kdo_value *v);
#define kdo__eval_is_interval kdo__expr_is_interval
int kdo__eval_pad(struct kdo__eval *ev, const struct kdo__expr_node *nd, struct kdo_value *v);

#endif
