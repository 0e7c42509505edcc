/* Uploads: libmagic for the type, libvips to decode, strip and thumbnail.
 * See media.h. Least privilege we give the parsers: only three loaders
 * are ever called (by the type libmagic found, never libvips' own guess),
 * "untrusted" loaders are blocked, decoding stops at the first error or
 * truncation, and the pixel count is checked from the header before any
 * pixel is decoded. */
#include "media/media.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/rand.h"
#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>
#include "util/banned.h"

/* libmagic handles are not thread-safe: one, behind a mutex (a detection
 * reads only the first bytes and takes microseconds). */
static magic_t magic_db;
static pthread_mutex_t magic_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static bool init_ok;
static char init_err[256];

static void init_all(void) {
    if (VIPS_INIT("kontakt")) {
        str_copy(init_err, sizeof init_err, "cannot initialise libvips");
        return;
    }
    vips_cache_set_max(0);       /* no operation cache: every upload is new, untrusted data */
    vips_concurrency_set(1);     /* uploads run in parallel already, one per HTTP thread */
    vips_block_untrusted_set(TRUE);
    magic_db = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_TAR |
                          MAGIC_NO_CHECK_ELF | MAGIC_NO_CHECK_CDF | MAGIC_NO_CHECK_ENCODING);
    if (!magic_db || magic_load(magic_db, NULL) != 0) {
        str_copy(init_err, sizeof init_err, "cannot load the libmagic database (libmagic-mgc)");
        if (magic_db) magic_close(magic_db);
        magic_db = NULL;
        return;
    }
    init_ok = true;
}

bool media_init(char *err, size_t cap) {
    pthread_once(&init_once, init_all);
    if (!init_ok && err) str_copy(err, cap, init_err);
    return init_ok;
}

void media_shutdown(void) {
    if (!init_ok) return;
    magic_close(magic_db);
    magic_db = NULL;
    vips_shutdown();
    init_ok = false;
}

const char *media_detect(const void *data, size_t len) {
    if (!media_init(NULL, 0) || len == 0) return NULL;
    pthread_mutex_lock(&magic_mu);
    const char *t = magic_buffer(magic_db, data, len);
    const char *mime = NULL;
    if (t && strcmp(t, "image/jpeg") == 0) mime = "image/jpeg";
    else if (t && strcmp(t, "image/png") == 0) mime = "image/png";
    else if (t && strcmp(t, "image/webp") == 0) mime = "image/webp";
    pthread_mutex_unlock(&magic_mu);
    return mime;
}

