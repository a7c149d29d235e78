/* rfc2047.h - mail header values decoded to UTF-8: unfolding, RFC 2047
 * encoded words, and the charset conversion that RFC 2231 parameters share.
 *
 * Conversion goes through glibc iconv, so every charset iconv knows works
 * (KOI8-R, windows-1251, ISO-8859-x, GB2312/GBK/GB18030, Big5, Shift_JIS,
 * ISO-2022-JP, UTF-7 ...). Nothing here ever drops captured text: what
 * cannot be decoded is kept as it was on the wire, and the renderers'
 * sanitisers make it safe later. */
#ifndef MT_RFC2047_H
#define MT_RFC2047_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

/* Decodes one header field value (the bytes after "Name:", possibly with
 * its folding line breaks):
 * - unfolds (RFC 5322 §2.2.3: CR and LF are removed, the WSP is kept) and
 *   trims leading and trailing spaces/tabs;
 * - decodes encoded words =?charset[*lang]?B|Q?text?= (RFC 2047 §2-§4,
 *   RFC 2231 §5), also where they touch other text or sit inside quotes,
 *   as common mailers produce them;
 * - drops whitespace between two adjacent encoded words (RFC 2047 §6.2) and
 *   converts the bytes of consecutive same-charset words together, so a
 *   multi-byte character split across words survives; empty words are fine;
 * - keeps the raw text of a word whose charset iconv does not know or whose
 *   base64 is broken; bytes outside encoded words are kept as they are
 *   (possibly invalid UTF-8; the JSON writer escapes them); a byte invalid
 *   in a known charset becomes U+FFFD; a NUL becomes U+FFFD so the result is
 *   a usable C string.
 * Linear in n. The caller caps n. Returns a malloc'd NUL-terminated string
 * (never NULL); *outlen (optional) gets its length. */
char *mt_rfc2047_decode(const uint8_t *p, size_t n, size_t *outlen);

/* Appends p[0..n) converted from charset cs[0..cslen) (case-insensitive; an
 * RFC 2231 "*lang" suffix is ignored) to out as UTF-8. UTF-8, US-ASCII or an
 * empty charset pass bytes through; ISO-8859-1 is read as windows-1252 for
 * 0x80-0x9F, as mail clients do; bytes invalid in the charset become U+FFFD.
 * Returns false, appending nothing, when the charset is unknown or
 * malformed. Linear in n. */
bool mt_charset_to_utf8(const char *cs, size_t cslen, const uint8_t *p, size_t n,
                        struct mt_sbuf *out);

#endif
