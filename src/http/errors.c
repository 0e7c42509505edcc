/* The one error table and the field messages, in Ukrainian and English. */
#include "http/http.h"
#include <string.h>
#include "util/banned.h"

typedef struct {
    const char *code;
    int status;
    const char *uk;
    const char *en;
} error_def;

static const error_def errors[] = {
    {"invalid_json", 400, "Тіло запиту не є коректним об’єктом JSON",
     "The request body is not a valid JSON object"},
    {"invalid_idempotency_key", 400,
     "Заголовок Idempotency-Key має містити від 1 до 128 друкованих символів ASCII",
     "The Idempotency-Key header must be 1 to 128 printable ASCII characters"},
    {"invalid_number", 400, "Номер звернення має вигляд РРРР-NNNNNN, наприклад 2026-000123",
     "An appeal number looks like YYYY-NNNNNN, e.g. 2026-000123"},
    {"invalid_query", 400, "Перевірте параметри запиту: деякі мають неприпустиме значення",
     "Check the query parameters: some have a value that is not allowed"},
    {"auth_required", 401, "Увійдіть до системи: сесія відсутня або завершилася",
     "Please sign in: there is no session or it has ended"},
    {"invalid_credentials", 401, "Невірний логін або пароль", "Wrong login or password"},
    {"totp_required", 401, "Введіть шестизначний код із застосунку-автентифікатора",
     "Enter the six-digit code from your authenticator app"},
    {"invalid_totp", 401, "Невірний код автентифікатора", "Wrong authenticator code"},
    {"csrf_failed", 403,
     "Запит відхилено: немає або невірний заголовок X-CSRF-Token. Оновіть сторінку",
     "Request refused: the X-CSRF-Token header is missing or wrong. Reload the page"},
    {"forbidden", 403, "Ця дія недоступна для вашої ролі", "Your role may not do this"},
    {"user_not_found", 404, "Користувача з таким логіном немає", "No user with this login"},
    {"action_not_allowed", 409, "Ця дія неможлива в поточному стані звернення",
     "This action is not possible in the appeal's current state"},
    {"login_taken", 409, "Такий логін уже зайнятий", "This login is already taken"},
    {"too_many_attempts", 429, "Забагато невдалих спроб входу. Спробуйте пізніше",
     "Too many failed sign-in attempts. Try again later"},
    {"code_invalid", 401, "Невірний код. Перевірте цифри з повідомлення",
     "Wrong code. Check the digits in the message"},
    {"code_expired", 401, "Код недійсний: минув час, вичерпано спроби або його вже використано. Попросіть новий",
     "The code is no longer valid: it expired, ran out of attempts or was used. Ask for a new one"},
    {"contact_taken", 409, "Цей телефон або пошта вже належать іншому кабінету",
     "This phone or email already belongs to another cabinet"},
    {"too_many_codes", 429, "Забагато запитів коду. Зачекайте і спробуйте знову",
     "Too many code requests. Wait and try again"},
    {"channel_unavailable", 503, "Надсилання SMS не налаштовано. Увійдіть за електронною поштою",
     "Sending SMS is not configured. Sign in by email"},
    {"address_not_found", 404, "Поруч немає відомої адреси", "No known address nearby"},
    {"not_found", 404, "Такої сторінки або ресурсу немає", "No such page or resource"},
    {"appeal_not_found", 404, "Звернення з таким номером не знайдено",
     "No appeal with this number"},
    {"queue_not_found", 404,
     "Такої черги немає: triage, organisation, escalations, extensions або disputed",
     "No such queue: triage, organisation, escalations, extensions or disputed"},
    {"tracking_not_found", 404, "Звернення за цим посиланням не знайдено",
     "No appeal for this tracking link"},
    {"method_not_allowed", 405, "Цей метод не підтримується для цієї адреси",
     "This method is not allowed for this address"},
    {"body_too_large", 413, "Тіло запиту завелике", "The request body is too large"},
    {"unsupported_media_type", 415, "Надішліть дані як application/json",
     "Send the data as application/json"},
    {"validation_failed", 422, "Перевірте поля звернення: деякі заповнені неправильно",
     "Check the fields: some are not filled in correctly"},
    {"idempotency_key_reused", 422,
     "Цей Idempotency-Key уже використано для іншого запиту",
     "This Idempotency-Key was already used for a different request"},
    {"too_many_requests", 429, "Забагато запитів. Спробуйте за хвилину",
     "Too many requests. Try again in a minute"},
    {"multipart_invalid", 400,
     "Тіло запиту не є коректним multipart/form-data (обрізане або зіпсоване)",
     "The request body is not valid multipart/form-data (truncated or malformed)"},
    {"photo_type", 415, "Фото має бути у форматі JPEG, PNG або WebP (перевіряється вміст файлу)",
     "A photo must be JPEG, PNG or WebP (the file's content is checked)"},
    {"photo_too_large", 413, "Фото завелике", "The photo is too large"},
    {"photo_too_many", 409, "До звернення вже додано найбільшу кількість фото",
     "The appeal already has the most photos allowed"},
    {"photo_invalid", 422, "Фото пошкоджене або обрізане: його неможливо прочитати",
     "The photo is damaged or truncated: it cannot be read"},
    {"photo_not_found", 404, "Такого фото немає", "No such photo"},
    {"export_not_found", 404, "Такого експорту немає (або його файл уже видалено: файли зберігаються годину)",
     "No such export (or its file was deleted: files are kept for an hour)"},
    {"export_not_ready", 409, "Експорт ще не готовий: дочекайтеся стану done",
     "The export is not ready yet: wait for the state done"},
    {"export_failed", 409, "Експорт не вдався (причина в полі error його стану). Спробуйте ще раз",
     "The export failed (the reason is in its state's error field). Try again"},
    {"too_many_exports", 429, "У вас уже готуються два експорти. Дочекайтеся їх і спробуйте знову",
     "You already have two exports in progress. Wait for them and try again"},
    {"exports_busy", 503, "Черга експортів заповнена. Спробуйте за хвилину",
     "The export queue is full. Try again in a minute"},
    {"internal_error", 500, "Внутрішня помилка сервера. Нічого не збережено, спробуйте ще раз",
     "Internal server error. Nothing was stored; please try again"},
    {"uploads_busy", 503, "Зараз завантажується забагато файлів. Спробуйте за хвилину",
     "Too many uploads are in progress. Try again in a minute"},
    {"not_ready", 503, "Сервіс тимчасово недоступний", "The service is temporarily unavailable"},
};

