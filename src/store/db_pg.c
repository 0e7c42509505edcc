/* The PostgreSQL driver (libpq) behind the db_driver interface of db.h.
 *
 * SQL shared with SQLite uses '?' placeholders; they are rewritten to
 * $1..$n outside '...' strings (E'..' with backslash escapes), "..."
 * identifiers, -- and nested block comments and $tag$...$tag$ strings.
 * A consequence: shared SQL cannot use PostgreSQL's jsonb '?' operators.
 *
 * Parameters go as text with paramTypes NULL, so the server infers each
 * parameter's type from its context. Shared SQL must therefore leave no
 * doubt: "col = ?" is fine (the column's type), "SELECT ?" is text and
 * "? + 1" is a 32-bit integer; write CAST(? AS BIGINT) (valid in both
 * databases) where the context does not fix a type.
 *
 * Each statement is prepared once per connection (named "k1", "k2", ...)
 * and cached by its text; when the cache is full a statement runs unnamed.
 * Named statements do not survive a pooler in transaction mode (pgbouncer):
 * connect to PostgreSQL directly or use session pooling.
 *
 * Errors are logged to stderr as one JSON line with the SQLSTATE and the
 * server's primary message, never the DETAIL (it quotes row values, which
 * may be personal data) and never parameter values. */
#include <errno.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/banned.h"

enum {
    PG_CACHE_MIN = 64,      /* slots (power of two) */
    PG_CACHE_MAX = 4096,    /* slots; at most half are used */
    PG_MAX_PARAMS = 65535,  /* the protocol's limit */
    PG_NUM_CAP = 32,        /* "%lld" and "%.17g" fit */
    PG_LOG_CAP = 1024,      /* one log line */
    PG_SQL_LOG_MAX = 160,   /* bytes of SQL text quoted in a log line */
};

typedef struct {
    char *sql; /* owned copy of the key; NULL: empty slot */
    uint64_t hash;
    unsigned id; /* statement name "k<id>" */
} pg_stmt;

struct db {
    PGconn *conn;
    pg_stmt *slots;
    size_t cap, used;
    unsigned next_id;
    bool in_tx; /* between begin() and commit()/rollback() */
};

struct db_rows {
    PGresult *res;
    int nrows, ncols, row; /* row: -1 before the first */
};

/* ---- memory and logging ---------------------------------------------- */

/* Out of memory: log and abort (STYLE.md). */
static void *pg_alloc(size_t n) {
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        fputs("{\"level\":\"fatal\",\"msg\":\"out of memory\",\"where\":\"db_pg\"}\n", stderr);
        abort();
    }
    return p;
}

static char *pg_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *c = pg_alloc(n);
    memcpy(c, s, n);
    return c;
}

/* Appends at most max bytes of s as JSON string content, never cutting a
 * UTF-8 sequence; stops before out would pass cap (NUL included). */
static void json_append(char *out, size_t cap, size_t *len, const char *s, size_t max) {
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; s && s[i] && i < max;) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        size_t n = 0, take = 1;
        if (c == '"' || c == '\\') {
            esc[n++] = '\\';
            esc[n++] = (char)c;
        } else if (c < 0x20) {
            esc[n++] = '\\';
            if (c == '\n' || c == '\r' || c == '\t') {
                esc[n++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
            } else {
                memcpy(esc + n, "u00", 3);
                n += 3;
                esc[n++] = hex[c >> 4];
                esc[n++] = hex[c & 15];
            }
        } else {
            take = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            for (n = 0; n < take && s[i + n]; n++) esc[n] = s[i + n];
            if (n < take || i + take > max) break; /* a cut sequence */
            if (c >= 0x80 && c < 0xC0) esc[0] = '?'; /* a stray continuation byte */
        }
        if (*len + n + 1 > cap) break;
        memcpy(out + *len, esc, n);
        *len += n;
        i += take;
    }
    out[*len] = '\0';
}

/* One JSON line on stderr; empty optional fields are left out. */
static void log_line(const char *level, const char *sqlstate, const char *error,
                     const char *constraint, const char *sql) {
    char line[PG_LOG_CAP];
    const size_t room = sizeof line - 4; /* for the closing "}\n */
    const struct {
        const char *key, *val;
        size_t max;
    } f[] = {{"level", level, 16},   {"msg", "pg", 8},          {"sqlstate", sqlstate ? sqlstate : "", 5},
             {"error", error, 400}, {"constraint", constraint, 64}, {"sql", sql, PG_SQL_LOG_MAX}};
    size_t len = 1;
    line[0] = '{';
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (i > 2 && (!f[i].val || !*f[i].val)) continue;
        int n = snprintf(line + len, room - len, "%s\"%s\":\"", len > 1 ? "\"," : "", f[i].key);
        if (n < 0 || (size_t)n >= room - len) break;
        len += (size_t)n;
        json_append(line, room, &len, f[i].val, f[i].max);
    }
    memcpy(line + len, "\"}\n", 4);
    fputs(line, stderr);
}

