/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "attestation-decide.h"
#include "macro.h"
#include "parse-util.h"

static const char *const check_ids[_ATT_CHECK_MAX] = {
    [ATT_CHECK_SGX] = "sgx",
    [ATT_CHECK_SGX_DEVICES] = "sgx-devices",
    [ATT_CHECK_PLATFORM_REGISTRATION] = "platform-registration",
    [ATT_CHECK_QUOTE_SERVICE] = "quote-service",
    [ATT_CHECK_COLLATERAL_SERVICE] = "collateral-service",
};

const char *attestation_check_id_to_string(enum attestation_check_id id) {
	return id >= 0 && id < _ATT_CHECK_MAX ? check_ids[id] : NULL;
}

static const char *const unit_states[_UNIT_STATE_MAX] = {
    [UNIT_UNKNOWN] = "unknown",   [UNIT_ACTIVE] = "active", [UNIT_ACTIVATING] = "activating",
    [UNIT_INACTIVE] = "inactive", [UNIT_FAILED] = "failed", [UNIT_NOT_FOUND] = "not-found",
    [UNIT_MASKED] = "masked",
};

const char *unit_state_to_string(enum unit_state s) {
	return s >= 0 && s < _UNIT_STATE_MAX ? unit_states[s] : NULL;
}

enum unit_state unit_state_from_systemd(const char *load_state, const char *active_state) {
	if (streq_ptr(load_state, "not-found"))
		return UNIT_NOT_FOUND;
	if (streq_ptr(load_state, "masked"))
		return UNIT_MASKED;
	if (!active_state)
		return UNIT_UNKNOWN;
	if (streq(active_state, "active") || streq(active_state, "reloading") ||
	    streq(active_state, "refreshing"))
		return UNIT_ACTIVE;
	if (streq(active_state, "activating"))
		return UNIT_ACTIVATING;
	if (streq(active_state, "inactive") || streq(active_state, "deactivating") ||
	    streq(active_state, "maintenance"))
		return UNIT_INACTIVE;
	if (streq(active_state, "failed"))
		return UNIT_FAILED;
	return UNIT_UNKNOWN;
}

/* ---- text helpers (bounded, as in the readiness checks) ---- */

_printf_(3, 4) static void set(struct check *c, enum check_result r, const char *fmt, ...) {
	va_list ap;
	c->result = r;
	c->hint[0] = 0;
	va_start(ap, fmt);
	vtextf(c->summary, sizeof(c->summary), false, fmt, ap);
	va_end(ap);
}

_printf_(2, 3) static void summary_add(struct check *c, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vtextf(c->summary, sizeof(c->summary), true, fmt, ap);
	va_end(ap);
}

_printf_(2, 3) static void hint(struct check *c, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vtextf(c->hint, sizeof(c->hint), c->hint[0] != 0, fmt, ap);
	va_end(ap);
}

/* The prerequisite rule (docs/readiness.md): a prerequisite that failed, or (pass_needed) was
 * skipped, makes the check a skip that names it. */
static bool need_result(struct check *c, const char *on, enum check_result r, bool pass_needed) {
	if (r == CHECK_FAIL || (pass_needed && r == CHECK_SKIP)) {
		set(c, CHECK_SKIP, "not checked: %s %s", on,
		    r == CHECK_FAIL ? "failed" : "skipped");
		return false;
	}
	return true;
}

static bool need(struct attestation_status *s, enum attestation_check_id id,
                 enum attestation_check_id on) {
	return need_result(&s->checks[id], check_ids[on], s->checks[on].result, true);
}

/* ---- the checks ---- */

#define HINT_BIOS_SGX                                                                              \
	"enable SGX in the BIOS (\"SW Guard Extensions (SGX)\": Enable, with Total Memory "        \
	"Encryption on and a PRM size set) and Flexible Launch Control (\"SGX Launch Control "     \
	"Policy\": Unlocked), then reboot: TDX quotes are signed by an SGX quoting enclave"