typedef struct {
    const char *code;
    const char *uk;
    const char *en;
} field_def;

static const field_def field_errors[] = {
    {"required", "обов’язкове поле", "this field is required"},
    {"wrong_type", "неправильний тип значення", "wrong type of value"},
    {"unknown_field", "невідоме поле", "unknown field"},
    {"too_short", "занадто коротке", "too short"},
    {"too_long", "занадто довге", "too long"},
    {"out_of_bounds", "точка поза межами міста", "the point is outside the city"},
    {"invalid_phone", "невірний номер телефону України", "not a valid Ukrainian phone number"},
    {"invalid_email", "невірна адреса електронної пошти", "not a valid email address"},
    {"unknown_category", "невідома категорія", "unknown category"},
    {"unknown_type", "невідомий тип для цієї категорії", "unknown type for this category"},
    {"invalid_value", "недопустиме значення", "value not allowed"},
    {"control_chars", "містить недопустимі керувальні символи",
     "contains control characters that are not allowed"},
    {"invalid_utf8", "текст не в кодуванні UTF-8", "the text is not valid UTF-8"},
    {"invalid_bbox", "має бути minLon,minLat,maxLon,maxLat у межах ±180/±90, min < max",
     "must be minLon,minLat,maxLon,maxLat within ±180/±90, min < max"},
    {"invalid_date", "дата має вигляд РРРР-ММ-ДД", "a date looks like YYYY-MM-DD"},
    {"date_order", "кінець періоду раніше за початок", "the period ends before it starts"},
    {"period_too_long", "період задовгий; днів щонайбільше", "the period is too long; days at most"},
    {"unknown_district", "невідомий район", "unknown district"},
    {"unknown_status", "невідомий статус", "unknown status"},
    {"password_too_short", "пароль має містити щонайменше 12 символів",
     "the password must have at least 12 characters"},
    {"password_too_long", "пароль задовгий (до 256 байтів)", "the password is too long (256 bytes at most)"},
    {"password_common", "це поширений пароль, його легко вгадати",
     "this is a common password, easy to guess"},
    {"password_weak", "пароль занадто простий", "the password is too simple"},
    {"invalid_login", "логін: 3–32 символи a–z, 0–9, крапка, дефіс, підкреслення",
     "login: 3–32 characters a–z, 0–9, dot, hyphen, underscore"},
    {"unknown_role", "невідома роль", "unknown role"},
    {"unknown_organisation", "невідома організація", "unknown organisation"},
    {"organisation_required", "виконавцю потрібна організація", "an executor needs an organisation"},
    {"unknown_action", "невідома дія", "unknown action"},
    {"unknown_appeal", "звернення з таким номером немає", "no appeal with this number"},
    {"same_appeal", "звернення не можна об’єднати само з собою", "an appeal cannot be merged into itself"},
    {"invalid_datetime", "дата й час у форматі ISO 8601, наприклад 2026-12-24T18:00:00+02:00",
     "a date and time in ISO 8601, e.g. 2026-12-24T18:00:00+02:00"},
    {"not_after_deadline", "нова дата має бути пізніше за чинний строк",
     "the new date must be later than the current deadline"},
    {"past_legal_maximum", "пізніше за граничний строк закону (45 днів від реєстрації)",
     "later than the legal maximum (45 days from registration)"},
    {"extension_pending", "попередній запит на продовження ще не розглянуто",
     "an earlier extension request is still waiting"},
    {"no_pending_extension", "немає запиту на продовження", "there is no extension request"},
    {"already_rated", "оцінку вже поставлено", "already rated"},
    {"out_of_range", "значення поза допустимими межами", "value out of range"},
    {"code_invalid", "невірний код; спроб залишилося", "wrong code; attempts left"},
    {"channel_unavailable", "SMS не налаштовано", "SMS is not configured"},
    {"contact_missing", "у кабінеті немає такого контакту", "the cabinet has no such contact"},
    {"photo_type", "лише JPEG, PNG або WebP", "only JPEG, PNG or WebP"},
    {"photo_too_large", "файл завеликий", "the file is too large"},
    {"photo_too_many", "забагато фото для одного звернення", "too many photos for one appeal"},
    {"photo_invalid", "зображення пошкоджене або обрізане", "the image is damaged or truncated"},
    {"photo_too_many_pixels", "зображення має забагато пікселів", "the image has too many pixels"},
};

