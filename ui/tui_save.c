/* tui_save.c - `w`: a session as a pcap file and its messages as .eml.
 *
 * File names are built from the session id, protocol and endpoints, never
 * from wire text beyond those, and pass through tui_safe_name(), so they
 * stay inside the target directory. Nothing is ever overwritten: an
 * existing name gets a "-2", "-3" ... suffix, and .eml files are created
 * with O_EXCL | O_NOFOLLOW. */
#include "tui_view.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SUFFIX 1000

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 || errno != ENOENT;
}

/* dir/base.ext, or dir/base-N.ext for the first N that is free. */
static bool free_name(char *out, size_t outsz, const char *dir, const char *base, const char *ext)
{
	for (int n = 1; n <= MAX_SUFFIX; n++) {
		int w = n == 1 ? snprintf(out, outsz, "%s/%s.%s", dir, base, ext)
		               : snprintf(out, outsz, "%s/%s-%d.%s", dir, base, n, ext);
		if (w < 0 || (size_t)w >= outsz)
			return false;
		if (!exists(out))
			return true;
	}
	return false;
}

static int write_eml(const char *path, const struct mt_bytes *raw)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < raw->len) {
		ssize_t w = write(fd, raw->data + off, raw->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	return close(fd);
}

int tui_save_session(const struct mt_session *s, const char *src_file, const char *dir,
                     char *msg, size_t msgsz)
{
	char raw[256], base[200], path[4200], first[4200] = "";
	char err[200] = "";
	int files = 0, failed = 0;
	if (!dir || !dir[0])
		dir = ".";
	snprintf(raw, sizeof(raw), "mailtap-session-%u-%s-%s-%s", s->id, mt_proto_name(s->proto),
	         s->client, s->server);
	tui_safe_name(base, sizeof(base), raw);

	if (src_file) {
		if (free_name(path, sizeof(path), dir, base, "pcap")) {
			long n = mt_capture_save_session(src_file, s, path, false, err, sizeof(err));
			if (n >= 0) {
				files++;
				snprintf(first, sizeof(first), "%.4000s (%ld frames)", path, n);
			} else {
				failed++;
			}
		} else {
			failed++;
			snprintf(err, sizeof(err), "no free file name in %s", dir);
		}
	}
	int emls = 0, noraw = 0;
	for (size_t i = 0; i < s->nmsgs; i++) {
		const struct mt_message *mm = s->msgs[i];
		if (!mm->raw.data || !mm->raw.len) {
			noraw++;
			continue;
		}
		char mb[240];
		snprintf(mb, sizeof(mb), "%s-msg-%zu", base, i + 1);
		if (!free_name(path, sizeof(path), dir, mb, "eml") || write_eml(path, &mm->raw) < 0) {
			failed++;
			if (!err[0])
				snprintf(err, sizeof(err), "%.120s: %.60s", path, strerror(errno));
			continue;
		}
		if (!first[0])
			snprintf(first, sizeof(first), "%s", path);
		files++;
		emls++;
	}
	if (!files) {
		snprintf(msg, msgsz, "Nothing saved%s%s%s", err[0] ? ": " : "", err,
		         !src_file && !s->nmsgs ? " (no capture file to copy from, and no messages)" : "");
		return -1;
	}
	snprintf(msg, msgsz, "Saved %s%s, %d message%s as .eml%s%s%s", first,
	         src_file ? "" : " (live: no pcap)", emls, emls == 1 ? "" : "s",
	         noraw ? " (some without kept bytes)" : "", failed ? "; failed: " : "", failed ? err : "");
	return files;
}
