/*
 * suggest.c -- nearest-word suggestions.
 */
#include "suggest.h"

#include <string.h>

size_t kdo_suggest_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[64];
    if (la >= 63 || lb >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0]++;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *kdo_suggest_nearest(const char *word, const char *const *candidates)
{
    size_t limit = strlen(word) / 3 + 1;
    if (limit > 3)
        limit = 3;
    const char *best = NULL;
    size_t bestd = limit + 1, wl = strlen(word), prefixed = 0;
    /* A truncated name ("failures.http_status") is a likely slip too. */
    for (const char *const *c = candidates; *c && wl >= 4; c++)
        if (strncmp(*c, word, wl) == 0 && prefixed++ == 0)
            best = *c;
    if (prefixed == 1)
        return best;
    best = NULL;
    for (const char *const *c = candidates; *c; c++) {
        size_t d = kdo_suggest_distance(word, *c);
        if (d < bestd) {
            bestd = d;
            best = *c;
        }
    }
    return best;
}
