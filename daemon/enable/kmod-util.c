/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "fileio.h"
#include "kmod-util.h"

/* libkmod's built-in search order for modprobe.d (kmod's default_config_paths), plus
 * /usr/lib/modprobe.d where distributions ship their defaults. */
static const char *const system_config_dirs[] = {
    "/etc/modprobe.d",     "/run/modprobe.d", "/usr/local/lib/modprobe.d",
    "/usr/lib/modprobe.d", "/lib/modprobe.d",
};

static void strv_freep(char ***p) {
	if (!*p)
		return;
	for (char **s = *p; *s; s++)
		free(*s);
	free(*p);
}

void kmod_paths_done(struct kmod_paths *p) {
	p->dirname = mfree(p->dirname);
	strv_freep(&p->config);
	p->config = NULL;
	p->have_modules = false;
}

/* The only subdirectory of dir, if there is exactly one. */
static char *only_subdir(const char *dir) {
	_cleanup_closedir_ DIR *d = opendir(dir);
	char *found = NULL;
	if (!d)
		return NULL;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *p = NULL;
		struct stat st;
		if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
			break;
		if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (found) {
			free(found);
			return NULL;
		}
		found = TAKE_PTR(p);
	}
	return found;
}

int kmod_paths_for_root(const char *root, struct kmod_paths *ret) {
	struct kmod_paths p = {0};
	struct utsname u;
	size_t n = 0;
	bool real = !root || streq(root, "/");

	p.config = calloc(ELEMENTSOF(system_config_dirs) + 1, sizeof(char *));
	if (!p.config)
		return -ENOMEM;
	for (size_t i = 0; i < ELEMENTSOF(system_config_dirs); i++) {
		if (!real && !is_dir_at(root, system_config_dirs[i]))
			continue;
		p.config[n] =
		    real ? strdup(system_config_dirs[i]) : root_path(root, system_config_dirs[i]);
		if (!p.config[n]) {
			kmod_paths_done(&p);
			return -ENOMEM;
		}
		n++;
	}

	(void)uname(&u);
	if (real) {
		_cleanup_free_ char *d = NULL;
		if (asprintf(&d, "/lib/modules/%s", u.release) < 0) {
			kmod_paths_done(&p);
			return -ENOMEM;
		}
		p.have_modules = is_dir_at("/", d);
		*ret = p;
		return 0;
	}

	static const char *const bases[] = {"/lib/modules", "/usr/lib/modules"};
	for (size_t i = 0; i < ELEMENTSOF(bases) && !p.dirname; i++) {
		_cleanup_free_ char *base = root_path(root, bases[i]);
		_cleanup_free_ char *d = NULL;
		if (!base || asprintf(&d, "%s/%s", base, u.release) < 0) {
			kmod_paths_done(&p);
			return -ENOMEM;
		}
		if (is_dir_at("/", d))
			p.dirname = TAKE_PTR(d);
		else
			p.dirname = only_subdir(base);
	}
	if (p.dirname)
		p.have_modules = true;
	else if (asprintf(&p.dirname, "%s/lib/modules/%s", root, u.release) < 0) {
		/* a directory that does not exist: lookups find nothing, never the host's */
		p.dirname = NULL;
		kmod_paths_done(&p);
		return -ENOMEM;
	}
	*ret = p;
	return 0;
}

static void silent_log(void *data, int priority, const char *file, int line, const char *fn,
                       const char *format, va_list args) {
}

int kmod_ctx_new_for_paths(const struct kmod_paths *p, struct kmod_ctx **ret) {
	int r = kmod_dl_ref();
	if (r < 0)
		return r;
	struct kmod_ctx *ctx = sym_kmod_new(p->dirname, (const char *const *)p->config);
	if (!ctx) {
		kmod_dl_unref();
		return -ENOMEM;
	}
	sym_kmod_set_log_fn(ctx, silent_log, NULL);
	*ret = ctx;
	return 0;
}

void kmod_ctx_free(struct kmod_ctx *ctx) {
	if (!ctx)
		return;
	sym_kmod_unref(ctx);
	kmod_dl_unref();
}

