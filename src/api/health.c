/* Liveness, readiness and the OpenAPI document. */
#include "api/api.h"
#include "store/store.h"
#include <stdlib.h>
#include <string.h>
#include "util/banned.h"

void api_healthz(http_req *req) {
    json_t *j = json_pack("{s:s}", "status", "ok");
    http_reply_json(req, 200, j);
    json_decref(j);
}

void api_readyz(http_req *req) {
    app_ctx *app = req->app;
    db_conn *c = db_pool_acquire(app->pool);
    int64_t n = 0;
    int rc = store_count_appeals(c, &n);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        http_reply_error(req, "not_ready", NULL);
        return;
    }
    json_t *j = json_pack("{s:s}", "status", "ready");
    http_reply_json(req, 200, j);
    json_decref(j);
}

void api_openapi(http_req *req) {
    app_ctx *app = req->app;
    if (!app->openapi) {
        http_reply_error(req, "not_found", NULL);
        return;
    }
    char *copy = xstrdup(app->openapi);
    http_reply_text(req, 200, "application/json; charset=utf-8", copy, strlen(copy));
}
