/* Command line: one table of commands, one of flags per command. */
#ifndef KONTAKT_CLI_CLI_H
#define KONTAKT_CLI_CLI_H
#include "api/api.h"
#include <stdbool.h>

typedef struct {
    const char *name; /* "--db" */
    const char *arg;  /* "URL", NULL for a switch */
    const char *help;
    const char **str; /* destination of a value */
    long *num;        /* destination of a number (with min/max) */
    long min, max;
    bool *flag;       /* destination of a switch */
} cli_flag;

typedef struct {
    const char *name;
    const char *summary;
    const char *usage_tail; /* e.g. "catalog" for import */
    int (*run)(int argc, char **argv);
} cli_command;

/* Parses argv (after the command) against flags ended by {0}; positional
 * arguments go to pos (up to max_pos). Prints the command's help on
 * --help (returns 1, caller exits 0) or an error (returns -1). */
int cli_parse(const cli_command *cmd, const cli_flag *flags, int argc, char **argv,
              const char **pos, int max_pos, int *n_pos);
void cli_help(const cli_command *cmd, const cli_flag *flags);

/* Shared defaults and environment (KONTAKT_*) into cfg. */
void cli_config_defaults(kontakt_config *cfg);
/* Reads a whole file (malloc'd) or NULL. */
char *cli_read_file(const char *path, size_t max);
/* Loads and checks data/categories.json + organisations.json into the db
 * (replace: even when a catalogue is already there). */
int cli_load_catalog(db_conn *c, const char *data_dir, bool replace);

/* Streets and addresses (cmd_places.c). The register of renamed streets
 * is read from the shared data at run time, never copied into the repo. */
#define CLI_STREETS_FILE "../shared/data/geo/dnipro-street-renames.json"
int cli_import_streets(db_conn *c, const char *file);
int cli_import_addresses(db_conn *c, const char *file, const dom_bounds *bounds);
/* When the database has no streets: the register and data/addresses-dnipro-demo.csv
 * (KONTAKT_DEMO_PLACES=0 skips it). */
int cli_load_demo_places(db_conn *c, const char *data_dir, const dom_bounds *bounds);

const cli_command *cli_find(const char *name);
/* Parses the catalogue stored in the database; explains on stderr when
 * there is none or it is broken. */
bool cli_catalog_from_db(db_conn *c, const char *command, dom_catalog *cat);
/* Opens one connection for a command; creates the SQLite file's folder. */
bool cli_open(const char *url, db_conn *c);
void cli_close(db_conn *c);

/* Districts and routing (cmd_places.c). Loads a GeoJSON file of districts
 * (replace: even when some are stored; otherwise only into an empty table,
 * and a missing file is not an error). */
int cli_load_districts(db_conn *c, const char *path, bool replace);
/* Reads and checks data_dir/routing.json (absent: no rules). */
bool cli_read_routing(const char *data_dir, const dom_catalog *cat, dom_routing *out);
/* The stored districts and rules; explains on stderr when broken. */
bool cli_places_from_db(db_conn *c, const char *command, dom_districts *d, dom_routing *r);
int cmd_import_districts(db_conn *c, const char *path);

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cli_main(int argc, char **argv);
#endif
