/* migrate, import, routes. */
#include "cli/cli.h"
#include "store/migrations.h"
#include "store/store.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "util/banned.h"

bool cli_open(const char *url, db_conn *c) {
    *c = (db_conn){.drv = db_driver_for(url), .write_lock = NULL};
    if (c->drv->kind == DB_KIND_SQLITE) {
        /* Create the folder of the database file (var/ by default). */
        char dir[1024];
        if (str_copy(dir, sizeof dir, url)) {
            char *slash = strrchr(dir, '/');
            if (slash && slash != dir) {
                *slash = '\0';
                if (mkdir(dir, 0750) != 0 && errno != EEXIST)
                    fprintf(stderr, "kontakt: cannot create %s: %s\n", dir, strerror(errno));
            }
        }
    }
    char err[512];
    if (c->drv->open(url, &c->conn, err, sizeof err) != DB_OK) {
        fprintf(stderr, "kontakt: %s\n", err);
        return false;
    }
    return true;
}

void cli_close(db_conn *c) { c->drv->close(c->conn); }

int cmd_migrate(int argc, char **argv) {
    kontakt_config cfg;
    cli_config_defaults(&cfg);
    const cli_flag flags[] = {
        {"--db", "URL", "SQLite file or postgresql:// URL (default var/kontakt.db, $KONTAKT_DB)",
         &cfg.db_url, NULL, 0, 0, NULL},
        {"--data", "DIR", "catalogue folder (default data, $KONTAKT_DATA_DIR)", &cfg.data_dir,
         NULL, 0, 0, NULL},
        {0},
    };
    const char *pos[1];
    int n_pos;
    int r = cli_parse(cli_find("migrate"), flags, argc, argv, pos, 0, &n_pos);
    if (r) return r > 0 ? 0 : 2;
    db_conn c;
    if (!cli_open(cfg.db_url, &c)) return 1;
    int version = 0;
    char err[256];
    int rc = store_migrate(&c, &version, err, sizeof err);
    if (rc != DB_OK) {
        fprintf(stderr, "kontakt migrate: %s\n", err);
        cli_close(&c);
        return 1;
    }
    fprintf(stderr, "kontakt migrate: schema version %d (%s)\n", version, c.drv->name);
    rc = cli_load_catalog(&c, cfg.data_dir, false);
    if (rc == DB_OK) {
        char path[1024];
        snprintf(path, sizeof path, "%s/districts-dnipro.geojson", cfg.data_dir);
        rc = cli_load_districts(&c, path, false);
    }
    if (rc == DB_OK) rc = cli_load_demo_places(&c, cfg.data_dir, &cfg.bounds);
    cli_close(&c);
    return rc == DB_OK ? 0 : 1;
}

int cmd_import(int argc, char **argv) {
    kontakt_config cfg;
    cli_config_defaults(&cfg);
    const cli_flag flags[] = {
        {"--db", "URL", "SQLite file or postgresql:// URL (default var/kontakt.db)", &cfg.db_url,
         NULL, 0, 0, NULL},
        {"--data", "DIR", "folder with categories.json and organisations.json (default data)",
         &cfg.data_dir, NULL, 0, 0, NULL},
        {0},
    };
    const char *pos[2];
    int n_pos;
    const cli_command *cmd = cli_find("import");
    int r = cli_parse(cmd, flags, argc, argv, pos, 2, &n_pos);
    if (r) return r > 0 ? 0 : 2;
    const char *what = n_pos ? pos[0] : "";
    bool catalog = strcmp(what, "catalog") == 0 && n_pos == 1;
    bool districts = strcmp(what, "districts") == 0;
    bool streets = strcmp(what, "streets") == 0;
    bool addresses = strcmp(what, "addresses") == 0 && n_pos == 2;
    if (!catalog && !districts && !streets && !addresses) {
        fprintf(stderr, "kontakt import: say what to import: catalog, districts FILE.geojson, "
                        "streets [FILE] or addresses FILE.csv (see --help)\n");
        return 2;
    }
    db_conn c;
    if (!cli_open(cfg.db_url, &c)) return 1;
    if (districts) {
        int ret = cmd_import_districts(&c, n_pos == 2 ? pos[1] : NULL);
        cli_close(&c);
        return ret;
    }
    int rc = catalog     ? cli_load_catalog(&c, cfg.data_dir, true)
             : streets   ? cli_import_streets(&c, n_pos == 2 ? pos[1] : CLI_STREETS_FILE)
                         : cli_import_addresses(&c, pos[1], &cfg.bounds);
    cli_close(&c);
    return rc == DB_OK ? 0 : 1;
}

int cmd_routes(int argc, char **argv) {
    const cli_flag flags[] = {{0}};
    const char *pos[1];
    int n_pos;
    int r = cli_parse(cli_find("routes"), flags, argc, argv, pos, 0, &n_pos);
    if (r) return r > 0 ? 0 : 2;
    for (size_t i = 0; i < api_routes_count; i++)
        printf("%s %s\n", api_routes[i].method, api_routes[i].pattern);
    return 0;
}
