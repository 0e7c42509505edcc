/* import streets (the register of renamed streets) and import addresses
 * (CSV: street,house,lat,lon); migrate loads both for the demo. */
#include "cli/cli.h"
#include "domain/address_index.h"
#include "store/store.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

#define STREETS_FILE_MAX (16u << 20)
#define ADDRESSES_FILE_MAX (256u << 20)
#define ROW_ERRORS_SHOWN 20

/* --- streets ------------------------------------------------------------ */

/* KATOTTG codes of the districts by name, from katottg-dnipro.csv beside
 * the register (";"-separated, the last code column before the category). */
static const char *district_code(const char *katottg, const char *name, char *out, size_t cap) {
    if (!katottg || !name) return NULL;
    size_t nl = strlen(name);
    for (const char *line = katottg; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        while (len && (line[len - 1] == '\r' || line[len - 1] == ' ')) len--;
        if (len > nl + 3 && memcmp(line + len - nl, name, nl) == 0 && line[len - nl - 1] == ';' &&
            line[len - nl - 2] == 'B' && line[len - nl - 3] == ';') {
            const char *code_end = line + len - nl - 3, *p = code_end;
            while (p > line && p[-1] != ';') p--;
            snprintf(out, cap, "%.*s", (int)(code_end - p), p);
            return *out ? out : NULL;
        }
        if (!end) break;
        line = end + 1;
    }
    return NULL;
}

typedef struct {
    json_t *root;
    char *katottg;
    addr_index *ix; /* the streets saved so far: "Набережна" and "набережна" are one */
    int streets, old_names;
} streets_tx;

static int save_object(db_conn *c, streets_tx *t, const json_t *o, const char *district) {
    const char *type = json_string_value(json_object_get(o, "type"));
    const char *name = json_string_value(json_object_get(o, "newName"));
    const char *old = json_string_value(json_object_get(o, "oldName"));
    addr_kind kind = addr_kind_parse(type);
    if (kind == ADDR_KIND_NONE || !name || !*name || strlen(name) > 200) return DB_OK;
    int64_t id = addr_index_find_exact(t->ix, name, kind);
    int rc = DB_OK;
    if (id < 0) {
        rc = store_street_upsert(c, name, addr_kind_name(kind), district, &id);
        if (rc != DB_OK) return rc;
        addr_index_add_street(t->ix, id, name, addr_kind_name(kind), district);
        t->streets++;
    }
    if (old && *old && strcmp(old, name) != 0 && strlen(old) <= 200) {
        rc = store_street_old_name(c, id, old);
        t->old_names++;
    }
    return rc;
}

static int save_streets(db_conn *c, void *ctx) {
    streets_tx *t = ctx;
    t->streets = t->old_names = 0;
    addr_index_free(t->ix);
    t->ix = addr_index_new();
    int rc = store_address_index_load(c, t->ix);
    if (rc != DB_OK) return rc;
    const char *key;
    json_t *group;
    json_object_foreach(t->root, key, group) {
        const json_t *objects = json_object_get(group, "objects");
        if (!json_is_array(objects)) continue;
        char code[64];
        const char *district = district_code(
            t->katottg, json_string_value(json_object_get(group, "newAreaName")), code,
            sizeof code);
        size_t i;
        const json_t *o;
        json_array_foreach(objects, i, o) {
            rc = save_object(c, t, o, district);
            if (rc != DB_OK) return rc;
        }
    }
    return DB_OK;
}

int cli_import_streets(db_conn *c, const char *file) {
    char *text = cli_read_file(file, STREETS_FILE_MAX);
    if (!text) {
        fprintf(stderr, "kontakt import streets: cannot read %s\n", file);
        return DB_ERR;
    }
    json_error_t jerr;
    streets_tx t = {.root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr)};
    free(text);
    if (!json_is_object(t.root)) {
        fprintf(stderr, "kontakt import streets: %s: not a JSON object (line %d: %s)\n", file,
                jerr.line, jerr.text);
        json_decref(t.root);
        return DB_ERR;
    }
    char kpath[1024];
    const char *slash = strrchr(file, '/');
    snprintf(kpath, sizeof kpath, "%.*skatottg-dnipro.csv", slash ? (int)(slash - file + 1) : 0,
             file);
    t.katottg = cli_read_file(kpath, 1u << 20);
    int rc = store_tx(c, true, save_streets, &t);
    if (rc == DB_OK)
        fprintf(stderr, "kontakt: streets imported: %d objects, %d old names (%s)\n", t.streets,
                t.old_names, t.katottg ? "districts from KATOTTG codes" : "no district codes");
    else
        fprintf(stderr, "kontakt import streets: not stored (database error %d)\n", rc);
    free(t.katottg);
    addr_index_free(t.ix);
    json_decref(t.root);
    return rc;
}

