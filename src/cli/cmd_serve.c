/* serve: the API, the pages and the sweeper, until SIGTERM/SIGINT. */
#include "cli/cli.h"
#include "domain/address_index.h"
#include "api/mapindex.h"
#include "api/exports.h"
#include "api/statindex.h"
#include "api/staff.h"
#include "jobs/outbox.h"
#include "api/photos.h"
#include "jobs/sweeper.h"
#include "media/media.h"
#include "store/users.h"
#include "util/secret.h"
#include "store/store.h"
#include "util/log.h"
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/banned.h"

/* The CSP allows images from the tile server's host only. */
static void build_csp(const char *tile_url, char *out, size_t cap) {
    char host[256] = "";
    const char *p = strstr(tile_url, "://");
    if (p) {
        size_t n = strcspn(p + 3, "/");
        snprintf(host, sizeof host, "%.*s%.*s", (int)(p + 3 - tile_url), tile_url, (int)n, p + 3);
        char *s = strstr(host, "{s}"); /* subdomain placeholder */
        if (s) {
            char tmp[256];
            snprintf(tmp, sizeof tmp, "%.*s*%s", (int)(s - host), host, s + 3);
            str_copy(host, sizeof host, tmp);
        }
    }
    snprintf(out, cap,
             "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: %s; "
             "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
             host);
}

/* The address index: every street and house, in memory for autocomplete. */
/* Signed-in hotline staff register calls for many residents from one
 * address (the city's NAT): the per-address limit is not for them. */
static bool staff_exempt(http_req *req) {
    api_staff who;
    return api_staff_peek(req, &who) && dom_role_has(who.role, DOM_RIGHT_CONSOLE);
}

static bool load_addresses(app_ctx *app) {
    app->addresses = addr_index_new();
    db_conn *c = db_pool_acquire(app->pool);
    int rc = store_address_index_load(c, app->addresses);
    db_pool_release(app->pool, c);
    if (rc != DB_OK) {
        fprintf(stderr, "kontakt serve: cannot load the addresses (run `kontakt migrate`)\n");
        addr_index_free(app->addresses);
        app->addresses = NULL;
        return false;
    }
    log_info("addresses loaded", "\"streets\":%zu,\"addresses\":%zu",
             addr_index_street_count(app->addresses), addr_index_address_count(app->addresses));
    return true;
}

/* A millisecond count from the environment (tests shorten the outbox's
 * first retry step and lease); 0 when unset or invalid: the default. */
static int64_t env_ms(const char *name) {
    long long v = 0;
    const char *s = getenv(name);
    return s && str_to_ll(s, 1, 24LL * 3600 * 1000, &v) ? (int64_t)v : 0;
}

/* The sender's configuration from the server's; without KONTAKT_PUBLIC_URL
 * the links use this server's own address, known once it listens. */
static outbox_config outbox_cfg(const kontakt_config *cfg, char *maildir, size_t cap) {
    snprintf(maildir, cap, "%s/mail", cfg->var_dir);
    return (outbox_config){
        .public_url = cfg->public_url,
        .email = {.smtp_url = cfg->smtp_url, .from = cfg->smtp_from, .user = cfg->smtp_user,
                  .password = cfg->smtp_password, .tls = cfg->smtp_tls, .ca = cfg->smtp_ca,
                  .maildir = maildir},
        .sms = {.url = cfg->sms_url, .token = cfg->sms_token, .sender = cfg->sms_sender},
        .first_retry_ms = env_ms("KONTAKT_OUTBOX_RETRY_MS"),
        .lease_ms = env_ms("KONTAKT_OUTBOX_LEASE_MS"),
    };
}

