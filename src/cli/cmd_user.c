/* user: staff accounts from the command line (the first admin, scripts).
 * Passwords come from standard input, never from argv (visible in ps). */
#include "cli/cli.h"
#include "domain/rights.h"
#include "domain/validate.h"
#include "store/store.h"
#include "store/users.h"
#include "util/rand.h"
#include "util/secret.h"
#include "util/timeutil.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "util/banned.h"

/* The first line of standard input, without its line end. */
static bool read_password(char *out, size_t cap) {
    if (!fgets(out, (int)cap, stdin)) return false;
    size_t n = strcspn(out, "\r\n");
    if (out[n] == '\0' && n == cap - 1) return false; /* longer than the buffer */
    out[n] = '\0';
    return true;
}

/* Reads and checks the password; explains on stderr. */
static bool new_password(const kontakt_config *cfg, char hash[PW_HASH_CAP]) {
    char pw[PASSWORD_MAX + 2];
    if (!read_password(pw, sizeof pw)) {
        fprintf(stderr, "kontakt user: give the password on standard input (at most %d bytes)\n",
                PASSWORD_MAX);
        return false;
    }
    char err[256], why[128];
    pw_list *list = pw_list_load(cfg->common_passwords, err, sizeof err);
    if (!list) fprintf(stderr, "kontakt user: warning: %s; common passwords not checked\n", err);
    pw_verdict v = pw_policy(list, pw, why, sizeof why);
    pw_list_free(list);
    static const char *const text[] = {
        [PW_TOO_SHORT] = "the password must have at least 12 characters",
        [PW_TOO_LONG] = "the password is too long",
        [PW_COMMON] = "this is a common password, easy to guess",
        [PW_WEAK] = "the password is too simple",
    };
    bool ok = v == PW_OK && pw_hash(pw, hash);
    if (v != PW_OK) fprintf(stderr, "kontakt user: %s%s%s\n", text[v], *why ? ": " : "", why);
    sodium_memzero(pw, sizeof pw);
    return ok;
}

static void print_totp(const char *login, const char *secret) {
    char uri[256];
    totp_uri(login, secret, uri, sizeof uri);
    printf("TOTP secret: %s\n%s\n", secret, uri);
}

static int do_add(db_conn *c, const kontakt_config *cfg, const char *login, const char *role,
                  const char *org, const char *name) {
    const char *code = NULL;
    const char *bad = dom_account_check(login, role, org, &code);
    if (bad) {
        fprintf(stderr, "kontakt user add: --%s: %s\n", strcmp(bad, "organisation") ? bad : "org",
                code);
        return 2;
    }
    long name_len = name ? dom_utf8_length(name, strlen(name)) : 0;
    if (name && (name_len < 1 || name_len > STAFF_NAME_MAX)) {
        fprintf(stderr, "kontakt user add: --name: at most %d characters of UTF-8\n",
                STAFF_NAME_MAX);
        return 2;
    }
    store_user u = {.created_at = time_now_ms()};
    str_copy(u.login, sizeof u.login, login);
    str_copy(u.name, sizeof u.name, name ? name : login);
    str_copy(u.role, sizeof u.role, role);
    str_copy(u.organisation, sizeof u.organisation, org ? org : "");
    if (!new_password(cfg, u.pw_hash)) return 1;
    dom_role r;
    dom_role_parse(role, &r);
    if (dom_role_needs_totp(r)) totp_new_secret(u.totp_secret);
    int64_t id = 0;
    int rc = store_user_insert(c, &u, &id);
    if (rc == DB_CONSTRAINT) {
        store_user other;
        bool taken = store_user_by_login(c, login, &other) == DB_OK;
        fprintf(stderr, "kontakt user add: %s\n",
                taken ? "this login is already taken" : "unknown organisation (--org)");
        return 1;
    }
    if (rc != DB_OK) return 1;
    printf("user %s added (%s%s%s)\n", login, role, org ? ", " : "", org ? org : "");
    if (u.totp_secret[0]) print_totp(login, u.totp_secret);
    return 0;
}

static int do_change(db_conn *c, const kontakt_config *cfg, const char *what, const char *login) {
    store_user_change ch = {.active = -1, .now = time_now_ms()};
    char hash[PW_HASH_CAP], secret[TOTP_SECRET_TEXT];
    if (strcmp(what, "passwd") == 0) {
        if (!new_password(cfg, hash)) return 1;
        ch.pw_hash = hash;
    } else {
        totp_new_secret(secret);
        ch.totp_secret = secret;
    }
    int rc = store_user_update(c, login, &ch);
    if (rc == DB_NOT_FOUND) fprintf(stderr, "kontakt user %s: no user %s\n", what, login);
    if (rc != DB_OK) return 1;
    printf("user %s: %s\n", login, ch.pw_hash ? "password changed, sessions ended" : "new TOTP");
    if (ch.totp_secret) print_totp(login, secret);
    return 0;
}

int cmd_user(int argc, char **argv) {
    kontakt_config cfg;
    cli_config_defaults(&cfg);
    const char *login = NULL, *role = NULL, *org = NULL, *name = NULL;
    const cli_flag flags[] = {
        {"--db", "URL", "SQLite file or postgresql:// URL (default var/kontakt.db, $KONTAKT_DB)",
         &cfg.db_url, NULL, 0, 0, NULL},
        {"--login", "L", "the login: 3–32 of a-z 0-9 . _ -", &login, NULL, 0, 0, NULL},
        {"--role", "R", "operator, dispatcher, executor, supervisor, analyst or admin", &role,
         NULL, 0, 0, NULL},
        {"--org", "CODE", "the organisation of an executor (data/organisations.json)", &org, NULL,
         0, 0, NULL},
        {"--name", "N", "the person's name as colleagues see it (default: the login)", &name,
         NULL, 0, 0, NULL},
        {0},
    };
    const char *pos[1];
    int n_pos = 0;
    int r = cli_parse(cli_find("user"), flags, argc, argv, pos, 1, &n_pos);
    if (r) return r > 0 ? 0 : 2;
    bool add = n_pos == 1 && strcmp(pos[0], "add") == 0;
    bool change = n_pos == 1 && (strcmp(pos[0], "passwd") == 0 || strcmp(pos[0], "totp") == 0);
    if ((!add && !change) || !login || (add && !role)) {
        cli_help(cli_find("user"), flags);
        return 2;
    }
    if (!rand_init()) return 1;
    db_conn c;
    if (!cli_open(cfg.db_url, &c)) return 1;
    int rc = add ? do_add(&c, &cfg, login, role, org, name) : do_change(&c, &cfg, pos[0], login);
    cli_close(&c);
    return rc;
}
