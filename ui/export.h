/* export.h - files written from the model: messages as .eml (--export DIR)
 * and challenge-response credentials in cracker formats (--hashes FILE).
 * Names never come from the wire: they are built from session and message
 * numbers plus a sanitised ASCII slug; files are created with O_EXCL (no
 * overwrite unless force) and O_NOFOLLOW, relative to the opened DIR. */
#ifndef MT_EXPORT_H
#define MT_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "../dissect/session.h"

/* Opens DIR for exports (creates it if missing). Returns an fd or -1. */
int mt_export_open_dir(const char *dir, char *err, size_t errsz);
/* Writes every message of s with raw bytes into dirfd. Returns files written. */
int mt_export_messages(int dirfd, const struct mt_session *s, bool force);
/* A safe file name for message idx of session s (no '/', no leading '.'). */
void mt_export_name(char *out, size_t outsz, const struct mt_session *s, size_t idx);
/* Appends hashcat lines for the APOP and CRAM-MD5 credentials of s:
 *   APOP      hashcat -m 20 (md5($salt.$pass)):  <digest>:<timestamp>
 *   CRAM-MD5  hashcat -m 16400:  $cram_md5$<base64 challenge>$<base64 "user digest">
 * Returns lines written. */
int mt_hashes_write(FILE *out, const struct mt_session *s);

#endif
