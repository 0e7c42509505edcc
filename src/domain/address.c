/* Address normalisation, house numbers, typo distance, kind labels. */
#include "domain/address.h"
#include "util/buf.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "util/banned.h"

typedef struct {
    const char *name, *abbr;
    bool feminine, suffix;
} kind_def;

static const kind_def kinds[ADDR_KIND_COUNT] = {
    [ADDR_STREET] = {"street", "вул.", true, false},
    [ADDR_LANE] = {"lane", "пров.", false, false},
    [ADDR_AVENUE] = {"avenue", "просп.", false, false},
    [ADDR_SQUARE] = {"square", "пл.", true, false},
    [ADDR_BOULEVARD] = {"boulevard", "бульв.", false, false},
    [ADDR_EMBANKMENT] = {"embankment", "наб.", true, false},
    [ADDR_SLOPE] = {"slope", "узвіз", false, true},
    [ADDR_IMPASSE] = {"impasse", "туп.", false, false},
    [ADDR_HIGHWAY] = {"highway", "шосе", false, true},
    [ADDR_PARK] = {"park", "парк", false, false},
    [ADDR_AREA] = {"area", "ж/м", false, false},
};

/* Kind words as tokens (normalised: lower case, no dots). */
static const struct {
    const char *word;
    addr_kind kind;
} kind_words[] = {
    {"вул", ADDR_STREET}, {"вулиця", ADDR_STREET}, {"ул", ADDR_STREET},
    {"пров", ADDR_LANE}, {"провулок", ADDR_LANE}, {"пр-к", ADDR_LANE},
    {"просп", ADDR_AVENUE}, {"пр", ADDR_AVENUE}, {"проспект", ADDR_AVENUE}, {"пр-т", ADDR_AVENUE},
    {"пл", ADDR_SQUARE}, {"площа", ADDR_SQUARE}, {"майдан", ADDR_SQUARE},
    {"бульв", ADDR_BOULEVARD}, {"бульвар", ADDR_BOULEVARD}, {"б-р", ADDR_BOULEVARD},
    {"наб", ADDR_EMBANKMENT}, {"набережна", ADDR_EMBANKMENT},
    {"узвіз", ADDR_SLOPE}, {"узв", ADDR_SLOPE},
    {"туп", ADDR_IMPASSE}, {"тупик", ADDR_IMPASSE},
    {"шосе", ADDR_HIGHWAY}, {"парк", ADDR_PARK},
    {"ж/м", ADDR_AREA}, {"жм", ADDR_AREA}, {"масив", ADDR_AREA}, {"мкр", ADDR_AREA},
    {"мікрорайон", ADDR_AREA},
};
#define N_KIND_WORDS (sizeof kind_words / sizeof kind_words[0])

addr_kind addr_kind_parse(const char *name) {
    for (int k = 0; k < ADDR_KIND_COUNT; k++)
        if (name && strcmp(name, kinds[k].name) == 0) return (addr_kind)k;
    return ADDR_KIND_NONE;
}

static const kind_def *kind_of(addr_kind k) {
    return kinds + (k >= 0 && k < ADDR_KIND_COUNT ? k : ADDR_STREET);
}
const char *addr_kind_name(addr_kind k) { return kind_of(k)->name; }
const char *addr_kind_abbr(addr_kind k) { return kind_of(k)->abbr; }
const char *addr_former_word(addr_kind k) {
    return kind_of(k)->feminine ? "колишня" : "колишній";
}

void addr_street_label(addr_kind k, const char *name, char *out, size_t cap) {
    const kind_def *d = kind_of(k);
    if (d->suffix)
        snprintf(out, cap, "%s %s", name, d->abbr);
    else
        snprintf(out, cap, "%s %s", d->abbr, name);
}

/* --- UTF-8 --------------------------------------------------------------- */

/* Decodes one code point; returns its byte length (1 for an invalid byte,
 * with *cp = 0xFFFD). */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp) {
    unsigned char c = s[0];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || n > len) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t v = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    *cp = v;
    return n;
}

static uint32_t lower_cp(uint32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c >= 0x410 && c <= 0x42F) return c + 0x20; /* А-Я */
    if (c >= 0x400 && c <= 0x40F) return c + 0x50; /* Ѐ-Џ: Є І Ї */
    if (c == 0x490) return 0x491;                  /* Ґ */
    return c;
}

static bool is_apostrophe(uint32_t c) {
    return c == '\'' || c == '`' || c == 0x2BC || c == 0x2019 || c == 0x2018 || c == 0x2032;
}

static bool is_word_cp(uint32_t c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 0x430 && c <= 0x45F) ||
           c == 0x491;
}

/* --- tokens ---------------------------------------------------------------- */

static bool token_is(const addr_token *t, const char *word) {
    const unsigned char *w = (const unsigned char *)word;
    size_t len = strlen(word), i = 0;
    int j = 0;
    while (i < len) {
        uint32_t cp;
        i += utf8_next(w + i, len - i, &cp);
        if (j >= t->len || t->cp[j] != cp) return false;
        j++;
    }
    return j == t->len;
}