bool kmod_names_equal(const char *a, const char *b) {
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
		if (x != y)
			return false;
	}
	return *a == *b;
}

struct conf_file {
	char *name; /* basename */
	char *path;
};

static int conf_file_cmp(const void *a, const void *b) {
	return strcmp(((const struct conf_file *)a)->name, ((const struct conf_file *)b)->name);
}

static bool conf_has(const struct conf_file *files, size_t n, const char *name) {
	for (size_t i = 0; i < n; i++)
		if (streq(files[i].name, name))
			return true;
	return false;
}

/* Does text hold a line "keyword module ..."? */
static bool text_has_line(const char *text, const char *keyword, const char *module) {
	for (const char *l = text; l && *l;) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) : strlen(l);
		char line[512];
		if (len >= sizeof line)
			len = sizeof line - 1;
		memcpy(line, l, len);
		line[len] = 0;
		l = end ? end + 1 : NULL;

		char *save = NULL;
		const char *k = strtok_r(line, " \t\r", &save);
		if (!k || k[0] == '#' || !streq(k, keyword))
			continue;
		const char *mod = strtok_r(NULL, " \t\r", &save);
		if (mod && kmod_names_equal(mod, module))
			return true;
	}
	return false;
}

int kmod_config_find(char *const *config, const char *keyword, const char *module,
                     char **ret_file) {
	struct conf_file *files = NULL;
	size_t n = 0, alloc = 0;
	int r = -ENOENT;

	for (size_t i = 0; config && config[i]; i++) {
		struct stat st;
		if (stat(config[i], &st) < 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			const char *base = strrchr(config[i], '/');
			base = base ? base + 1 : config[i];
			if (conf_has(files, n, base) || GREEDY_REALLOC(files, alloc, n + 1) < 0)
				continue;
			files[n].name = strdup(base);
			files[n].path = strdup(config[i]);
			if (!files[n].name || !files[n].path) {
				r = -ENOMEM;
				free(files[n].name);
				free(files[n].path);
				goto out;
			}
			n++;
			continue;
		}
		_cleanup_closedir_ DIR *d = opendir(config[i]);
		if (!d)
			continue;
		for (struct dirent *de; (de = readdir(d));) {
			size_t l = strlen(de->d_name);
			if (de->d_name[0] == '.' || l < 6 || !streq(de->d_name + l - 5, ".conf"))
				continue;
			if (conf_has(files, n, de->d_name))
				continue;
			if (GREEDY_REALLOC(files, alloc, n + 1) < 0) {
				r = -ENOMEM;
				goto out;
			}
			files[n].name = strdup(de->d_name);
			files[n].path = NULL;
			if (!files[n].name ||
			    asprintf(&files[n].path, "%s/%s", config[i], de->d_name) < 0) {
				free(files[n].name);
				r = -ENOMEM;
				goto out;
			}
			n++;
		}
	}
	if (n > 0)
		qsort(files, n, sizeof(files[0]), conf_file_cmp);

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *text = NULL;
		if (read_full_file_at("/", files[i].path, 1 << 20, &text, NULL) < 0)
			continue;
		if (text_has_line(text, keyword, module)) {
			*ret_file = TAKE_PTR(files[i].path);
			r = 0;
			break;
		}
	}
out:
	for (size_t i = 0; i < n; i++) {
		free(files[i].name);
		free(files[i].path);
	}
	free(files);
	return r;
}

bool kmod_install_command_blocks(const char *cmd) {
	static const char *const refusers[] = {"/bin/false", "/usr/bin/false", "false",
	                                       "/bin/true",  "/usr/bin/true",  "true"};
	char word[64];
	size_t l;

	while (*cmd && isspace((unsigned char)*cmd))
		cmd++;
	l = strcspn(cmd, " \t;");
	if (l == 0 || l >= sizeof word)
		return false;
	memcpy(word, cmd, l);
	word[l] = 0;
	for (size_t i = 0; i < ELEMENTSOF(refusers); i++)
		if (streq(word, refusers[i]))
			return true;
	return false;
}

