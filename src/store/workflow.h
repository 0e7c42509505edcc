/* The staff workflow as stored (store/workflow.c): one appeal's workflow
 * columns read for update and written back, extensions, violations. */
#ifndef KONTAKT_STORE_WORKFLOW_H
#define KONTAKT_STORE_WORKFLOW_H
#include "store/db.h"
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int64_t id;
    char number[16];
    char status[24];
    char category[64], type[64], priority[16], organisation[64];
    char district[64]; /* "" when none */
    int64_t created_at, reaction_due_at, resolution_due_at;
    int64_t reacted_at, done_at, closed_at, confirm_due_at, escalated_at; /* 0: none */
    int64_t assignee_id, done_by, parent_id;                              /* 0: none */
    int rating;                                                           /* 0: none */
    int reopen_count;
    bool flagged, reaction_overdue, resolution_overdue, reaction_warned, resolution_warned;
    /* the pending extension request, if any */
    int64_t ext_id, ext_new_due_at, ext_requested_by; /* ext_id 0: none */
    char ext_reason[2048];
    int64_t ext_approved_due_at; /* the latest approved extension's date, 0 when none */
} store_wf;

/* Reads the appeal by number (PostgreSQL: FOR UPDATE). DB_NOT_FOUND. */
int store_wf_load(db_conn *c, const char *number, store_wf *out);
/* Same by the hash of the applicant's tracking token. */
int store_wf_load_tracking(db_conn *c, const char *tracking_hash, store_wf *out);
/* Writes every workflow column back and recomputes next_check_at. */
int store_wf_save(db_conn *c, const store_wf *w, int64_t now);

int store_extension_add(db_conn *c, int64_t appeal_id, int64_t user_id, const char *reason,
                        int64_t old_due, int64_t new_due, int64_t now);
/* status "approved" or "refused". */
int store_extension_decide(db_conn *c, int64_t ext_id, const char *status, int64_t user_id,
                           const char *note, int64_t now);
/* A violation against the organisation (user_id 0: nobody in particular). */
int store_violation_add(db_conn *c, int64_t appeal_id, const char *organisation, const char *kind,
                        int64_t user_id, int64_t at, const char *note);
/* A subscription that makes the merged child's applicant follow the parent. */
int store_follow_parent(db_conn *c, int64_t child_id, int64_t parent_id, const char *tracking_hash,
                        int64_t now);
#endif
