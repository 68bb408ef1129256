/*
 * main-opts.c -- the option helpers more than one kdaout command uses.
 *
 * Whole numbers without sign or spaces, a seed from the kernel, whether to
 * colour, and --allow-path.  A part of the command line (main-int.h); what
 * each command accepts, and its limits, stay in that command's part.
 */
#include "main-int.h"

#include "scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <time.h>

int kdo__main_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s < '0' || *s > '9' || *end != '\0' || errno)
        return -1;
    *out = v;
    return 0;
}

uint64_t kdo__main_random_seed(void)
{
    uint64_t s = 0;
    if (getrandom(&s, sizeof s, 0) != (ssize_t)sizeof s)
        s = (uint64_t)time(NULL);
    return s;
}

/* --allow-path DIR: row files may also be read from under DIR. */
int kdo__main_allow_path(const char *cmd, const char *arg)
{
    char why[600];
    if (kdo_scenario_allow_path(arg, why, sizeof why) == 0)
        return 0;
    fprintf(stderr, "kdaout %s: %s\n", cmd, why);
    return 2;
}

/* Colour only on a terminal, and never when NO_COLOR is set (no-color.org). */
int kdo__main_want_colour(void)
{
    const char *term = getenv("TERM");
    return isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL && term && strcmp(term, "dumb") != 0;
}