/* ---- error mapping --------------------------------------------------- */

static int map_sqlstate(const char *st) {
    if (!st) return DB_ERR;
    if (!strcmp(st, "40001") || !strcmp(st, "40P01")) return DB_BUSY;
    if (!strncmp(st, "23", 2)) return DB_CONSTRAINT;
    return DB_ERR;
}

/* Maps a result (NULL: connection trouble) to DB_* and logs what failed. */
static int check_result(db *d, const PGresult *res, const char *sql) {
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) return DB_OK;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg) msg = PQerrorMessage(d->conn);
    /* Data exceptions quote the offending input ("invalid input syntax for
     * type bigint: \"...\""): that may be personal data. */
    if (state && !strncmp(state, "22", 2)) msg = "data exception (message withheld: it may quote values)";
    const char *cons = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    int rc = map_sqlstate(state);
    log_line(rc == DB_ERR ? "error" : "warn", state ? state : "", msg, cons, sql);
    return rc;
}

static void log_error(const char *msg, const char *sql) { log_line("error", "", msg, NULL, sql); }

/* A column name is SQL text, not data: safe to log. */
static void log_column(const char *what, const PGresult *res, int col) {
    char msg[160];
    const char *name = PQfname(res, col);
    snprintf(msg, sizeof msg, "column %d (%.64s) is not %s", col, name ? name : "?", what);
    log_error(msg, NULL);
}

/* Server notices (e.g. "relation already exists, skipping") would go to
 * stderr unformatted; keep warnings as JSON lines and drop the rest. */
static void notice_receiver(void *arg, const PGresult *res) {
    (void)arg;
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (sev && !strcmp(sev, "WARNING"))
        log_line("warn", PQresultErrorField(res, PG_DIAG_SQLSTATE),
                 PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY), NULL, NULL);
}

/* ---- placeholder rewriting ------------------------------------------- */

static bool ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || (unsigned char)c >= 0x80;
}

/* Length of a dollar-quote tag at s ("$$" or "$name$"), 0 if none. */
static size_t dollar_tag(const char *s) {
    size_t i = 1;
    if (s[1] >= '0' && s[1] <= '9') return 0; /* $1: a parameter */
    while (s[i] && s[i] != '$' && ident_char(s[i])) i++;
    return s[i] == '$' ? i + 1 : 0;
}

/* Where the token starting at sql[i] (a quote, comment or dollar string)
 * ends: the index just past it. */
static size_t skip_quoted(const char *sql, size_t i) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
        bool backslash = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                         (i < 2 || !ident_char(sql[i - 2]));
        for (i++; sql[i]; i++) {
            if (backslash && sql[i] == '\\' && sql[i + 1]) i++;
            else if (sql[i] == c) return i + 1; /* '' restarts at once */
        }
        return i;
    }
    if (c == '-') { /* -- to the end of the line */
        while (sql[i] && sql[i] != '\n') i++;
        return i;
    }
    if (c == '/') { /* block comments nest in PostgreSQL */
        int depth = 0;
        while (sql[i]) {
            if (sql[i] == '/' && sql[i + 1] == '*') depth++, i += 2;
            else if (sql[i] == '*' && sql[i + 1] == '/') {
                i += 2;
                if (--depth == 0) return i;
            } else i++;
        }
        return i;
    }
    size_t tag = dollar_tag(sql + i);
    const char *end = sql + i + tag;
    for (; *end; end++)
        if (*end == '$' && !strncmp(end, sql + i, tag)) return (size_t)(end - sql) + tag;
    return (size_t)(end - sql);
}

/* Rewrites '?' to $1..$n; returns a new string (caller frees) and the
 * count in *n, or NULL when there are more than the protocol allows. */
