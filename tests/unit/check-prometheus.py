#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Prometheus textfile of the fixture hosts, read by a real parser of the exposition
format (prometheus_client, python3-prometheus-client): every file parses, every family has
its HELP and TYPE, tdxd_state has exactly one state at 1, tdxd_check one sample per check,
and values the fixture does not give are absent rather than 0.

    check-prometheus.py TEST_PROMETHEUS_BINARY
Exit 77 (skipped, loudly) without prometheus_client."""
import os
import subprocess
import sys
import tempfile

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("######## SKIP: python3-prometheus-client is not installed "
          "(tools/install-deps.sh): the textfile is NOT parsed ########", file=sys.stderr)
    sys.exit(77)

N_CHECKS = 18  # enum check_id
failed = False


def fail(msg):
    global failed
    failed = True
    print("FAIL: " + msg, file=sys.stderr)


with tempfile.TemporaryDirectory() as d:
    subprocess.run([sys.argv[1], "--dump", d], check=True)
    files = sorted(f for f in os.listdir(d) if f.endswith(".prom"))
    if len(files) < 8:
        fail(f"expected 8 fixture files, got {files}")
    for name in files:
        text = open(os.path.join(d, name)).read()
        try:
            families = {f.name: f for f in text_string_to_metric_families(text)}
        except Exception as e:  # the parser's own complaint, with the file
            fail(f"{name}: does not parse: {e!r}\n{text}")
            continue
        for fam in families.values():
            if not fam.documentation:
                fail(f"{name}: {fam.name} has no HELP")
            if fam.type == "unknown":
                fail(f"{name}: {fam.name} has no TYPE")
        # prometheus_client names a counter family without its _total suffix.
        for want, typ in [("tdxd_ready", "gauge"), ("tdxd_state", "gauge"),
                          ("tdxd_check", "gauge"),
                          ("tdxd_cpu_offline_blocked", "counter"),
                          ("tdxd_memory_refused", "counter")]:
            if want not in families:
                fail(f"{name}: no {want}")
            elif families[want].type != typ:
                fail(f"{name}: {want} is a {families[want].type}, want {typ}")
        if failed:
            continue
        states = families["tdxd_state"].samples
        ones = [s.labels["state"] for s in states if s.value == 1]
        if len(ones) != 1 or len(states) != 6:
            fail(f"{name}: tdxd_state: {len(states)} states, {ones} at 1")
        checks = families["tdxd_check"].samples
        if len(checks) != N_CHECKS or len({s.labels["id"] for s in checks}) != N_CHECKS:
            fail(f"{name}: tdxd_check has {len(checks)} samples, want one for each of {N_CHECKS}")
        if any(s.labels["result"] not in ("pass", "warn", "fail", "skip") for s in checks):
            fail(f"{name}: tdxd_check with an unknown result")
        ready = families["tdxd_ready"].samples[0].value
        if (ready == 1) != (ones == ["ready"]):  # Ready: State is ready, nothing less
            fail(f"{name}: tdxd_ready {ready} with state {ones}")
        # Unknown is absent, never 0: a host without TDX has no KeyID count at all.
        for fam in ("tdxd_keyids_total", "tdxd_max_vcpus_per_td",
                    "tdxd_convertible_memory_bytes"):
            if fam in families and families[fam].samples[0].value == 0:
                fail(f"{name}: {fam} written as 0")
        if "tdxd_keyids_free" in families and not (
                "tdxd_keyids_total" in families and "tdxd_keyids_used" in families):
            fail(f"{name}: tdxd_keyids_free without both total and used")
        if name.startswith("amd-host") or name.startswith("td-guest"):
            for fam in ("tdxd_keyids_total", "tdxd_keyids_used", "tdxd_keyids_free",
                        "tdxd_max_vcpus_per_td", "tdxd_module_info"):
                if fam in families:
                    fail(f"{name}: {fam} present on a host without TDX")
        # v7.2 publishes the module version in sysfs (v6.16 has no source for it).
        if name.startswith("gnr-2s-v7.2-ready") and "tdxd_module_info" not in families:
            fail(f"{name}: a v7.2 host without tdxd_module_info")
        if "tdxd_attestation_ready" in families:
            fail(f"{name}: tdxd_attestation_ready written while unknown")
        print(f"ok: {name}: {len(families)} families parse")

sys.exit(1 if failed else 0)
