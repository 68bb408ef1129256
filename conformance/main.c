#include <stdio.h>
int main(void) { puts("kdaout: not built yet"); return 2; }
