/*
 * bench_startup.c -- time from spawning `kdaout fake-lambda --listen 127.0.0.1:0`
 * to its first served request.
 *
 * Each run: posix_spawn the fake with stdout on a pipe, read its first line
 * (`listening on http://HOST:PORT`), connect (retrying while refused), send
 * `GET /_kdaout/health` and read the whole reply; the clock stops at the last
 * byte of a 200 reply.  Then SIGTERM and wait for exit (timed separately).
 * Baselines measured in the same run, interleaved: spawning /bin/true and
 * waiting for it to exit (the cost of fork+exec+exit on this machine), and
 * spawning `kdaout --help` (the cost of loading kdaout and its shared
 * libraries, before any server work).
 * Prints best and median of RUNS runs.  Target: median <= 10 ms.
 *
 *   bench_startup [KDAOUT] [RUNS]       (default: $KDAOUT, else build/kdaout; 50)
 *
 * A benchmark, never a timed assertion: it exits 0 whatever the figures, and
 * non-zero only if the fake cannot be started or does not answer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define RUNS_DEFAULT 50
#define RUNS_MAX 1000
#define STEP_TIMEOUT_MS 5000 /* any single wait: the first line, connect, the reply */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Waits until fd is ready for events or the deadline (ms, now_ms clock) passes. */
static int wait_fd(int fd, short events, double deadline)
{
    for (;;) {
        int left = (int)(deadline - now_ms());
        if (left < 0)
            return -1;
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, left);
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

/* Reads the first line of fd into line (NUL-terminated, no newline). */
static int read_line(int fd, char *line, size_t cap, double deadline)
{
    size_t n = 0;
    while (n + 1 < cap) {
        if (wait_fd(fd, POLLIN, deadline) < 0)
            return -1;
        ssize_t r = read(fd, line + n, 1); /* the fake writes one short line: byte reads are cheap */
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        if (line[n] == '\n') {
            line[n] = '\0';
            return 0;
        }
        n++;
    }
    return -1;
}

/* Connects to 127.0.0.1:port, retrying while refused; returns the socket or -1. */
static int connect_retry(const struct sockaddr_in *sa, double deadline)
{
    for (;;) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return -1;
        if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0)
            return fd;
        int e = errno;
        close(fd);
        if ((e != ECONNREFUSED && e != EINTR) || now_ms() > deadline)
            return -1;
        struct timespec pause = {0, 50000}; /* 50 us */
        nanosleep(&pause, NULL);
    }
}

/* GET /_kdaout/health; returns the HTTP status of a complete reply or -1. */
static int get_health(int fd, double deadline)
{
    static const char req[] = "GET /_kdaout/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Connection: close\r\n\r\n";
    if (write(fd, req, sizeof req - 1) != (ssize_t)(sizeof req - 1))
        return -1;
    char buf[4096];
    size_t n = 0;
    for (;;) { /* Connection: close -- the reply ends at EOF */
        if (wait_fd(fd, POLLIN, deadline) < 0)
            return -1;
        ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        n += (size_t)r;
        if (n == sizeof buf - 1)
            return -1;
    }
    buf[n] = '\0';
    int status;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1 || !strstr(buf, "\r\n\r\n"))
        return -1;
    return status;
}

/* One start of the fake: *ready = ms to the first served request, *stop = ms from
 * SIGTERM to exit.  Returns 0, or -1 with a message on stderr. */
