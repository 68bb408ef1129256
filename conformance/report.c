/* report.c -- placeholder until the module lands. */
typedef int kdo__placeholder_report;
