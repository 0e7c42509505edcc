/* Unit tests that run one suite on both databases: a fresh SQLite file in a
 * temporary folder, then a throwaway PostgreSQL database on the server
 * KONTAKT_TEST_PG names (skipped, with a note, when it is not set). */
#ifndef KONTAKT_TESTS_BOTH_DBS_H
#define KONTAKT_TESTS_BOTH_DBS_H
#include <stddef.h>

/* Writes the database URL of each run into url (cap bytes), then calls
 * suite(name) with name "<tag>_sqlite" / "<tag>_pg". Returns the process
 * exit status: 0 when every suite passed. */
int both_dbs_main(const char *tag, char *url, size_t cap, int (*suite)(const char *name));
#endif
