/*
 * main-validate.c -- `kdaout validate` and `kdaout schema`: the two commands
 * that read or describe the scenario format without running anything.
 *
 * validate loads each scenario and reports file:line:column errors through
 * the runner; schema prints the JSON Schema editors use.  A part of the
 * command line (main-int.h).
 */
#include "main-int.h"

#include "runner.h"
#include "schema.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int kdo__main_schema(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("Usage: kdaout schema > kdaout.schema.json\n\nPrints the JSON Schema of the "
               "scenario format.  Editors with the YAML language\nserver use it when a "
               "scenario starts with:\n  # yaml-language-server: $schema=kdaout.schema.json\n");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "kdaout schema: takes no arguments\n");
        return 2;
    }
    return kdo_schema_write(stdout) == 0 ? 0 : 2;
}

static const char usage_validate[] =
    "Usage: kdaout validate [--allow-path DIR]... PATH...\n"
    "\n"
    "Checks scenario files (or folders of them) without running them;\n"
    "errors name file:line:column.  Exit 0 if all are valid, 2 if not.\n"
    "\n"
    "Options:\n"
    "  --allow-path DIR    row files may also be read from under DIR (repeatable; by default\n"
    "                      only from the scenario's own folder, and only regular files)\n";

int kdo__main_validate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"allow-path", required_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_validate, stdout);
            return 0;
        }
        if (c != 'A' || kdo__main_allow_path("validate", optarg) != 0) {
            if (c != 'A')
                fprintf(stderr, "Try 'kdaout validate --help'.\n");
            return 2;
        }
    }
    if (optind >= argc) {
        fputs(usage_validate, stdout);
        return 2;
    }
    return kdo_runner_validate(argv + optind, argc - optind, stdout);
}