/* --- addresses (CSV) --------------------------------------------------- */

typedef struct {
    char *street, *house;
    bool has_coords;
    double lat, lon;
    int line;
    int64_t street_id;
} csv_row;

/* Splits one CSV record in place (RFC 4180 quotes); *next gets the start of
 * the following line. Returns the number of fields (up to max; one more
 * than max means too many). */
static int csv_fields(char *p, char **fields, int max, char **next) {
    int n = 0;
    for (;;) {
        char *out = p, *start = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '"' && p[1] == '"') *out++ = '"', p += 2;
                else if (*p == '"') { p++; break; }
                else if (!*p) break;
                else *out++ = *p++;
            }
            while (*p && *p != ',' && *p != '\n') p++; /* junk after a quote is dropped */
        } else {
            while (*p && *p != ',' && *p != '\n') p++;
            out = p;
        }
        char end = *p;
        if (out > start && out[-1] == '\r' && end != ',') out--;
        if (n < max) fields[n] = start;
        n++;
        *out = '\0';
        if (end == ',') {
            p++;
            continue;
        }
        *next = end ? p + 1 : p;
        return n > max ? max + 1 : n;
    }
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = '\0';
    return s;
}

static bool parse_coord(const char *s, double min, double max, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < min || v > max) return false;
    *out = v;
    return true;
}

/* The row's problem, or NULL when it is fine. */
static const char *check_row(char **f, int n, const dom_bounds *b, csv_row *row) {
    if (n != 4) return "expected 4 columns: street,house,lat,lon";
    row->street = trim(f[0]);
    row->house = trim(f[1]);
    char *lat = trim(f[2]), *lon = trim(f[3]);
    long sl = dom_utf8_length(row->street, strlen(row->street));
    long hl = dom_utf8_length(row->house, strlen(row->house));
    if (sl < 0 || hl < 0) return "not valid UTF-8";
    if (dom_has_control_chars(row->street, strlen(row->street)) ||
        dom_has_control_chars(row->house, strlen(row->house)))
        return "control characters";
    if (sl < 2 || sl > 200) return "street must be 2-200 characters";
    if (hl < 1 || hl > 24) return "house must be 1-24 characters";
    if (!*lat && !*lon) return NULL;
    if (!parse_coord(lat, b->min_lat, b->max_lat, &row->lat) ||
        !parse_coord(lon, b->min_lon, b->max_lon, &row->lon))
        return "lat and lon must both be empty or numbers inside the city bounds";
    row->has_coords = true;
    return NULL;
}

/* Parses and checks every row; prints the bad ones. NULL when any is bad. */
static csv_row *read_rows(char *text, const char *file, const dom_bounds *b, int *n_rows) {
    char *f[5], *next;
    int n = csv_fields(text, f, 4, &next), line = 1, bad = 0, cap = 1024;
    if (n != 4 || strcmp(trim(f[0]), "street") || strcmp(trim(f[1]), "house") ||
        strcmp(trim(f[2]), "lat") || strcmp(trim(f[3]), "lon")) {
        fprintf(stderr, "%s:1: the header must be street,house,lat,lon\n", file);
        return NULL;
    }
    csv_row *rows = xmalloc(sizeof(csv_row) * (size_t)cap);
    *n_rows = 0;
    for (char *p = next; *p; p = next) {
        line++;
        n = csv_fields(p, f, 4, &next);
        if (n == 1 && !*trim(f[0])) continue; /* empty line */
        if (*n_rows == cap) rows = xrealloc(rows, sizeof(csv_row) * (size_t)(cap *= 2));
        csv_row *row = &rows[*n_rows];
        *row = (csv_row){.line = line};
        const char *why = check_row(f, n, b, row);
        if (why) {
            if (bad++ < ROW_ERRORS_SHOWN) fprintf(stderr, "%s:%d: %s\n", file, line, why);
            continue;
        }
        (*n_rows)++;
    }
    if (!bad) return rows;
    fprintf(stderr, "kontakt import addresses: %d bad row(s); nothing stored\n", bad);
    free(rows);
    return NULL;
}

typedef struct {
    csv_row *rows;
    int n_rows;
    int new_streets, stored;
} addresses_tx;

