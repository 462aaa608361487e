/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <time.h>

#include <systemd/sd-bus.h>

#include "bus-client.h"
#include "bus-errors.h"
#include "macro.h"
#include "tdxd-bus.h"

struct tdxd_client {
	sd_bus *bus;
};

static int fail(struct tdxd_client_error *e, const sd_bus_error *be, int r) {
	*e = (struct tdxd_client_error){.errnum = r};
	if (be && sd_bus_error_is_set(be)) {
		textf(e->name, sizeof e->name, false, "%s", be->name);
		e->daemon_missing = sd_bus_error_has_name(be, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
		                    sd_bus_error_has_name(be, SD_BUS_ERROR_NAME_HAS_NO_OWNER);
		e->access_denied = sd_bus_error_has_name(be, SD_BUS_ERROR_ACCESS_DENIED);
		textf(e->message, sizeof e->message, false, "%s",
		      be->message && *be->message ? be->message : strerror(-r));
	} else {
		e->no_bus = r == -ENOENT || r == -ECONNREFUSED || r == -EHOSTDOWN ||
		            r == -ENOTCONN || r == -ECONNRESET;
		textf(e->message, sizeof e->message, false, "%s", strerror(-r));
	}
	return r;
}

int tdxd_client_open(struct tdxd_client **ret, bool interactive, struct tdxd_client_error *e) {
	struct tdxd_client *c = calloc(1, sizeof(*c));
	if (!c)
		return fail(e, NULL, -ENOMEM);
	(void)tdx_errors_register();
	int r = sd_bus_open_system(&c->bus);
	if (r < 0) {
		free(c);
		return fail(e, NULL, r);
	}
	(void)sd_bus_set_allow_interactive_authorization(c->bus, interactive);
	*ret = c;
	return 0;
}

struct tdxd_client *tdxd_client_free(struct tdxd_client *c) {
	if (!c)
		return NULL;
	sd_bus_flush_close_unref(c->bus);
	free(c);
	return NULL;
}

static int call(struct tdxd_client *c, const char *method, uint64_t timeout_usec,
                sd_bus_message **reply, struct tdxd_client_error *e, const char *types, ...) {
	_cleanup_(sd_bus_error_free) sd_bus_error be = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	va_list ap;
	int r = sd_bus_message_new_method_call(c->bus, &m, TDXD_BUS_NAME, TDXD_OBJECT_PATH,
	                                       TDXD_MANAGER_INTERFACE, method);
	if (r < 0)
		return fail(e, NULL, r);
	if (types) {
		va_start(ap, types);
		r = sd_bus_message_appendv(m, types, ap);
		va_end(ap);
		if (r < 0)
			return fail(e, NULL, r);
	}
	r = sd_bus_call(c->bus, m, timeout_usec, &be, reply);
	if (r < 0)
		return fail(e, &be, r);
	return 0;
}

int tdxd_client_get_capabilities(struct tdxd_client *c, char **ret_json,
                                 struct tdxd_client_error *e) {
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	const char *text;
	int r = call(c, "GetCapabilities", 0, &reply, e, NULL);
	if (r < 0)
		return r;
	r = sd_bus_message_read(reply, "s", &text);
	if (r < 0)
		return fail(e, NULL, r);
	*ret_json = strdup(text);
	return *ret_json ? 0 : fail(e, NULL, -ENOMEM);
}

static int read_verdict(sd_bus_message *reply, bool *ret_allowed, char **ret_reason,
                        struct tdxd_client_error *e) {
	int allowed;
	const char *reason;
	int r = sd_bus_message_read(reply, "bs", &allowed, &reason);
	if (r < 0)
		return fail(e, NULL, r);
	*ret_allowed = allowed;
	*ret_reason = strdup(reason);
	return *ret_reason ? 0 : fail(e, NULL, -ENOMEM);
}

int tdxd_client_check_memory_range(struct tdxd_client *c, uint64_t address, uint64_t size,
                                   bool *ret_allowed, char **ret_reason,
                                   struct tdxd_client_error *e) {
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r = call(c, "CheckMemoryRange", 0, &reply, e, "tt", address, size);
	return r < 0 ? r : read_verdict(reply, ret_allowed, ret_reason, e);
}

int tdxd_client_check_cpu_offline(struct tdxd_client *c, uint32_t cpu, bool *ret_allowed,
                                  char **ret_reason, struct tdxd_client_error *e) {
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r = call(c, "CheckCPUOffline", 0, &reply, e, "u", cpu);
	return r < 0 ? r : read_verdict(reply, ret_allowed, ret_reason, e);
}

int tdxd_client_offline_cpu(struct tdxd_client *c, uint32_t cpu, struct tdxd_client_error *e) {
	return call(c, "OfflineCPU", 0, NULL, e, "u", cpu);
}

int tdxd_client_enable(struct tdxd_client *c, uint64_t timeout_usec, struct tdxd_client_error *e) {
	return call(c, "EnableTDX", timeout_usec, NULL, e, NULL);
}

struct update_wait {
	bool finished;
	struct tdxd_client_update_result *ret;
};

static int on_update_finished(sd_bus_message *m, void *userdata, sd_bus_error *error) {
	struct update_wait *w = userdata;
	const char *result, *old_version, *new_version, *message;
	if (sd_bus_message_read(m, "ssss", &result, &old_version, &new_version, &message) < 0)
		return 0;
	textf(w->ret->result, sizeof w->ret->result, false, "%s", result);
	textf(w->ret->old_version, sizeof w->ret->old_version, false, "%s", old_version);
	textf(w->ret->new_version, sizeof w->ret->new_version, false, "%s", new_version);
	textf(w->ret->message, sizeof w->ret->message, false, "%s", message);
	w->finished = true;
	return 0;
}

static uint64_t now_usec_mono(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int tdxd_client_update_module(struct tdxd_client *c, int fd, uint64_t timeout_usec,
                              tdxd_client_update_progress_fn progress, void *userdata,
                              struct tdxd_client_update_result *ret, struct tdxd_client_error *e) {
	_cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
	struct update_wait w = {.ret = ret};
	int r;

	*ret = (struct tdxd_client_update_result){0};
	/* Listen before asking: the end may come right after the reply. */
	r = sd_bus_match_signal(c->bus, &slot, TDXD_BUS_NAME, TDXD_OBJECT_PATH,
	                        TDXD_MANAGER_INTERFACE, "ModuleUpdateFinished", on_update_finished,
	                        &w);
	if (r < 0)
		return fail(e, NULL, r);
	uint64_t start = now_usec_mono();
	r = call(c, "UpdateModule", timeout_usec, NULL, e, "h", fd);
	if (r < 0)
		return r;
	uint64_t next = 0;
	while (!w.finished) {
		uint64_t now = now_usec_mono();
		if (timeout_usec > 0 && now - start >= timeout_usec)
			return fail(e, NULL, -ETIMEDOUT);
		if (progress && now >= next) {
			_cleanup_(sd_bus_error_free) sd_bus_error be = SD_BUS_ERROR_NULL;
			_cleanup_free_ char *state = NULL;
			if (sd_bus_get_property_string(c->bus, TDXD_BUS_NAME, TDXD_OBJECT_PATH,
			                               TDXD_MANAGER_INTERFACE, "ModuleUpdate", &be,
			                               &state) >= 0)
				progress(state, now - start, userdata);
			next = now + 1000000u;
			continue; /* the property call may have queued the signal */
		}
		r = sd_bus_process(c->bus, NULL);
		if (r < 0)
			return fail(e, NULL, r);
		if (r > 0)
			continue;
		r = sd_bus_wait(c->bus, 1000000u);
		if (r < 0 && r != -EINTR)
			return fail(e, NULL, r);
	}
	if (!streq(ret->result, "done")) {
		*e = (struct tdxd_client_error){.errnum = -EIO};
		textf(e->message, sizeof e->message, false, "%s", ret->message);
		return -EIO;
	}
	return 0;
}
