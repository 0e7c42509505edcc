/* TEMPORARY until the notify branch lands (it replaces this file). */
#include "store/outbox.h"
#include "util/banned.h"

int store_outbox_add(db_conn *c, const store_outbox_msg *m) {
    db_val p[] = {db_int(m->appeal_id), db_text(m->event_kind), db_text(m->channel),
                  db_text(m->recipient), db_text(m->template_name), db_text(m->lang),
                  db_text(m->params), db_int(m->now), db_int(m->now)};
    if (!m->appeal_id) p[0] = db_null();
    return db_query(c,
                    "INSERT INTO outbox (appeal_id, event_kind, channel, recipient, template, lang,"
                    " params, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    p, 9, NULL);
}
