/* Unit tests that run one suite on both databases: a fresh SQLite file in a
 * temporary folder, then a throwaway PostgreSQL database on the server
 * KONTAKT_TEST_PG names (skipped, with a note, when it is not set). */
#ifndef KONTAKT_TESTS_BOTH_DBS_H
#define KONTAKT_TESTS_BOTH_DBS_H
#include <stddef.h>
#include <stdint.h>

/* Writes the database URL of each run into url (cap bytes), then calls
 * suite(name) with name "<tag>_sqlite" / "<tag>_pg". Returns the process
 * exit status: 0 when every suite passed. */
int both_dbs_main(const char *tag, char *url, size_t cap, int (*suite)(const char *name));

#include "store/db.h"
/* A fresh database at url, migrated to the latest schema, with one
 * organisation ("vodokanal") in the catalogue saved at `now`: a SQLite
 * file is recreated, a PostgreSQL database gets an empty public schema.
 * NULL (and a note on stderr) when any step fails. */
db_conn *both_dbs_fresh(const char *url, int64_t now);
void both_dbs_close(db_conn *c);
#endif
