/* Driver choice and the connection pool. */
#include "store/db.h"
#include "util/buf.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

const db_driver *db_driver_for(const char *url) {
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        return &db_pg_driver;
    return &db_sqlite_driver;
}

struct db_pool {
    pthread_mutex_t mu;
    pthread_mutex_t write_mu;
    pthread_cond_t cv;
    db_conn *conns;
    bool *busy;
    int size;
};

db_pool *db_pool_open(const char *url, int size, char *err, size_t err_cap) {
    const db_driver *drv = db_driver_for(url);
    db_pool *p = xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_mutex_init(&p->write_mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->conns = xcalloc((size_t)size, sizeof *p->conns);
    p->busy = xcalloc((size_t)size, sizeof *p->busy);
    for (int i = 0; i < size; i++) {
        p->conns[i].drv = drv;
        p->conns[i].write_lock = drv->kind == DB_KIND_SQLITE ? &p->write_mu : NULL;
        if (drv->open(url, &p->conns[i].conn, err, err_cap) != DB_OK) {
            p->size = i;
            db_pool_close(p);
            return NULL;
        }
        /* The server checkpoints the WAL from its background thread
         * (store_checkpoint), not inside a request's commit; the high
         * automatic threshold stays as a backstop. */
        if (drv->kind == DB_KIND_SQLITE)
            drv->exec_script(p->conns[i].conn, "PRAGMA wal_autocheckpoint=4000");
    }
    p->size = size;
    return p;
}

db_conn *db_pool_acquire(db_pool *p) {
    pthread_mutex_lock(&p->mu);
    for (;;) {
        for (int i = 0; i < p->size; i++) {
            if (!p->busy[i]) {
                p->busy[i] = true;
                pthread_mutex_unlock(&p->mu);
                return &p->conns[i];
            }
        }
        pthread_cond_wait(&p->cv, &p->mu);
    }
}

void db_pool_release(db_pool *p, db_conn *c) {
    pthread_mutex_lock(&p->mu);
    p->busy[c - p->conns] = false;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void db_pool_close(db_pool *p) {
    if (!p) return;
    for (int i = 0; i < p->size; i++) p->conns[i].drv->close(p->conns[i].conn);
    pthread_mutex_destroy(&p->mu);
    pthread_mutex_destroy(&p->write_mu);
    pthread_cond_destroy(&p->cv);
    free(p->conns);
    free(p->busy);
    free(p);
}

#include "store/store.h"
#include <time.h>

int store_tx(db_conn *c, bool write, store_tx_fn fn, void *ctx) {
    int rc = DB_BUSY;
    pthread_mutex_t *lock = write ? c->write_lock : NULL;
    if (lock) pthread_mutex_lock(lock);
    for (int attempt = 0; attempt < 8 && rc == DB_BUSY; attempt++) {
        if (attempt) {
            /* Back off 1, 2, 4 ... ms: another writer holds the lock. */
            struct timespec ts = {0, (long)(1000000L << (attempt - 1))};
            nanosleep(&ts, NULL);
        }
        rc = c->drv->begin(c->conn, write);
        if (rc != DB_OK) continue;
        rc = fn(c, ctx);
        if (rc == DB_OK) rc = c->drv->commit(c->conn);
        if (rc != DB_OK) c->drv->rollback(c->conn);
    }
    if (lock) pthread_mutex_unlock(lock);
    return rc;
}

int store_checkpoint(db_conn *c) {
    if (c->drv->kind != DB_KIND_SQLITE) return DB_OK;
    return c->drv->exec_script(c->conn, "PRAGMA wal_checkpoint(PASSIVE)");
}

int store_query_int(db_conn *c, const char *sql, const db_val *p, int n, int64_t *out) {
    db_rows *r = NULL;
    int rc = db_query(c, sql, p, n, &r);
    if (rc != DB_OK) return rc;
    rc = db_next(c, r);
    if (rc == 1) *out = c->drv->col_int(r, 0);
    db_rows_free(c, r);
    return rc == 1 ? DB_OK : rc == 0 ? DB_NOT_FOUND : rc;
}