/* The loader of the detected type only; lazy: reads the header. */
static int load(const char *mime, const void *data, size_t len, VipsImage **out) {
    void *d = (void *)(uintptr_t)data; /* libvips takes void * but only reads */
    if (strcmp(mime, "image/jpeg") == 0)
        return vips_jpegload_buffer(d, len, out, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    if (strcmp(mime, "image/png") == 0)
        return vips_pngload_buffer(d, len, out, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    return vips_webpload_buffer(d, len, out, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
}

/* The full image in its own format, every metadata block left out. */
static int save_full(const char *mime, VipsImage *img, void **out, size_t *len) {
    if (strcmp(mime, "image/jpeg") == 0)
        return vips_jpegsave_buffer(img, out, len, "strip", TRUE, "Q", 90, NULL);
    if (strcmp(mime, "image/png") == 0)
        return vips_pngsave_buffer(img, out, len, "strip", TRUE, NULL);
    return vips_webpsave_buffer(img, out, len, "strip", TRUE, "Q", 90, NULL);
}

static int save_thumb(VipsImage *img, void **out, size_t *len) {
    VipsImage *t = NULL, *flat = NULL;
    int rc = vips_thumbnail_image(img, &t, MEDIA_THUMB_PX, "height", MEDIA_THUMB_PX, NULL);
    if (rc == 0 && vips_image_hasalpha(t)) { /* JPEG has no alpha: on white */
        VipsArrayDouble *white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
        rc = vips_flatten(t, &flat, "background", white, NULL);
        vips_area_unref(VIPS_AREA(white));
    }
    if (rc == 0) rc = vips_jpegsave_buffer(flat ? flat : t, out, len, "strip", TRUE, "Q", 80, NULL);
    if (flat) g_object_unref(flat);
    if (t) g_object_unref(t);
    return rc;
}

media_status media_process(const void *data, size_t len, media_image *out) {
    memset(out, 0, sizeof *out);
    const char *mime = media_detect(data, len);
    if (!mime) return MEDIA_TYPE;
    VipsImage *in = NULL, *mem = NULL, *up = NULL;
    media_status st = MEDIA_INVALID;
    if (load(mime, data, len, &in) != 0) goto done;
    long pixels = (long)vips_image_get_width(in) * vips_image_get_height(in);
    long sample = (long)vips_format_sizeof(vips_image_get_format(in));
    if (pixels > MEDIA_MAX_PIXELS || vips_image_get_bands(in) > 4 ||
        pixels * vips_image_get_bands(in) * sample > MEDIA_MAX_DECODED_BYTES) {
        st = MEDIA_PIXELS;
        goto done;
    }
    /* Decode every pixel now: a truncated or corrupt image fails here. */
    mem = vips_image_copy_memory(in);
    if (!mem || vips_autorot(mem, &up, NULL) != 0) goto done;
    if (save_full(mime, up, &out->full, &out->full_len) != 0 ||
        save_thumb(up, &out->thumb, &out->thumb_len) != 0)
        goto done;
    out->mime = mime;
    out->ext = strcmp(mime, "image/jpeg") == 0 ? "jpg" : strcmp(mime, "image/png") == 0 ? "png"
                                                                                      : "webp";
    out->width = vips_image_get_width(up);
    out->height = vips_image_get_height(up);
    hash_hex(out->full, out->full_len, out->sha256, sizeof out->sha256);
    st = MEDIA_OK;
done:
    if (st != MEDIA_OK) {
        vips_error_clear(); /* the reason is about untrusted bytes: not logged */
        media_image_free(out);
    }
    if (up) g_object_unref(up);
    if (mem) g_object_unref(mem);
    if (in) g_object_unref(in);
    return st;
}

void media_image_free(media_image *m) {
    g_free(m->full);
    g_free(m->thumb);
    m->full = m->thumb = NULL;
    m->full_len = m->thumb_len = 0;
}

static const char *ext_of(const char *mime) {
    if (strcmp(mime, "image/jpeg") == 0) return "jpg";
    if (strcmp(mime, "image/png") == 0) return "png";
    if (strcmp(mime, "image/webp") == 0) return "webp";
    return NULL;
}

static bool sha_ok(const char *sha) {
    if (strlen(sha) != 64) return false;
    for (const char *c = sha; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f'))) return false;
    return true;
}

bool media_path(const char *var_dir, const char *sha256, const char *mime, bool thumb, char *out,
                size_t cap) {
    const char *ext = ext_of(mime);
    if (!ext || !sha_ok(sha256)) return false;
    int n = thumb ? snprintf(out, cap, "%s/photos/%.2s/%s-thumb.jpg", var_dir, sha256, sha256)
                  : snprintf(out, cap, "%s/photos/%.2s/%s.%s", var_dir, sha256, sha256, ext);
    return n > 0 && (size_t)n < cap;
}

static bool mkdir_one(const char *path) {
    return mkdir(path, 0750) == 0 || errno == EEXIST;
}

/* <var_dir>/photos/<ab>/ */
static bool make_dirs(const char *var_dir, const char *sha) {
    char path[1024];
    snprintf(path, sizeof path, "%s", var_dir);
    if (!mkdir_one(path)) return false;
    snprintf(path, sizeof path, "%s/photos", var_dir);
    if (!mkdir_one(path)) return false;
    snprintf(path, sizeof path, "%s/photos/%.2s", var_dir, sha);
    return mkdir_one(path);
}

/* data → a temporary file beside `path`, fsync, rename onto it. */
static bool write_atomic(const char *path, const void *data, size_t len) {
    char tmp[1100], rnd[17];
    rand_hex(rnd, sizeof rnd, 8);
    snprintf(tmp, sizeof tmp, "%s.%s.tmp", path, rnd);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) return false;
    const char *p = data;
    size_t left = len;
    bool ok = true;
    while (ok && left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        ok = w > 0;
        if (ok) {
            p += w;
            left -= (size_t)w;
        }
    }
    ok = ok && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok) unlink(tmp);
    return ok;
}

bool media_store(const char *var_dir, const media_image *m, bool *created) {
    *created = false;
    char full[1024], thumb[1024];
    if (!media_path(var_dir, m->sha256, m->mime, false, full, sizeof full) ||
        !media_path(var_dir, m->sha256, m->mime, true, thumb, sizeof thumb) ||
        !make_dirs(var_dir, m->sha256))
        return false;
    struct stat st;
    bool have_full = stat(full, &st) == 0, have_thumb = stat(thumb, &st) == 0;
    if (have_full && have_thumb) return true; /* the same content: one copy */
    bool new_thumb = false;
    if (!have_thumb) {
        if (!write_atomic(thumb, m->thumb, m->thumb_len)) return false;
        new_thumb = true;
    }
    if (!have_full && !write_atomic(full, m->full, m->full_len)) {
        if (new_thumb) unlink(thumb);
        return false;
    }
    *created = !have_full || new_thumb;
    return true;
}

void media_remove(const char *var_dir, const char *sha256, const char *mime) {
    char path[1024];
    if (media_path(var_dir, sha256, mime, false, path, sizeof path)) unlink(path);
    if (media_path(var_dir, sha256, mime, true, path, sizeof path)) unlink(path);
}

int media_open(const char *path, size_t max, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
        close(fd);
        return -1;
    }
    *len = (size_t)st.st_size;
    return fd;
}
