/* The one routing table. Every route here must be in docs/openapi.json
 * (tests/http/openapi.test.mjs fails otherwise). */
#include "api/actions.h"
#include "api/api.h"
#include "api/exports.h"
#include "api/photos.h"
#include "api/stats.h"
#include "util/banned.h"

#define APPEAL_BODY_MAX 16384

/* Routes list their fields positionally; the later flags (multipart)
 * default to false when a line leaves them out. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

const http_route api_routes[] = {
    {"GET", "/healthz", api_healthz, 0, false, false},
    {"GET", "/readyz", api_readyz, 0, false, false},
    {"GET", "/api/v1/openapi.json", api_openapi, 0, false, false},
    {"GET", "/api/v1/config", api_config, 0, false, false},
    {"GET", "/api/v1/categories", api_categories, 0, false, false},
    {"POST", "/api/v1/appeals", api_appeal_create, APPEAL_BODY_MAX, true, true},
    {"GET", "/api/v1/appeals/{number}", api_appeal_get, 0, false, false},
    {"GET", "/api/v1/track/{token}", api_track_get, 0, false, false},
    {"GET", "/api/v1/duplicates", api_duplicates, 0, false, false},
    {"POST", "/api/v1/appeals/{number}/subscriptions", api_subscribe, 1024, true, true},
    {"GET", "/api/v1/districts", api_districts, 0, false, false},
    {"GET", "/api/v1/addresses", api_addresses, 0, false, false},
    {"GET", "/api/v1/addresses/nearest", api_address_nearest, 0, false, false},
    {"GET", "/api/v1/map", api_map, 0, false, false},
    {"POST", "/api/v1/auth/login", api_auth_login, 2048, true, false},
    {"POST", "/api/v1/auth/logout", api_auth_logout, 0, false, false},
    {"GET", "/api/v1/auth/me", api_auth_me, 0, false, false},
    {"GET", "/api/v1/users", api_users_list, 0, false, false},
    {"POST", "/api/v1/users", api_user_create, 4096, true, false},
    {"POST", "/api/v1/users/{login}", api_user_update, 4096, true, false},
    {"POST", "/api/v1/appeals/{number}/actions", api_appeal_action, 16384, true, false},
    {"POST", "/api/v1/track/{token}/actions", api_track_action, 8192, true, true},
    {"GET", "/api/v1/violations", api_violations, 0, false, false},
    {"GET", "/api/v1/scorecards", api_scorecards, 0, false, false},
    {"GET", "/api/v1/stats/dashboard", api_stats_dashboard_get, 0, false, false},
    {"GET", "/api/v1/stats/public", api_stats_public_get, 0, false, false},
    {"GET", "/api/v1/queues/{queue}", api_queue_get, 0, false, false},
    {"GET", "/api/v1/staff/appeals/{number}", api_staff_appeal_get, 0, false, false},
    {"GET", "/api/v1/callers/{phone}", api_caller_get, 0, false, false},
    {"POST", "/api/v1/consultations", api_consultation_create, 4096, true, false},
    {"POST", "/api/v1/auth/code", api_auth_code, 1024, true, true},
    {"POST", "/api/v1/auth/code/verify", api_auth_code_verify, 1024, true, true},
    {"GET", "/api/v1/me", api_me_get, 0, false, false},
    {"POST", "/api/v1/me/logout", api_me_logout, 0, false, false},
    {"GET", "/api/v1/me/appeals", api_me_appeals, 0, false, false},
    {"GET", "/api/v1/me/appeals/{number}", api_me_appeal_get, 0, false, false},
    {"POST", "/api/v1/me/appeals/{number}/actions", api_me_appeal_action, 8192, true, false},
    {"POST", "/api/v1/me/subscriptions", api_me_subscribe, 256, true, false},
    {"POST", "/api/v1/me/subscriptions/{number}/delete", api_me_unsubscribe, 0, false, false},
    {"POST", "/api/v1/me/preferences", api_me_preferences, 256, true, false},
    {"GET", "/api/v1/me/export", api_me_export, 0, false, false},
    {"POST", "/api/v1/me/close", api_me_close, 64, true, false},
    {"POST", "/api/v1/me/appeals/{number}/photos", api_me_photos_post, API_PHOTO_BODY_MAX, false, true, true},
    {"GET", "/api/v1/me/appeals/{number}/photos/{id}", api_me_photo_get, 0, false, false},
    {"GET", "/api/v1/me/appeals/{number}/photos/{id}/thumb", api_me_photo_thumb, 0, false, false},
    /* Photos (api/photos.h); uploads: multipart, capped by http_config.multipart_max. */
    {"POST", "/api/v1/track/{token}/photos", api_track_photos_post, API_PHOTO_BODY_MAX, false, true, true},
    {"GET", "/api/v1/track/{token}/photos/{id}", api_track_photo_get, 0, false, false},
    {"GET", "/api/v1/track/{token}/photos/{id}/thumb", api_track_photo_thumb, 0, false, false},
    {"POST", "/api/v1/appeals/{number}/photos", api_staff_photos_post, API_PHOTO_BODY_MAX, false, false, true},
    {"GET", "/api/v1/photos/{id}", api_photo_get, 0, false, false},
    {"GET", "/api/v1/photos/{id}/thumb", api_photo_thumb, 0, false, false},
    {"POST", "/api/v1/photos/{id}", api_photo_update, 256, true, false},
    /* Exports of the dashboard's views (api/exports.h) */
    {"POST", "/api/v1/stats/exports", api_export_create, 4096, true, false},
    {"GET", "/api/v1/stats/exports/{id}", api_export_get, 0, false, false},
    {"GET", "/api/v1/stats/exports/{id}/file", api_export_file, 0, false, false},
    {"GET", "/api/v1/stats/export.csv", api_export_csv, 0, false, false},
    {"GET", "/api/v1/stats/export.xlsx", api_export_xlsx, 0, false, false},
};
const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];
