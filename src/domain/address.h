/* Addresses as people type them: normalisation (case, apostrophes, street
 * kinds), house numbers, small typos, the kinds' Ukrainian labels. Pure. */
#ifndef KONTAKT_DOMAIN_ADDRESS_H
#define KONTAKT_DOMAIN_ADDRESS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADDR_TOKEN_MAX 32  /* code points of one token (longer ones are cut) */
#define ADDR_TOKENS_MAX 8  /* tokens of one name or query (more are ignored) */
#define ADDR_HOUSE_MAX 32  /* bytes of a normalised house number */

/* Street kinds: the register's type names ("street", "lane", ...). */
typedef enum {
    ADDR_KIND_NONE = -1,
    ADDR_STREET, ADDR_LANE, ADDR_AVENUE, ADDR_SQUARE, ADDR_BOULEVARD, ADDR_EMBANKMENT,
    ADDR_SLOPE, ADDR_IMPASSE, ADDR_HIGHWAY, ADDR_PARK, ADDR_AREA,
    ADDR_KIND_COUNT
} addr_kind;

/* "street" -> ADDR_STREET; ADDR_KIND_NONE when unknown. */
addr_kind addr_kind_parse(const char *name);
const char *addr_kind_name(addr_kind k);
/* "вул.", "пров.", "просп.", ... (for slopes "узвіз", written after the name). */
const char *addr_kind_abbr(addr_kind k);
/* "вул. Робоча" or "Тополиний узвіз" into out. */
void addr_street_label(addr_kind k, const char *name, char *out, size_t cap);
/* "колишня" or "колишній", by the kind's grammatical gender. */
const char *addr_former_word(addr_kind k);

typedef struct {
    uint32_t cp[ADDR_TOKEN_MAX];
    int len;
    uint64_t sig; /* bit (cp % 64) of each code point: a quick filter before the distance */
} addr_token;

typedef struct {
    addr_token t[ADDR_TOKENS_MAX];
    int n;
    addr_kind kind; /* a kind word found in the text (and stripped), or NONE */
} addr_tokens;

/* Lower-cases (Latin, Cyrillic incl. Є І Ї Ґ), drops apostrophes (ʼ ' ’ ‘ `),
 * splits at anything not a letter or digit, and strips street-kind words
 * («вул.», «вулиця», «просп.», «пр.», «пров.», «пл.», «бульв.», «б-р»,
 * «наб.», «узвіз», «тупик», ...) when a name token remains. Invalid UTF-8
 * bytes are treated as separators. */
void addr_tokenize(const char *text, size_t len, bool strip_kinds, addr_tokens *out);

/* A register name as written in an import ("вул. Робоча", "просп. Науки",
 * "Тополиний узвіз", "Робоча"): the byte offset where the name starts after
 * a leading kind word and its dot, its length without a trailing kind
 * word (узвіз, шосе), and that kind (NONE when there is none). */
size_t addr_strip_kind(const char *name, addr_kind *kind, size_t *name_len);

/* A query split into the street part and a house number: "Робоча 12",
 * "вул. Робоча, 12а", "Робоча 5/7", "Робоча 3 корп. 2". The house starts at
 * the first word after the street's first word that begins with a digit and
 * is not an ordinal ("93-ї"). street_len is the byte length of the street
 * part of q; house receives the normalised house ("" when none). */
void addr_split_house(const char *q, size_t *street_len, char *house, size_t house_cap);

/* Normalised house number for comparison: lower case, no spaces, dots,
 * commas or hyphens ("3 корп. 2" -> "3корп2", "12-А" -> "12а"). */
void addr_house_norm(const char *in, size_t len, char *out, size_t cap);
/* Orders house numbers naturally: 2 < 5/7 < 12 < 12а < 120. */
int addr_house_cmp(const char *a, const char *b);

/* Damerau-Levenshtein (optimal string alignment) distance, stopping early
 * past max (then returns max + 1). */
int addr_distance(const uint32_t *a, int na, const uint32_t *b, int nb, int max);

/* How a query token matches a name token. */
enum { ADDR_EXACT = 0, ADDR_PREFIX = 1, ADDR_TYPO = 2, ADDR_NO_MATCH = 3 };
/* exact; a prefix (typing); a typo: distance <= 1 for tokens of 4-7 letters,
 * <= 2 for longer (also against the name token's start of the same length,
 * distance <= 1, for 5 letters or more). */
int addr_token_match(const addr_token *q, const addr_token *name);
/* The worst over the query's tokens of the best match each finds in the
 * name; ADDR_NO_MATCH when a token matches nothing or the query is empty. */
int addr_tokens_match(const addr_tokens *q, const addr_tokens *name);

/* Metres between two points (equirectangular, fine below a few km). */
double addr_distance_m(double lat1, double lon1, double lat2, double lon2);
#endif
