/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel checks that are not about TDX bring-up: whether kdump can work on this host
 * (docs/readiness.md, *Module currency and lifecycle*). */
#include <stdarg.h>
#include <stdio.h>

#include "checks.h"
#include "kernel-release.h"
#include "macro.h"

/* Kernels that refuse kexec_load on tdx_pw_mce CPUs: v6.18 and later, and the 6.17 stable
 * series from 6.17.5 (docs/kernel-interfaces.md, *kexec on tdx_pw_mce hosts*). */
static bool kernel_refuses_kexec(const struct tdx_host *h) {
	if (!h->kernel_version_known)
		return false;
	struct kernel_release r = {h->kernel_major, h->kernel_minor, h->kernel_patch};
	if (kernel_release_compare(&r, 6, 18, 0) >= 0)
		return true;
	return r.major == 6 && r.minor == 17 && r.patch >= 5;
}

void check_kexec(const struct facts *f, struct tdx_status *s) {
	struct check *c = &s->checks[CHECK_KEXEC];
	const struct tdx_host *h = f->h;
	const struct kline *k = &h->kmsg.kexec_refused;

	if (!h->cpuinfo.bug_tdx_pw_mce) {
		set(c, CHECK_PASS,
		    "the CPU does not have the tdx_pw_mce erratum: kexec and kdump "
		    "are not restricted by TDX");
		return;
	}
	if (k->present) {
		set(c, CHECK_WARN,
		    "kdump is unavailable on this host: the kernel refuses kexec on "
		    "CPUs with the tdx_pw_mce erratum");
		quote(c, k);
	} else if (kernel_refuses_kexec(h)) {
		set(c, CHECK_WARN,
		    "kdump is unavailable on this host: the CPU has the tdx_pw_mce erratum and "
		    "kernel %s refuses kexec on such CPUs (v6.18 and later)",
		    h->osrelease);
	} else {
		set(c, CHECK_PASS,
		    "the CPU has the tdx_pw_mce erratum, but this kernel%s%s does "
		    "not refuse kexec on it",
		    h->osrelease[0] ? " " : "", h->osrelease);
		return;
	}
	hint(c, "a kernel crash will leave no dump: plan for crashes without kdump (e.g. "
	        "pstore or a serial console log), or run hosts that need kdump on CPUs without "
	        "the erratum (Granite Rapids and later)");
}