static int module_has_tdx_param(struct kmod_module *mod) {
	_cleanup_kmod_info_list_ struct kmod_list *info = NULL;
	struct kmod_list *l;
	int r = sym_kmod_module_get_info(mod, &info);
	if (r < 0)
		return -1;
	sym_kmod_list_foreach(l, info) {
		const char *k = sym_kmod_module_info_get_key(l),
		           *v = sym_kmod_module_info_get_value(l);
		if (k && v && (streq(k, "parm") || streq(k, "parmtype")) && startswith(v, "tdx:"))
			return 1;
	}
	return 0;
}

/* libkmod's own blacklist test (module_is_blacklisted) is not public; its config is. */
static bool config_blacklists(struct kmod_ctx *ctx, const char *name) {
	struct kmod_config_iter *it = sym_kmod_config_get_blacklists(ctx);
	bool found = false;
	while (it && !found && sym_kmod_config_iter_next(it))
		found = kmod_names_equal(sym_kmod_config_iter_get_key(it), name);
	sym_kmod_config_iter_free_iter(it);
	return found;
}

int kmod_module_facts_lookup(struct kmod_ctx *ctx, char *const *config, const char *name,
                             struct kmod_module_facts *ret) {
	_cleanup_kmod_list_ struct kmod_list *list = NULL;
	struct kmod_module_facts f = {.has_tdx_param = -1};
	const char *s;
	int r;

	_cleanup_kmod_module_ struct kmod_module *mod = NULL;
	r = sym_kmod_module_new_from_lookup(ctx, name, &list);
	if (r == -ENOMEM)
		return r;
	if (r >= 0 && list) {
		mod = sym_kmod_module_get_module(list);
		f.found = true;
		f.has_tdx_param = module_has_tdx_param(mod);
	} else {
		/* Not installed (or no index): the operator's blacklist, install and options
		 * lines still name it, and they are what the decision needs. */
		r = sym_kmod_module_new_from_name(ctx, name, &mod);
		if (r < 0)
			return r == -ENOMEM ? r : 0;
	}
	snprintf(f.name, sizeof f.name, "%s", sym_kmod_module_get_name(mod));
	s = sym_kmod_module_get_options(mod);
	snprintf(f.options, sizeof f.options, "%s", strempty(s));

	s = sym_kmod_module_get_install_commands(mod);
	if (s && kmod_install_command_blocks(s)) {
		f.install_blocks = true;
		snprintf(f.install_cmd, sizeof f.install_cmd, "%s", s);
	}

	f.blacklisted = config_blacklists(ctx, f.name);

	if (f.blacklisted || f.install_blocks) {
		_cleanup_free_ char *file = NULL;
		r = kmod_config_find(config, f.blacklisted ? "blacklist" : "install", f.name,
		                     &file);
		if (r == -ENOMEM)
			return r;
		if (r >= 0)
			snprintf(f.policy_file, sizeof f.policy_file, "%s", file);
	}
	*ret = f;
	return 0;
}

int kmod_module_facts_for_root(const char *root, const char *name, struct kmod_module_facts *ret) {
	_cleanup_(kmod_paths_done) struct kmod_paths p = {0};
	_cleanup_kmod_ctx_ struct kmod_ctx *ctx = NULL;
	bool test_root = root && !streq(root, "/");
	struct kmod_module_facts f = {0};
	int r;

	r = kmod_paths_for_root(root, &p);
	if (r < 0)
		return r;
	if (test_root && !p.have_modules && !p.config[0])
		return 0;
	r = kmod_ctx_new_for_paths(&p, &ctx);
	if (r < 0)
		return r;
	r = kmod_module_facts_lookup(ctx, p.config, name, &f);
	if (r < 0)
		return r;
	if (!f.found && !p.have_modules) {
		f.found = true;
		f.has_tdx_param = -1;
	}
	const char *shown = test_root ? startswith(f.policy_file, root) : NULL;
	if (shown && *shown == '/')
		memmove(f.policy_file, shown, strlen(shown) + 1);
	*ret = f;
	return 1;
}