static void check_sgx(const struct attestation_input *in, struct attestation_status *s) {
	const struct attestation_facts *f = in->facts;
	struct check *c = &s->checks[ATT_CHECK_SGX];

	if (!need_result(c, "cpu-vendor", in->cpu_vendor, false) ||
	    !need_result(c, "bare-metal", in->bare_metal, false))
		return;
	if (f->sgx_disabled.present) {
		set(c, CHECK_FAIL, "SGX is disabled in the BIOS; the kernel says \"%s\"",
		    f->sgx_disabled.text);
		hint(c, HINT_BIOS_SGX);
	} else if (!f->cpuinfo_read) {
		set(c, CHECK_SKIP, "not checked: /proc/cpuinfo could not be read");
		hint(c, "make /proc/cpuinfo readable (is /proc mounted?)");
	} else if (!f->sgx) {
		set(c, CHECK_FAIL, "SGX is off: /proc/cpuinfo has no sgx CPU flag");
		hint(c,
		     HINT_BIOS_SGX "; a kernel built without CONFIG_X86_SGX also hides the flag");
	} else if (!f->sgx_lc) {
		set(c, CHECK_FAIL,
		    "SGX Flexible Launch Control is off: /proc/cpuinfo has sgx but no sgx_lc CPU "
		    "flag, so the kernel does not run enclaves (no quoting enclave)");
		hint(c,
		     "set \"SGX Launch Control Policy\" to Unlocked (Flexible Launch Control) in "
		     "the BIOS and reboot: TDX quotes are signed by an SGX quoting enclave");
	} else
		set(c, CHECK_PASS,
		    "SGX is on, with Flexible Launch Control (CPU flags sgx, sgx_lc)");
}

static const char *node_problem(enum node_state st, const char *what) {
	switch (st) {
	case NODE_MISSING: return "does not exist";
	case NODE_WRONG_TYPE: return what;
	case NODE_PRESENT: return NULL;
	}
	return NULL;
}

static void check_sgx_devices(const struct attestation_input *in, struct attestation_status *s) {
	const struct attestation_facts *f = in->facts;
	struct check *c = &s->checks[ATT_CHECK_SGX_DEVICES];
	const char *e = node_problem(f->dev_enclave, "is not a character device");
	const char *p = node_problem(f->dev_provision, "is not a character device");

	if (!need(s, ATT_CHECK_SGX_DEVICES, ATT_CHECK_SGX))
		return;
	if (!e && !p) {
		set(c, CHECK_PASS, "%s and %s exist%s", SGX_ENCLAVE_PATH, SGX_PROVISION_PATH,
		    f->real_root ? " (character devices)" : "");
		return;
	}
	if (e && p && f->dev_enclave == f->dev_provision)
		set(c, CHECK_FAIL, "%s and %s %s", SGX_ENCLAVE_PATH, SGX_PROVISION_PATH,
		    f->dev_enclave == NODE_MISSING ? "do not exist" : "are not character devices");
	else {
		set(c, CHECK_FAIL, "%s", "");
		if (e)
			summary_add(c, "%s %s", SGX_ENCLAVE_PATH, e);
		if (p)
			summary_add(c, "%s%s %s", e ? "; " : "", SGX_PROVISION_PATH, p);
	}
	hint(c, "the kernel's SGX driver creates both (CONFIG_X86_SGX=y, Linux 5.11 or later; "
	        "the old out-of-tree driver's /dev/sgx/enclave is not enough): check the kernel "
	        "configuration and `dmesg | grep sgx` for its EPC lines");
	if (f->real_root &&
	    (f->dev_enclave == NODE_WRONG_TYPE || f->dev_provision == NODE_WRONG_TYPE))
		hint(c, "; remove what stands in the way and reboot (or recreate the nodes with "
		        "`udevadm trigger`)");
}

