/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The text helpers every check builds its summary and hint with (nothing overflows: textf()),
 * and the prerequisite rule (docs/readiness.md, *Prerequisite rule*). */
#include <stdarg.h>

#include "checks.h"

/* Text helpers: every summary, hint and reason is built with these, so nothing overflows. */
/* Every summary, hint and reason is built with textf() (macro.h), so nothing overflows. */

_printf_(3, 4) void set(struct check *c, enum check_result r, const char *fmt, ...) {
	va_list ap;
	c->result = r;
	va_start(ap, fmt);
	vtextf(c->summary, sizeof(c->summary), false, fmt, ap);
	va_end(ap);
}

_printf_(2, 3) void summary_add(struct check *c, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vtextf(c->summary, sizeof(c->summary), true, fmt, ap);
	va_end(ap);
}

_printf_(2, 3) void hint(struct check *c, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vtextf(c->hint, sizeof(c->hint), c->hint[0] != 0, fmt, ap);
	va_end(ap);
}

/* Quote the kernel's own line: `; the kernel says "virt/tdx: ..."`. */
void quote(struct check *c, const struct kline *k) {
	if (k && k->present)
		summary_add(c, "; the kernel says \"%s\"", k->text);
}

/* The prerequisite rule (docs/readiness.md, *Prerequisite rule*). Returns true when `c` may be
 * evaluated. */
bool need(struct tdx_status *s, enum check_id id, enum check_id on, bool pass_needed) {
	enum check_result r = s->checks[on].result;
	if (r == CHECK_FAIL || (pass_needed && r == CHECK_SKIP)) {
		set(&s->checks[id], CHECK_SKIP, "not checked: %s %s", check_id_to_string(on),
		    r == CHECK_FAIL ? "failed" : "skipped");
		return false;
	}
	return true;
}
