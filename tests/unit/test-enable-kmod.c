/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The enable sequence's I/O helpers: /dev/kvm (faked), and libkmod lookups against a module
 * tree made by the test (fake .ko objects indexed by depmod; skipped without depmod). */
#include "check-run.h"
#include "enable-test.h"

/* ---- /dev/kvm ---- */

struct fake_kvm {
	uint64_t vm_types;
	int create_vm_result;
	int max_vcpus;
	int open_result;
	int open_fds;
	int calls_create;
	int calls_on_vm_fd;
};

static int fake_open(void *u) {
	struct fake_kvm *f = u;
	if (f->open_result >= 0)
		f->open_fds++;
	return f->open_result;
}

static int fake_ioctl(void *u, int fd, unsigned long req, unsigned long arg) {
	struct fake_kvm *f = u;
	if (fd == 10 && req == TDXD_KVM_CHECK_EXTENSION && arg == TDXD_KVM_CAP_VM_TYPES)
		return (int)f->vm_types;
	if (fd == 10 && req == TDXD_KVM_CREATE_VM && arg == TDXD_KVM_X86_TDX_VM) {
		f->calls_create++;
		if (f->create_vm_result >= 0)
			f->open_fds++;
		return f->create_vm_result;
	}
	if (fd == 11 && req == TDXD_KVM_CHECK_EXTENSION && arg == TDXD_KVM_CAP_MAX_VCPUS) {
		f->calls_on_vm_fd++;
		return f->max_vcpus;
	}
	return -EINVAL;
}

static void fake_close(void *u, int fd) {
	struct fake_kvm *f = u;
	ck_assert(fd == 10 || fd == 11);
	f->open_fds--;
}

START_TEST(test_kvm_dev) {
	struct fake_kvm f = {
	    .vm_types = 0x23, .create_vm_result = 11, .max_vcpus = 96, .open_result = 10};
	struct kvm_dev_ops ops = {fake_open, fake_ioctl, fake_close, &f};
	struct kvm_dev_answers a;

	ck_assert_int_eq(kvm_dev_ask(&ops, &a), 0);
	ck_assert(a.asked);
	ck_assert(a.tdx_vm_type);
	ck_assert_uint_eq(a.vm_types, 0x23);
	ck_assert_uint_eq(a.td_max_vcpus, 96);
	ck_assert_int_eq(a.create_vm_error, 0);
	ck_assert_int_eq(f.open_fds, 0); /* both fds closed */

	/* no TDX VM type: no throw-away VM */
	f = (struct fake_kvm){.vm_types = 0x3, .create_vm_result = 11, .open_result = 10};
	ck_assert_int_eq(kvm_dev_ask(&ops, &a), 0);
	ck_assert(!a.tdx_vm_type);
	ck_assert_int_eq(f.calls_create, 0);
	ck_assert_uint_eq(a.td_max_vcpus, 0);

	/* the VM cannot be created: the answer stays, the limit is unknown */
	f = (struct fake_kvm){.vm_types = 0x20, .create_vm_result = -ENOMEM, .open_result = 10};
	ck_assert_int_eq(kvm_dev_ask(&ops, &a), 0);
	ck_assert(a.tdx_vm_type);
	ck_assert_int_eq(a.create_vm_error, -ENOMEM);
	ck_assert_uint_eq(a.td_max_vcpus, 0);
	ck_assert_int_eq(f.calls_on_vm_fd, 0);
	ck_assert_int_eq(f.open_fds, 0);

	/* no /dev/kvm: an error, answers untouched */
	f = (struct fake_kvm){.open_result = -ENOENT};
	memset(&a, 0x77, sizeof a);
	ck_assert_int_eq(kvm_dev_ask(&ops, &a), -ENOENT);
	ck_assert_uint_eq(a.td_max_vcpus, 0x77777777);
}
END_TEST

/* ---- libkmod against a module directory made by the test ---- */

static char tmpdir[64];