/* Human names of the fields residents fill in, so a message reads
 * «Телефон» rather than only the JSON path. */
static const struct {
    const char *path, *uk, *en;
} labels[] = {
    {"category", "Категорія", "Category"},
    {"type", "Тип проблеми", "Problem type"},
    {"description", "Опис", "Description"},
    {"location", "Місце", "Location"},
    {"location.lat", "Широта", "Latitude"},
    {"location.lon", "Довгота", "Longitude"},
    {"location.address", "Адреса", "Address"},
    {"applicant", "Заявник", "Applicant"},
    {"applicant.name", "Ім’я", "Name"},
    {"applicant.phone", "Телефон", "Phone"},
    {"applicant.email", "Електронна пошта", "Email"},
    {"channel", "Канал", "Channel"},
    {"lat", "Широта", "Latitude"},
    {"lon", "Довгота", "Longitude"},
    {"phone", "Телефон", "Phone"},
    {"email", "Електронна пошта", "Email"},
    {"code", "Код", "Code"},
    {"number", "Номер звернення", "Appeal number"},
    {"notify", "Сповіщення", "Notifications"},
    {"lang", "Мова", "Language"},
    {"confirm", "Підтвердження", "Confirmation"},
    {"bbox", "Область мапи", "Map area"},
    {"zoom", "Масштаб", "Zoom"},
    {"status", "Статус", "Status"},
    {"from", "Початок періоду", "Period start"},
    {"to", "Кінець періоду", "Period end"},
    {"district", "Район", "District"},
    {"login", "Логін", "Login"},
    {"password", "Пароль", "Password"},
    {"totp", "Код автентифікатора", "Authenticator code"},
    {"name", "Ім’я", "Name"},
    {"role", "Роль", "Role"},
    {"organisation", "Організація", "Organisation"},
    {"active", "Активний", "Active"},
    {"action", "Дія", "Action"},
    {"reason", "Причина", "Reason"},
    {"comment", "Коментар", "Comment"},
    {"note", "Примітка", "Note"},
    {"parent", "Основне звернення", "Parent appeal"},
    {"due_at", "Новий строк", "New deadline"},
    {"rating", "Оцінка", "Rating"},
    {"topic", "Тема", "Topic"},
    {"limit", "Кількість", "Limit"},
    {"offset", "Зсув", "Offset"},
    {"photo", "Фото", "Photo"},
    {"public", "Публічне", "Public"},
    {"body", "Тіло запиту", "Request body"},
    {"group", "Групування", "Grouping"},
    {"include_trial", "Пробні звернення", "Trial appeals"},
    {"min_repeats", "Повторів щонайменше", "Repeats at least"},
};

