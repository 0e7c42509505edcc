/* Residents (store/residents.c): accounts by verified phone or email, their
 * sessions, one-time sign-in codes, the cabinet's appeals and subscriptions,
 * and closing an account. Writes run inside store_tx. */
#ifndef KONTAKT_STORE_RESIDENTS_H
#define KONTAKT_STORE_RESIDENTS_H
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int64_t id;
    char phone[16];  /* E.164, "" when none */
    char email[256]; /* lower case, "" when none */
    char notify[8];  /* auto, email, sms, none */
    char lang[4];    /* uk, en */
    int64_t created_at;
} store_resident;

/* The open account holding this phone (or email: exactly one is non-NULL). */
int store_resident_by_contact(db_conn *c, const char *phone, const char *email,
                              store_resident *out);
int store_resident_get(db_conn *c, int64_t id, store_resident *out);
/* A new account with one verified contact; *id receives its id. */
int store_resident_create(db_conn *c, const char *phone, const char *email, const char *lang,
                          int64_t now, int64_t *id);
/* Adds (or replaces) the phone or the email (the other is NULL). A contact
 * another account holds → DB_CONSTRAINT. */
int store_resident_set_contact(db_conn *c, int64_t id, const char *phone, const char *email);
int store_resident_set_prefs(db_conn *c, int64_t id, const char *notify, const char *lang);

/* --- sessions ----------------------------------------------------------- */
int store_rsession_insert(db_conn *c, const char *token_hash, int64_t resident_id, int64_t now);
/* The open account of a session; created/seen receive its times. */
int store_rsession_get(db_conn *c, const char *token_hash, store_resident *out,
                       int64_t *created_at, int64_t *last_seen_at);
int store_rsession_touch(db_conn *c, const char *token_hash, int64_t now);
int store_rsession_delete(db_conn *c, const char *token_hash);

/* Forgets sessions idle since idle_before or opened before abs_before, and
 * codes and code-request records older than old_before. */
int store_residents_expire(db_conn *c, int64_t idle_before, int64_t abs_before,
                           int64_t old_before);

/* --- one-time codes ------------------------------------------------------ */
typedef struct {
    int64_t id;
    char code_hash[65];
    char salt[33];
    int64_t expires_at;
    int attempts;
} store_code;

int store_code_insert(db_conn *c, const char *contact_hash, const char *code_hash,
                      const char *salt, int64_t expires_at, int64_t now);
/* The newest unused, unexpired code of a contact. */
int store_code_current(db_conn *c, const char *contact_hash, int64_t now, store_code *out);
/* Codes asked for a contact since `since` (the per-contact limit). */
int store_codes_since(db_conn *c, const char *contact_hash, int64_t since, int64_t *n,
                      int64_t *newest);
/* Counts one attempt before the code is compared, atomically (two
 * concurrent attempts on PostgreSQL cannot both see the same count):
 * DB_OK with *attempts (this one included) while the code is unused and
 * had fewer than max_attempts; DB_NOT_FOUND otherwise. */
int store_code_attempt(db_conn *c, int64_t id, int max_attempts, int *attempts);
/* Burns the code (marks it used): after the last wrong attempt. */
int store_code_burn(db_conn *c, int64_t id, int64_t now);
/* Serialises code requests for one contact until the transaction ends
 * (PostgreSQL: an advisory lock; SQLite's write transaction already does). */
int store_code_lock(db_conn *c, const char *contact_hash);
/* Marks the code used: DB_NOT_FOUND when it was used meanwhile. */
int store_code_use(db_conn *c, int64_t id, int64_t now);

/* --- the cabinet ---------------------------------------------------------- */
/* Numbers of the appeals whose applicant phone or email is the resident's
 * (either may be ""), newest first, at most `limit`; *numbers owned by the
 * caller (free). */
int store_cabinet_numbers(db_conn *c, const char *phone, const char *email, int limit,
                          char (**numbers)[16], int *n);
/* DB_OK when appeal `number` is in the cabinet of phone/email. */
int store_cabinet_owns(db_conn *c, const char *number, const char *phone, const char *email);
/* The numbers of the account's "me too" subscriptions, newest first. */
int store_resident_subscriptions(db_conn *c, int64_t resident_id, int limit,
                                 char (**numbers)[16], int *n);
/* "Me too" for the account (tracking_hash: a fresh token's hash).
 * DB_CONSTRAINT when it already follows the appeal. */
int store_resident_subscribe(db_conn *c, int64_t resident_id, int64_t appeal_id,
                             const char *phone, const char *email, const char *lang,
                             const char *tracking_hash, int64_t now);
/* DB_NOT_FOUND when the account does not follow the appeal. */
int store_resident_unsubscribe(db_conn *c, int64_t resident_id, const char *number);

/* Closes the account: its appeals' applicant name, phone and email and its
 * subscriptions' contacts are blanked, its sessions and codes go, the
 * account row keeps only its id and dates. */
int store_resident_close(db_conn *c, const store_resident *r, int64_t now);
#endif
