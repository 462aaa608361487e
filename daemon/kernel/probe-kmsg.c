/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>

#include "fileio.h"
#include "host.h"
#include "kmsg.h"
#include "macro.h"
#include "run-state.h"

#define KMSG_PATH "/dev/kmsg"
/* The most a kernel log read can hold: the printk ring is at most 2^25 bytes with the
 * default boot options (CONFIG_LOG_BUF_SHIFT <= 25). More is not a kernel's log (a fixture
 * file, or /dev/zero behind --root) and would stall the probe, so reading stops there with a
 * warning. A host booted with a larger log_buf_len= loses the newest records past it. */
#define KMSG_MAX       (1u << 25)
#define JOURNAL_SOURCE "journal:_TRANSPORT=kernel"

/* The real device: each read() returns one record (with its dictionary lines); EAGAIN means
 * the ring is drained, EPIPE that the next record was overwritten meanwhile. */
/* Append the TDX lines of a record buffer to *live. */
static int collect_live(char **live, const char *kvm_module, const char *buf, size_t size) {
	_cleanup_free_ char *x = NULL;
	int r = kmsg_extract_tdx(buf, size, kvm_module, &x);
	if (r < 0 || !*x)
		return r;
	if (!*live) {
		*live = TAKE_PTR(x);
		return 0;
	}
	char *n;
	if (asprintf(&n, "%s%s", *live, x) < 0)
		return -ENOMEM;
	free(*live);
	*live = n;
	return 0;
}

static int read_kmsg_device(struct tdx_host *h, const char *path, struct kmsg_parser *p,
                            char **live) {
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	char buf[8192];
	for (size_t total = 0;;) {
		if (total >= KMSG_MAX) {
			host_warn(h,
			          "%s: more than %u bytes, the rest is not read (a kernel log is "
			          "not that large)",
			          KMSG_PATH, KMSG_MAX);
			break;
		}
		ssize_t k = read(fd, buf, sizeof(buf));
		if (k < 0) {
			if (errno == EINTR || errno == EPIPE)
				continue;
			if (errno == EAGAIN)
				break;
			/* a read error mid-way keeps what was read: it is still this boot's log */
			host_warn(h, "%s: read: %s", KMSG_PATH, strerror(errno));
			break;
		}
		if (k == 0)
			break;
		total += (size_t)k;
		int r = kmsg_parser_feed_records(p, buf, (size_t)k);
		if (r < 0)
			return r;
		r = collect_live(live, p->kvm_module, buf, (size_t)k);
		if (r < 0)
			return r;
	}
	return 0;
}

static int read_kmsg(struct tdx_host *h, struct kmsg_parser *p, char **live) {
	_cleanup_free_ char *path = root_path(h->root, KMSG_PATH);
	if (!path)
		return -ENOMEM;
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISCHR(st.st_mode))
		return read_kmsg_device(h, path, p, live);

	/* under a test root: a regular file of records, read whole */
	_cleanup_free_ char *t = NULL;
	size_t n;
	int r = read_full_file_at(h->root, KMSG_PATH, KMSG_MAX, &t, &n);
	if (r < 0)
		return r;
	r = kmsg_parser_feed_records(p, t, n);
	if (r < 0)
		return r;
	return collect_live(live, p->kvm_module, t, n);
}

int probe_kmsg(struct tdx_host *h) {
	struct kmsg_facts *f = &h->kmsg;
	_cleanup_free_ char *saved_text = NULL, *live = NULL;
	struct kmsg_parser p;
	bool saved = false, ring = false;
	size_t saved_tdx = 0;
	int r;

	kmsg_parser_init(&p, f);
	p.kvm_module = h->kvm.name[0] ? h->kvm.name : NULL;

	/* The saved copy first, so the ring's lines (with real sequence numbers) win. */
	if (!h->run_files_stale) {
		size_t n;
		r = run_kernel_log_read(h->root, &saved_text, &n);
		if (r == -ENOMEM)
			goto fail;
		if (r >= 0) {
			r = kmsg_parser_feed_lines(&p, saved_text, n);
			if (r < 0)
				goto fail;
			saved = true;
			saved_tdx = p.n_tdx;
		} else if (r != -ENOENT)
			host_warn(h, "%s: %s", RUN_KERNEL_LOG_PATH, read_strerror(r));
	}

	size_t before = p.n_tdx;
	r = read_kmsg(h, &p, &live);
	if (r == -ENOMEM)
		goto fail;
	if (r >= 0)
		ring = true;
	else if (r != -ENOENT && r != -EACCES && r != -EPERM)
		host_warn(h, "%s: %s", KMSG_PATH, read_strerror(r));
	if (p.n_malformed > 0)
		host_warn(h, "%s: %zu malformed records skipped", KMSG_PATH, p.n_malformed);

	/* What the daemon saves: never fewer lines than were saved before the ring wrapped. */
	if (ring) {
		r = kmsg_merge_lines(saved_text, live, &f->tdx_lines);
		if (r < 0)
			goto fail;
	}

	/* an empty ring cannot have wrapped: there is nothing to read at all */
	f->ring_complete = ring && (!p.have_record || p.first_seq == 0);
	f->readable = ring || saved;
	if (ring && p.n_tdx > before)
		f->source = KMSG_PATH;
	else if (saved && saved_tdx > 0)
		f->source = RUN_KERNEL_LOG_PATH;
	else if (ring)
		f->source = KMSG_PATH;
	else if (saved)
		f->source = RUN_KERNEL_LOG_PATH;

	return kmsg_parser_finish(&p);
fail:
	kmsg_parser_done(&p);
	return r;
}

int probe_kmsg_journal(struct tdx_host *h) {
	_cleanup_(sd_journal_closep) sd_journal *j = NULL;
	char match[64];
	sd_id128_t boot;
	int r;

	/* another machine's journal means nothing under a test root */
	if (h->root && !streq(h->root, "/"))
		return 0;
	r = sd_id128_get_boot(&boot);
	if (r < 0)
		return 0;
	r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
	if (r < 0) {
		host_warn(h, "journal: %s", read_strerror(r));
		return 0;
	}
	snprintf(match, sizeof(match), "_BOOT_ID=" SD_ID128_FORMAT_STR, SD_ID128_FORMAT_VAL(boot));
	if (sd_journal_add_match(j, "_TRANSPORT=kernel", 0) < 0 ||
	    sd_journal_add_match(j, match, 0) < 0)
		return -ENOMEM;

	struct kmsg_parser p;
	kmsg_parser_init(&p, &h->kmsg);
	p.kvm_module = h->kvm.name[0] ? h->kvm.name : NULL;
	SD_JOURNAL_FOREACH(j) {
		const void *d;
		size_t l;
		if (sd_journal_get_data(j, "MESSAGE", &d, &l) < 0 || l < 8)
			continue;
		r = kmsg_parser_feed_message(&p, (const char *)d + 8, l - 8, 0);
		if (r < 0) {
			kmsg_parser_done(&p);
			return r;
		}
	}
	if (p.n_tdx > 0) {
		h->kmsg.readable = true;
		h->kmsg.source = JOURNAL_SOURCE;
	}
	return kmsg_parser_finish(&p);
}
