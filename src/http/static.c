/* Static pages and vendored front-end packages. Paths are resolved with
 * realpath and must stay inside their root: no traversal, no symlinks out. */
#include "http/http.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "util/banned.h"

#define STATIC_MAX_BYTES (8u << 20)

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".webmanifest", "application/manifest+json"},
    {".txt", "text/plain; charset=utf-8"},
};

static const char *type_of(const char *path) {
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/')) return NULL;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0) return types[i].type;
    return NULL; /* unknown kinds are not served */
}

/* The npm packages the pages use; nothing else under node_modules is served. */
static bool vendor_allowed(const char *pkg, size_t len) {
    static const char *const allowed[] = {"leaflet", "chart.js"};
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (strlen(allowed[i]) == len && memcmp(allowed[i], pkg, len) == 0) return true;
    return false;
}

static bool safe_rel(const char *rel) {
    if (strstr(rel, "..") || strchr(rel, '\\') || strstr(rel, "//")) return false;
    for (const char *p = rel; *p; p++)
        if ((unsigned char)*p < 0x20) return false;
    return true;
}

static char *read_file(const char *root, const char *rel, size_t *len) {
    char joined[PATH_MAX], real_root[PATH_MAX], real_file[PATH_MAX];
    if (!realpath(root, real_root)) return NULL;
    int n = snprintf(joined, sizeof joined, "%s/%s", real_root, rel);
    if (n < 0 || (size_t)n >= sizeof joined) return NULL;
    if (!realpath(joined, real_file)) return NULL;
    size_t rl = strlen(real_root);
    if (strncmp(real_file, real_root, rl) != 0 || real_file[rl] != '/') return NULL;
    struct stat st;
    if (stat(real_file, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > STATIC_MAX_BYTES)
        return NULL;
    FILE *f = fopen(real_file, "rb");
    if (!f) return NULL;
    char *data = xmalloc((size_t)st.st_size + 1);
    size_t got = fread(data, 1, (size_t)st.st_size, f);
    fclose(f);
    if (got != (size_t)st.st_size) {
        free(data);
        return NULL;
    }
    *len = got;
    return data;
}

bool http_static(http_req *req, const char *web_dir, const char *vendor_dir) {
    const char *path = req->path;
    if (path[0] != '/') return false;
    const char *root = web_dir, *rel = path + 1;
    char mapped[1100];
    if (strcmp(path, "/") == 0) rel = "index.html";
    if (strncmp(path, "/vendor/", 8) == 0) {
        /* /vendor/<package>/<file> -> <vendor_dir>/<package>/dist/<file> (npm layout) */
        const char *pkg = path + 8, *slash = strchr(pkg, '/');
        if (!slash || slash == pkg || !vendor_allowed(pkg, (size_t)(slash - pkg))) return false;
        int n = snprintf(mapped, sizeof mapped, "%.*s/dist%s", (int)(slash - pkg), pkg, slash);
        if (n < 0 || (size_t)n >= sizeof mapped) return false;
        root = vendor_dir;
        rel = mapped;
    }
    if (!root || !*rel || !safe_rel(rel)) return false;
    const char *type = type_of(rel);
    if (!type) return false;
    size_t len = 0;
    char *data = read_file(root, rel, &len);
    if (!data) return false;
    http_add_header(req, "Cache-Control", root == vendor_dir ? "public, max-age=86400"
                                                              : "no-cache");
    http_reply_text(req, 200, type, data, len);
    return true;
}
