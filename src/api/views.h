/* Shapes of an appeal in answers, shared by appeals.c and track.c. */
#ifndef KONTAKT_API_VIEWS_H
#define KONTAKT_API_VIEWS_H
#include "api/api.h"
#include "store/store.h"

/* category, type, organisation as {code, name_uk, name_en} objects. */
json_t *view_category(const dom_catalog *cat, const char *code);
json_t *view_type(const dom_catalog *cat, const char *category, const char *code);
json_t *view_org(const dom_catalog *cat, const char *code);
json_t *view_time(int64_t ms);
/* A text, or null when it is NULL or empty (absent optional fields). */
json_t *view_opt(const char *s);
/* The public view: never personal data; coordinates rounded to ~10 m. */
json_t *view_public(const dom_catalog *cat, const store_appeal *a);
/* track.c: the applicant's view of a (the public view, the description
 * and location unless a subscriber, the public timeline, merged_into),
 * read on c; NULL with *rc on a database error. */
json_t *api_track_view(app_ctx *app, db_conn *c, const store_appeal *a, bool subscriber,
                       int *rc);
#endif