static const char *label_of(const char *path, bool en) {
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].path, path) == 0) return en ? labels[i].en : labels[i].uk;
    return NULL;
}

static const error_def *find(const char *code) {
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (strcmp(errors[i].code, code) == 0) return &errors[i];
    return NULL;
}

int http_error_status(const char *code) {
    const error_def *e = find(code);
    return e ? e->status : 500;
}

void http_reply_error(http_req *req, const char *code, json_t *fields) {
    const error_def *e = find(code);
    if (!e) e = find("internal_error");
    json_t *err = json_pack("{s:s, s:s}", "code", e->code, "message", req->english ? e->en : e->uk);
    if (fields && json_object_size(fields)) json_object_set(err, "fields", fields);
    json_t *root = json_pack("{s:o}", "error", err);
    http_reply_json(req, e->status, root);
    json_decref(root);
}

void http_field_error(http_req *req, json_t *fields, const char *path, const char *code,
                      const char *detail) {
    if (json_object_get(fields, path)) return; /* the first problem of a field is enough */
    const field_def *f = NULL;
    for (size_t i = 0; i < sizeof field_errors / sizeof field_errors[0]; i++)
        if (strcmp(field_errors[i].code, code) == 0) f = &field_errors[i];
    const char *text = f ? (req->english ? f->en : f->uk) : code;
    buf b;
    buf_init(&b, 1024);
    const char *label = label_of(path, req->english);
    if (req->english && label)
        buf_printf(&b, "%s (field \"%s\"): %s", label, path, text);
    else if (req->english)
        buf_printf(&b, "Field \"%s\": %s", path, text);
    else if (label)
        buf_printf(&b, "%s (поле «%s»): %s", label, path, text);
    else
        buf_printf(&b, "Поле «%s»: %s", path, text);
    if (detail) buf_printf(&b, " (%s)", detail);
    json_object_set_new(fields, path, json_pack("{s:s, s:s}", "code", code, "message", b.data));
    buf_free(&b);
}
