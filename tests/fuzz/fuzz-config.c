/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/tdxd/tdxd.conf: any text gives a configuration (defaults where a line is bad) and
 * problems that name the file. */
#include "config.h"
#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size > 64 * 1024)
		return 0;
	char *s = fuzz_strndup(data, size);
	struct tdxd_config c;
	char **problems = NULL;
	size_t n = 0;
	config_defaults(&c);
	if (config_parse("tdxd.conf", s, &c, &problems, &n) >= 0)
		for (size_t i = 0; i < n; i++)
			fuzz_assert(strncmp(problems[i], "tdxd.conf", 9) == 0);
	for (size_t i = 0; i < n; i++)
		free(problems[i]);
	free(problems);
	free(s);
	return 0;
}
