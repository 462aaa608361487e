/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "macro.h"
#include "nfd-feature.h"

/* Label values must be [A-Za-z0-9._-], at most 63 characters; anything else becomes '_'. */
static void label_value(const char *in, char *out, size_t size) {
	size_t o = 0;
	for (const char *p = in; *p && o + 1 < size && o < 63; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		          (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-';
		out[o++] = ok ? *p : '_';
	}
	out[o] = 0;
}

int nfd_feature_format(const struct tdx_status *s, char **ret) {
	char version[64];
	label_value(s->module_version, version, sizeof version);
	char *text;
	int r = asprintf(&text,
	                 "# Written by tdxd from org.tdxd.Tdx1; rewritten when the state changes.\n"
	                 "tdxd.tdx.ready=%s\n"
	                 "tdxd.tdx.state=%s\n"
	                 "tdxd.tdx.module-version=%s\n"
	                 "tdxd.tdx.max-vcpus-per-td=%" PRIu32 "\n"
	                 "tdxd.tdx.keyids-total=%" PRIu32 "\n"
	                 "tdxd.tdx.guest-phys-addr-bits=%" PRIu32 "\n"
	                 "tdxd.tdx.attestation=%s\n",
	                 s->ready ? "true" : "false", tdx_state_to_string(s->state), version,
	                 s->max_vcpus, s->total_keyids, s->guest_phys_addr_bits,
	                 s->attestation_ready ? "true" : "false");
	if (r < 0)
		return -ENOMEM;
	*ret = text;
	return 0;
}
