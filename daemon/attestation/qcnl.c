/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>

#include "macro.h"
#include "qcnl.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(json_tokener *, json_tokener_free);

static unsigned line_of(const char *text, size_t off) {
	unsigned line = 1;
	for (size_t i = 0; i < off; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

int qcnl_parse(const char *text, size_t n, char *ret_url, size_t ret_url_size, char *err,
               size_t err_size) {
	_cleanup_(json_tokener_freep) json_tokener *tok = json_tokener_new();
	_cleanup_(json_object_putp) json_object *root = NULL;

	if (!tok)
		return -ENOMEM;
	if (n > INT_MAX)
		return -E2BIG;
	/* Default flags: not JSON_TOKENER_STRICT, so comments are allowed. */
	root = json_tokener_parse_ex(tok, text, (int)n);
	enum json_tokener_error e = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	if (e == json_tokener_continue) {
		/* the text ended inside a value (an unclosed object): feed the end */
		root = json_tokener_parse_ex(tok, "", 1);
		e = json_tokener_get_error(tok);
		end = n;
	}
	if (!root || e != json_tokener_success) {
		if (err)
			textf(err, err_size, false, "line %u: %s", line_of(text, end),
			      e == json_tokener_success ? "no JSON value"
			                                : json_tokener_error_desc(e));
		return -EINVAL;
	}
	/* anything but blanks after the object is an error too */
	for (size_t i = end; i < n; i++)
		if (!isspace((unsigned char)text[i]) && text[i] != 0) {
			if (err)
				textf(err, err_size, false, "line %u: text after the JSON object",
				      line_of(text, i));
			return -EINVAL;
		}
	if (!json_object_is_type(root, json_type_object)) {
		if (err)
			textf(err, err_size, false, "not a JSON object");
		return -EBADMSG;
	}
	json_object *v;
	if (!json_object_object_get_ex(root, "pccs_url", &v) ||
	    json_object_is_type(v, json_type_null)) {
		ret_url[0] = 0;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string)) {
		if (err)
			textf(err, err_size, false, "\"pccs_url\" is not a string");
		return -EBADMSG;
	}
	const char *s = json_object_get_string(v);
	size_t l = strlen(s);
	if (l >= ret_url_size)
		return -E2BIG;
	memcpy(ret_url, s, l + 1);
	return 0;
}

int url_host(const char *url, char *ret, size_t size) {
	const char *s = strstr(url, "://");
	if (!s || s == url)
		return -EINVAL;
	s += 3;
	/* the authority ends at the path, query or fragment */
	size_t al = strcspn(s, "/?#");
	/* userinfo: the last '@' of the authority */
	for (size_t i = al; i > 0; i--)
		if (s[i - 1] == '@') {
			s += i;
			al -= i;
			break;
		}
	const char *h = s;
	size_t hl;
	if (*h == '[') {
		const char *close = memchr(h, ']', al);
		if (!close)
			return -EINVAL;
		h++;
		hl = (size_t)(close - h);
	} else {
		const char *colon = memchr(h, ':', al);
		hl = colon ? (size_t)(colon - h) : al;
	}
	if (hl == 0)
		return -EINVAL;
	if (hl >= size)
		return -E2BIG;
	for (size_t i = 0; i < hl; i++)
		ret[i] = (char)tolower((unsigned char)h[i]);
	ret[hl] = 0;
	return 0;
}

bool host_is_loopback(const char *host) {
	if (streq(host, "localhost") || streq(host, "localhost."))
		return true;
	struct in_addr a4;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	struct in6_addr a6;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}
