/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pure reader of /etc/sgx_default_qcnl.conf, the configuration of Intel's quote provider
 * library (QPL/QCNL): JSON whose "pccs_url" names the collateral service (PCCS, or Intel's
 * PCS directly). The file as shipped carries // comments, which json-c's tokener accepts in
 * its default, non-strict mode (so do / * * / comments). No I/O, and tdxd never contacts the
 * URL: only its host is looked at, to tell a local PCCS (whose unit must then run) from a
 * remote one. */

#include <stdbool.h>
#include <stddef.h>

#define QCNL_CONF_PATH "/etc/sgx_default_qcnl.conf"
#define PCCS_URL_MAX   512

/* Parse the file's text. Returns 0 with *ret_url the pccs_url value (a non-empty string) or
 * "" when the key is missing or empty; -EINVAL when the text is not JSON ("line N: json-c's
 * words" in err), -EBADMSG when it is JSON but not an object or pccs_url is not a string
 * (err says which). A URL longer than ret_url_size is -E2BIG. err may be NULL. */
int qcnl_parse(const char *text, size_t n, char *ret_url, size_t ret_url_size, char *err,
               size_t err_size);

/* The host of an http(s) URL ("https://user@[::1]:8081/x" -> "::1", lower case, brackets
 * removed). Returns 0, -EINVAL when there is no "scheme://" or the host is empty or an
 * unterminated '[', -E2BIG when it does not fit. */
int url_host(const char *url, char *ret, size_t size);

/* localhost (with or without a final dot), any 127.x.y.z, ::1. */
bool host_is_loopback(const char *host);
