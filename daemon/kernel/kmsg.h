/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pure parser for the kernel log lines tdxd cares about (docs/kernel-interfaces.md, *Kernel log
 * lines*): every TDX line of every kernel era and vendor variant. No I/O: probe-kmsg.c feeds it
 * /dev/kmsg records, the saved /run/tdxd/kernel-log, or journal messages.
 *
 * A log can carry CMRs in several formats; the best one present wins when parsing is finished
 * ("CMR", "CMR[i]", "Kernel-checked-CMR", "BIOS-CMR", in that order), so the parser keeps one
 * set per format until kmsg_parser_finish(). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "ranges.h"

enum kmsg_cmr_format {
	KMSG_CMR_PLAIN,          /* "virt/tdx: CMR: [a, b)" (posted 2023 / vendor) */
	KMSG_CMR_INDEXED,        /* "virt/tdx: CMR[i]: [a, b)" (posted 2024) */
	KMSG_CMR_KERNEL_CHECKED, /* "tdx: Kernel-checked-CMR : [a, b)" (posted 2022) */
	KMSG_CMR_BIOS,           /* "tdx: BIOS-CMR : [a, b)" (posted 2022) */
	_KMSG_CMR_FORMAT_MAX,
};

struct kmsg_parser {
	struct kmsg_facts *facts;
	struct range_set cmr[_KMSG_CMR_FORMAT_MAX];
	size_t n_records;   /* records (or bare lines) seen */
	size_t n_malformed; /* record lines without a valid "PRIO,SEQ,...;" prefix */
	size_t n_tdx;       /* lines recognised as TDX facts */
	bool have_record;   /* a record line (with a sequence number) was seen */
	uint64_t first_seq; /* the lowest record sequence number seen */
	/* The configured KVM module (KVMModule=), when not kvm_intel: KVM prints with its own
	 * module name (pr_fmt(KBUILD_MODNAME ": ")), so "<module>: " counts as "kvm_intel: ".
	 * Set after kmsg_parser_init(); NULL: kvm_intel only. */
	const char *kvm_module;
};

/* Start parsing into f. f is not cleared: facts already there (from an earlier source) stay
 * unless a later line overrides them. */
void kmsg_parser_init(struct kmsg_parser *p, struct kmsg_facts *f);
/* One message without the record prefix ("virt/tdx: module initialized"). Returns true when
 * the line was recognised as a TDX fact, false otherwise; -ENOMEM on allocation failure. */
int kmsg_parser_feed_message(struct kmsg_parser *p, const char *msg, size_t len, uint64_t seq);
/* A buffer in /dev/kmsg record format: "PRIO,SEQ,TIMESTAMP_US,FLAGS[,...];MESSAGE" lines,
 * dictionary continuation lines (leading space) skipped. A read() of the real device returns
 * exactly one record plus its dictionary lines; a test file holds many. */
int kmsg_parser_feed_records(struct kmsg_parser *p, const char *buf, size_t size);
/* A buffer of bare message lines (the saved kernel-log); facts get seq 0. */
int kmsg_parser_feed_lines(struct kmsg_parser *p, const char *buf, size_t size);
/* Choose the CMR format and move the CMRs into facts->cmrs (sorted, exact duplicates dropped);
 * frees the parser's own state. Returns 0 or -ENOMEM. */
int kmsg_parser_finish(struct kmsg_parser *p);
void kmsg_parser_done(struct kmsg_parser *p);

/* Convenience wrappers: parse a whole buffer into f (which must be zeroed or hold earlier
 * facts). ret_malformed (may be NULL) gets the number of malformed record lines. */
int kmsg_parse_stream(const char *buf, size_t size, struct kmsg_facts *f, size_t *ret_malformed);
int kmsg_parse_saved(const char *buf, size_t size, struct kmsg_facts *f);

/* Split one record line into its sequence number and message. -EINVAL when the prefix is not
 * "PRIO,SEQ,TS,FLAGS;" with decimal PRIO, SEQ and TS. Returns 1 (outputs set) for a record
 * userspace wrote through /dev/kmsg (syslog facility not 0, e.g. systemd's "12,..."): its text
 * is not the kernel's word and must not be taken as a TDX fact. */
int kmsg_split_record(const char *line, size_t len, uint64_t *ret_seq, const char **ret_msg,
                      size_t *ret_msg_len);

/* True when msg is a line the parser recognises (what /run/tdxd/kernel-log keeps): the TDX
 * lines, and the SGX BIOS line the attestation checks quote. */
bool kmsg_message_is_tdx(const char *msg, size_t len);

/* From a record stream, the TDX lines as bare messages, one a line, in order (the contents of
 * /run/tdxd/kernel-log). *ret is "" when there are none. kvm_module as in struct kmsg_parser. */
int kmsg_extract_tdx(const char *buf, size_t size, const char *kvm_module, char **ret);
/* The same for a buffer of bare lines (merging a saved file with new records). */
int kmsg_extract_tdx_lines(const char *buf, size_t size, char **ret);

/* The lines of a (the saved file) followed by those of b (new lines) that are not already
 * there, duplicates dropped: what /run/tdxd/kernel-log must hold so that rewriting it after the
 * ring wrapped never loses a saved line. Either may be NULL. */
int kmsg_merge_lines(const char *a, const char *b, char **ret);

/* Frees the CMRs and tdx_lines. */
void kmsg_facts_done(struct kmsg_facts *f);

const char *kmsg_cmr_format_to_string(enum kmsg_cmr_format f);