static char *rewrite_placeholders(const char *sql, int *n) {
    size_t len = strlen(sql), q = 0;
    for (size_t i = 0; i < len; i++) q += sql[i] == '?';
    if (q > PG_MAX_PARAMS) return NULL;
    char *out = pg_alloc(len + q * 5 + 1); /* "?" -> "$65535" at most */
    size_t o = 0;
    int count = 0;
    for (size_t i = 0; i < len;) {
        char c = sql[i];
        bool quoted = c == '\'' || c == '"' || (c == '-' && sql[i + 1] == '-') ||
                      (c == '/' && sql[i + 1] == '*') ||
                      (c == '$' && (i == 0 || !ident_char(sql[i - 1])) && dollar_tag(sql + i));
        if (quoted) {
            size_t end = skip_quoted(sql, i);
            memcpy(out + o, sql + i, end - i);
            o += end - i;
            i = end;
        } else if (c == '?') {
            int w = snprintf(out + o, 7, "$%d", ++count);
            o += (size_t)w;
            i++;
        } else {
            out[o++] = c;
            i++;
        }
    }
    out[o] = '\0';
    *n = count;
    return out;
}

/* ---- statement cache ------------------------------------------------- */

static uint64_t fnv1a(const char *s) {
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static pg_stmt *cache_find(db *d, const char *sql, uint64_t h) {
    if (!d->cap) return NULL;
    for (size_t i = h & (d->cap - 1);; i = (i + 1) & (d->cap - 1)) {
        pg_stmt *s = &d->slots[i];
        if (!s->sql) return NULL;
        if (s->hash == h && !strcmp(s->sql, sql)) return s;
    }
}

static void cache_put(db *d, pg_stmt st) {
    for (size_t i = st.hash & (d->cap - 1);; i = (i + 1) & (d->cap - 1))
        if (!d->slots[i].sql) {
            d->slots[i] = st;
            d->used++;
            return;
        }
}

/* Makes room for one more entry; false when the cache is at its bound. */
static bool cache_reserve(db *d) {
    if (d->cap && (d->used + 1) * 2 <= d->cap) return true;
    size_t ncap = d->cap ? d->cap * 2 : PG_CACHE_MIN;
    if (ncap > PG_CACHE_MAX) return false;
    pg_stmt *old = d->slots;
    size_t ocap = d->cap;
    d->slots = pg_alloc(ncap * sizeof *d->slots);
    d->cap = ncap;
    d->used = 0;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].sql) cache_put(d, old[i]);
    free(old);
    return true;
}

static void cache_clear(db *d) {
    for (size_t i = 0; i < d->cap; i++) free(d->slots[i].sql);
    free(d->slots);
    d->slots = NULL;
    d->cap = d->used = 0;
}

/* ---- connection ------------------------------------------------------ */

static int session_setup(db *d) {
    if (PQsetClientEncoding(d->conn, "UTF8") != 0) {
        log_error("cannot set client_encoding UTF8", NULL);
        return DB_ERR;
    }
    PGresult *res = PQexec(d->conn, "SET TIME ZONE 'UTC'");
    int rc = check_result(d, res, "SET TIME ZONE 'UTC'");
    PQclear(res);
    return rc;
}

/* Copies libpq's message to err with the password (if any) masked: libpq
 * does not print it, but we do not rely on that. */
static void set_err(char *err, size_t cap, const char *msg, const char *password) {
    if (!err || !cap) return;
    size_t o = 0, plen = password ? strlen(password) : 0;
    for (size_t i = 0; msg[i] && o + 1 < cap;) {
        if (plen >= 3 && !strncmp(msg + i, password, plen)) {
            for (const char *m = "***"; *m && o + 1 < cap; m++) err[o++] = *m;
            i += plen;
        } else {
            err[o++] = msg[i] == '\n' ? ' ' : msg[i];
            i++;
        }
    }
    while (o > 0 && err[o - 1] == ' ') o--;
    err[o] = '\0';
}

static int pg_open(const char *url, db **out, char *err, size_t err_cap) {
    *out = NULL;
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &perr);
    if (!opts) { /* libpq's reason may quote parts of the URL */
        PQfreemem(perr);
        set_err(err, err_cap, "invalid PostgreSQL connection URL", NULL);
        return DB_ERR;
    }
    char *password = NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (!strcmp(o->keyword, "password") && o->val) password = pg_strdup(o->val);
    PQconninfoFree(opts);

    /* Defaults first: values in the URL (expanded from dbname) override. */
    const char *const keys[] = {"connect_timeout", "fallback_application_name", "dbname", NULL};
    const char *const vals[] = {"10", "kontakt", url, NULL};
    db *d = pg_alloc(sizeof *d);
    d->conn = PQconnectdbParams(keys, vals, 1);
    if (!d->conn || PQstatus(d->conn) != CONNECTION_OK) {
        set_err(err, err_cap, d->conn ? PQerrorMessage(d->conn) : "out of memory", password);
        free(password);
        PQfinish(d->conn);
        free(d);
        return DB_ERR;
    }
    free(password);
    PQsetNoticeReceiver(d->conn, notice_receiver, NULL);
    if (session_setup(d) != DB_OK) {
        set_err(err, err_cap, "cannot set up the session (encoding, time zone)", NULL);
        PQfinish(d->conn);
        free(d);
        return DB_ERR;
    }
    *out = d;
    return DB_OK;
}

