/* escape.c - see escape.h. Command names and lines come from programs
 * concmon does not trust: any byte can appear, and text meant for a
 * terminal must never carry a control sequence. */
#include "util/escape.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

size_t escape_utf8_seq(const unsigned char *p, size_t *bad)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t need;

	*bad = 1;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c == 0xe0)
		need = 2, lo = 0xa0;          /* no overlong 3-byte forms */
	else if (c == 0xed)
		need = 2, hi = 0x9f;          /* no UTF-16 surrogates */
	else if (c >= 0xe1 && c <= 0xef)
		need = 2;
	else if (c == 0xf0)
		need = 3, lo = 0x90;          /* no overlong 4-byte forms */
	else if (c >= 0xf1 && c <= 0xf3)
		need = 3;
	else if (c == 0xf4)
		need = 3, hi = 0x8f;          /* nothing past U+10FFFF */
	else
		return 0;                     /* 80-c1, f5-ff never start a sequence */
	for (size_t i = 1; i <= need; i++) {
		if (p[i] < lo || p[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

static size_t hex_escape(char *unit, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	unit[0] = '\\';
	unit[1] = 'x';
	unit[2] = hex[c >> 4];
	unit[3] = hex[c & 0xf];
	return 4;
}

/* The visible form of one ASCII byte. */
static size_t ascii_unit(char *unit, unsigned char c)
{
	static const struct {
		unsigned char c;
		char name;
	} named[] = { { 0x1b, 'e' }, { '\n', 'n' }, { '\t', 't' }, { '\r', 'r' } };

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (named[i].c == c) {
			unit[0] = '\\';
			unit[1] = named[i].name;
			return 2;
		}
	}
	if (c < 0x20 || c == 0x7f)
		return hex_escape(unit, c);
	unit[0] = (char)c;
	return 1;
}

/* The code point of the n-byte sequence at p when it is valid UTF-8 that
 * reorders or hides the text after it on a terminal (bidi embeddings,
 * overrides and isolates, zero-width marks, the BOM), else 0. */
static unsigned format_hostile(const unsigned char *p, size_t n)
{
	if (n != 3)
		return 0;
	unsigned cp = (unsigned)(p[0] & 0x0f) << 12 | (unsigned)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
	bool bad = (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
		   (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
	return bad ? cp : 0;
}

char *escape_text(const char *s, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t o = 0;

	if (!out || outlen == 0)
		return out;
	while (*p) {
		char unit[8];
		unsigned cp;
		size_t bad, ulen, adv, n = escape_utf8_seq(p, &bad);
		if (n == 0) {                          /* each invalid byte on its own */
			ulen = hex_escape(unit, *p);
			adv = 1;
		} else if (n == 1) {
			ulen = ascii_unit(unit, *p);
			adv = 1;
		} else if (n == 2 && p[0] == 0xc2 && p[1] <= 0x9f) {  /* C1: U+0080..U+009F */
			ulen = hex_escape(unit, p[1]);
			adv = 2;
		} else if ((cp = format_hostile(p, n)) != 0) {        /* \u202e */
			ulen = (size_t)snprintf(unit, sizeof unit, "\\u%04x", cp);
			adv = 3;
		} else {
			memcpy(unit, p, n);
			ulen = adv = n;
		}
		if (o + ulen >= outlen)                /* keep room for the NUL */
			break;
		memcpy(out + o, unit, ulen);
		o += ulen;
		p += adv;
	}
	out[o] = '\0';
	return out;
}

/* ---- JSON ---- */

static void json_ascii(FILE *fp, unsigned char c)
{
	switch (c) {
	case '"':
		fputs("\\\"", fp);
		break;
	case '\\':
		fputs("\\\\", fp);
		break;
	case '\b':
		fputs("\\b", fp);
		break;
	case '\f':
		fputs("\\f", fp);
		break;
	case '\n':
		fputs("\\n", fp);
		break;
	case '\r':
		fputs("\\r", fp);
		break;
	case '\t':
		fputs("\\t", fp);
		break;
	default:
		if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
}

void escape_json_string(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : ""), *run = p;

	/* Bytes that need no escape, valid UTF-8 included, go out as runs:
	 * one fwrite a string instead of one fputc a byte (this runs for two
	 * strings of every task of every refresh). */
	fputc('"', fp);
	while (*p) {
		if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\') {
			p++;
			continue;
		}
		size_t bad, n = *p < 0x80 ? 1 : escape_utf8_seq(p, &bad);
		/* C1 controls (U+0080..U+009F, CSI among them) are valid UTF-8
		 * but act on a terminal the JSON may be printed on: \u-escaped. */
		bool c1 = n == 2 && p[0] == 0xc2 && p[1] <= 0x9f;
		if (n > 1 && !c1) {
			p += n;
			continue;
		}
		fwrite(run, 1, (size_t)(p - run), fp);
		if (n == 0) {
			fputs("\\ufffd", fp);
			p += bad;
		} else if (c1) {
			fprintf(fp, "\\u%04x", p[1]);
			p += 2;
		} else {
			json_ascii(fp, *p++);
		}
		run = p;
	}
	fwrite(run, 1, (size_t)(p - run), fp);
	fputc('"', fp);
}
