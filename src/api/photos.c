/* Photo uploads and serving, shared by the tracking link, the staff and
 * the cabinet (api/photos.h). The handlers with their rights checks are
 * in photo_routes.c.
 *
 * An upload is checked whole before anything is written: the multipart
 * framing, the field names, each part's size, the appeal's count, then
 * each image's content (media/: type by content, full decode, pixels).
 * Only then are the files written (by content hash, atomically), then the
 * rows inserted in one transaction that re-counts under a lock; if that
 * fails, the files this request created are removed again unless another
 * row names the same content. */
#include "api/photos.h"
#include "api/views.h"
#include "domain/lifecycle.h"
#include "media/media.h"
#include "util/log.h"
#include "util/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

/* A field error on "photo" naming the limit, as the one error shape. */
static void refuse(http_req *req, const char *error, const char *field_code, const char *detail) {
    json_t *fields = json_object();
    http_field_error(req, fields, "photo", field_code, detail);
    http_reply_error(req, error, fields);
    json_decref(fields);
}

/* "10 MB" style: the limit as a person reads it, and the exact bytes. */
static void size_text(long bytes, char *out, size_t cap) {
    if (bytes >= 1024 * 1024)
        snprintf(out, cap, "≤ %.1f MiB = %ld bytes", (double)bytes / (1024.0 * 1024.0), bytes);
    else
        snprintf(out, cap, "≤ %ld KiB = %ld bytes", bytes / 1024, bytes);
}

/* A part's filename only when it is safe to echo (printable, short). */
static const char *shown_name(const http_part *p) {
    return p->filename[0] ? p->filename : "-";
}

/* The "photo" parts; false after answering 400/413/422. */
static bool pick_photos(http_req *req, const http_part *parts, int n, const http_part **photos,
                        int *n_photos) {
    app_ctx *app = req->app;
    const kontakt_config *cfg = app->cfg;
    json_t *fields = json_object();
    *n_photos = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(parts[i].name, "photo") != 0) {
            http_field_error(req, fields, parts[i].name, "unknown_field", NULL);
            continue;
        }
        photos[(*n_photos)++] = &parts[i];
    }
    if (!*n_photos && !json_object_size(fields)) http_field_error(req, fields, "photo", "required", NULL);
    if (json_object_size(fields)) {
        http_reply_error(req, "validation_failed", fields);
        json_decref(fields);
        return false;
    }
    json_decref(fields);
    for (int i = 0; i < *n_photos; i++) {
        if (photos[i]->len > (size_t)cfg->photo_max_bytes) {
            char limit[96], detail[400];
            size_text(cfg->photo_max_bytes, limit, sizeof limit);
            snprintf(detail, sizeof detail, "%s; %s", limit, shown_name(photos[i]));
            refuse(req, "photo_too_large", "photo_too_large", detail);
            return false;
        }
    }
    return true;
}

static void count_text(const kontakt_config *cfg, int64_t have, char *out, size_t cap) {
    snprintf(out, cap, "≤ %d; %lld already", cfg->photo_max_count, (long long)have);
}

/* Decodes and converts every photo; false after answering 415/422. */
static bool process_all(http_req *req, const http_part **photos, int n, media_image *img) {
    /* The cheap refusal first: no photo is decoded while another part is
     * not an image at all. */
    for (int i = 0; i < n; i++) {
        if (media_detect(photos[i]->data, photos[i]->len)) continue;
        char detail[400];
        snprintf(detail, sizeof detail, "JPEG, PNG, WebP; %s", shown_name(photos[i]));
        refuse(req, "photo_type", "photo_type", detail);
        return false;
    }
    for (int i = 0; i < n; i++) {
        media_status st = media_process(photos[i]->data, photos[i]->len, &img[i]);
        if (st == MEDIA_OK) continue;
        char detail[400];
        if (st == MEDIA_TYPE) {
            snprintf(detail, sizeof detail, "JPEG, PNG, WebP; %s", shown_name(photos[i]));
            refuse(req, "photo_type", "photo_type", detail);
        } else if (st == MEDIA_PIXELS) {
            snprintf(detail, sizeof detail, "≤ %ld px, ≤ %ld MB decoded; %s", MEDIA_MAX_PIXELS,
                     MEDIA_MAX_DECODED_BYTES / 1000000, shown_name(photos[i]));
            refuse(req, "photo_invalid", "photo_too_many_pixels", detail);
        } else {
            snprintf(detail, sizeof detail, "%s", shown_name(photos[i]));
            refuse(req, "photo_invalid", "photo_invalid", detail);
        }
        for (int k = 0; k < i; k++) media_image_free(&img[k]);
        return false;
    }
    return true;
}