#define HINT_REGISTER                                                                              \
	"run Intel's registration agent (package sgx-ra-service: systemctl enable --now "          \
	"mpa_registration_tool.service): it sends the BIOS's request to the registration server, " \
	"and the BIOS completes registration on the next boot (enable \"SGX Auto MP "              \
	"Registration\" in the BIOS so the agent does this by itself); or register indirectly "    \
	"with PCKIDRetrievalTool"

static void registration_error(struct check *c, uint8_t code) {
	const char *name = sgx_registration_error_to_string(code);
	summary_add(c, " error 0x%02x (%s)", code, name ? name : "unknown code");
}

static void check_platform_registration(const struct attestation_input *in,
                                        struct attestation_status *s) {
	const struct attestation_facts *f = in->facts;
	const struct sgx_registration_status *st = &f->reg_status;
	struct check *c = &s->checks[ATT_CHECK_PLATFORM_REGISTRATION];

	if (!need(s, ATT_CHECK_PLATFORM_REGISTRATION, ATT_CHECK_SGX))
		return;
	if (!f->reg_status_present && !f->reg_request_present) {
		if (!f->efi)
			set(c, CHECK_SKIP,
			    "not checked: not an EFI boot (no %s), so there are no SGX "
			    "registration "
			    "variables",
			    EFI_DIR);
		else
			set(c, CHECK_SKIP,
			    "not checked: the BIOS publishes no SGX registration variables "
			    "(SgxRegistrationStatus and SgxRegistrationServerRequest are absent: "
			    "no "
			    "multi-package registration on this platform)");
		return;
	}
	if (f->reg_request_present) {
		set(c, CHECK_WARN,
		    "platform registration is pending: the BIOS posted a registration request "
		    "(EFI variable SgxRegistrationServerRequest)");
		if (f->reg_status_present && f->reg_status_error == 0) {
			summary_add(c, "; SgxRegistrationStatus status 0x%04x", st->status);
			if (st->error_code)
				registration_error(c, st->error_code);
		}
		hint(c, HINT_REGISTER);
		return;
	}
	if (f->reg_status_error == -EPROTONOSUPPORT) {
		set(c, CHECK_WARN,
		    "the EFI variable SgxRegistrationStatus has version %u, this tdxd reads "
		    "version "
		    "%u",
		    st->version, SGX_REGISTRATION_STATUS_VERSION);
		hint(c, "ask Intel's registration agent: `mpa_manage -get_registration_status` "
		        "(package sgx-ra-service)");
		return;
	}
	if (f->reg_status_error < 0) {
		set(c, CHECK_WARN, "the EFI variable SgxRegistrationStatus cannot be read: %s",
		    f->reg_status_error == -EBADMSG ? "it is shorter than its header says"
		                                    : strerror(-f->reg_status_error));
		hint(c, "ask Intel's registration agent: `mpa_manage -get_registration_status` "
		        "(package sgx-ra-service)");
		return;
	}
	if (!sgx_registration_complete(st)) {
		set(c, CHECK_WARN,
		    "platform registration is not complete (SgxRegistrationStatus "
		    "status 0x%04x)",
		    st->status);
		if (st->error_code) {
			summary_add(c, "; the last attempt ended in");
			registration_error(c, st->error_code);
		}
		hint(c, HINT_REGISTER);
		return;
	}
	if (st->error_code) {
		set(c, CHECK_WARN, "platform registration ended in");
		registration_error(c, st->error_code);
		hint(c,
		     "the registration server refused this platform: run \"SGX Factory Reset\" in "
		     "the BIOS (new platform keys), boot with \"SGX Auto MP Registration\" "
		     "enabled, and let the registration agent (sgx-ra-service) register again");
		return;
	}
	set(c, CHECK_PASS, "the platform is registered (SgxRegistrationStatus status 0x%04x)",
	    st->status);
}

