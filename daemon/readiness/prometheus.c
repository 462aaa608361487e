/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "fileio.h"
#include "macro.h"
#include "prometheus.h"

/* A label value: backslash, double quote and line feed are escaped (text format 0.0.4). A
 * version read from sysfs is not trusted to be free of them. */
static void put_label_value(FILE *f, const char *v) {
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '"')
			fputs("\\\"", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void header(FILE *f, const char *name, const char *type, const char *help) {
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void gauge_u64(FILE *f, const char *name, const char *help, uint64_t v) {
	header(f, name, "gauge", help);
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

int prometheus_format(const struct tdx_status *s, const struct prometheus_counters *counters,
                      int attestation_ready, const char *seamldr_version, char **ret) {
	_cleanup_free_ char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;

	gauge_u64(f, "tdxd_ready", "Whether the host can run TDs now (1) or not (0).", s->ready);

	header(f, "tdxd_state", "gauge",
	       "The readiness state: 1 for the current one, 0 for the others.");
	for (int i = 0; i < _TDX_STATE_MAX; i++)
		fprintf(f, "tdxd_state{state=\"%s\"} %d\n", tdx_state_to_string(i),
		        (int)s->state == i);

	if (s->total_keyids_known)
		gauge_u64(f, "tdxd_keyids_total", "Guest KeyIDs of the host (one per running TD).",
		          s->total_keyids);
	if (s->used_keyids_known)
		gauge_u64(f, "tdxd_keyids_used", "Guest KeyIDs in use by TDs.", s->used_keyids);
	/* Free only when both are known and consistent: a count the kernel got wrong is no
	 * reason to publish a huge unsigned number. */
	if (s->total_keyids_known && s->used_keyids_known && s->used_keyids <= s->total_keyids)
		gauge_u64(f, "tdxd_keyids_free", "Guest KeyIDs free for new TDs.",
		          s->total_keyids - s->used_keyids);
	/* 0 means TDX is not up or the limit is unknown. */
	if (s->max_vcpus > 0)
		gauge_u64(f, "tdxd_max_vcpus_per_td", "The most vCPUs one TD may have.",
		          s->max_vcpus);
	if (s->sources[SRC_CONVERTIBLE_MEMORY])
		gauge_u64(f, "tdxd_convertible_memory_bytes",
		          "Bytes of the convertible memory regions (what can become TDX memory).",
		          s->cmr_bytes);

	if (s->module_version[0]) {
		header(f, "tdxd_module_info", "gauge",
		       "The TDX module's version and the SEAM loader's, as labels.");
		fputs("tdxd_module_info{version=\"", f);
		put_label_value(f, s->module_version);
		fputc('"', f);
		if (seamldr_version && seamldr_version[0]) {
			fputs(",seamldr_version=\"", f);
			put_label_value(f, seamldr_version);
			fputc('"', f);
		}
		fputs("} 1\n", f);
	}

	header(f, "tdxd_check", "gauge",
	       "Each readiness check with its result (pass, warn, fail, skip) as a label.");
	for (int i = 0; i < _CHECK_MAX; i++)
		fprintf(f, "tdxd_check{id=\"%s\",result=\"%s\"} 1\n", check_id_to_string(i),
		        check_result_to_string(s->checks[i].result));

	if (attestation_ready == PROMETHEUS_YES || attestation_ready == PROMETHEUS_NO)
		gauge_u64(f, "tdxd_attestation_ready",
		          "Whether TDs can get a quote for remote attestation (1) or not (0).",
		          (uint64_t)attestation_ready);

	if (counters) {
		header(f, "tdxd_cpu_offline_blocked_total", "counter",
		       "CPU offlines the CPU guard refused, undid or warned about since tdxd "
		       "started.");
		fprintf(f, "tdxd_cpu_offline_blocked_total %" PRIu64 "\n",
		        counters->cpu_offline_blocked_total);
		header(f, "tdxd_memory_refused_total", "counter",
		       "Hot-added memory blocks the memory gate kept offline since tdxd started.");
		fprintf(f, "tdxd_memory_refused_total %" PRIu64 "\n",
		        counters->memory_refused_total);
	}

	if (fclose(f) != 0)
		return -ENOMEM;
	*ret = TAKE_PTR(buf);
	return 0;
}

int prometheus_write_textfile(const char *root, const char *path, const char *text) {
	/* write_file_atomic_at: mkostemp("<path>.tmpXXXXXX") next to the target, fsync, rename;
	 * node_exporter collects only "*.prom", so the temporary file is never read. */
	return write_file_atomic_at(root, path, text);
}
