/*
 * contract.c -- names and explanations of delivery verdicts.
 */
#include "delivery/contract.h"

#include <string.h>

static const char *const names[] = {
#define KDO__REASON_NAME(e, name, src, text) name,
    KDO_REASON_MAP(KDO__REASON_NAME)
#undef KDO__REASON_NAME
};

static const char *const texts[] = {
#define KDO__REASON_TEXT(e, name, src, text) text,
    KDO_REASON_MAP(KDO__REASON_TEXT)
#undef KDO__REASON_TEXT
};

const char *kdo_reason_name(enum kdo_reason r)
{
    return (unsigned)r < KDO_REASON_COUNT ? names[r] : "unknown";
}

const char *kdo_reason_text(enum kdo_reason r)
{
    return (unsigned)r < KDO_REASON_COUNT ? texts[r] : "unknown reason";
}

int kdo_reason_from_name(const char *name)
{
    for (int i = 0; i < KDO_REASON_COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}
