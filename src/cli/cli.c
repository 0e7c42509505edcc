/* Command dispatch, help texts, flag parsing, configuration defaults. */
#include "cli/cli.h"
#include "domain/catalog.h"
#include "domain/deadline.h"
#include "domain/nearby.h"
#include "domain/watch.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/rand.h"
#include "util/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "util/banned.h"

static const cli_command commands[] = {
    {"serve", "serve the API, the pages and the background jobs", "", cmd_serve},
    {"migrate", "create or upgrade the schema; load the catalogue if the database has none", "",
     cmd_migrate},
    {"import",
     "import data: `catalog` (data/categories.json, organisations.json, routing.json), "
     "`districts FILE.geojson`, `streets [FILE]` (the register of renamed streets, default "
     CLI_STREETS_FILE "), `addresses FILE.csv` (street,house,lat,lon)",
     "catalog | districts FILE | streets [FILE] | addresses FILE.csv", cmd_import},
    {"demo", "fill the database with realistic demo appeals", "", cmd_demo},
    {"routes", "print the HTTP routing table (METHOD PATH), one route a line", "", cmd_routes},
    {"user",
     "staff accounts: `add` (password from standard input), `passwd` (new password from "
     "standard input), `totp` (a new second-factor secret)",
     "add --login L --role R [--org CODE] [--name N] | passwd --login L | totp --login L",
     cmd_user},
};
static const size_t n_commands = sizeof commands / sizeof commands[0];

static void usage(FILE *f) {
    fputs("kontakt — municipal contact center for housing and communal-services appeals\n\n"
          "Usage: kontakt COMMAND [FLAGS]\n       kontakt COMMAND --help\n\nCommands:\n",
          f);
    for (size_t i = 0; i < n_commands; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs("\nThe database is an SQLite file (default var/kontakt.db) or a PostgreSQL URL\n"
          "(--db postgresql://user@host:port/dbname). Environment: see README.md.\n",
          f);
}

void cli_help(const cli_command *cmd, const cli_flag *flags) {
    printf("Usage: kontakt %s%s%s [FLAGS]\n\n%s\n\nFlags:\n", cmd->name, *cmd->usage_tail ? " " : "",
           cmd->usage_tail, cmd->summary);
    for (const cli_flag *f = flags; f->name; f++) {
        char left[48];
        snprintf(left, sizeof left, "%s%s%s", f->name, f->arg ? " " : "", f->arg ? f->arg : "");
        printf("  %-22s %s\n", left, f->help);
    }
    printf("  %-22s %s\n", "--help", "show this help");
}

int cli_parse(const cli_command *cmd, const cli_flag *flags, int argc, char **argv,
              const char **pos, int max_pos, int *n_pos) {
    *n_pos = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_help(cmd, flags);
            return 1;
        }
        if (strncmp(argv[i], "--", 2) != 0) {
            if (*n_pos >= max_pos) {
                fprintf(stderr, "kontakt %s: unexpected argument '%s' (see --help)\n", cmd->name,
                        argv[i]);
                return -1;
            }
            pos[(*n_pos)++] = argv[i];
            continue;
        }
        const cli_flag *f = flags;
        while (f->name && strcmp(f->name, argv[i]) != 0) f++;
        if (!f->name) {
            fprintf(stderr, "kontakt %s: unknown flag '%s' (see --help)\n", cmd->name, argv[i]);
            return -1;
        }
        if (f->flag) {
            *f->flag = true;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "kontakt %s: %s needs a value %s\n", cmd->name, f->name, f->arg);
            return -1;
        }
        const char *v = argv[++i];
        long long n;
        if (f->num) {
            if (!str_to_ll(v, f->min, f->max, &n)) {
                fprintf(stderr, "kontakt %s: %s must be a whole number from %ld to %ld\n",
                        cmd->name, f->name, f->min, f->max);
                return -1;
            }
            *f->num = (long)n;
        } else {
            *f->str = v;
        }
    }
    return 0;
}

