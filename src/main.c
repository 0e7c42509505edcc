/* kontakt: the municipal contact center in one binary. */
#include "cli/cli.h"

int main(int argc, char **argv) { return cli_main(argc, argv); }
