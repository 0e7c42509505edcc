/* Images from untrusted uploads: the type by content (libmagic), decoding
 * with hard limits, metadata stripped, a thumbnail (libvips), and the
 * files under <var_dir>/photos/ by content hash.
 *
 * A layer of its own below api/ (beside store/): it does file I/O and
 * parsing of untrusted data, which domain/ must not, and it knows nothing
 * of HTTP or the database. Only util/ is below it. */
#ifndef KONTAKT_MEDIA_MEDIA_H
#define KONTAKT_MEDIA_MEDIA_H
#include <stdbool.h>
#include <stddef.h>

#define MEDIA_MAX_PIXELS 50000000L /* decompression bombs: 50 megapixels at most */
/* ... and what the decoded pixels may take in memory (width × height ×
 * bands × bytes per sample): 50 MP of 8-bit RGB, so a 16-bit RGBA PNG of
 * the same size is refused rather than taking 400 MB. */
#define MEDIA_MAX_DECODED_BYTES (150L * 1000 * 1000)
#define MEDIA_THUMB_PX 320         /* a thumbnail fits in 320×320 */

/* Once at start, before any thread uses it (later calls do nothing):
 * libvips (operation cache off, one worker per operation, untrusted
 * loaders blocked) and the libmagic database. False with a reason in err. */
bool media_init(char *err, size_t cap);
/* At exit, after every thread that used it has stopped. */
void media_shutdown(void);

typedef enum {
    MEDIA_OK,
    MEDIA_TYPE,    /* not JPEG, PNG or WebP by content */
    MEDIA_PIXELS,  /* more than MEDIA_MAX_PIXELS or MEDIA_MAX_DECODED_BYTES */
    MEDIA_INVALID, /* truncated or undecodable */
} media_status;

/* The type by content: "image/jpeg", "image/png", "image/webp" (static
 * strings), or NULL for anything else. Thread-safe. */
const char *media_detect(const void *data, size_t len);

typedef struct {
    char sha256[65];  /* of the stored (stripped) full image */
    const char *mime; /* static: the stored full image's type (= the upload's) */
    const char *ext;  /* static: "jpg", "png", "webp" */
    int width, height;           /* after the EXIF orientation was applied */
    void *full; size_t full_len; /* owned (media_image_free) */
    void *thumb; size_t thumb_len;
} media_image;

/* Checks and converts one upload in memory (no files): detects the type,
 * decodes it fully (a truncated image fails), rotates it upright by its
 * EXIF orientation, re-encodes it in its own format without any metadata
 * (EXIF, GPS, XMP, IPTC, ICC), and makes a JPEG thumbnail. On MEDIA_OK
 * the caller frees *out with media_image_free. Thread-safe. */
media_status media_process(const void *data, size_t len, media_image *out);
void media_image_free(media_image *m);

/* <var_dir>/photos/<first 2 hex>/<sha256>.<ext> or …-thumb.jpg. */
bool media_path(const char *var_dir, const char *sha256, const char *mime, bool thumb, char *out,
                size_t cap);

/* Writes both files (each to a temporary file in the same directory,
 * fsync, rename: never a half file under the final name). Content
 * already stored is not written again. *created: this call made the full
 * image file (so the caller removes the files again if its row is not
 * stored). False on an I/O error, with nothing of this call left. */
bool media_store(const char *var_dir, const media_image *m, bool *created);
/* Removes both files of a content hash (the caller checked no row uses it). */
void media_remove(const char *var_dir, const char *sha256, const char *mime);

/* A stored file opened for reading (the caller closes it) and its size;
 * -1 when missing, not a regular file, or larger than max bytes. */
int media_open(const char *path, size_t max, size_t *len);
#endif