static void write_file(const char *dir, const char *name, const char *text) {
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void copy_file(const char *from, const char *to) {
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
	ck_assert_int_eq(system(cmd), 0);
}

static bool make_module_tree(void) {
	char d[256], cmd[2048];
	snprintf(tmpdir, sizeof tmpdir, "/tmp/tdxd-kmod.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(d, sizeof d, "%s/lib/modules/9.9.9-test/kernel/arch/x86/kvm", tmpdir);
	snprintf(cmd, sizeof cmd, "mkdir -p '%s' '%s/etc/modprobe.d' '%s/lib/modprobe.d'", d,
	         tmpdir, tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s/kvm-intel.ko", d);
	copy_file(FAKE_KVM_INTEL_KO, cmd);
	snprintf(cmd, sizeof cmd, "%s/kvm.ko", d);
	copy_file(FAKE_KVM_KO, cmd);
	if (!DEPMOD[0])
		return false;
	snprintf(cmd, sizeof cmd, "'%s' -b '%s' 9.9.9-test 2>/dev/null", DEPMOD, tmpdir);
	return system(cmd) == 0;
}

static void remove_tree(void) {
	char cmd[300];
	if (!tmpdir[0])
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	(void)system(cmd);
	tmpdir[0] = 0;
}

START_TEST(test_kmod_paths_for_root) {
	struct kmod_paths p = {0};
	char want[512];

	make_module_tree();
	ck_assert_int_eq(kmod_paths_for_root(tmpdir, &p), 0);
	ck_assert(p.have_modules);
	/* the only version directory in the tree (not the running kernel's) */
	snprintf(want, sizeof want, "%s/lib/modules/9.9.9-test", tmpdir);
	ck_assert_str_eq(p.dirname, want);
	/* only the modprobe.d directories that exist in the tree, in libkmod's order */
	snprintf(want, sizeof want, "%s/etc/modprobe.d", tmpdir);
	ck_assert_str_eq(p.config[0], want);
	snprintf(want, sizeof want, "%s/lib/modprobe.d", tmpdir);
	ck_assert_str_eq(p.config[1], want);
	ck_assert_ptr_null(p.config[2]);
	kmod_paths_done(&p);

	/* a tree without modules: a directory that does not exist, never the host's */
	ck_assert_int_eq(kmod_paths_for_root("/nonexistent-tdxd-root", &p), 0);
	ck_assert(!p.have_modules);
	ck_assert(startswith(p.dirname, "/nonexistent-tdxd-root/"));
	ck_assert_ptr_null(p.config[0]);
	kmod_paths_done(&p);
	remove_tree();
}
END_TEST

/* Is libkmod mapped into this process? */
static bool libkmod_mapped(void) {
	_cleanup_fclose_ FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	bool found = false;
	ck_assert_ptr_nonnull(f);
	while (!found && fgets(line, sizeof line, f))
		found = strstr(line, "/libkmod.so") != NULL;
	return found;
}

/* libkmod is loaded while a context lives and unloaded with the last one (kmod-dl.h). */
START_TEST(test_kmod_loaded_while_used) {
	struct kmod_paths p = {0};
	struct kmod_ctx *a = NULL, *b = NULL;
	ck_assert(!libkmod_mapped());
	ck_assert_int_eq(kmod_paths_for_root("/nonexistent-tdxd-root", &p), 0);
	ck_assert_int_eq(kmod_ctx_new_for_paths(&p, &a), 0);
	ck_assert(libkmod_mapped());
	ck_assert_int_eq(kmod_ctx_new_for_paths(&p, &b), 0);
	kmod_ctx_free(a);
	ck_assert(libkmod_mapped()); /* b still uses it */
	kmod_ctx_free(b);
	ck_assert(!libkmod_mapped());
	kmod_paths_done(&p);
}
END_TEST

static struct kmod_module_facts lookup(const char *name) {
	struct kmod_paths p = {0};
	struct kmod_ctx *ctx = NULL;
	struct kmod_module_facts f;
	ck_assert_int_eq(kmod_paths_for_root(tmpdir, &p), 0);
	ck_assert_int_eq(kmod_ctx_new_for_paths(&p, &ctx), 0);
	memset(&f, 0x55, sizeof f);
	ck_assert_int_eq(kmod_module_facts_lookup(ctx, p.config, name, &f), 0);
	kmod_ctx_free(ctx);
	kmod_paths_done(&p);
	return f;
}

START_TEST(test_kmod_lookup) {
	char want[512];
	if (!make_module_tree()) {
		remove_tree();
		return; /* no depmod: nothing to index with */
	}
	struct kmod_module_facts f = lookup("kvm_intel");
	ck_assert(f.found);
	ck_assert_str_eq(f.name, "kvm_intel");
	ck_assert_int_eq(f.has_tdx_param, 1);
	ck_assert(!f.blacklisted && !f.install_blocks);
	ck_assert_str_eq(f.options, "");

	/* a dash is an underscore; a CPU modalias resolves through modules.alias */
	ck_assert_str_eq(lookup("kvm-intel").name, "kvm_intel");
	f = lookup("cpu:type:x86,ven0000fam0006mod008F:feature:,0085,");
	ck_assert(f.found);
	ck_assert_str_eq(f.name, "kvm_intel");

	/* kvm has no tdx parameter */
	f = lookup("kvm");
	ck_assert(f.found);
	ck_assert_int_eq(f.has_tdx_param, 0);

	ck_assert(!lookup("no_such_module").found);

	/* modprobe.d: an alias, options (libkmod merges them) */
	snprintf(want, sizeof want, "%s/etc/modprobe.d", tmpdir);
	write_file(want, "kvm.conf",
	           "# test\nalias tdx-kvm kvm_intel\noptions kvm_intel nested=0\n"
	           "options kvm-intel tdx=1\n");
	ck_assert_str_eq(lookup("tdx-kvm").name, "kvm_intel");
	f = lookup("kvm_intel");
	ck_assert_has(f.options, "nested=0");
	ck_assert_has(f.options, "tdx=1");

	/* blacklist in a vendor file; the file is found and named */
	snprintf(want, sizeof want, "%s/lib/modprobe.d", tmpdir);
	write_file(want, "20-no-kvm.conf", "blacklist kvm-intel\n");
	f = lookup("kvm_intel");
	ck_assert(f.blacklisted);
	snprintf(want, sizeof want, "%s/lib/modprobe.d/20-no-kvm.conf", tmpdir);
	ck_assert_str_eq(f.policy_file, want);

	/* the same name in /etc masks the vendor file (libkmod's rule) */
	snprintf(want, sizeof want, "%s/etc/modprobe.d", tmpdir);
	write_file(want, "20-no-kvm.conf", "# allowed again\n");
	ck_assert(!lookup("kvm_intel").blacklisted);

	/* install ... /bin/false */
	write_file(want, "99-off.conf", "install kvm_intel /bin/false\n");
	f = lookup("kvm_intel");
	ck_assert(f.install_blocks);
	ck_assert_str_eq(f.install_cmd, "/bin/false");
	snprintf(want, sizeof want, "%s/etc/modprobe.d/99-off.conf", tmpdir);
	ck_assert_str_eq(f.policy_file, want);

	/* a module not installed is still blocked by name */
	snprintf(want, sizeof want, "%s/etc/modprobe.d", tmpdir);
	write_file(want, "98-other.conf", "blacklist not_installed\n");
	f = lookup("not_installed");
	ck_assert(!f.found);
	ck_assert(f.blacklisted);
	remove_tree();
}
END_TEST

START_TEST(test_kmod_config_find) {
	char a[512], b[512];
	char *file = NULL;

	make_module_tree();
	snprintf(a, sizeof a, "%s/etc/modprobe.d", tmpdir);
	snprintf(b, sizeof b, "%s/lib/modprobe.d", tmpdir);
	char *config[] = {a, b, NULL};

	write_file(b, "b.conf", "blacklist kvm_intel\n");
	write_file(b, "a.conf", "  # blacklist kvm_intel\nblacklist kvm_amd\n");
	write_file(a, "c.conf", "blacklist\tkvm-intel  # second\n");
	write_file(a, "notes.txt", "blacklist kvm_intel\n"); /* not a .conf file */
	ck_assert_int_eq(kmod_config_find(config, "blacklist", "kvm_intel", &file), 0);
	/* sorted by name across directories: b.conf comes before c.conf */
	ck_assert_has(file, "/lib/modprobe.d/b.conf");
	free(file);
	file = NULL;
	ck_assert_int_eq(kmod_config_find(config, "install", "kvm_intel", &file), -ENOENT);
	ck_assert_ptr_null(file);
	remove_tree();

	ck_assert(kmod_install_command_blocks("/bin/false"));
	ck_assert(kmod_install_command_blocks("  /usr/bin/false --reason"));
	ck_assert(kmod_install_command_blocks("/bin/true"));
	ck_assert(kmod_install_command_blocks("false"));
	ck_assert(!kmod_install_command_blocks("/sbin/modprobe --ignore-install kvm_intel"));
	ck_assert(!kmod_install_command_blocks("/bin/falsetto"));
	ck_assert(!kmod_install_command_blocks(""));

	ck_assert(kmod_names_equal("kvm-intel", "kvm_intel"));
	ck_assert(!kmod_names_equal("kvm_intel", "kvm_intel2"));
}
END_TEST

static Suite *suite(void) {
	Suite *s = suite_create("enable-kmod");
	TCase *tc = tcase_create("plan");
	tcase_add_checked_fixture(tc, NULL, teardown_case);
	suite_add_tcase(s, tc);

	tc = tcase_create("explain");
	suite_add_tcase(s, tc);

	tc = tcase_create("kvm-dev");
	tcase_add_test(tc, test_kvm_dev);
	suite_add_tcase(s, tc);

	tc = tcase_create("libkmod");
	tcase_add_checked_fixture(tc, NULL, remove_tree);
	tcase_add_test(tc, test_kmod_paths_for_root);
	tcase_add_test(tc, test_kmod_loaded_while_used);
	tcase_add_test(tc, test_kmod_lookup);
	tcase_add_test(tc, test_kmod_config_find);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) {
	return run_suite(suite());
}
