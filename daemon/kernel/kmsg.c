/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "kmsg-internal.h"
#include "macro.h"

/* Longest message the recogniser looks at; longer ones are cut (no TDX line comes close). */

enum {
	PFX_VIRT_TDX = 1 << 0,  /* "virt/tdx: " (mainline core) */
	PFX_TDX = 1 << 1,       /* "tdx: " (old trees, and KVM's own "tdx: " inside its messages) */
	PFX_KVM_INTEL = 1 << 2, /* "kvm_intel: " */
	PFX_KVM = 1 << 3,       /* "kvm: " */
	PFX_KEXEC = 1 << 4,     /* "kexec: " (arch/x86/kernel/machine_kexec_64.c) */
};

static const struct {
	const char *text;
	unsigned bit;
} prefixes[] = {
    {"virt/tdx: ", PFX_VIRT_TDX}, {"tdx: ", PFX_TDX},     {"kvm_intel: ", PFX_KVM_INTEL},
    {"kvm: ", PFX_KVM},           {"kexec: ", PFX_KEXEC},
};

static const char *const cmr_format_names[_KMSG_CMR_FORMAT_MAX] = {
    [KMSG_CMR_PLAIN] = "CMR",
    [KMSG_CMR_INDEXED] = "CMR[i]",
    [KMSG_CMR_KERNEL_CHECKED] = "Kernel-checked-CMR",
    [KMSG_CMR_BIOS] = "BIOS-CMR",
};

const char *kmsg_cmr_format_to_string(enum kmsg_cmr_format f) {
	return f >= 0 && f < _KMSG_CMR_FORMAT_MAX ? cmr_format_names[f] : NULL;
}

static const struct {
	const char *body;
	enum kvm_prereq prereq;
} prereq_lines[] = {
    {"EPT is required for TDX", KVM_PREREQ_EPT},
    {"TDP MMU and MMIO caching and EPT A/D bit is required for TDX", KVM_PREREQ_TDP_MMU},
    {"APICv is required for TDX", KVM_PREREQ_APICV},
    {"OSXSAVE is required for TDX", KVM_PREREQ_OSXSAVE},
    {"XSAVE is required for TDX", KVM_PREREQ_OSXSAVE},
    {"MOVDIR64B is required for TDX", KVM_PREREQ_MOVDIR64B},
    {"Self-snoop is required for TDX", KVM_PREREQ_SELF_SNOOP},
    {"no TDX private KeyIDs available", KVM_PREREQ_NO_KEYIDS},
    {"TDX not supported by the host platform", KVM_PREREQ_PLATFORM},
    {"tdx requires kvm.enable_virt_at_load=1", KVM_PREREQ_VIRT_AT_LOAD},
};

void kmsg_parser_init(struct kmsg_parser *p, struct kmsg_facts *f) {
	*p = (struct kmsg_parser){.facts = f};
}

void kmsg_parser_done(struct kmsg_parser *p) {
	for (size_t i = 0; i < _KMSG_CMR_FORMAT_MAX; i++)
		range_set_clear(&p->cmr[i]);
}

void kmsg_facts_done(struct kmsg_facts *f) {
	range_set_clear(&f->cmrs);
	f->tdx_lines = mfree(f->tdx_lines);
}

static void set_kline(struct kline *k, const char *msg, uint64_t seq) {
	snprintf(k->text, sizeof(k->text), "%s", msg);
	k->seq = seq;
	k->present = true;
}

