"""Audit the installed dependencies with pip-audit; fail on high-severity findings only.

pip-audit asks PyPI which installed versions have known vulnerabilities, but PyPI gives no
severity. Each finding's severity is looked up in its OSV record (GitHub advisories carry
LOW / MODERATE / HIGH / CRITICAL). A finding counts as high when OSV says HIGH or CRITICAL, or
when its severity cannot be found (fail closed), unless its id is listed, with a reason, in
scripts/audit-allow.txt after a person reviewed it. Every finding is printed either way.

When PyPI cannot be asked at all (an offline machine, a mirror without the JSON API), the
audit prints that it could not run and passes, unless ACTIVELABEL_AUDIT_REQUIRED=1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ALLOW_FILE = Path(__file__).with_name("audit-allow.txt")
HIGH = {"HIGH", "CRITICAL"}


def allowed_ids() -> dict[str, str]:
    """`ID  reason` per line; # starts a comment."""
    out: dict[str, str] = {}
    if ALLOW_FILE.exists():
        for line in ALLOW_FILE.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                vid, _, reason = line.partition(" ")
                out[vid] = reason.strip()
    return out


def osv_severity(ids: list[str], timeout: float) -> str | None:
    """The GitHub-advisory severity of the first of ``ids`` that OSV knows, or None."""
    for vid in ids:
        try:
            with urllib.request.urlopen(f"https://api.osv.dev/v1/vulns/{vid}", timeout=timeout) as resp:  # noqa: S310
                record = json.load(resp)
        except (OSError, ValueError):
            continue
        sev = (record.get("database_specific") or {}).get("severity")
        if isinstance(sev, str) and sev:
            return sev.upper()
    return None


def run_pip_audit() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        cmd = [sys.executable, "-m", "pip_audit", "--local", "--skip-editable", "--progress-spinner", "off",
               "--format", "json", "--output", str(out), "--timeout", "20"]
        proc = subprocess.run(cmd, capture_output=True, text=True)  # noqa: S603
        if not out.exists():
            raise RuntimeError(f"pip-audit failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
        return json.loads(out.read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--osv-timeout", type=float, default=8.0, help="seconds per OSV severity look-up")
    args = parser.parse_args()
    required = os.environ.get("ACTIVELABEL_AUDIT_REQUIRED") == "1"
    try:
        report = run_pip_audit()
    except RuntimeError as exc:
        print(f"audit: could not run: {exc}", file=sys.stderr)
        return 1 if required else 0
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    skipped = [d for d in deps if "skip_reason" in d and "editable" not in d["skip_reason"]]
    if not audited:
        print(f"audit: could not ask PyPI about any of {len(deps)} packages "
              f"(first reason: {skipped[0]['skip_reason'] if skipped else 'none'}); nothing audited", file=sys.stderr)
        return 1 if required else 0
    allow = allowed_ids()
    failing = 0
    findings = [(d, v) for d in audited for v in d.get("vulns", [])]
    for dep, vuln in findings:
        ids = [vuln["id"], *vuln.get("aliases", [])]
        severity = osv_severity([i for i in ids if i.startswith("GHSA-")] + ids, args.osv_timeout)
        reviewed = next((allow[i] for i in ids if i in allow), None)
        high = severity is None or severity in HIGH
        verdict = "allowed: " + reviewed if reviewed is not None else ("FAIL" if high else "reported")
        print(f"audit: {dep['name']} {dep['version']}: {vuln['id']} severity={severity or 'unknown'} "
              f"fixed in {', '.join(vuln.get('fix_versions', [])) or '-'} -> {verdict}")
        if high and reviewed is None:
            failing += 1
    print(f"audit: {len(audited)} packages audited, {len(skipped)} not found on the index, "
          f"{len(findings)} findings, {failing} high-severity and not reviewed")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