static const char *quote_unit(const struct attestation_input *in) {
	return in->quote_unit && *in->quote_unit ? in->quote_unit : QUOTE_SERVICE_UNIT_DEFAULT;
}

/* The unit is not running: fail, with what to do for its state. */
static bool unit_down(const struct attestation_input *in, struct check *c) {
	const char *u = quote_unit(in);
	switch (in->quote_unit_state) {
	case UNIT_NOT_FOUND:
		set(c, CHECK_FAIL, "the Quote Generation Service is not installed (no unit %s)", u);
		hint(c,
		     "install Intel's tdx-qgs package and `systemctl enable --now qgsd.service`; "
		     "if the service has another name, set QuoteServiceUnit= in "
		     "/etc/tdxd/tdxd.conf");
		return true;
	case UNIT_MASKED:
		set(c, CHECK_FAIL, "the Quote Generation Service (%s) is masked", u);
		hint(c, "systemctl unmask %s && systemctl enable --now %s", u, u);
		return true;
	case UNIT_INACTIVE:
		set(c, CHECK_FAIL, "the Quote Generation Service (%s) is not running", u);
		hint(c, "systemctl enable --now %s", u);
		return true;
	case UNIT_FAILED:
		set(c, CHECK_FAIL, "the Quote Generation Service (%s) has failed", u);
		hint(c, "see why with `journalctl -b -u %s`, then `systemctl restart %s`", u, u);
		return true;
	case UNIT_ACTIVATING:
		set(c, CHECK_FAIL, "the Quote Generation Service (%s) is still starting", u);
		hint(c,
		     "this clears when it has started; if it does not, see `journalctl -b -u %s`",
		     u);
		return true;
	case UNIT_ACTIVE:
	case UNIT_UNKNOWN:
	case _UNIT_STATE_MAX: break;
	}
	return false;
}

static void check_quote_service(const struct attestation_input *in, struct attestation_status *s) {
	const struct attestation_facts *f = in->facts;
	struct check *c = &s->checks[ATT_CHECK_QUOTE_SERVICE];
	const char *u = quote_unit(in);
	bool asked = in->quote_unit_state != UNIT_UNKNOWN;

	if (!need(s, ATT_CHECK_QUOTE_SERVICE, ATT_CHECK_SGX_DEVICES))
		return;
	if (f->qgs_conf_error == -EINVAL) {
		set(c, CHECK_FAIL, "%s: %s: the Quote Generation Service does not start with it",
		    QGS_CONF_PATH, f->qgs_conf_message);
		hint(c,
		     "fix %s (`port = N` for AF_VSOCK port N, no port line for the Unix socket "
		     "%s), then `systemctl restart %s`",
		     QGS_CONF_PATH, QGS_SOCKET_PATH, u);
		return;
	}
	if (f->qgs_conf_error < 0) {
		set(c, CHECK_FAIL, "%s cannot be read: %s", QGS_CONF_PATH, f->qgs_conf_message);
		hint(c, "make %s readable by root", QGS_CONF_PATH);
		return;
	}
	if (unit_down(in, c))
		return;

	if (f->qgs.transport == QGS_TRANSPORT_VSOCK) {
		/* a vsock listener leaves no trace in the file system: the unit state decides */
		if (asked)
			set(c, CHECK_PASS,
			    "the Quote Generation Service (%s) runs, on AF_VSOCK port %u", u,
			    f->qgs.port);
		else
			set(c, CHECK_PASS,
			    "%s selects AF_VSOCK port %u (line %u); %s's state was not asked",
			    QGS_CONF_PATH, f->qgs.port, f->qgs.port_line, u);
		return;
	}
	switch (f->qgs_socket) {
	case NODE_PRESENT:
		if (asked)
			set(c, CHECK_PASS,
			    "the Quote Generation Service (%s) runs and listens on %s", u,
			    QGS_SOCKET_PATH);
		else
			set(c, CHECK_PASS, "%s exists; %s's state was not asked", QGS_SOCKET_PATH,
			    u);
		return;
	case NODE_WRONG_TYPE:
		set(c, CHECK_FAIL, "%s exists but is not a socket", QGS_SOCKET_PATH);
		hint(c, "remove it and `systemctl restart %s`", u);
		return;
	case NODE_MISSING: break;
	}
	if (asked) {
		set(c, CHECK_FAIL,
		    "the Quote Generation Service (%s) is active but %s does not exist", u,
		    QGS_SOCKET_PATH);
		hint(c,
		     "a service is active before it listens, so this clears when it has started; "
		     "if it does not, see `journalctl -b -u %s`, and whether %s chose vsock for "
		     "the TDs (a `port = N` line)",
		     u, QGS_CONF_PATH);
	} else {
		set(c, CHECK_FAIL,
		    "the Quote Generation Service does not listen: %s does not exist and %s has no "
		    "port line",
		    QGS_SOCKET_PATH, QGS_CONF_PATH);
		hint(c, "install Intel's tdx-qgs package and `systemctl enable --now %s`", u);
	}
}

