"""``sensitive: true`` on a field: an annotation that the generated packages describe.

It never changes compatibility or the published fingerprint (it is not in the JSON
Schema), and both packages list its JSON Pointer in ``PROTOCOL`` for the runtime to redact.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run, write_tree

SETTINGS = 'python: {package: acct_pkg, out: gen/py}\ntypescript: {package: "acct", out: gen/ts}\n'
PLAIN = """\
versions:
  1:
    fields:
      user: string
      password: string
      profile: {fields: {email: email, phone: {type: string, required: false}}}
"""
MARKED = """\
versions:
  1:
    fields:
      user: string
      password: {type: string, sensitive: true}
      profile: {fields: {email: email, phone: {type: string, required: false, sensitive: true}}}
"""


def test_marking_a_field_sensitive_is_no_change_to_a_published_version(tmp_path: Path) -> None:
    write_tree(tmp_path, {"wiretype.yaml": SETTINGS, "schemas/acct/login.yaml": PLAIN})
    assert run("lock", "--root", str(tmp_path)).exit_code == 0
    exported = run("show", "acct.login@1", "--root", str(tmp_path), "--format", "jsonschema")
    write_tree(tmp_path, {"schemas/acct/login.yaml": MARKED})
    assert run("lint", "--root", str(tmp_path)).exit_code == 0
    result = run("check", "--root", str(tmp_path))
    assert result.exit_code == 0, result.stdout + result.stderr
    again = run("show", "acct.login@1", "--root", str(tmp_path), "--format", "jsonschema")
    assert again.stdout == exported.stdout


def test_both_packages_describe_the_sensitive_fields(tmp_path: Path) -> None:
    write_tree(tmp_path, {"wiretype.yaml": SETTINGS, "schemas/acct/login.yaml": MARKED})
    assert run("generate", "--root", str(tmp_path)).exit_code == 0
    codec_py = (tmp_path / "gen/py/acct_pkg/codec.py").read_text()
    codec_ts = (tmp_path / "gen/ts/acct/src/codec.ts").read_text()
    assert "'sensitive': ['/password', '/profile/phone']" in codec_py
    line = next(x for x in codec_ts.splitlines() if '"acct.login":' in x)
    described = json.loads(line.split(": ", 1)[1].rstrip(","))
    assert described == {
        "versions": [1],
        "latest": 1,
        "direction": "both",
        "sensitive": ["/password", "/profile/phone"],
    }
