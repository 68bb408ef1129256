/*
 * fuzz_reply.c -- fuzz target: any body judged as a Lambda reply.
 *
 * The input is judged twice against a fixed set of sent ids -- as a plain 200
 * reply and as a 200 with X-Amz-Function-Error -- and the summary's
 * invariants are asserted: one verdict per record, in range, counts that add
 * up, a whole-invocation reason on every record when there is one, and a
 * body judged entry by entry only if it is strict JSON.  Any violation
 * aborts.
 */
#include "base/json.h"
#include "delivery/reply.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct kdo_str ids[] = {
    {"a", 1},
    {"b", 1},
    {"1", 1},
    {"", 0},
    {"\xc3\xa9", 2},
    {"a/b", 3},
    {"49546986683135544286507457936321625675700192471156785154", 56},
    {"49546986683135544286507457936321625675700192471156785155", 56},
};
#define N (sizeof ids / sizeof ids[0])

static void check(const struct kdo_reply_summary *s, const uint8_t *v)
{
    size_t count[KDO_REASON_COUNT] = {0}, total = 0;
    for (size_t i = 0; i < N; i++) {
        if (v[i] >= KDO_REASON_COUNT || v[i] == KDO_REASON_ABANDONED)
            abort();
        count[v[i]]++;
    }
    for (int r = 0; r < KDO_REASON_COUNT; r++) {
        if (count[r] != s->count[r])
            abort();
        total += s->count[r];
    }
    if (total != N || s->ok + s->failed != N || s->ok != count[KDO_REASON_OK])
        abort();
    if (s->whole != KDO_REASON_OK && count[s->whole] != N)
        abort();
    if (s->idless_entries + s->unknown_entries > s->entries)
        abort();
    if (memchr(s->detail, '\0', sizeof s->detail) == NULL || (s->failed && !s->detail[0]))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct kdo_reply *r;
    static struct kdo_json *strict;
    if (r == NULL) {
        r = kdo_reply_new();
        strict = kdo_json_new(KDO_REPLY_MAX_DEPTH, KDO_MAX_REPLY_BYTES);
    }
    uint8_t v[N];
    struct kdo_reply_summary s;
    struct kdo_reply_in in = {KDO_TRANSPORT_DONE, 200, NULL, (const char *)data, size, NULL};
    if (kdo_reply_judge(r, &in, ids, N, v, &s) != 0)
        abort();
    check(&s, v);
    int valid = kdo_json_check(strict, (const char *)data, size) == 0;
    if (s.whole != KDO_REASON_OK && s.whole != KDO_REASON_BAD_BODY)
        abort();
    if (!valid && s.whole != KDO_REASON_BAD_BODY)
        abort();
    in.function_error = "Unhandled";
    if (kdo_reply_judge(r, &in, ids, N, v, &s) != 0)
        abort();
    check(&s, v);
    if (s.whole != KDO_REASON_FUNCTION_ERROR && s.whole != KDO_REASON_FUNCTION_TIMEOUT)
        abort();
    return 0;
}