#define HINT_QCNL                                                                                  \
	"set \"pccs_url\" in " QCNL_CONF_PATH " (package libsgx-dcap-default-qpl) to your "        \
	"collateral service: a PCCS of your network, or "                                          \
	"\"https://localhost:8081/sgx/certification/v4/\" with a local PCCS (package "             \
	"sgx-dcap-pccs)"

static void check_collateral_service(const struct attestation_input *in,
                                     struct attestation_status *s) {
	const struct attestation_facts *f = in->facts;
	struct check *c = &s->checks[ATT_CHECK_COLLATERAL_SERVICE];

	if (!need(s, ATT_CHECK_COLLATERAL_SERVICE, ATT_CHECK_QUOTE_SERVICE))
		return;
	if (!f->qcnl_present) {
		set(c, CHECK_WARN,
		    "%s does not exist: quote verifiers get no collateral (PCK certificates, TCB "
		    "info) from this host's quote provider",
		    QCNL_CONF_PATH);
		hint(c, "install libsgx-dcap-default-qpl and " HINT_QCNL);
		return;
	}
	if (f->qcnl_error < 0) {
		set(c, CHECK_WARN, "%s: %s", QCNL_CONF_PATH, f->qcnl_message);
		hint(
		    c,
		    "the file is JSON (// and /* */ comments are allowed): fix it, and " HINT_QCNL);
		return;
	}
	if (!f->pccs_url[0]) {
		set(c, CHECK_WARN, "%s names no \"pccs_url\"", QCNL_CONF_PATH);
		hint(c, HINT_QCNL);
		return;
	}
	if (!f->pccs_host[0]) {
		set(c, CHECK_WARN, "\"pccs_url\" in %s is not a URL: \"%s\"", QCNL_CONF_PATH,
		    f->pccs_url);
		hint(c, HINT_QCNL);
		return;
	}
	if (!f->pccs_local) {
		/* tdxd never touches the network: a remote service is taken as configured */
		set(c, CHECK_PASS, "\"pccs_url\" is %s (remote, not contacted by tdxd)",
		    f->pccs_url);
		return;
	}
	switch (in->pccs_unit_state) {
	case UNIT_UNKNOWN:
	case _UNIT_STATE_MAX:
		set(c, CHECK_PASS, "\"pccs_url\" is %s, a local PCCS; %s's state was not asked",
		    f->pccs_url, PCCS_UNIT);
		return;
	case UNIT_ACTIVE:
		set(c, CHECK_PASS, "\"pccs_url\" is %s, and the local PCCS (%s) runs", f->pccs_url,
		    PCCS_UNIT);
		return;
	case UNIT_NOT_FOUND:
		set(c, CHECK_WARN,
		    "\"pccs_url\" is %s, but no local PCCS is installed (no unit %s)", f->pccs_url,
		    PCCS_UNIT);
		hint(c,
		     "install sgx-dcap-pccs and `systemctl enable --now %s`, or point \"pccs_url\" "
		     "in %s at a PCCS of your network",
		     PCCS_UNIT, QCNL_CONF_PATH);
		return;
	case UNIT_MASKED:
	case UNIT_INACTIVE:
	case UNIT_FAILED:
	case UNIT_ACTIVATING:
		set(c, CHECK_WARN, "\"pccs_url\" is %s, but the local PCCS (%s) is %s", f->pccs_url,
		    PCCS_UNIT,
		    in->pccs_unit_state == UNIT_MASKED       ? "masked"
		    : in->pccs_unit_state == UNIT_FAILED     ? "failed"
		    : in->pccs_unit_state == UNIT_ACTIVATING ? "still starting"
		                                             : "not running");
		if (in->pccs_unit_state == UNIT_MASKED)
			hint(c, "systemctl unmask %s && systemctl enable --now %s", PCCS_UNIT,
			     PCCS_UNIT);
		else if (in->pccs_unit_state == UNIT_FAILED)
			hint(c, "see why with `journalctl -b -u %s`, then `systemctl restart %s`",
			     PCCS_UNIT, PCCS_UNIT);
		else
			hint(c, "systemctl enable --now %s", PCCS_UNIT);
		hint(c, "; or point \"pccs_url\" in %s at a PCCS of your network", QCNL_CONF_PATH);
		return;
	}
}

