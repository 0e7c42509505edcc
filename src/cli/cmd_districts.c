/* Districts and routing rules: `import districts FILE`, what migrate loads
 * when the database has none, and what serve and demo read at start. */
#include "cli/cli.h"
#include "store/store.h"
#include "util/timeutil.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define DISTRICTS_FILE_MAX (64u << 20)
#define ROUTING_FILE_MAX (4u << 20)

static int replace_districts(db_conn *c, void *ctx) { return store_districts_replace(c, ctx); }

int cli_load_districts(db_conn *c, const char *path, bool replace) {
    if (!replace) {
        int64_t n = 0;
        int rc = store_districts_count(c, &n);
        if (rc != DB_OK || n > 0) return rc;
    }
    errno = 0;
    char *text = cli_read_file(path, DISTRICTS_FILE_MAX);
    if (!text) {
        if (!replace && errno == ENOENT) {
            fprintf(stderr, "kontakt: no %s: no districts loaded\n", path);
            return DB_OK;
        }
        fprintf(stderr, "kontakt: cannot read %s (missing or over %u MiB)\n", path,
                DISTRICTS_FILE_MAX >> 20);
        return DB_ERR;
    }
    dom_districts d;
    char err[512];
    int rc = DB_ERR;
    if (!dom_districts_parse(text, &d, err, sizeof err)) {
        fprintf(stderr, "kontakt: %s is not valid: %s; nothing was replaced\n", path, err);
    } else {
        rc = store_tx(c, true, replace_districts, &d);
        if (rc == DB_OK)
            fprintf(stderr, "kontakt: districts loaded: %zu\n", d.n);
        else
            fprintf(stderr, "kontakt: districts not stored (database error %d)\n", rc);
        dom_districts_free(&d);
    }
    free(text);
    return rc;
}

bool cli_read_routing(const char *data_dir, const dom_catalog *cat, dom_routing *out) {
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/routing.json", data_dir);
    memset(out, 0, sizeof *out);
    errno = 0;
    char *text = cli_read_file(path, ROUTING_FILE_MAX);
    if (!text) {
        if (errno == ENOENT) {
            fprintf(stderr, "kontakt: no %s: every appeal goes to its type's organisation\n",
                    path);
            return true;
        }
        fprintf(stderr, "kontakt: cannot read %s\n", path);
        return false;
    }
    bool ok = dom_routing_parse(text, cat, out, err, sizeof err);
    if (!ok) fprintf(stderr, "kontakt: %s is not valid: %s\n", path, err);
    free(text);
    return ok;
}

bool cli_places_from_db(db_conn *c, const char *command, dom_districts *d, dom_routing *r) {
    char err[512] = "";
    int rc = store_districts_load(c, d, err, sizeof err);
    if (rc != DB_OK) {
        fprintf(stderr, "kontakt %s: the stored districts cannot be read: %s\n", command,
                err[0] ? err : "database error");
        return false;
    }
    rc = store_routing_load(c, r);
    if (rc != DB_OK) {
        fprintf(stderr, "kontakt %s: the routing rules cannot be read (database error %d)\n",
                command, rc);
        dom_districts_free(d);
        return false;
    }
    return true;
}

int cmd_import_districts(db_conn *c, const char *path) {
    if (!path) {
        fprintf(stderr, "kontakt import districts: name the file: "
                        "kontakt import districts FILE.geojson\n");
        return 2;
    }
    return cli_load_districts(c, path, true) == DB_OK ? 0 : 1;
}
