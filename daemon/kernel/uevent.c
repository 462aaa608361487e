/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel device events as a plain struct (uevent.h). Pure. */
#include <stdio.h>

#include "macro.h"
#include "parse-util.h"
#include "uevent.h"

static const char *subsystem_from_devpath(const char *devpath) {
	const char *last = strrchr(devpath, '/');
	last = last ? last + 1 : devpath;
	if (startswith(devpath, "/devices/system/cpu/cpu") && startswith(last, "cpu"))
		return "cpu";
	if (startswith(devpath, "/devices/system/memory/memory"))
		return "memory";
	if (startswith(last, "dax") && strchr(last, '.'))
		return "dax";
	if (startswith(devpath, "/module/"))
		return "module";
	if (startswith(devpath, "/devices/faux/"))
		return "faux";
	return "";
}

int uevent_from_parts(const char *action, const char *devpath, const char *subsystem,
                      struct uevent *ret) {
	struct uevent ev = {0};
	if (!action || !devpath || devpath[0] != '/' || strlen(action) >= sizeof ev.action ||
	    strlen(devpath) >= sizeof ev.devpath)
		return -EINVAL;
	if (!subsystem || !*subsystem)
		subsystem = subsystem_from_devpath(devpath);
	if (strlen(subsystem) >= sizeof ev.subsystem)
		return -EINVAL;
	strcpy(ev.action, action);
	strcpy(ev.devpath, devpath);
	strcpy(ev.subsystem, subsystem);
	*ret = ev;
	const char *slash = strrchr(ret->devpath, '/');
	ret->sysname = slash + 1;
	return 0;
}

int uevent_parse_line(const char *line, struct uevent *ret) {
	char action[32], devpath[512];
	char extra;
	/* exactly two words */
	if (sscanf(line, "%31s %511s %c", action, devpath, &extra) != 2)
		return -EINVAL;
	return uevent_from_parts(action, devpath, NULL, ret);
}

int uevent_cpu(const struct uevent *ev, unsigned *ret) {
	const char *n = startswith(ev->sysname, "cpu");
	uint32_t v;
	if (!streq(ev->subsystem, "cpu") || !n || parse_u32(n, &v) < 0 || (n[0] == '0' && n[1]))
		return -EINVAL;
	*ret = v;
	return 0;
}

int uevent_memory_block(const struct uevent *ev, uint64_t *ret) {
	const char *n = startswith(ev->sysname, "memory");
	uint64_t v;
	if (!streq(ev->subsystem, "memory") || !n || parse_u64(n, &v) < 0 || startswith(n, "0x"))
		return -EINVAL;
	*ret = v;
	return 0;
}