/* ---- AttestationReady ---- */

static void derive_ready(const struct attestation_input *in, struct attestation_status *s) {
	static const enum attestation_check_id required[] = {ATT_CHECK_SGX, ATT_CHECK_SGX_DEVICES,
	                                                     ATT_CHECK_QUOTE_SERVICE};
	char *reason = s->reason;
	size_t rs = sizeof(s->reason);

	s->ready = false;
	if (in->state != TDX_STATE_READY && in->state != TDX_STATE_DEGRADED) {
		textf(reason, rs, false, "attestation is not available: TDX is not up (State %s)",
		      strempty(tdx_state_to_string(in->state)));
		return;
	}
	for (size_t i = 0; i < _ATT_CHECK_MAX; i++)
		if (s->checks[i].result == CHECK_FAIL) {
			textf(reason, rs, false, "attestation is not available: %s",
			      s->checks[i].summary);
			return;
		}
	for (size_t i = 0; i < ELEMENTSOF(required); i++) {
		const struct check *c = &s->checks[required[i]];
		if (c->result != CHECK_PASS) {
			textf(reason, rs, false,
			      "attestation is not available: %s could not be checked (%s)",
			      check_ids[required[i]], c->summary);
			return;
		}
	}
	s->ready = true;
	for (size_t i = 0; i < _ATT_CHECK_MAX; i++)
		if (s->checks[i].result == CHECK_WARN) {
			textf(reason, rs, false, "attestation is available, with a warning: %s",
			      s->checks[i].summary);
			return;
		}
	textf(reason, rs, false, "attestation is available");
}

void attestation_decide(const struct attestation_input *in, struct attestation_status *ret) {
	struct attestation_status s = {0};

	check_sgx(in, &s);
	check_sgx_devices(in, &s);
	check_platform_registration(in, &s);
	check_quote_service(in, &s);
	check_collateral_service(in, &s);
	derive_ready(in, &s);

	/* Kernel lines, URLs and config text are quoted: D-Bus and JSON need valid UTF-8. */
	(void)utf8_sanitize(s.reason);
	for (size_t i = 0; i < _ATT_CHECK_MAX; i++) {
		(void)utf8_sanitize(s.checks[i].summary);
		(void)utf8_sanitize(s.checks[i].hint);
	}
	*ret = s;
}
