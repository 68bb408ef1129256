/*
 * fuzz_json.c -- differential fuzz target: kdo_json against jansson.
 *
 * Every input is checked by the strict scanner and by jansson's json_loadb()
 * with JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL; when one
 * accepts what the other refuses the target aborts.  The documented
 * differences are not counted: RFC 8259 gives numbers no range and allows NUL
 * in member names (jansson refuses both); jansson 2.14 silently drops a NUL
 * byte right after a number or literal ("[1\0]" loads); and jansson's depth
 * limit (2048) is not ours, so inputs that hit a depth limit are skipped.  The scanner is
 * also walked token by token to check that offsets and depths stay sane.
 */
#include "base/json.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#define DEPTH 1000

static void walk(struct kdo_json *j, const uint8_t *data, size_t size)
{
    struct kdo_json_tok t;
    size_t last = 0;
    if (kdo_json_reset(j, (const char *)data, size))
        return;
    while (kdo_json_next(j, &t) == 0 && t.type != KDO_JSON_END) {
        if (t.offset > size || t.offset < last || t.depth < 0 || t.depth > DEPTH)
            abort();
        if ((t.type == KDO_JSON_NUMBER) && (t.s != (const char *)data + t.offset || t.len == 0))
            abort();
        last = t.offset;
    }
    const struct kdo_json_error *e = kdo_json_error(j);
    if (e && (e->offset > size || e->msg[0] == '\0'))
        abort();
}

/* Our error is a raw NUL just after a number or literal: jansson skips it. */
static int jansson_drops_nul(const struct kdo_json_error *e, const uint8_t *data)
{
    if (e == NULL || e->offset == 0 || data[e->offset] != 0)
        return 0;
    uint8_t c = data[e->offset - 1];
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct kdo_json *j;
    if (j == NULL)
        j = kdo_json_new(DEPTH, (size_t)1 << 24);
    walk(j, data, size);
    int ours = kdo_json_check(j, (const char *)data, size);
    json_error_t e;
    json_t *v = json_loadb((const char *)data, size,
                           JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    int theirs = v != NULL;
    json_decref(v);
    if (ours == KDO_EDEPTH)
        return 0;
    if (ours == 0 && !theirs) {
        int code = json_error_code(&e);
        if (code == json_error_numeric_overflow || code == json_error_null_byte_in_key ||
            code == json_error_stack_overflow)
            return 0;
    }
    if (ours != 0 && theirs && jansson_drops_nul(kdo_json_error(j), data))
        return 0;
    if ((ours == 0) != theirs)
        abort();
    return 0;
}
