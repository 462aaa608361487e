/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fileio.h"
#include "host-identity.h"
#include "macro.h"
#include "parse-util.h"

int host_identity_read(const char *root, struct host_identity *ret) {
	static const struct {
		const char *path;
		size_t offset, size;
	} items[] = {
	    {"/proc/sys/kernel/hostname", offsetof(struct host_identity, hostname),
	     sizeof(((struct host_identity *)0)->hostname)},
	    {"/proc/sys/kernel/osrelease", offsetof(struct host_identity, kernel),
	     sizeof(((struct host_identity *)0)->kernel)},
	    {"/proc/sys/kernel/random/boot_id", offsetof(struct host_identity, boot_id),
	     sizeof(((struct host_identity *)0)->boot_id)},
	};

	*ret = (struct host_identity){0};
	for (size_t i = 0; i < ELEMENTSOF(items); i++) {
		_cleanup_free_ char *v = NULL;
		int r = read_one_line_at(root, items[i].path, &v);
		if (r == -ENOMEM)
			return r;
		if (r >= 0) {
			(void)utf8_sanitize(v);
			textf((char *)ret + items[i].offset, items[i].size, false, "%s", v);
		}
	}
	return 0;
}