static const char *env_or(const char *name, const char *fallback) {
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

void cli_config_defaults(kontakt_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->db_url = env_or("KONTAKT_DB", "var/kontakt.db");
    cfg->bind = env_or("KONTAKT_BIND", "127.0.0.1");
    long long port = 8080;
    str_to_ll(env_or("KONTAKT_PORT", env_or("PORT", "8080")), 0, 65535, &port);
    cfg->port = (int)port;
    cfg->threads = 0; /* 0: one per core */
    cfg->web_dir = env_or("KONTAKT_WEB_DIR", "web");
    cfg->vendor_dir = env_or("KONTAKT_VENDOR_DIR", "node_modules");
    cfg->data_dir = env_or("KONTAKT_DATA_DIR", "data");
    cfg->openapi_path = env_or("KONTAKT_OPENAPI", "docs/openapi.json");
    if (!dom_bounds_parse(env_or("KONTAKT_CITY_BOUNDS", "34.74,48.33,35.25,48.60"), &cfg->bounds))
        dom_bounds_parse("34.74,48.33,35.25,48.60", &cfg->bounds);
    cfg->center_lat = 48.4647;
    cfg->center_lon = 35.0462;
    cfg->zoom = 12;
    cfg->city_uk = env_or("KONTAKT_CITY_UK", "Дніпро");
    cfg->city_en = env_or("KONTAKT_CITY_EN", "Dnipro");
    cfg->tile_url = env_or("KONTAKT_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png");
    cfg->tile_attribution =
        env_or("KONTAKT_TILE_ATTRIBUTION", "© OpenStreetMap contributors");
    cfg->hotline_phone = env_or("KONTAKT_HOTLINE", "1580");
    cfg->hotline_display = env_or("KONTAKT_HOTLINE_DISPLAY", "15-80");
    cfg->trial = strcmp(env_or("KONTAKT_TRIAL", "0"), "1") == 0;
    long long v = 64;
    str_to_ll(env_or("KONTAKT_MAX_CONN_PER_IP", "64"), 1, 100000, &v);
    cfg->per_ip_limit = (unsigned)v;
    v = 1024;
    str_to_ll(env_or("KONTAKT_MAX_CONN", "1024"), 1, 1000000, &v);
    cfg->conn_limit = (unsigned)v;
    v = 30;
    str_to_ll(env_or("KONTAKT_TIMEOUT_S", "30"), 1, 3600, &v);
    cfg->timeout_s = (unsigned)v;
    long long rate = 120;
    str_to_ll(env_or("KONTAKT_RATE_APPEALS", "120"), 0, 1000000000, &rate);
    cfg->rate_appeals = (unsigned)rate;
    long long days = DOM_DUPLICATE_DAYS_DEFAULT;
    str_to_ll(env_or("KONTAKT_DUPLICATE_DAYS", "7"), 1, 365, &days);
    cfg->duplicate_days = (int)days;
    cfg->trusted_proxy = getenv("KONTAKT_TRUSTED_PROXY");
    cfg->common_passwords = env_or("KONTAKT_COMMON_PASSWORDS", "/usr/share/john/password.lst");
    char *end = NULL;
    const char *share = env_or("KONTAKT_WARN_SHARE", "0.75");
    cfg->warn_share = strtod(share, &end);
    if (end == share || *end || !dom_warn_share_ok(cfg->warn_share))
        cfg->warn_share = DOM_WARN_SHARE_DEFAULT;
    cfg->var_dir = env_or("KONTAKT_VAR_DIR", "var");
    cfg->public_url = getenv("KONTAKT_PUBLIC_URL");
    cfg->smtp_url = getenv("KONTAKT_SMTP_URL");
    cfg->smtp_from = env_or("KONTAKT_SMTP_FROM", "kontakt@localhost");
    cfg->smtp_user = getenv("KONTAKT_SMTP_USER");
    cfg->smtp_password = getenv("KONTAKT_SMTP_PASSWORD");
    cfg->smtp_tls = env_or("KONTAKT_SMTP_TLS", "try");
    cfg->smtp_ca = getenv("KONTAKT_SMTP_CA");
    cfg->sms_url = getenv("KONTAKT_SMS_URL");
    cfg->sms_token = getenv("KONTAKT_SMS_TOKEN");
    cfg->sms_sender = env_or("KONTAKT_SMS_SENDER", "Kontakt");
    long long bytes = 10 * 1024 * 1024;
    str_to_ll(env_or("KONTAKT_PHOTO_MAX_BYTES", "10485760"), 1024, 100LL * 1024 * 1024, &bytes);
    cfg->photo_max_bytes = (long)bytes;
    long long count = 5;
    str_to_ll(env_or("KONTAKT_PHOTO_MAX_COUNT", "5"), 1, 50, &count);
    cfg->photo_max_count = (int)count;
    long long slots = 4;
    str_to_ll(env_or("KONTAKT_UPLOAD_SLOTS", "4"), 1, 256, &slots);
    cfg->upload_slots = (int)slots;
}

char *cli_read_file(const char *path, size_t max) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    buf b;
    buf_init(&b, max);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (!buf_append(&b, chunk, n)) break;
    }
    bool ok = !ferror(f) && !b.overflow;
    fclose(f);
    if (!ok) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}