static void pg_close(db *d) {
    if (!d) return;
    cache_clear(d);
    PQfinish(d->conn);
    free(d);
}

/* A broken connection outside a transaction is reset (the server forgot
 * our prepared statements); inside one the caller must roll back first,
 * as the transaction's work is lost. */
static int ensure_connected(db *d) {
    if (PQstatus(d->conn) == CONNECTION_OK) return DB_OK;
    if (d->in_tx) {
        log_error("connection lost inside a transaction: roll back", NULL);
        return DB_ERR;
    }
    cache_clear(d);
    PQreset(d->conn);
    if (PQstatus(d->conn) != CONNECTION_OK) {
        log_error("connection lost and reconnect failed", NULL);
        return DB_ERR;
    }
    return session_setup(d);
}

static int run_simple(db *d, const char *sql) {
    if (ensure_connected(d) != DB_OK) return DB_ERR;
    PGresult *res = PQexec(d->conn, sql);
    int rc = check_result(d, res, sql);
    PQclear(res);
    return rc;
}

static int pg_exec_script(db *d, const char *sql) { return run_simple(d, sql); }

/* ---- queries --------------------------------------------------------- */

/* Text forms of params; num holds the numbers' text (PG_NUM_CAP each). */
static void params_text(const db_val *p, int n, const char **vals, char *num) {
    for (int i = 0; i < n; i++) {
        char *b = num + (size_t)i * PG_NUM_CAP;
        switch (p[i].type) {
        case DBV_INT:
            snprintf(b, PG_NUM_CAP, "%lld", (long long)p[i].i);
            vals[i] = b;
            break;
        case DBV_REAL:
            snprintf(b, PG_NUM_CAP, "%.17g", p[i].r);
            vals[i] = b;
            break;
        case DBV_TEXT: vals[i] = p[i].s; break;
        case DBV_NULL:
        default: vals[i] = NULL; break;
        }
    }
}

/* Runs sql with params: prepared from the cache, or unnamed when the
 * cache is full. Returns the result (caller clears) or NULL with *rc. */
static PGresult *exec_cached(db *d, const char *sql, const char *const *vals, int n, int *rc) {
    uint64_t h = fnv1a(sql);
    pg_stmt *st = cache_find(d, sql, h);
    char name[16];
    if (!st) {
        int nq = 0;
        char *text = rewrite_placeholders(sql, &nq);
        if (!text || nq != n) {
            log_error(text ? "placeholder count differs from the parameters given"
                           : "too many placeholders",
                      sql);
            free(text);
            *rc = DB_ERR;
            return NULL;
        }
        if (!cache_reserve(d)) {
            PGresult *res = PQexecParams(d->conn, text, n, NULL, vals, NULL, NULL, 0);
            free(text);
            return res;
        }
        unsigned id = ++d->next_id;
        snprintf(name, sizeof name, "k%u", id);
        PGresult *prep = PQprepare(d->conn, name, text, n, NULL);
        free(text);
        *rc = check_result(d, prep, sql);
        PQclear(prep);
        if (*rc != DB_OK) return NULL;
        cache_put(d, (pg_stmt){.sql = pg_strdup(sql), .hash = h, .id = id});
    } else {
        snprintf(name, sizeof name, "k%u", st->id);
    }
    return PQexecPrepared(d->conn, name, n, vals, NULL, NULL, 0);
}

