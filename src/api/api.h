/* The API layer: one file per resource, the routing table, the app
 * context handed to every handler. */
#ifndef KONTAKT_API_API_H
#define KONTAKT_API_API_H
#include "domain/catalog.h"
#include "domain/geo.h"
#include "domain/routing.h"
#include "domain/validate.h"
#include "http/http.h"
#include "store/db.h"
#include <jansson.h>
#include <stdbool.h>

typedef struct {
    const char *db_url;
    const char *bind;
    int port;
    int threads;
    const char *web_dir;
    const char *vendor_dir;
    const char *data_dir;
    const char *openapi_path;
    dom_bounds bounds;
    double center_lat, center_lon;
    int zoom;
    const char *city_uk, *city_en;
    const char *tile_url;
    const char *tile_attribution;
    const char *hotline_phone, *hotline_display;
    bool trial;
    unsigned per_ip_limit, conn_limit, timeout_s;
    unsigned rate_appeals; /* POST /api/v1/appeals per client address per minute; 0: off */
    int duplicate_days;
    const char *trusted_proxy;    /* address of the reverse proxy in front, or NULL */
    const char *common_passwords; /* one common password a line (Debian john-data) */
    double warn_share; /* the sweeper warns at this share of each time (KONTAKT_WARN_SHARE) */
    /* Residents, notifications, photos (docs/RESIDENTS.md). */
    const char *var_dir;       /* writable: photos/, mail/ (KONTAKT_VAR_DIR, default var) */
    const char *public_url;    /* links in messages (KONTAKT_PUBLIC_URL); NULL: http://127.0.0.1:<port> */
    const char *smtp_url;      /* smtp://host:port or smtps://… (KONTAKT_SMTP_URL); NULL: Maildir */
    const char *smtp_from;     /* KONTAKT_SMTP_FROM */
    const char *smtp_user, *smtp_password; /* KONTAKT_SMTP_USER / _PASSWORD, NULL: no AUTH */
    const char *smtp_tls;      /* KONTAKT_SMTP_TLS: "try" (default), "require", "off" */
    const char *smtp_ca;       /* KONTAKT_SMTP_CA: a CA bundle file; NULL: the system's */
    const char *sms_url;       /* TurboSMS send.json endpoint (KONTAKT_SMS_URL); NULL: no SMS */
    const char *sms_token;     /* KONTAKT_SMS_TOKEN (Bearer) */
    const char *sms_sender;    /* KONTAKT_SMS_SENDER (an alpha name registered with the provider) */
    long photo_max_bytes;      /* KONTAKT_PHOTO_MAX_BYTES, default 10 MiB */
    int photo_max_count;       /* KONTAKT_PHOTO_MAX_COUNT per appeal, default 5 */
    int upload_slots;          /* KONTAKT_UPLOAD_SLOTS: largest uploads received at once, default 4 */
} kontakt_config;

typedef struct sweeper sweeper;
typedef struct mapindex mapindex;
typedef struct statindex statindex;

typedef struct {
    const kontakt_config *cfg;
    db_pool *pool;
    dom_catalog catalog;
    char *categories_answer; /* GET /api/v1/categories, built once */
    char *config_answer;     /* GET /api/v1/config, built once */
    char *openapi;           /* docs/openapi.json */
    sweeper *sweeper;        /* woken when a new appeal may be due earlier */
    dom_districts districts; /* loaded once at start */
    dom_routing routing;
    char *districts_answer;     /* GET /api/v1/districts, built once */
    char *districts_geo_answer; /* ... ?geometry=1 */
    struct addr_index *addresses; /* streets and houses, built at start; read-only */
    mapindex *map;           /* the public map's points (api/mapindex.h) */
    statindex *stats;        /* the analytics' facts (api/statindex.h), fed by the map's index */
    struct pw_list *passwords; /* common passwords, refused for staff (util/secret.h) */
    struct outbox_job *outbox; /* the notification sender (jobs/outbox.h); woken after enqueue */
    struct exports *exports;   /* the export jobs (api/exports.h) */
} app_ctx;

extern const http_route api_routes[];
extern const size_t api_routes_count;

/* Builds the cached answers from the catalogue and config. */
bool api_prepare(app_ctx *app, char *err, size_t err_cap);
void api_release(app_ctx *app);

/* Handlers */
void api_healthz(http_req *req);
void api_readyz(http_req *req);
void api_openapi(http_req *req);
void api_config(http_req *req);
void api_categories(http_req *req);
void api_appeal_create(http_req *req);
void api_appeal_get(http_req *req);
void api_track_get(http_req *req);
void api_duplicates(http_req *req);
void api_subscribe(http_req *req);
void api_districts(http_req *req);

/* districts.c: the cached answers of GET /api/v1/districts; the district
 * of a stored appeal as {code, name_uk, name_en} or null. */
bool api_districts_prepare(app_ctx *app);
void api_districts_release(app_ctx *app);
json_t *api_district_json(const app_ctx *app, const char *code);
void api_addresses(http_req *req);
void api_address_nearest(http_req *req);
void api_map(http_req *req);
void api_violations(http_req *req);
void api_scorecards(http_req *req);
/* scorecards.c: the report period from ?from=&to= (local dates or
 * instants, domain/period.h) into [*from, *to), keeping the given defaults
 * for absent ones; field errors into fields; false when any. */
bool api_period(http_req *req, json_t *fields, int64_t *from, int64_t *to);

/* The organisation of appeals no rule routes: the dispatcher's triage. */
#define API_TRIAGE_ORG "contact_center"
/* Staff: queues.c, staff_view.c, callers.c */
void api_queue_get(http_req *req);
void api_staff_appeal_get(http_req *req);
void api_caller_get(http_req *req);
void api_consultation_create(http_req *req);

/* Staff (auth.c, users.c) */
void api_auth_init(void); /* once, before serving */
void api_auth_login(http_req *req);
void api_auth_logout(http_req *req);
void api_auth_me(http_req *req);
void api_users_list(http_req *req);
void api_user_create(http_req *req);
void api_user_update(http_req *req);

/* Residents (resident.c, cabinet.c; docs/RESIDENTS.md) */
void api_auth_code(http_req *req);
void api_auth_code_verify(http_req *req);
void api_me_get(http_req *req);
void api_me_logout(http_req *req);
void api_me_appeals(http_req *req);
void api_me_appeal_get(http_req *req);
void api_me_appeal_action(http_req *req);
void api_me_subscribe(http_req *req);
void api_me_unsubscribe(http_req *req);
void api_me_preferences(http_req *req);
void api_me_export(http_req *req);
void api_me_close(http_req *req);
void api_me_photos_post(http_req *req);
void api_me_photo_get(http_req *req);
void api_me_photo_thumb(http_req *req);

/* Shared shapes */
json_t *api_named(const char *code, const char *uk, const char *en);
#endif
