/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "host-identity.h"
#include "macro.h"
#include "parse-util.h"

void host_identity_of(const struct tdx_host *h, struct host_identity *ret) {
	*ret = (struct host_identity){0};
	textf(ret->hostname, sizeof ret->hostname, false, "%s", h->hostname);
	textf(ret->kernel, sizeof ret->kernel, false, "%s", h->osrelease);
	textf(ret->boot_id, sizeof ret->boot_id, false, "%s", h->boot_id);
	(void)utf8_sanitize(ret->hostname);
	(void)utf8_sanitize(ret->kernel);
}
