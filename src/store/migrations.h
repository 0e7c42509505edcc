/* Versioned schema migrations, one list per driver. A migration is applied
 * once, in a transaction, and recorded in kontakt_migrations. Never edit a
 * migration that has shipped: add the next version. */
#ifndef KONTAKT_STORE_MIGRATIONS_H
#define KONTAKT_STORE_MIGRATIONS_H
#include "store/db.h"

typedef struct {
    int version;
    const char *name;
    const char *sql;
} store_migration;

extern const store_migration store_migrations_sqlite[];
extern const int store_migrations_sqlite_count;
extern const store_migration store_migrations_pg[];
extern const int store_migrations_pg_count;

/* Applies the pending migrations; returns DB_OK or an error code and writes
 * the reason to err. Reports the version reached in *version. */
int store_migrate(db_conn *c, int *version, char *err, size_t err_cap);
#endif
