/* export.c - .eml files and hash lines, written safely. */
#include "export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include "../dissect/base64.h"
#include "../dissect/sbuf.h"

int mt_export_open_dir(const char *dir, char *err, size_t errsz)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		return -1;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		snprintf(err, errsz, "%s: %s", dir, strerror(errno));
	return fd;
}

void mt_export_name(char *out, size_t outsz, const struct mt_session *s, size_t idx)
{
	const struct mt_message *m = s->msgs[idx];
	char slug[41];
	size_t j = 0;
	const char *subj = m->subject ? m->subject : "";
	for (size_t i = 0; subj[i] && j < sizeof(slug) - 1; i++) {
		unsigned char c = (unsigned char)subj[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			slug[j++] = (char)c;
		else if (j && slug[j - 1] != '_')
			slug[j++] = '_';
	}
	while (j && slug[j - 1] == '_')
		j--;
	slug[j] = 0;
	snprintf(out, outsz, "session%u-msg%zu-%s%s%s.eml", s->id, idx + 1, m->dir == DIR_C2S ? "c2s" : "s2c",
	         j ? "-" : "", slug);
}

int mt_export_messages(int dirfd, const struct mt_session *s, bool force)
{
	int n = 0;
	for (size_t i = 0; i < s->nmsgs; i++) {
		const struct mt_message *m = s->msgs[i];
		if (!m->raw.data)
			continue;
		char name[128];
		mt_export_name(name, sizeof(name), s, i);
		int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | (force ? O_TRUNC : O_EXCL), 0644);
		if (fd < 0) {
			fprintf(stderr, "mailtap: export %s: %s\n", name, strerror(errno));
			continue;
		}
		size_t off = 0;
		while (off < m->raw.len) {
			ssize_t w = write(fd, m->raw.data + off, m->raw.len - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		close(fd);
		n++;
	}
	return n;
}

int mt_hashes_write(FILE *out, const struct mt_session *s)
{
	int n = 0;
	for (size_t i = 0; i < s->ncreds; i++) {
		const struct mt_credential *c = s->creds[i];
		if (!c->challenge.len || !c->response.len)
			continue;
		if (!strcmp(c->mechanism, "APOP")) {
			/* RFC 1939 §7: digest = MD5(timestamp + secret) */
			fprintf(out, "%.*s:%.*s\n", (int)c->response.len, c->response.data, (int)c->challenge.len,
			        c->challenge.data);
			n++;
		} else if (strstr(c->mechanism, "CRAM-MD5")) {
			/* RFC 2195: response = user SP hex(HMAC-MD5(secret, challenge)) */
			struct mt_sbuf line;
			mt_sbuf_init(&line);
			mt_sbuf_add(&line, c->username.data, c->username.len);
			mt_sbuf_addc(&line, ' ');
			mt_sbuf_add(&line, c->response.data, c->response.len);
			char *b1 = mt_xmalloc(c->challenge.len * 4 / 3 + 8);
			char *b2 = mt_xmalloc(line.len * 4 / 3 + 8);
			mt_b64_encode((const uint8_t *)c->challenge.data, c->challenge.len, b1);
			mt_b64_encode((const uint8_t *)line.s, line.len, b2);
			fprintf(out, "$cram_md5$%s$%s\n", b1, b2);
			free(b1);
			free(b2);
			mt_sbuf_free(&line);
			n++;
		}
	}
	return n;
}
