/*
 * maxrss.c -- runs a command and reports the most memory it held.
 *
 *   maxrss [--max KB] -- COMMAND [ARG...]
 *
 * Prints "maxrss: N KB" (the child's peak resident set, from wait4) on
 * stderr and exits with the command's status, or 1 when the peak passed
 * --max.  The memory tests use it to hold kdaout to its bound, and the
 * memory benchmark to report figures.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long max_kb = -1;
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "--max") == 0) {
        max_kb = strtol(argv[i + 1], NULL, 10);
        i += 2;
    }
    if (i >= argc || strcmp(argv[i], "--") != 0 || i + 1 >= argc) {
        fprintf(stderr, "usage: maxrss [--max KB] -- COMMAND [ARG...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("maxrss: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[i + 1], argv + i + 1);
        fprintf(stderr, "maxrss: %s: %s\n", argv[i + 1], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR) {
            perror("maxrss: wait4");
            return 2;
        }
    fprintf(stderr, "maxrss: %ld KB\n", ru.ru_maxrss);
    if (max_kb >= 0 && ru.ru_maxrss > max_kb) {
        fprintf(stderr, "maxrss: over the bound of %ld KB\n", max_kb);
        return 1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
