/* report_text.h - the plain text report (stdout not a terminal, or --report). */
#ifndef MT_REPORT_TEXT_H
#define MT_REPORT_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "../dissect/session.h"

/* Writes the whole report for a finished model: sessions, credentials,
 * STARTTLS/TLS findings, messages, warnings, counters. Captured text is
 * sanitised (no control sequence reaches the terminal). */
void mt_report_text(FILE *out, const struct mt_model *m, bool reveal);
/* The dialogue of every session (--report --transcript): C:/S: lines, the
 * decoded meaning beside them, TLS dividers, gaps and notes. */
void mt_report_transcripts(FILE *out, const struct mt_model *m, bool reveal);

#endif
