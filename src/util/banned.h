/* Functions we never use (see STYLE.md): each has a bounded replacement
 * in util/buf.h or util/num.h. Included by every translation unit via
 * util/common.h so a stray call fails to compile. */
#ifndef KONTAKT_BANNED_H
#define KONTAKT_BANNED_H
#define BANNED(f) sorry_##f##_is_banned
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strcpy
#define strcpy(...) BANNED(strcpy)
#undef strcat
#define strcat(...) BANNED(strcat)
#undef strncpy
#define strncpy(...) BANNED(strncpy)
#undef strtok
#define strtok(...) BANNED(strtok)
#undef gets
#define gets(...) BANNED(gets)
#undef atoi
#define atoi(...) BANNED(atoi)
#undef atol
#define atol(...) BANNED(atol)
#undef sscanf
#define sscanf(...) BANNED(sscanf)
#endif
