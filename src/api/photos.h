/* Photos of appeals (docs/RESIDENTS.md "Photos"): uploads, serving, the
 * public flag. The cabinet's handlers (api/cabinet*.c) use the two
 * exported answers below with their own rights checks. */
#ifndef KONTAKT_API_PHOTOS_H
#define KONTAKT_API_PHOTOS_H
#include "api/api.h"
#include "store/photos.h"
#include "store/store.h"

/* The default body cap of the upload routes (5 × 10 MiB + room for the
 * multipart framing); `serve` sets http_config.multipart_max from
 * KONTAKT_PHOTO_MAX_COUNT × KONTAKT_PHOTO_MAX_BYTES + API_PHOTO_SLACK. */
#define API_PHOTO_SLACK (64u * 1024)
#define API_PHOTO_BODY_MAX (5u * 10u * 1024 * 1024 + API_PHOTO_SLACK)

/* Answers an upload to appeal `a` (the caller checked the rights):
 * multipart/form-data with 1..KONTAKT_PHOTO_MAX_COUNT parts named "photo".
 * 201 {"photos": [...]} whose url / thumb_url are url_prefix + id and
 * url_prefix + id + "/thumb" (e.g. "/api/v1/me/appeals/2026-000001/photos/");
 * or 400 multipart_invalid, 409 action_not_allowed (the appeal is closed,
 * rejected, forwarded or a duplicate), 409 photo_too_many, 413
 * photo_too_large, 415 photo_type, 422 photo_invalid / validation_failed
 * (no "photo" part, another field). A refusal stores no file and no row.
 * kind: "appeal", "comment" or "done"; actor: the event actor text
 * ("applicant", "resident:<id>", "staff:<login>"). */
void api_photos_upload(http_req *req, const store_appeal *a, const char *kind, const char *actor,
                       const char *url_prefix);

/* Answers the photo's bytes (thumb: the JPEG thumbnail) when photo_id is
 * a photo of appeal_id, with its stored type, nosniff, Cache-Control:
 * private, Content-Disposition: inline; 404 photo_not_found otherwise. The
 * caller checked that the requester may see the appeal. */
void api_photo_send(http_req *req, int64_t appeal_id, int64_t photo_id, bool thumb);

/* The photos of an appeal as a JSON array (new reference) for a view,
 * read on c: [{id, kind, mime, width, height, bytes, public, created_at,
 * url, thumb_url}], the URLs as in api_photos_upload. public_only: only
 * photos staff made public, with url null (thumbnails only). NULL on a
 * database error (*rc). */
json_t *api_photos_json(db_conn *c, int64_t appeal_id, bool public_only, const char *url_prefix,
                        int *rc);

/* http_config.upload_admit: the right to upload, before the body is read
 * (the tracking link, the resident's or staff session); false after
 * answering 401/403/404. */
bool api_upload_admit(http_req *req);

/* Handlers (routes.c) */
void api_track_photos_post(http_req *req);
void api_track_photo_get(http_req *req);
void api_track_photo_thumb(http_req *req);
void api_staff_photos_post(http_req *req);
void api_photo_get(http_req *req);
void api_photo_thumb(http_req *req);
void api_photo_update(http_req *req);
#endif