typedef struct {
    int64_t appeal_id;
    int max_count;
    store_photo *rows;
    int n;
    const char *actor, *kind, *status;
    int64_t now;
} insert_tx;

static int insert_in_tx(db_conn *c, void *ctx) {
    insert_tx *t = ctx;
    int rc = store_photos_insert(c, t->appeal_id, t->max_count, t->rows, t->n);
    if (rc != DB_OK) return rc;
    char data[96];
    snprintf(data, sizeof data, "{\"count\":%d,\"kind\":\"%s\"}", t->n, t->kind);
    return store_event_add(c, t->appeal_id, t->now, "photos_added", t->status, false, t->actor,
                           NULL, data);
}

/* Removes the files this request created unless a row names them. */
static void undo_files(app_ctx *app, const media_image *img, const bool *created, int n) {
    db_conn *c = db_pool_acquire(app->pool);
    for (int i = 0; i < n; i++) {
        if (!created[i]) continue;
        bool used = true;
        store_photo_sha_used(c, img[i].sha256, &used);
        if (!used) media_remove(app->cfg->var_dir, img[i].sha256, img[i].mime);
    }
    db_pool_release(app->pool, c);
}

static json_t *photo_json(const store_photo *p, const char *url_prefix, bool thumbs_only) {
    char url[512], thumb[520];
    snprintf(url, sizeof url, "%s%lld", url_prefix, (long long)p->id);
    snprintf(thumb, sizeof thumb, "%s/thumb", url);
    return json_pack("{s:I, s:s, s:s, s:i, s:i, s:I, s:b, s:o, s:o, s:s}", "id", (json_int_t)p->id,
                     "kind", p->kind, "mime", p->mime, "width", p->width, "height", p->height,
                     "bytes", (json_int_t)p->bytes, "public", p->public, "created_at",
                     view_time(p->created_at), "url", thumbs_only ? json_null() : json_string(url),
                     "thumb_url", thumb);
}

json_t *api_photos_json(db_conn *c, int64_t appeal_id, bool public_only, const char *url_prefix,
                        int *rc) {
    store_photo *p = NULL;
    int n = 0;
    *rc = store_photos_of(c, appeal_id, public_only, &p, &n);
    if (*rc != DB_OK) return NULL;
    json_t *list = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(list, photo_json(&p[i], url_prefix, public_only));
    free(p);
    return list;
}