static int pg_query(db *d, const char *sql, const db_val *params, int n_params, db_rows **out) {
    if (out) *out = NULL;
    if (n_params < 0 || n_params > PG_MAX_PARAMS || (n_params && !params)) {
        log_error("bad parameter count", sql);
        return DB_ERR;
    }
    if (ensure_connected(d) != DB_OK) return DB_ERR;
    size_t np = (size_t)n_params;
    const char **vals = pg_alloc((np ? np : 1) * sizeof *vals);
    char *num = pg_alloc((np ? np : 1) * PG_NUM_CAP);
    params_text(params, n_params, vals, num);
    int rc = DB_OK;
    PGresult *res = exec_cached(d, sql, vals, n_params, &rc);
    free(vals);
    free(num);
    if (rc != DB_OK) return rc;
    rc = check_result(d, res, sql);
    if (rc != DB_OK || !out) {
        PQclear(res);
        return rc;
    }
    db_rows *r = pg_alloc(sizeof *r);
    r->res = res;
    r->nrows = PQntuples(res);
    r->ncols = PQnfields(res);
    r->row = -1;
    *out = r;
    return DB_OK;
}

/* ---- cursor ---------------------------------------------------------- */

static int pg_next(db_rows *r) {
    if (r->row < r->nrows) r->row++;
    return r->row < r->nrows ? 1 : 0;
}

static bool cell_ok(const db_rows *r, int col) {
    if (r->row >= 0 && r->row < r->nrows && col >= 0 && col < r->ncols) return true;
    log_error("column or row out of range", NULL);
    return false;
}

static bool pg_is_null(db_rows *r, int col) {
    return !cell_ok(r, col) || PQgetisnull(r->res, r->row, col);
}

/* Integers as SQLite gives them: booleans 't'/'f' as 1/0, and numeric or
 * floating text truncated toward zero. NULL is 0. */
static int64_t pg_col_int(db_rows *r, int col) {
    if (!cell_ok(r, col) || PQgetisnull(r->res, r->row, col)) return 0;
    const char *s = PQgetvalue(r->res, r->row, col);
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end != s && !*end && errno == 0) return (int64_t)v;
    if (!strcmp(s, "t") || !strcmp(s, "f")) return s[0] == 't';
    errno = 0;
    double f = strtod(s, &end);
    if (end != s && !*end && errno == 0 && isfinite(f) && f > -9.2233720368547758e18 &&
        f < 9.2233720368547758e18)
        return (int64_t)f;
    log_column("an integer", r->res, col);
    return 0;
}

static double pg_col_real(db_rows *r, int col) {
    if (!cell_ok(r, col) || PQgetisnull(r->res, r->row, col)) return 0.0;
    const char *s = PQgetvalue(r->res, r->row, col);
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end != s && !*end && (errno == 0 || errno == ERANGE)) return v;
    log_column("a number", r->res, col);
    return 0.0;
}

static const char *pg_col_text(db_rows *r, int col) {
    if (!cell_ok(r, col)) return "";
    return PQgetvalue(r->res, r->row, col); /* "" for NULL */
}

static void pg_rows_free(db_rows *r) {
    if (!r) return;
    PQclear(r->res);
    free(r);
}

/* ---- transactions ---------------------------------------------------- */

static int pg_begin(db *d, bool write) {
    (void)write; /* READ COMMITTED; writers serialise with row locks */
    int rc = run_simple(d, "BEGIN");
    if (rc == DB_OK) d->in_tx = true;
    return rc;
}

static int pg_commit(db *d) {
    if (PQstatus(d->conn) != CONNECTION_OK) {
        d->in_tx = false;
        log_error("connection lost before commit", NULL);
        return DB_ERR;
    }
    PGresult *res = PQexec(d->conn, "COMMIT");
    int rc = check_result(d, res, "COMMIT");
    /* COMMIT of a failed transaction "succeeds" as a ROLLBACK. */
    if (rc == DB_OK && !strcmp(PQcmdStatus(res), "ROLLBACK")) {
        log_error("commit of a failed transaction rolled back", NULL);
        rc = DB_ERR;
    }
    PQclear(res);
    d->in_tx = false;
    return rc;
}

static int pg_rollback(db *d) {
    bool was = d->in_tx;
    d->in_tx = false;
    if (PQstatus(d->conn) != CONNECTION_OK) return was ? DB_OK : DB_ERR; /* the server dropped it */
    PGresult *res = PQexec(d->conn, "ROLLBACK");
    int rc = check_result(d, res, "ROLLBACK");
    PQclear(res);
    return rc;
}

const db_driver db_pg_driver = {
    .name = "postgresql",
    .kind = DB_KIND_PG,
    .open = pg_open,
    .close = pg_close,
    .exec_script = pg_exec_script,
    .query = pg_query,
    .next = pg_next,
    .is_null = pg_is_null,
    .col_int = pg_col_int,
    .col_real = pg_col_real,
    .col_text = pg_col_text,
    .rows_free = pg_rows_free,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
};
