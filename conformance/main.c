/*
 * main.c -- the kdaout command line: dispatch and the top-level help.
 *
 * Finds the subcommand in one table and hands over to its part, which
 * parses its own options: main-run.c (run), main-validate.c (validate,
 * schema), main-conform.c (conform), main-servers.c (host, fake-lambda);
 * main-opts.c holds the option helpers they share (main-int.h).  Nothing
 * here reads an option or a clock.  Exit status: 0 success, 1 a check
 * failed, 2 bad input or usage, 3 could not decide.
 */
#include "main-int.h"

#include <stdio.h>
#include <string.h>

/* Keep in step with project() in meson.build and KDO_REPORT_VERSION in report-json.c. */
#define VERSION "0.1.0"

static const char usage_main[] =
    "kdaout " VERSION " -- test Lambda functions that receive Kinesis Data Analytics (SQL) output\n"
    "\n"
    "Usage: kdaout COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Commands:\n"
    "  run PATH...        run scenario files or folders against the fake Lambda (virtual time)\n"
    "                     or over HTTP to the fake or any Invoke API endpoint (real time)\n"
    "  validate PATH...   check scenario files without running them\n"
    "  conform            probe a real function (Invoke API) against the output contract\n"
    "  host -- COMMAND    host a real handler: the Runtime API to COMMAND, the Invoke API to callers\n"
    "  fake-lambda        serve the fake Lambda over the real Invoke API (HTTP)\n"
    "  schema             print the JSON Schema of the scenario format (for editors)\n"
    "  version            print the version\n"
    "  help [COMMAND]     this text, or a command's\n"
    "\n"
    "Start with:  kdaout run scenarios/        (the bundled scenarios)\n"
    "             kdaout run --help            (the scenario format and every fact you can check)\n"
    "\n"
    "Exit status: 0 all passed, 1 a check failed, 2 bad input, 3 could not decide.\n";

/* Every subcommand; `help` is NULL where `kdaout help CMD` shows the top-level text. */
static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    void (*help)(FILE *out);
} commands[] = {
    {"run", kdo__main_run, kdo__main_help_run},
    {"validate", kdo__main_validate, NULL},
    {"conform", kdo__main_conform, kdo__main_help_conform},
    {"host", kdo__main_host, kdo__main_help_host},
    {"fake-lambda", kdo__main_fake_lambda, kdo__main_help_fake_lambda},
    {"schema", kdo__main_schema, NULL},
};

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* `kdaout help [COMMAND]`: the command's --help, else the top-level text. */
static int help(const char *name)
{
    const struct command *c = name ? find_command(name) : NULL;
    if (c != NULL && c->help != NULL)
        c->help(stdout);
    else
        fputs(usage_main, stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    const struct command *c = find_command(cmd);
    if (c != NULL)
        return c->run(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("kdaout %s\n", VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return help(argc > 2 ? argv[2] : NULL);
    fprintf(stderr, "kdaout: unknown command \"%s\"\n\n%s", cmd, usage_main);
    return 2;
}