typedef struct {
    const char *cats, *orgs;
    const dom_catalog *cat;
    const dom_routing *routing;
} catalog_tx;

static int save_catalog(db_conn *c, void *ctx) {
    catalog_tx *t = ctx;
    size_t n = t->cat->n_orgs;
    const char **codes = xcalloc(n, sizeof *codes), **uk = xcalloc(n, sizeof *uk),
               **en = xcalloc(n, sizeof *en), **ph = xcalloc(n, sizeof *ph);
    for (size_t i = 0; i < n; i++) {
        codes[i] = t->cat->orgs[i].code;
        uk[i] = t->cat->orgs[i].name_uk;
        en[i] = t->cat->orgs[i].name_en;
        ph[i] = t->cat->orgs[i].phone;
    }
    int rc = store_catalog_save(c, t->cats, t->orgs, codes, uk, en, ph, (int)n, time_now_ms());
    free(codes);
    free(uk);
    free(en);
    free(ph);
    return rc == DB_OK ? store_routing_replace(c, t->routing) : rc;
}

int cli_load_catalog(db_conn *c, const char *data_dir, bool replace) {
    if (!replace) {
        char *a = NULL, *b = NULL;
        int rc = store_catalog_load(c, &a, &b);
        free(a);
        free(b);
        if (rc == DB_OK) return DB_OK;
    }
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/categories.json", data_dir);
    char *cats = cli_read_file(path, 4u << 20);
    snprintf(path, sizeof path, "%s/organisations.json", data_dir);
    char *orgs = cli_read_file(path, 4u << 20);
    if (!cats || !orgs) {
        fprintf(stderr, "kontakt: cannot read %s/categories.json and organisations.json\n",
                data_dir);
        free(cats);
        free(orgs);
        return DB_ERR;
    }
    dom_catalog cat;
    dom_routing routing = {0};
    int rc = DB_ERR;
    if (!dom_catalog_parse(cats, orgs, &cat, err, sizeof err)) {
        fprintf(stderr, "kontakt: the catalogue is not valid: %s\n", err);
    } else {
        catalog_tx t = {cats, orgs, &cat, &routing};
        if (cli_read_routing(data_dir, &cat, &routing)) rc = store_tx(c, true, save_catalog, &t);
        if (rc == DB_OK)
            fprintf(stderr,
                    "kontakt: catalogue loaded: %zu categories, %zu organisations, %zu routing "
                    "rules\n",
                    cat.n_cats, cat.n_orgs, routing.n);
        dom_routing_free(&routing);
        dom_catalog_free(&cat);
    }
    free(cats);
    free(orgs);
    return rc;
}

bool cli_catalog_from_db(db_conn *c, const char *command, dom_catalog *cat) {
    char *cats = NULL, *orgs = NULL, err[512];
    if (store_catalog_load(c, &cats, &orgs) != DB_OK) {
        fprintf(stderr, "kontakt %s: the database has no catalogue or no schema: run "
                        "`kontakt migrate --db ...` first\n", command);
        return false;
    }
    bool ok = dom_catalog_parse(cats, orgs, cat, err, sizeof err);
    if (!ok) fprintf(stderr, "kontakt %s: the stored catalogue is not valid: %s\n", command, err);
    free(cats);
    free(orgs);
    return ok;
}

int cli_main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    json_set_alloc_funcs(xmalloc, free); /* jansson too: out of memory aborts */
    if (!rand_init() || !dom_tz_init()) {
        fputs("kontakt: cannot initialise libsodium or the Europe/Kyiv time zone "
              "(is tzdata installed?)\n",
              stderr);
        return 1;
    }
    for (size_t i = 0; i < n_commands; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "kontakt: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}

const cli_command *cli_find(const char *name) {
    for (size_t i = 0; i < n_commands; i++)
        if (strcmp(name, commands[i].name) == 0) return &commands[i];
    return NULL;
}
