/*
 * suggest.h -- "did you mean ...?" for misspelt keys, actions and facts.
 *
 * Levenshtein distance over short ASCII words; a suggestion is offered only
 * when it is close (at most the word's length / 3 + 1 edits, and never more
 * than 3), so a wild guess is never presented as a likely fix.  A word of 4
 * bytes or more that begins exactly one candidate suggests that candidate.
 */
#ifndef KDO_SUGGEST_H
#define KDO_SUGGEST_H

#include <stddef.h>

/* Edit distance between a and b (large for words over 63 bytes). */
size_t kdo_suggest_distance(const char *a, const char *b);

/* The candidate nearest to `word`, or NULL if none is close enough.  The
 * candidates are a NULL-terminated array (borrowed). */
const char *kdo_suggest_nearest(const char *word, const char *const *candidates);

#endif