static int one_fake(const char *kdaout, double *ready, double *stop)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0)
        return perror("pipe2"), -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    char *argv[] = {(char *)kdaout, "fake-lambda", "--listen", "127.0.0.1:0", NULL};
    pid_t pid;
    double t0 = now_ms(), deadline = t0 + STEP_TIMEOUT_MS;
    int err = posix_spawn(&pid, kdaout, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    if (err) {
        fprintf(stderr, "bench_startup: cannot spawn %s: %s\n", kdaout, strerror(err));
        close(pfd[0]);
        return -1;
    }
    int rc = -1, fd = -1;
    char line[256];
    unsigned port;
    struct sockaddr_in sa = {.sin_family = AF_INET};
    if (read_line(pfd[0], line, sizeof line, deadline) < 0) {
        fprintf(stderr, "bench_startup: no first line from the fake\n");
        goto out;
    }
    if (sscanf(line, "listening on http://127.0.0.1:%u", &port) != 1 || port == 0 || port > 65535) {
        fprintf(stderr, "bench_startup: unexpected first line: %s\n", line);
        goto out;
    }
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((fd = connect_retry(&sa, deadline)) < 0) {
        fprintf(stderr, "bench_startup: cannot connect to port %u\n", port);
        goto out;
    }
    int status = get_health(fd, deadline);
    *ready = now_ms() - t0;
    if (status != 200) {
        fprintf(stderr, "bench_startup: GET /_kdaout/health answered %d\n", status);
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    close(pfd[0]);
    double t1 = now_ms();
    kill(pid, SIGTERM);
    int ws;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    *stop = now_ms() - t1;
    if (rc == 0 && !(WIFEXITED(ws) && WEXITSTATUS(ws) == 0)) {
        fprintf(stderr, "bench_startup: the fake did not exit 0 on SIGTERM\n");
        rc = -1;
    }
    return rc;
}

/* Baselines: spawn argv (stdout and stderr to /dev/null) and wait for it. */
static double one_exit(char **argv)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    double t0 = now_ms();
    int err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err != 0)
        return -1;
    int ws;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    return now_ms() - t0;
}

int main(int argc, char **argv)
{
    const char *kdaout = argc > 1 ? argv[1] : getenv("KDAOUT") ? getenv("KDAOUT") : "build/kdaout";
    int runs = argc > 2 ? atoi(argv[2]) : RUNS_DEFAULT;
    if (runs < 1 || runs > RUNS_MAX) {
        fprintf(stderr, "usage: bench_startup [KDAOUT] [RUNS 1-%d]\n", RUNS_MAX);
        return 2;
    }
    if (access(kdaout, X_OK) != 0) {
        fprintf(stderr, "bench_startup: no executable kdaout at %s\n", kdaout);
        return 2;
    }
    static double ready[RUNS_MAX], stop[RUNS_MAX], base[RUNS_MAX], help[RUNS_MAX];
    char *true_argv[] = {"/bin/true", NULL};
    char *help_argv[] = {(char *)kdaout, "--help", NULL};
    double warm_r, warm_s;
    if (one_fake(kdaout, &warm_r, &warm_s) < 0) /* warm the page cache */
        return 1;
    for (int i = 0; i < runs; i++) {
        base[i] = one_exit(true_argv);
        help[i] = one_exit(help_argv);
        if (base[i] < 0 || help[i] < 0)
            return fprintf(stderr, "bench_startup: cannot spawn /bin/true or kdaout --help\n"), 1;
        if (one_fake(kdaout, &ready[i], &stop[i]) < 0)
            return 1;
    }
    double best_r = ready[0], best_b = base[0], best_s = stop[0], best_h = help[0];
    for (int i = 1; i < runs; i++) {
        best_r = ready[i] < best_r ? ready[i] : best_r;
        best_b = base[i] < best_b ? base[i] : best_b;
        best_s = stop[i] < best_s ? stop[i] : best_s;
        best_h = help[i] < best_h ? help[i] : best_h;
    }
    double med_r = median(ready, runs), med_b = median(base, runs), med_s = median(stop, runs),
           med_h = median(help, runs);
    printf("startup of `%s fake-lambda --listen 127.0.0.1:0`, %d runs\n", kdaout, runs);
    printf("  spawn -> first served request (GET /_kdaout/health): best %6.2f ms  median %6.2f ms\n",
           best_r, med_r);
    printf("  baseline spawn+exit of /bin/true:                     best %6.2f ms  median %6.2f ms\n",
           best_b, med_b);
    printf("  baseline spawn+exit of `kdaout --help`:               best %6.2f ms  median %6.2f ms\n",
           best_h, med_h);
    printf("  SIGTERM -> exit:                                      best %6.2f ms  median %6.2f ms\n",
           best_s, med_s);
    printf("  fake startup = %.1f x /bin/true (median); %.2f ms over it; target median <= 10 ms: %s\n",
           med_r / med_b, med_r - med_b, med_r <= 10.0 ? "met" : "NOT met");
    return 0;
}