static const char *skip_blanks(const char *s) {
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Decimal or 0x hex, with overflow detection; advances *p past the digits. */
bool kmsg_scan_u64(const char **p, uint64_t *ret) {
	const char *s = *p;
	unsigned base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	uint64_t v = 0;
	const char *start = s;
	for (;; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	if (s == start)
		return false;
	*ret = v;
	*p = s;
	return true;
}

static bool scan_u32(const char **p, uint32_t *ret) {
	uint64_t v;
	const char *s = *p;
	if (!kmsg_scan_u64(&s, &v) || v > UINT32_MAX)
		return false;
	*ret = (uint32_t)v;
	*p = s;
	return true;
}

static bool scan_int(const char **p, int *ret) {
	const char *s = *p;
	bool neg = false;
	if (*s == '-') {
		neg = true;
		s++;
	}
	uint64_t v;
	if (!kmsg_scan_u64(&s, &v) || v > (uint64_t)INT32_MAX + neg)
		return false;
	*ret = neg ? (int)-(int64_t)v : (int)v;
	*p = s;
	return true;
}

static bool skip_lit(const char **p, const char *lit) {
	const char *r = startswith(*p, lit);
	if (!r)
		return false;
	*p = r;
	return true;
}

/* The end of a line may carry a full stop the other era lacks. */
static bool at_end(const char *s) {
	s = skip_blanks(s);
	if (*s == '.')
		s++;
	return *skip_blanks(s) == 0;
}

static bool body_is(const char *body, const char *lit) {
	const char *r = startswith(body, lit);
	return r && at_end(r);
}

/* "[a, b)" with a < b; trailing text allowed (the kernel prints nothing after it). */
static bool scan_range(const char **p, uint64_t *ret_a, uint64_t *ret_b) {
	const char *s = skip_blanks(*p);
	uint64_t a, b;
	if (*s++ != '[')
		return false;
	s = skip_blanks(s);
	if (!kmsg_scan_u64(&s, &a))
		return false;
	s = skip_blanks(s);
	if (*s++ != ',')
		return false;
	s = skip_blanks(s);
	if (!kmsg_scan_u64(&s, &b))
		return false;
	s = skip_blanks(s);
	if (*s++ != ')')
		return false;
	*ret_a = a;
	*ret_b = b;
	*p = s;
	return true;
}

/* "CMR: [..)", "CMR[3]: [..)", "Kernel-checked-CMR : [..)", "BIOS-CMR : [..)", and the
 * indexed variants of the last two, which cost nothing to accept. */
static int recognise_cmr(struct kmsg_parser *p, const char *body) {
	static const struct {
		const char *name;
		enum kmsg_cmr_format fmt;
	} names[] = {
	    {"Kernel-checked-CMR", KMSG_CMR_KERNEL_CHECKED},
	    {"BIOS-CMR", KMSG_CMR_BIOS},
	    {"CMR", KMSG_CMR_PLAIN},
	};
	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		const char *s = startswith(body, names[i].name);
		if (!s)
			continue;
		enum kmsg_cmr_format fmt = names[i].fmt;
		if (*s == '[') {
			uint64_t idx;
			s++;
			if (!kmsg_scan_u64(&s, &idx) || *s++ != ']')
				return 0;
			if (fmt == KMSG_CMR_PLAIN)
				fmt = KMSG_CMR_INDEXED;
		}
		s = skip_blanks(s);
		if (*s++ != ':')
			return 0;
		uint64_t a, b;
		if (!scan_range(&s, &a, &b) || !at_end(s))
			return 0;
		/* Empty entries are padding in the module's CMR array: recognised, not kept. */
		if (b > a && p->facts && range_set_add(&p->cmr[fmt], a, b) < 0)
			return -ENOMEM;
		return 1;
	}
	return 0;
}

/* "major.minor[.update[.internal.build_num]]" */
static int scan_dotted(const char **p, uint32_t *v, int max) {
	const char *s = *p;
	int n = 0;
	for (;;) {
		if (n == max || !scan_u32(&s, &v[n]))
			return -1;
		n++;
		if (*s != '.' || !(s[1] >= '0' && s[1] <= '9'))
			break;
		s++;
	}
	*p = s;
	return n;
}

static bool recognise_version(struct kmsg_facts *f, const char *msg, const char *body,
                              uint64_t seq) {
	uint32_t v[5];
	int n;
	const char *s;

	if ((s = startswith(body, "Module version: "))) {
		/* v7.1+: "%u.%u.%02u" */
		n = scan_dotted(&s, v, 3);
		if (n < 2 || !at_end(s))
			return false;
	} else if ((s = startswith(body, "module version: "))) {
		/* posted 2024: "%u.%u.%02u.%02u.%04u (build_date %u)." */
		n = scan_dotted(&s, v, 5);
		if (n < 2)
			return false;
		uint32_t date = 0;
		s = skip_blanks(s);
		if (skip_lit(&s, "(build_date ")) {
			if (!scan_u32(&s, &date) || *s++ != ')')
				return false;
		}
		if (!at_end(s))
			return false;
		if (f) {
			if (date)
				f->build_date = date;
			if (n == 5)
				f->build_num = v[4];
		}
	} else
		return false;

	if (f) {
		set_kline(&f->version_line, msg, seq);
		f->version_major = v[0];
		f->version_minor = v[1];
		f->version_has_update = n >= 3;
		f->version_update = n >= 3 ? v[2] : 0;
	}
	return true;
}

/* Vendor: "TDX module: attributes 0x0, vendor_id 0x8086, major_version 1, minor_version 5,
 * build_date 20240725, build_num 784" (2022 form without attributes). */
static bool recognise_vendor_module(struct kmsg_facts *f, const char *msg, const char *body,
                                    uint64_t seq) {
	const char *s = startswith(body, "TDX module: ");
	if (!s)
		return false;
	uint32_t major = 0, minor = 0, date = 0, num = 0;
	bool has_major = false, has_minor = false;
	for (;;) {
		s = skip_blanks(s);
		const char *key = s;
		while (*s && *s != ' ' && *s != ',')
			s++;
		size_t kl = (size_t)(s - key);
		s = skip_blanks(s);
		uint32_t v;
		if (kl == 0 || !scan_u32(&s, &v))
			return false;
#define KEY_IS(k) (kl == strlen(k) && strncmp(key, k, kl) == 0)
		if (KEY_IS("major_version")) {
			major = v;
			has_major = true;
		} else if (KEY_IS("minor_version")) {
			minor = v;
			has_minor = true;
		} else if (KEY_IS("build_date"))
			date = v;
		else if (KEY_IS("build_num"))
			num = v;
#undef KEY_IS
		s = skip_blanks(s);
		if (*s == ',') {
			s++;
			continue;
		}
		if (!at_end(s))
			return false;
		break;
	}
	if (!has_major || !has_minor)
		return false;
	if (f) {
		set_kline(&f->vendor_module_line, msg, seq);
		f->vendor_major = major;
		f->vendor_minor = minor;
		f->build_date = date;
		f->build_num = num;
	}
	return true;
}

static void set_init(struct kmsg_facts *f, const char *msg, uint64_t seq, enum module_init_state st,
                     int error) {
	if (!f)
		return;
	f->init = st;
	f->init_error = error;
	set_kline(&f->init_line, msg, seq);
}

/* Returns 1 when msg (NUL-terminated, record prefix removed) is a TDX line, 0 if not,
 * -ENOMEM. With p->facts NULL it only classifies. */
/* "<module>: " for the configured KVM module, '-' and '_' alike (module names use '_'). */
static const char *module_prefix(const char *body, const char *module) {
	size_t i = 0;
	if (!module)
		return NULL;
	for (; module[i]; i++) {
		char a = module[i] == '-' ? '_' : module[i];
		if (body[i] != a)
			return NULL;
	}
	return i > 0 && body[i] == ':' && body[i + 1] == ' ' ? body + i + 2 : NULL;
}

int kmsg_recognise(struct kmsg_parser *p, const char *msg, uint64_t seq) {
	struct kmsg_facts *f = p->facts;
	const char *body = msg, *s;
	unsigned pfx = 0;

	/* arch/x86/kernel/cpu/feat_ctl.c (pr_fmt "x86/cpu: "), once at boot: the BIOS left SGX
	 * (or its launch control) off, so TDs get no quote. Kept with the TDX lines so the saved
	 * kernel-log still has it after the ring wrapped; older kernels print no full stop. */
	if ((s = startswith(msg, "x86/cpu: "))) {
		if (!body_is(s, "SGX disabled by BIOS"))
			return 0;
		if (f)
			set_kline(&f->sgx_disabled, msg, seq);
		return 1;
	}

	/* "kvm_intel: tdx: ..." carries two prefixes */
	for (bool again = true; again;) {
		again = false;
		for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
			const char *r = startswith(body, prefixes[i].text);
			if (r) {
				pfx |= prefixes[i].bit;
				body = r;
				again = true;
				break;
			}
		}
		const char *r = again ? NULL : module_prefix(body, p->kvm_module);
		if (r) {
			pfx |= PFX_KVM_INTEL;
			body = r;
			again = true;
		}
	}
	if (!pfx)
		return 0;

#define FACT(field)                                                                                \
	do {                                                                                       \
		if (f)                                                                             \
			set_kline(&f->field, msg, seq);                                            \
		return 1;                                                                          \
	} while (0)

	/* v6.18 (6.17.5 stable), pr_info_once when kexec_load is tried on a tdx_pw_mce CPU: kdump
	 * cannot be armed. Only under "kexec: ", so no other subsystem's line can match. */
	if (pfx == PFX_KEXEC) {
		if (startswith(body, "Not allowed on platform with tdx_pw_mce bug"))
			FACT(kexec_refused);
		return 0;
	}

	if ((s = startswith(body, "BIOS enabled: private KeyID range"))) {
		uint64_t a, b;
		/* Documentation/arch/x86/tdx.rst shows a colon the code does not print */
		if (*s == ':')
			s++;
		if (!scan_range(&s, &a, &b) || !at_end(s) || b < a || b > UINT32_MAX)
			return 0;
		if (f) {
			set_kline(&f->keyid_range, msg, seq);
			f->keyid_start = (uint32_t)a;
			f->keyid_end = (uint32_t)b;
		}
		return 1;
	}
	if (startswith(body, "initialization failed: too few private KeyIDs"))
		FACT(too_few_keyids);
	if (startswith(body, "initialization failed: Hibernation support is enabled"))
		FACT(hibernation);
	if (startswith(body, "initialization failed: register_memory_notifier() failed"))
		FACT(notifier_failed);
	if (body_is(body, "initialization failed: TDMRs exhausted") ||
	    (startswith(body, "initialization failed: TDMR [") &&
	     strstr(body, "reserved areas exhausted")))
		FACT(tdmr);
	if (startswith(body, "consumed TDMRs reaching limit"))
		FACT(tdmr_limit);
	if (startswith(body, "frame pointer (RBP) clobber bug present"))
		FACT(rbp_bug);
	if (startswith(body, "Unable to initialize the TDX module when there's offline CPU"))
		FACT(offline_cpus);
	if (body_is(body, "module not loaded") || body_is(body, "TDX module is not loaded"))
		FACT(not_loaded);
	if ((s = startswith(body, "SEAMCALL (")) && strstr(s, ") failed: "))
		FACT(seamcall);

	if (body_is(body, "module initialized") || body_is(body, "TDX-Module initialized") ||
	    body_is(body, "TDX module initialized")) {
		set_init(f, msg, seq, MODULE_INIT_OK, 0);
		return 1;
	}
	if ((s = startswith(body, "module initialization failed (")) ||
	    (s = startswith(body, "TDX-Module initialization failed ("))) {
		int e;
		if (!scan_int(&s, &e) || *s++ != ')' || !at_end(s))
			return 0;
		set_init(f, msg, seq, MODULE_INIT_FAILED, e);
		return 1;
	}
	/* old intel/tdx: "Failed to initialize TDX module.  Shut it down." (no errno printed) */
	if (startswith(body, "Failed to initialize TDX module")) {
		set_init(f, msg, seq, MODULE_INIT_FAILED, 0);
		return 1;
	}

	{
		uint64_t n;
		s = body;
		if (kmsg_scan_u64(&s, &n)) {
			uint64_t kb;
			if (skip_lit(&s, " KB allocated for PAMT") ||
			    skip_lit(&s, " KBs allocated for PAMT"))
				kb = n;
			else if (skip_lit(&s, " pages allocated for PAMT")) {
				/* old intel/tdx counts 4 KiB pages */
				if (n > UINT64_MAX / 4)
					return 0;
				kb = n * 4;
			} else
				goto not_pamt;
			if (!at_end(s))
				return 0;
			if (f) {
				set_kline(&f->pamt, msg, seq);
				f->pamt_kb = kb;
			}
			return 1;
		}
	}
not_pamt:

	for (size_t i = 0; i < ELEMENTSOF(prereq_lines); i++)
		if (body_is(body, prereq_lines[i].body)) {
			if (f)
				set_kline(&f->kvm_prereq[prereq_lines[i].prereq], msg, seq);
			return 1;
		}

	if ((s = startswith(body, "Disable TDX: MAX_VCPU_PER_TD ("))) {
		uint32_t m, c;
		if (!scan_u32(&s, &m) || !skip_lit(&s, ") smaller than number of logical CPUs (") ||
		    !scan_u32(&s, &c) || *s++ != ')' || !at_end(s))
			return 0;
		if (f) {
			set_kline(&f->max_vcpu, msg, seq);
			f->max_vcpu_module = m;
			f->max_vcpu_cpus = c;
		}
		return 1;
	}
	if (body_is(body, "no hardware support for 'kvm_intel'"))
		FACT(no_hw_support);
	/* vendor "kvm_intel: TDX is supported.", early RFC "kvm: TDX is supported. x86 phys ..." */
	if ((pfx & (PFX_KVM_INTEL | PFX_KVM)) && startswith(body, "TDX is supported"))
		FACT(kvm_tdx_supported);
#undef FACT

	if (recognise_version(f, msg, body, seq))
		return 1;
	if (recognise_vendor_module(f, msg, body, seq))
		return 1;
	return recognise_cmr(p, body);
}

/* Copy a message into a NUL-terminated buffer, dropping a trailing CR and blanks. */
void kmsg_copy_msg(char *dst, const char *msg, size_t len) {
	if (len >= MSG_MAX)
		len = MSG_MAX - 1;
	memcpy(dst, msg, len);
	dst[len] = 0;
	/* embedded NULs (binary noise) end the message early */
	len = strlen(dst);
	while (len > 0 && (dst[len - 1] == '\r' || dst[len - 1] == ' ' || dst[len - 1] == '\t'))
		dst[--len] = 0;
}

int kmsg_parser_feed_message(struct kmsg_parser *p, const char *msg, size_t len, uint64_t seq) {
	char buf[MSG_MAX];
	kmsg_copy_msg(buf, msg, len);
	p->n_records++;
	if (p->facts && seq > p->facts->last_seq)
		p->facts->last_seq = seq;
	int r = kmsg_recognise(p, buf, seq);
	if (r > 0)
		p->n_tdx++;
	return r;
}