static addr_kind kind_word(const addr_token *t) {
    for (size_t i = 0; i < N_KIND_WORDS; i++)
        if (token_is(t, kind_words[i].word)) return kind_words[i].kind;
    return ADDR_KIND_NONE;
}

/* Splits into raw tokens; a '-' or '/' between single letters ("б-р",
 * "ж/м", "пр-т") stays inside the token so the kind words are found. */
static void split_tokens(const char *text, size_t len, addr_tokens *out) {
    const unsigned char *s = (const unsigned char *)text;
    out->n = 0;
    addr_token *cur = NULL;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        i += utf8_next(s + i, len - i, &cp);
        cp = lower_cp(cp);
        if (is_apostrophe(cp)) continue;
        bool joiner = (cp == '-' || cp == '/') && cur && cur->len <= 2 && i < len;
        if (is_word_cp(cp) || joiner) {
            if (!cur) {
                if (out->n >= ADDR_TOKENS_MAX) return;
                cur = &out->t[out->n++];
                cur->len = 0;
            }
            if (cur->len < ADDR_TOKEN_MAX) cur->cp[cur->len++] = cp;
        } else {
            cur = NULL;
        }
    }
}

/* A joined token that is not a kind word ("а-б") is split back. */
static void unjoin(addr_tokens *out) {
    for (int i = 0; i < out->n; i++) {
        addr_token *t = &out->t[i];
        int p = 1;
        while (p < t->len && p <= 2 && t->cp[p] != '-' && t->cp[p] != '/') p++;
        if (p >= t->len || p > 2 || kind_word(t) != ADDR_KIND_NONE) continue;
        addr_token rest = {.len = t->len - p - 1};
        memcpy(rest.cp, t->cp + p + 1, sizeof(uint32_t) * (size_t)rest.len);
        t->len = p;
        if (rest.len == 0 || out->n >= ADDR_TOKENS_MAX) continue;
        memmove(&out->t[i + 2], &out->t[i + 1], sizeof(addr_token) * (size_t)(out->n - i - 1));
        out->t[i + 1] = rest;
        out->n++;
    }
}

static void sign(addr_tokens *out) {
    for (int i = 0; i < out->n; i++) {
        addr_token *t = &out->t[i];
        t->sig = 0;
        for (int j = 0; j < t->len; j++) t->sig |= UINT64_C(1) << (t->cp[j] % 64);
    }
}

void addr_tokenize(const char *text, size_t len, bool strip_kinds, addr_tokens *out) {
    split_tokens(text, len, out);
    unjoin(out);
    sign(out);
    out->kind = ADDR_KIND_NONE;
    if (!strip_kinds) return;
    int names = 0;
    for (int i = 0; i < out->n; i++)
        if (kind_word(&out->t[i]) == ADDR_KIND_NONE) names++;
    if (names == 0) return;
    int w = 0;
    for (int i = 0; i < out->n; i++) {
        addr_kind k = kind_word(&out->t[i]);
        if (k == ADDR_KIND_NONE) {
            out->t[w++] = out->t[i];
        } else if (out->kind == ADDR_KIND_NONE) {
            out->kind = k;
        }
    }
    out->n = w;
}

/* "Тополиний узвіз", "Запорізьке шосе": the kind written after the name. */
static size_t strip_suffix_kind(const char *name, addr_kind *kind) {
    size_t len = strlen(name);
    const char *sp = strrchr(name, ' ');
    if (!sp || sp == name) return len;
    addr_tokens t;
    addr_tokenize(sp + 1, len - (size_t)(sp + 1 - name), false, &t);
    addr_kind k = t.n == 1 ? kind_word(&t.t[0]) : ADDR_KIND_NONE;
    if (k == ADDR_KIND_NONE || !kinds[k].suffix) return len;
    *kind = k;
    return (size_t)(sp - name);
}

size_t addr_strip_kind(const char *name, addr_kind *kind, size_t *name_len) {
    *kind = ADDR_KIND_NONE;
    *name_len = strip_suffix_kind(name, kind);
    if (*kind != ADDR_KIND_NONE) return 0;
    size_t word = strcspn(name, " \t.,");
    if (word == 0 || word > 40) return 0;
    addr_tokens t;
    addr_tokenize(name, word, false, &t);
    if (t.n != 1) return 0;
    addr_kind k = kind_word(&t.t[0]);
    if (k == ADDR_KIND_NONE || (k == ADDR_EMBANKMENT && name[word] != '.')) return 0;
    size_t rest = word + strspn(name + word, " \t.,");
    if (!name[rest]) return 0;
    *kind = k;
    *name_len = strlen(name + rest);
    return rest;
}

/* --- houses ------------------------------------------------------------- */

/* "93-ї", "5-го": a number with a hyphen then letters is an ordinal. */
static bool looks_like_house(const char *w, size_t n) {
    if (!n || w[0] < '0' || w[0] > '9') return false;
    size_t d = 0;
    while (d < n && w[d] >= '0' && w[d] <= '9') d++;
    if (d + 1 < n && w[d] == '-' && (unsigned char)w[d + 1] >= 0x80) {
        /* "12-а" is a house; "93-ї" / "5-го" are ordinals. */
        uint32_t cp;
        size_t l = utf8_next((const unsigned char *)w + d + 1, n - d - 1, &cp);
        return d + 1 + l == n && lower_cp(cp) != 0x457 && lower_cp(cp) != 0x439;
    }
    return true;
}

