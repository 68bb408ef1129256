/* fake_lambda.c -- placeholder until the module lands. */
typedef int kdo__placeholder_fake_lambda;
