/* Notification texts. Each template is three texts per language with
 * {placeholders}; a line whose placeholder has no value is left out, so
 * optional parts (a reason, a date) need no second copy of the text. SMS
 * lines are joined with spaces and mention only short values (number,
 * date, link, code): an SMS in Cyrillic is 70 characters a segment. */
#include "domain/templates.h"
#include "util/buf.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "util/banned.h"

#define FREE_TEXT_MAX 300 /* bytes of a reason or comment quoted in an email */

typedef struct {
    const char *subject, *body, *sms;
} tpl_text;

typedef struct {
    const char *name;
    bool appeal;       /* needs "number" */
    const char *needs; /* another required param, or NULL */
    tpl_text uk, en;
} tpl_def;

#define SIGN_UK                                                                                \
    "\n\n— Контакт, міський контактний центр\nЦе автоматичне повідомлення: відповідати на " \
    "нього не потрібно."
#define SIGN_EN                                                                                \
    "\n\n— Kontakt, the city contact centre\nThis message was sent automatically: there is " \
    "no need to reply."

static const tpl_def defs[] = {
    {"registered", true, "token",
     {"Звернення {number} зареєстровано",
      "Доброго дня!\n\nВаше звернення зареєстровано під номером {number}.\n"
      "Строк розгляду — до {due}.\n\nСтежити за розглядом: {link}\n"
      "Це посилання — ваш ключ до звернення: не пересилайте його іншим." SIGN_UK,
      "Звернення {number} зареєстровано. Статус: {link}"},
     {"Appeal {number} registered",
      "Hello,\n\nYour appeal has been registered as {number}.\n"
      "It is due to be resolved by {due}.\n\nFollow it here: {link}\n"
      "This link is your key to the appeal: please do not forward it." SIGN_EN,
      "Appeal {number} registered. Status: {link}"}},
    {"assigned", true, NULL,
     {"Звернення {number} передано виконавцю",
      "Доброго дня!\n\nВаше звернення {number} передано виконавцю.\nВиконавець: {org}\n"
      "Ми повідомимо, коли роботи буде виконано." SIGN_UK,
      "Звернення {number} передано виконавцю.\n{org}"},
     {"Appeal {number} passed to the executor",
      "Hello,\n\nYour appeal {number} has been passed to the executor.\nExecutor: {org}\n"
      "We will let you know when the work is done." SIGN_EN,
      "Appeal {number} passed to the executor.\n{org}"}},
    {"extension", true, "due_at",
     {"Строк розгляду звернення {number} продовжено",
      "Доброго дня!\n\nСтрок розгляду вашого звернення {number} продовжено до {due}.\n"
      "Причина: {reason}\nВибачте за незручності." SIGN_UK,
      "Строк розгляду звернення {number} продовжено до {due}."},
     {"The deadline of appeal {number} is extended",
      "Hello,\n\nThe deadline of your appeal {number} has been extended to {due}.\n"
      "Reason: {reason}\nWe apologise for the inconvenience." SIGN_EN,
      "Appeal {number}: the deadline is extended to {due}."}},
    {"done", true, NULL,
     {"Звернення {number} виконано — підтвердіть, будь ласка",
      "Доброго дня!\n\nВиконавець повідомив, що роботи за вашим зверненням {number} виконано.\n"
      "Коментар виконавця: {note}\n\nБудь ласка, підтвердьте виконання або повідомте, що "
      "проблему не вирішено: за посиланням, яке ви отримали під час реєстрації, або в "
      "особистому кабінеті: {cabinet}\nЯкщо ви не відповісте до {confirm_by}, звернення "
      "буде закрито." SIGN_UK,
      "Звернення {number} виконано. Підтвердіть або оскаржте: {cabinet}"},
     {"Appeal {number} is done: please confirm",
      "Hello,\n\nThe executor reports that the work on your appeal {number} is done.\n"
      "The executor's comment: {note}\n\nPlease confirm, or tell us the problem remains: "
      "through the link you received at registration, or in your cabinet: {cabinet}\n"
      "Without an answer by {confirm_by} the appeal will be closed." SIGN_EN,
      "Appeal {number} is done. Confirm or dispute: {cabinet}"}},
    {"reopened", true, NULL,
     {"Звернення {number} відкрито повторно",
      "Доброго дня!\n\nВаше звернення {number} відкрито повторно: роботу буде перевірено й "
      "доведено до кінця.\nПричина: {reason}" SIGN_UK,
      "Звернення {number} відкрито повторно."},
     {"Appeal {number} is reopened",
      "Hello,\n\nYour appeal {number} has been reopened: the work will be checked and "
      "finished.\nReason: {reason}" SIGN_EN,
      "Appeal {number} is reopened."}},
    {"closed", true, NULL,
     {"Звернення {number} закрито",
      "Доброго дня!\n\nВаше звернення {number} закрито. Дякуємо, що допомагаєте місту.\n"
      "Оцінити роботу можна за посиланням зі звернення або в особистому кабінеті: "
      "{cabinet}" SIGN_UK,
      "Звернення {number} закрито. Дякуємо!"},
     {"Appeal {number} is closed",
      "Hello,\n\nYour appeal {number} is closed. Thank you for helping the city.\n"
      "You can rate the work through the appeal's link or in your cabinet: {cabinet}" SIGN_EN,
      "Appeal {number} is closed. Thank you!"}},
    {"overdue", true, NULL,
     {"Вибачте: розгляд звернення {number} затримується",
      "Доброго дня!\n\nВибачте: ми не встигли вирішити ваше звернення {number} у "
      "встановлений строк.\nКерівника виконавця повідомлено, звернення взято на особливий "
      "контроль.\nМи очікуємо вирішити його не пізніше {expected}.\n"
      "Ми повідомимо вас про результат." SIGN_UK,
      "Вибачте: звернення {number} прострочено.\nОчікуємо вирішити до {expected}."},
     {"We are sorry: appeal {number} is delayed",
      "Hello,\n\nWe are sorry: we have not resolved your appeal {number} in time.\n"
      "The executor's management has been told and the appeal is under special control.\n"
      "We expect to resolve it by {expected} at the latest.\n"
      "We will let you know the result." SIGN_EN,
      "Sorry: appeal {number} is overdue.\nExpected by {expected}."}},
    {"login_code", false, "code",
     {"Код для входу: {code}",
      "Ваш код для входу в Контакт: {code}\nКод дійсний 10 хвилин. Нікому його не "
      "повідомляйте.\nЯкщо ви не намагалися увійти, просто не зважайте на цей лист." SIGN_UK,
      "Код для входу в Контакт: {code}. Нікому не повідомляйте."},
     {"Your sign-in code: {code}",
      "Your Kontakt sign-in code: {code}\nIt is valid for 10 minutes. Do not tell it to "
      "anyone.\nIf you did not try to sign in, please ignore this message." SIGN_EN,
      "Kontakt sign-in code: {code}. Do not tell anyone."}},
};

