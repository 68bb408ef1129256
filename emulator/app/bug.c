/*
 * bug.c -- the planted bugs: their names, and the one seam where they enter
 * the engine.
 *
 * A planted bug is a rule the contract forbids.  The engine's modules do not
 * know the bug mask: the driver (sim.c) hands it to kdo_bug_delivery(),
 * kdo_bug_window() and kdo_bug_query() while it builds their configurations,
 * and each module then follows the rules it was given -- so no module tests
 * a switch on its per-row path, and each module's invariant assertions
 * (kassert.h) check the rules in force, which a planted bug changes on
 * purpose: the scenario that guards the rule fails, the program does not
 * abort.  A new planted bug is a line in bug.h's table and a line here
 * (plus, if no existing rule can express it, a rule in the module's config).
 */
#include "app/bug.h"

#include "app/window.h"
#include "delivery/delivery.h"
#include "sql/query.h"

#include <stdint.h>
#include <string.h>

static const char *const bug_names[] = {
#define KDO__BUG_NAME(e, name, text) name,
    KDO_BUG_MAP(KDO__BUG_NAME)
#undef KDO__BUG_NAME
};

static const char *const bug_texts[] = {
#define KDO__BUG_TEXT(e, name, text) text,
    KDO_BUG_MAP(KDO__BUG_TEXT)
#undef KDO__BUG_TEXT
};

int kdo_bug_from_name(const char *name)
{
    for (int i = 0; i < KDO_BUG_COUNT; i++)
        if (strcmp(bug_names[i], name) == 0)
            return i;
    return -1;
}

const char *kdo_bug_name(enum kdo_bug b)
{
    return (unsigned)b < KDO_BUG_COUNT ? bug_names[b] : "unknown";
}

const char *kdo_bug_text(enum kdo_bug b)
{
    return (unsigned)b < KDO_BUG_COUNT ? bug_texts[b] : "unknown";
}

/* ---- the seam ------------------------------------------------------------ */

#define HAS(bugs, b) (((bugs) & KDO_BUG(b)) != 0)

void kdo_bug_delivery(unsigned bugs, struct kdo_delivery_config *c)
{
    struct kdo_delivery_rules *r = &c->rules;
    if (HAS(bugs, NO_SPLIT))
        c->max_event_bytes = SIZE_MAX / 2;
    if (HAS(bugs, NO_BACKPRESSURE))
        c->buffer_rows = c->buffer_bytes = SIZE_MAX;
    if (HAS(bugs, FAST_CADENCE))
        c->cadence = 250 * KDO_MS;
    if (HAS(bugs, RESEND_OK))
        r->retry_set = KDO_RETRY_FAILED_AND_OK;
    else if (HAS(bugs, SKIP_HEAD_OF_LINE))
        r->retry_set = KDO_RETRY_FAILED_AND_NEW;
    r->keep_hint |= HAS(bugs, NO_HINT_INCREMENT);
    r->drop_failed |= HAS(bugs, DROP_FAILED);
    r->any_reply_ok |= HAS(bugs, ACCEPT_ANY_REPLY);
    r->restart_keeps_hints |= HAS(bugs, NO_HINT_RESET);
    r->restart_drops_rows |= HAS(bugs, LOSE_ON_RESTART);
}

void kdo_bug_window(unsigned bugs, struct kdo_window_config *c)
{
    if (HAS(bugs, FAST_CADENCE))
        c->size = (c->size > 0 ? c->size : KDO_WINDOW_DEFAULT_SIZE) / 2;
}

void kdo_bug_query(unsigned bugs, struct kdo_query_config *c)
{
    if (HAS(bugs, FAST_CADENCE))
        c->width_divisor = 2;
}