static int serve(kontakt_config *cfg) {
    /* Few malloc arenas: a thread's freed memory (the map index's builds,
     * request buffers) is reused by the others instead of kept per thread,
     * which keeps the resident size flat on a small server. */
    mallopt(M_ARENA_MAX, 2);
    int threads = cfg->threads > 0 ? cfg->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1) threads = 1;
    char err[512];
    /* The HTTP threads, the background jobs' share, and one for the outbox sender. */
    db_pool *pool = db_pool_open(cfg->db_url, threads + 2, err, sizeof err);
    if (!pool) {
        fprintf(stderr, "kontakt serve: %s\n", err);
        return 1;
    }
    app_ctx app = {.cfg = cfg, .pool = pool};
    db_conn *c = db_pool_acquire(pool);
    bool loaded = cli_catalog_from_db(c, "serve", &app.catalog);
    bool places = loaded && cli_places_from_db(c, "serve", &app.districts, &app.routing);
    db_pool_release(pool, c);
    if (loaded && !places) dom_catalog_free(&app.catalog);
    if (!places || !api_prepare(&app, err, sizeof err) || !api_districts_prepare(&app)) {
        db_pool_close(pool);
        return 1;
    }
    if (!load_addresses(&app)) {
        api_release(&app);
        dom_catalog_free(&app.catalog);
        db_pool_close(pool);
        return 1;
    }
    app.openapi = cli_read_file(cfg->openapi_path, 1u << 20);
    app.passwords = pw_list_load(cfg->common_passwords, err, sizeof err);
    if (!app.passwords) log_warn("common passwords not loaded: only cracklib checks", NULL);
    api_auth_init();
    if (!media_init(err, sizeof err)) { /* libvips and libmagic, before any thread */
        fprintf(stderr, "kontakt serve: %s\n", err);
        api_release(&app);
        dom_catalog_free(&app.catalog);
        db_pool_close(pool);
        return 1;
    }
    int64_t n_staff = 0;
    c = db_pool_acquire(pool);
    if (store_users_count(c, &n_staff) == DB_OK && n_staff == 0)
        log_info("no staff accounts yet: add one with `kontakt user add --login L --role admin` "
                 "(password on standard input), then sign in at /staff/login.html", NULL);
    db_pool_release(pool, c);
    app.stats = statindex_new(&app);
    mapindex_observer stats_feed = statindex_observer(app.stats);
    app.map = mapindex_start(pool, &app.catalog, &stats_feed);
    if (!app.map) {
        fprintf(stderr, "kontakt serve: cannot load the map index\n");
        api_release(&app);
        dom_catalog_free(&app.catalog);
        db_pool_close(pool);
        return 1;
    }
    /* Signals go to this thread only: block them before any thread starts. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    store_watch_set_warn_share(cfg->warn_share);
    /* Before the listener, so request threads see app.outbox set; before
     * the sweeper, which wakes it after a pass that queued messages. */
    char maildir[1024];
    outbox_config ocfg = outbox_cfg(cfg, maildir, sizeof maildir);
    notify_global_init();
    app.outbox = outbox_start(pool, &ocfg);
    app.sweeper = sweeper_start(pool, app.outbox);
    app.exports = exports_start(&app); /* empties <var>/exports of an earlier run's files */
    if (!app.exports) fprintf(stderr, "kontakt serve: cannot make %s/exports\n", cfg->var_dir);
    char csp[768];
    build_csp(cfg->tile_url, csp, sizeof csp);
    http_config hc = {
        .bind = cfg->bind, .port = cfg->port, .threads = threads, .conn_limit = cfg->conn_limit,
        .per_ip_limit = cfg->per_ip_limit, .timeout_s = cfg->timeout_s, .header_max = 32 * 1024,
        .routes = api_routes, .n_routes = api_routes_count, .app = &app,
        .web_dir = cfg->web_dir, .vendor_dir = cfg->vendor_dir, .csp = csp,
        .rate_per_minute = cfg->rate_appeals, .trusted_proxy = cfg->trusted_proxy,
        .rate_exempt = staff_exempt,
        .multipart_max = (size_t)cfg->photo_max_count * (size_t)cfg->photo_max_bytes + API_PHOTO_SLACK,
        .upload_admit = api_upload_admit,
        /* KONTAKT_UPLOAD_SLOTS uploads of the largest size may arrive at once. */
        .upload_inflight_max = (size_t)cfg->upload_slots *
                               ((size_t)cfg->photo_max_count * (size_t)cfg->photo_max_bytes + API_PHOTO_SLACK),
    };
    int port = 0;
    http_server *srv = http_start(&hc, &port);
    int rc = 0;
    char self_url[128];
    snprintf(self_url, sizeof self_url, "http://%s:%d", cfg->bind, port);
    if (srv && !cfg->public_url) outbox_set_public_url(app.outbox, self_url);
    if (!srv || !app.exports) {
        fprintf(stderr, "kontakt serve: cannot listen on %s:%d (in use?)\n", cfg->bind, cfg->port);
        rc = 1;
    } else {
        log_info("listening", "\"addr\":\"%s\",\"port\":%d,\"threads\":%d,\"db\":\"%s\"",
                 cfg->bind, port, threads, db_driver_for(cfg->db_url)->name);
        int sig = 0;
        sigwait(&sigs, &sig);
        log_info("shutting down", "\"signal\":%d", sig);
        exports_shutdown(app.exports); /* resumes the parked downloads: before http_stop */
        http_stop(srv);
    }
    if (srv && rc) http_stop(srv);
    exports_free(app.exports);
    sweeper_stop(app.sweeper); /* first: it wakes the sender */
    outbox_stop(app.outbox);
    notify_global_cleanup();
    mapindex_stop(app.map);
    statindex_free(app.stats);
    api_release(&app);
    api_districts_release(&app);
    dom_districts_free(&app.districts);
    dom_routing_free(&app.routing);
    addr_index_free(app.addresses);
    dom_catalog_free(&app.catalog);
    pw_list_free(app.passwords);
    db_pool_close(pool);
    media_shutdown();
    if (!rc) log_info("stopped", NULL);
    return rc;
}

int cmd_serve(int argc, char **argv) {
    kontakt_config cfg;
    cli_config_defaults(&cfg);
    long port = cfg.port, threads = 0;
    const cli_flag flags[] = {
        {"--db", "URL", "SQLite file or postgresql:// URL (default var/kontakt.db, $KONTAKT_DB)",
         &cfg.db_url, NULL, 0, 0, NULL},
        {"--port", "N", "TCP port, 0 for any free one (default 8080, $PORT)", NULL, &port, 0,
         65535, NULL},
        {"--bind", "ADDR", "IPv4 address to listen on (default 127.0.0.1)", &cfg.bind, NULL, 0, 0,
         NULL},
        {"--threads", "N", "HTTP worker threads (default: one per core)", NULL, &threads, 1, 256,
         NULL},
        {"--web", "DIR", "static pages (default web)", &cfg.web_dir, NULL, 0, 0, NULL},
        {"--vendor", "DIR", "npm packages served under /vendor/ (default node_modules)",
         &cfg.vendor_dir, NULL, 0, 0, NULL},
        {"--openapi", "FILE", "OpenAPI document (default docs/openapi.json)", &cfg.openapi_path,
         NULL, 0, 0, NULL},
        {0},
    };
    const char *pos[1];
    int n_pos;
    int r = cli_parse(cli_find("serve"), flags, argc, argv, pos, 0, &n_pos);
    if (r) return r > 0 ? 0 : 2;
    cfg.port = (int)port;
    cfg.threads = (int)threads;
    return serve(&cfg);
}