void addr_split_house(const char *q, size_t *street_len, char *house, size_t house_cap) {
    size_t len = strlen(q), i = 0;
    int word = 0;
    *street_len = len;
    house[0] = '\0';
    while (i < len) {
        size_t sep = strspn(q + i, " \t,");
        i += sep;
        if (i >= len) break;
        size_t n = strcspn(q + i, " \t,");
        if (word >= 1 && looks_like_house(q + i, n)) {
            *street_len = i;
            addr_house_norm(q + i, len - i, house, house_cap);
            return;
        }
        word++;
        i += n;
    }
}

void addr_house_norm(const char *in, size_t len, char *out, size_t cap) {
    const unsigned char *s = (const unsigned char *)in;
    buf b;
    buf_init(&b, cap > 0 ? cap - 1 : 0);
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        uint32_t cp;
        i += utf8_next(s + i, len - i, &cp);
        if (cp == ' ' || cp == '.' || cp == ',' || cp == '-' || cp == '\t' || is_apostrophe(cp))
            continue;
        uint32_t low = lower_cp(cp);
        if (low == cp) {
            buf_append(&b, s + start, i - start);
        } else if (low < 0x80) {
            char c = (char)low;
            buf_append(&b, &c, 1);
        } else { /* Cyrillic lower case: two bytes */
            unsigned char two[2] = {(unsigned char)(0xC0 | (low >> 6)),
                                    (unsigned char)(0x80 | (low & 0x3F))};
            buf_append(&b, two, 2);
        }
    }
    str_copy(out, cap, b.data ? b.data : "");
    buf_free(&b);
}

int addr_house_cmp(const char *a, const char *b) {
    long na = 0, nb = 0;
    while (*a >= '0' && *a <= '9' && na < 100000000) na = na * 10 + (*a++ - '0');
    while (*b >= '0' && *b <= '9' && nb < 100000000) nb = nb * 10 + (*b++ - '0');
    if (na != nb) return na < nb ? -1 : 1;
    return strcmp(a, b);
}

/* --- matching --------------------------------------------------------------- */

int addr_distance(const uint32_t *a, int na, const uint32_t *b, int nb, int max) {
    if (na - nb > max || nb - na > max) return max + 1;
    int rows[3][ADDR_TOKEN_MAX + 1];
    int *pp = rows[0], *p = rows[1], *cur = rows[2];
    for (int j = 0; j <= nb; j++) p[j] = j;
    for (int i = 1; i <= na; i++) {
        cur[0] = i;
        int best = cur[0];
        for (int j = 1; j <= nb; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = p[j] + 1;
            if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
            if (p[j - 1] + cost < v) v = p[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            cur[j] = v;
            if (v < best) best = v;
        }
        if (best > max) return max + 1;
        int *t = pp;
        pp = p;
        p = cur;
        cur = t;
    }
    return p[nb] > max ? max + 1 : p[nb];
}

int addr_token_match(const addr_token *q, const addr_token *name) {
    int m = q->len, n = name->len;
    if (m == 0) return ADDR_NO_MATCH;
    if (m <= n && memcmp(q->cp, name->cp, sizeof(uint32_t) * (size_t)m) == 0)
        return m == n ? ADDR_EXACT : ADDR_PREFIX;
    if (m < 4) return ADDR_NO_MATCH;
    int k = m >= 8 ? 2 : 1;
    /* Each edit brings at most one letter of q that the name lacks. */
    if (__builtin_popcountll(q->sig & ~name->sig) > k) return ADDR_NO_MATCH;
    if (addr_distance(q->cp, m, name->cp, n, k) <= k) return ADDR_TYPO;
    if (m >= 5 && n > m && addr_distance(q->cp, m, name->cp, m, 1) <= 1) return ADDR_TYPO;
    return ADDR_NO_MATCH;
}

int addr_tokens_match(const addr_tokens *q, const addr_tokens *name) {
    if (q->n == 0) return ADDR_NO_MATCH;
    int worst = ADDR_EXACT;
    for (int i = 0; i < q->n; i++) {
        int best = ADDR_NO_MATCH;
        for (int j = 0; j < name->n && best > ADDR_EXACT; j++) {
            int r = addr_token_match(&q->t[i], &name->t[j]);
            if (r < best) best = r;
        }
        if (best == ADDR_NO_MATCH) return ADDR_NO_MATCH;
        if (best > worst) worst = best;
    }
    return worst;
}

double addr_distance_m(double lat1, double lon1, double lat2, double lon2) {
    const double r = 6371008.8, rad = 3.14159265358979323846 / 180.0;
    double x = (lon2 - lon1) * rad * cos((lat1 + lat2) * 0.5 * rad);
    double y = (lat2 - lat1) * rad;
    return r * sqrt(x * x + y * y);
}
