/* escape.h - untrusted strings made safe: to print on a terminal, and
 * the UTF-8 judgement the JSON writer shares. */
#ifndef CONCMON_ESCAPE_H
#define CONCMON_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Length (2-4) of the valid multibyte UTF-8 sequence at p, 1 for ASCII, or 0
 * when p starts an invalid one; then *bad is the length of its maximal
 * invalid prefix (at least 1). Rejects overlongs, surrogates and code points
 * past U+10FFFF. p is NUL-terminated, and NUL is never a continuation byte,
 * so this never reads past the terminator. */
size_t escape_utf8_seq(const unsigned char *p, size_t *bad);

/* Copies s into out (size outlen) with every control character, escape
 * sequence byte and invalid UTF-8 byte made visible (\e, \n, \x9b...), so
 * the result is safe to print on a terminal: ESC, LF, TAB, CR as \e \n \t
 * \r; other C0 and DEL as \xNN; C1 (U+0080..U+009F) as \x80..\x9f; bidi
 * controls, zero-width marks and the BOM as \uNNNN; each invalid UTF-8
 * byte as \xNN. Always NUL-terminated when outlen > 0; cut
 * short only between whole escapes or characters. s and out must not
 * overlap; 4 * strlen(s) + 1 bytes always suffice. Returns out. */
char *escape_text(const char *s, char *out, size_t outlen);

/* Writes s as a JSON string (with quotes), escaping control characters
 * (C0, DEL and C1), quotes and backslashes; each maximal invalid UTF-8 subpart (overlong,
 * surrogate, truncated, past U+10FFFF, stray byte) becomes \ufffd, so the
 * result is valid JSON for any bytes. NULL is written as "". */
void escape_json_string(FILE *fp, const char *s);

#endif
