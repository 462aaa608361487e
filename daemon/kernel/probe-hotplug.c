/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fileio.h"
#include "host.h"
#include "macro.h"

#define HP_STATES "/sys/devices/system/cpu/hotplug/states"

/* "%3d: %s\n" lines; the numbers are assigned dynamically, so only the names mean anything. */
int probe_hotplug_states(struct tdx_host *h) {
	_cleanup_free_ char *t = NULL;
	size_t n;
	int r = read_full_file_at(h->root, HP_STATES, 1024 * 1024, &t, &n);
	if (r == -ENOENT)
		return 0;
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		host_warn(h, HP_STATES ": %s", read_strerror(r));
		return 0;
	}
	h->hp_states_read = true;
	for (char *line = t, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		char *name = strstr(line, ": ");
		if (!name)
			continue;
		name += 2;
		size_t l = strlen(name);
		while (l > 0 && (name[l - 1] == ' ' || name[l - 1] == '\r'))
			name[--l] = 0;
		if (streq(name, "kvm/cpu/tdx:online"))
			h->hp_kvm_tdx = true;
		else if (streq(name, "virt/tdx:online"))
			h->hp_virt_tdx = true;
	}
	return 0;
}