/* Writes the files, then the rows; answers. img is freed by the caller. */
static void store_all(http_req *req, const store_appeal *a, const char *kind, const char *actor,
                      const char *url_prefix, media_image *img, int n) {
    app_ctx *app = req->app;
    bool created[HTTP_MP_MAX_PARTS] = {0};
    store_photo rows[HTTP_MP_MAX_PARTS];
    int64_t now = time_now_ms();
    for (int i = 0; i < n; i++) {
        if (!media_store(app->cfg->var_dir, &img[i], &created[i])) {
            log_error("photo not written", "\"dir\":\"photos\"");
            undo_files(app, img, created, i);
            http_reply_error(req, "internal_error", NULL);
            return;
        }
        memset(&rows[i], 0, sizeof rows[i]);
        str_copy(rows[i].sha256, sizeof rows[i].sha256, img[i].sha256);
        str_copy(rows[i].mime, sizeof rows[i].mime, img[i].mime);
        rows[i].bytes = (int64_t)img[i].full_len;
        rows[i].width = img[i].width;
        rows[i].height = img[i].height;
        str_copy(rows[i].kind, sizeof rows[i].kind, kind);
        str_copy(rows[i].actor, sizeof rows[i].actor, actor);
        rows[i].created_at = now;
    }
    insert_tx t = {.appeal_id = a->id, .max_count = app->cfg->photo_max_count, .rows = rows,
                   .n = n, .actor = actor, .kind = kind, .status = a->status, .now = now};
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_tx(c, true, insert_in_tx, &t);
    int64_t have = 0;
    if (rc == STORE_PHOTO_LIMIT) store_photos_count(c, a->id, &have);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        undo_files(app, img, created, n);
        if (rc == STORE_PHOTO_LIMIT) {
            char detail[64];
            count_text(app->cfg, have, detail, sizeof detail);
            refuse(req, "photo_too_many", "photo_too_many", detail);
        } else {
            log_error("photos not stored", "\"rc\":%d", rc);
            http_reply_error(req, "internal_error", NULL);
        }
        return;
    }
    json_t *list = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(list, photo_json(&rows[i], url_prefix, false));
    json_t *j = json_pack("{s:o}", "photos", list);
    http_reply_json(req, 201, j);
    json_decref(j);
}

void api_photos_upload(http_req *req, const store_appeal *a, const char *kind, const char *actor,
                       const char *url_prefix) {
    app_ctx *app = req->app;
    dom_status st;
    if (!dom_status_parse(a->status, &st) || dom_status_is_final(st)) {
        refuse(req, "action_not_allowed", "invalid_value", a->status);
        return;
    }
    http_part parts[HTTP_MP_MAX_PARTS];
    const http_part *photos[HTTP_MP_MAX_PARTS];
    int n = 0, n_photos = 0;
    if (!http_multipart(req, parts, HTTP_MP_MAX_PARTS, &n) ||
        !pick_photos(req, parts, n, photos, &n_photos))
        return;
    /* The count before the expensive work (the transaction counts again). */
    int64_t have = 0;
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_photos_count(c, a->id, &have);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        http_reply_error(req, "internal_error", NULL);
        return;
    }
    if (have + n_photos > app->cfg->photo_max_count) {
        char detail[64];
        count_text(app->cfg, have, detail, sizeof detail);
        refuse(req, "photo_too_many", "photo_too_many", detail);
        return;
    }
    media_image img[HTTP_MP_MAX_PARTS];
    if (!process_all(req, photos, n_photos, img)) return;
    store_all(req, a, kind, actor, url_prefix, img, n_photos);
    for (int i = 0; i < n_photos; i++) media_image_free(&img[i]);
}

void api_photo_send(http_req *req, int64_t appeal_id, int64_t photo_id, bool thumb) {
    app_ctx *app = req->app;
    store_photo p;
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_photo_get(c, photo_id, &p);
    db_pool_release(app->pool, c);
    if (rc != DB_OK || p.appeal_id != appeal_id) {
        if (rc != DB_OK && rc != DB_NOT_FOUND) log_error("photo not read", "\"rc\":%d", rc);
        http_reply_error(req, rc == DB_OK || rc == DB_NOT_FOUND ? "photo_not_found" : "internal_error",
                         NULL);
        return;
    }
    char path[1024];
    size_t len = 0;
    /* A re-encoded image may be larger than the upload was: room to spare. */
    size_t max = (size_t)app->cfg->photo_max_bytes * 4 + (1u << 20);
    int fd = media_path(app->cfg->var_dir, p.sha256, p.mime, thumb, path, sizeof path)
                 ? media_open(path, max, &len)
                 : -1;
    if (fd < 0) {
        log_error("photo file missing", "\"photo\":%lld", (long long)photo_id);
        http_reply_error(req, "photo_not_found", NULL);
        return;
    }
    http_add_header(req, "Cache-Control", thumb && p.public ? "public, max-age=300" : "private, max-age=3600");
    http_add_header(req, "Content-Disposition", "inline");
    http_reply_fd(req, 200, thumb ? "image/jpeg" : p.mime, fd, len);
}