static const tpl_def *find(const char *name) {
    for (size_t i = 0; name && i < sizeof defs / sizeof defs[0]; i++)
        if (strcmp(defs[i].name, name) == 0) return &defs[i];
    return NULL;
}

bool tpl_known(const char *name) { return find(name) != NULL; }

void tpl_format_local(long long ms, char *out, size_t cap) {
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm)) {
        str_copy(out, cap, "");
        return;
    }
    snprintf(out, cap, "%02d.%02d.%04d %02d:%02d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900,
             tm.tm_hour, tm.tm_min);
}

/* The values placeholders stand for; NULL: none (the line is left out). */
typedef struct {
    const char *number, *code, *org;
    char link[512], cabinet[512], due[24], expected[24], confirm_by[24];
    char reason[FREE_TEXT_MAX + 4], note[FREE_TEXT_MAX + 4];
    bool has_link, has_due, has_expected, has_confirm_by, has_reason, has_note;
} tpl_values;

/* At most FREE_TEXT_MAX bytes, cut on a character boundary, "…" when cut. */
static bool quote(const char *s, char *out, size_t cap) {
    if (!s || !*s) return false;
    size_t n = strlen(s);
    if (n <= FREE_TEXT_MAX) {
        str_copy(out, cap, s);
        return true;
    }
    n = FREE_TEXT_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    snprintf(out, cap, "%.*s…", (int)n, s);
    return true;
}

static bool time_param(const json_t *params, const char *key, char *out, size_t cap) {
    json_t *v = json_object_get(params, key);
    if (!json_is_integer(v) || json_integer_value(v) <= 0) return false;
    tpl_format_local((long long)json_integer_value(v), out, cap);
    return out[0] != 0;
}

static const char *text_param(const json_t *params, const char *key) {
    const char *s = json_string_value(json_object_get(params, key));
    return s && *s ? s : NULL;
}

static void fill_values(const json_t *params, const char *lang, const char *base, tpl_values *v) {
    memset(v, 0, sizeof *v);
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/') bl--;
    v->number = text_param(params, "number");
    v->code = text_param(params, "code");
    v->org = text_param(params, strcmp(lang, "en") == 0 ? "org_en" : "org_uk");
    const char *token = text_param(params, "token");
    if (token)
        v->has_link = (size_t)snprintf(v->link, sizeof v->link, "%.*s/track.html#%s", (int)bl,
                                       base, token) < sizeof v->link;
    snprintf(v->cabinet, sizeof v->cabinet, "%.*s/cabinet.html", (int)bl, base);
    v->has_due = time_param(params, "due_at", v->due, sizeof v->due);
    v->has_expected = time_param(params, "expected_at", v->expected, sizeof v->expected);
    v->has_confirm_by = time_param(params, "confirm_by", v->confirm_by, sizeof v->confirm_by);
    v->has_reason = quote(text_param(params, "reason"), v->reason, sizeof v->reason);
    v->has_note = quote(text_param(params, "note"), v->note, sizeof v->note);
}

