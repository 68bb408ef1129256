/* base64.c -- placeholder until the module lands. */
typedef int kdo__placeholder_base64;
