/* source.h - libpcap sources and sinks besides the per-packet path. */
#ifndef MT_SOURCE_H
#define MT_SOURCE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "pipeline.h"

/* Creates path for writing. Never follows a symlink (O_NOFOLLOW) and never
 * replaces an existing file unless force (O_EXCL). NULL with err set. */
FILE *mt_source_create_file(const char *path, bool force, char *err, size_t errsz);
/* The timestamp precision a file was written with (PCAP_TSTAMP_PRECISION_*),
 * so that -w copies records exactly: nanoseconds for a nanosecond pcap or a
 * pcapng, microseconds otherwise. */
int mt_source_file_precision(const char *path);
/* Opens and activates a live device as the options say (snaplen, promiscuous,
 * immediate mode, buffer size, nanosecond stamps). NULL with err set. */
pcap_t *mt_source_open_live(const struct mt_capture_opts *o, char *err, size_t errsz);

#endif