static int cmp_row(const void *a, const void *b) {
    const csv_row *x = a, *y = b;
    if (x->street_id != y->street_id) return x->street_id < y->street_id ? -1 : 1;
    int c = strcmp(x->house, y->house);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Each row's street: a known one by its current or old name, or a new one. */
static int resolve_streets(db_conn *c, addresses_tx *t, addr_index *ix) {
    for (int i = 0; i < t->n_rows; i++) {
        csv_row *r = &t->rows[i];
        addr_kind kind;
        size_t name_len;
        char *name = r->street + addr_strip_kind(r->street, &kind, &name_len);
        name[name_len] = '\0'; /* the kind word is dropped from the stored name */
        r->street_id = addr_index_find_street(ix, name, kind);
        if (r->street_id >= 0) continue;
        int rc = store_street_upsert(c, name, addr_kind_name(kind == ADDR_KIND_NONE ? ADDR_STREET
                                                                                   : kind),
                                     NULL, &r->street_id);
        if (rc != DB_OK) return rc;
        addr_index_add_street(ix, r->street_id, name, addr_kind_name(kind), NULL);
        t->new_streets++;
    }
    return DB_OK;
}

static int save_addresses(db_conn *c, void *ctx) {
    addresses_tx *t = ctx;
    t->new_streets = t->stored = 0;
    addr_index *ix = addr_index_new();
    int rc = store_address_index_load(c, ix);
    if (rc == DB_OK) rc = resolve_streets(c, t, ix);
    addr_index_free(ix);
    if (rc != DB_OK) return rc;
    /* One row per (street, house): the last one in the file wins. */
    qsort(t->rows, (size_t)t->n_rows, sizeof(csv_row), cmp_row);
    store_address *a = xmalloc(sizeof(store_address) * (size_t)(t->n_rows + 1));
    int n = 0;
    for (int i = 0; i < t->n_rows; i++) {
        const csv_row *r = &t->rows[i];
        if (i + 1 < t->n_rows && r->street_id == r[1].street_id && !strcmp(r->house, r[1].house))
            continue;
        a[n++] = (store_address){.street_id = r->street_id, .house = r->house,
                                 .has_coords = r->has_coords, .lat = r->lat, .lon = r->lon};
    }
    rc = store_addresses_put(c, a, n);
    t->stored = n;
    free(a);
    return rc;
}

int cli_import_addresses(db_conn *c, const char *file, const dom_bounds *bounds) {
    char *text = cli_read_file(file, ADDRESSES_FILE_MAX);
    if (!text) {
        fprintf(stderr, "kontakt import addresses: cannot read %s\n", file);
        return DB_ERR;
    }
    addresses_tx t = {0};
    t.rows = read_rows(text, file, bounds, &t.n_rows);
    int rc = DB_ERR;
    if (t.rows) {
        rc = store_tx(c, true, save_addresses, &t);
        if (rc == DB_OK)
            fprintf(stderr, "kontakt: addresses imported: %d (%d new streets)\n", t.stored,
                    t.new_streets);
        else
            fprintf(stderr, "kontakt import addresses: nothing stored (database error %d)\n", rc);
    }
    free(t.rows);
    free(text);
    return rc;
}

/* migrate: the demo register when the database has no streets yet. */
int cli_load_demo_places(db_conn *c, const char *data_dir, const dom_bounds *bounds) {
    const char *off = getenv("KONTAKT_DEMO_PLACES");
    if (off && strcmp(off, "0") == 0) return DB_OK;
    int64_t n = 0;
    int rc = store_streets_count(c, &n);
    if (rc != DB_OK || n > 0) return rc;
    if (!dom_bounds_contains(bounds, 48.4647, 35.0462)) {
        fprintf(stderr, "kontakt migrate: the demo streets and addresses are Dnipro's and the "
                        "city bounds do not include Dnipro: not loaded\n");
        return DB_OK;
    }
    const char *streets = getenv("KONTAKT_STREETS_FILE");
    if (!streets || !*streets) streets = CLI_STREETS_FILE;
    FILE *f = fopen(streets, "rb");
    if (f) {
        fclose(f);
        rc = cli_import_streets(c, streets);
        if (rc != DB_OK) return rc;
    } else {
        fprintf(stderr, "kontakt migrate: no street register at %s: demo addresses only\n",
                streets);
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/addresses-dnipro-demo.csv", data_dir);
    f = fopen(path, "rb");
    if (!f) return DB_OK;
    fclose(f);
    return cli_import_addresses(c, path, bounds);
}