static const char *value_of(const tpl_values *v, const char *key, size_t n) {
#define IS(k) (n == sizeof k - 1 && memcmp(key, k, n) == 0)
    if (IS("number")) return v->number;
    if (IS("code")) return v->code;
    if (IS("org")) return v->org;
    if (IS("link")) return v->has_link ? v->link : NULL;
    if (IS("cabinet")) return v->cabinet;
    if (IS("due")) return v->has_due ? v->due : NULL;
    if (IS("expected")) return v->has_expected ? v->expected : NULL;
    if (IS("confirm_by")) return v->has_confirm_by ? v->confirm_by : NULL;
    if (IS("reason")) return v->has_reason ? v->reason : NULL;
    if (IS("note")) return v->has_note ? v->note : NULL;
#undef IS
    return NULL;
}

static void cut(buf *b, size_t len) {
    b->len = len;
    if (b->data) b->data[len] = 0;
}

/* One line with its placeholders filled; false when one has no value. */
static bool render_line(const char *line, size_t len, const tpl_values *v, buf *out) {
    size_t start = out->len;
    for (size_t i = 0; i < len; i++) {
        const char *close = line[i] == '{' ? memchr(line + i, '}', len - i) : NULL;
        if (!close) {
            buf_append(out, line + i, 1);
            continue;
        }
        const char *val = value_of(v, line + i + 1, (size_t)(close - line - i - 1));
        if (!val) {
            cut(out, start);
            return false;
        }
        buf_puts(out, val);
        i = (size_t)(close - line);
    }
    return true;
}

/* The text with lines that lack a value left out; lines joined by `sep`. */
static char *render_text(const char *text, const tpl_values *v, const char *sep) {
    buf out;
    buf_init(&out, 64 * 1024);
    bool first = true;
    for (const char *p = text;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        size_t mark = out.len;
        if (!first) buf_puts(&out, sep);
        if (render_line(p, len, v, &out) || len == 0) {
            first = false;
        } else {
            cut(&out, mark);
        }
        if (!nl) break;
        p = nl + 1;
    }
    return buf_steal(&out);
}

bool tpl_render(const char *name, const char *lang, const json_t *params, const char *public_url,
                tpl_message *out, char *err, size_t err_cap) {
    memset(out, 0, sizeof *out);
    const tpl_def *d = find(name);
    if (!d) {
        snprintf(err, err_cap, "unknown template");
        return false;
    }
    if (!json_is_object(params)) {
        snprintf(err, err_cap, "params are not an object");
        return false;
    }
    bool en = lang && strcmp(lang, "en") == 0;
    tpl_values v;
    fill_values(params, en ? "en" : "uk", public_url ? public_url : "", &v);
    if (d->appeal && !v.number) {
        snprintf(err, err_cap, "%s: number missing", d->name);
        return false;
    }
    bool need_ok = !d->needs || (strcmp(d->needs, "token") == 0 && v.has_link) ||
                   (strcmp(d->needs, "due_at") == 0 && v.has_due) ||
                   (strcmp(d->needs, "code") == 0 && v.code);
    if (!need_ok) {
        snprintf(err, err_cap, "%s: %s missing", d->name, d->needs);
        return false;
    }
    const tpl_text *t = en ? &d->en : &d->uk;
    out->subject = render_text(t->subject, &v, " ");
    char *body = render_text(t->body, &v, "\n");
    const char *own = text_param(params, "own");
    if (own && d->appeal) {
        /* A merged appeal's applicant hears about the appeal it joined. */
        buf b;
        buf_init(&b, 64 * 1024);
        buf_printf(&b, en ? "Your appeal %s was merged with appeal %s: this is about it.\n\n"
                          : "Ваше звернення %s об'єднано зі зверненням %s: це повідомлення про "
                            "нього.\n\n",
                   own, v.number);
        buf_puts(&b, body);
        free(body);
        body = buf_steal(&b);
    }
    out->body = body;
    out->sms = render_text(t->sms, &v, " ");
    return true;
}

void tpl_message_free(tpl_message *m) {
    free(m->subject);
    free(m->body);
    free(m->sms);
    m->subject = m->body = m->sms = NULL;
}
