// The official JSON Schema Test Suite (tests/jsonschema_suite/draft2020-12), run against the
// validators the generator writes for every schema whose keywords it supports.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { load, readJson } from "./build.mjs";

const SUITE = join(dirname(fileURLToPath(import.meta.url)), "..", "jsonschema_suite", "draft2020-12");
const { checks } = await load("suite", "dist", "suite.js");
const manifest = readJson("suite", "manifest.json");

// Where wiretype's formats (docs/formats.md) deliberately differ from the suite's reading of
// the RFCs: these cases are decided by the shared patterns of registry/render/formats.py.
const FORMAT_DIFFERENCES = new Set([
  "format/date-time.json: an invalid date-time with leap second on a wrong minute, UTC",
  "format/date-time.json: an invalid date-time with leap second on a wrong hour, UTC",
  "format/email.json: a quoted string with a space in the local part is valid",
  "format/email.json: a quoted string with a double dot in the local part is valid",
  "format/email.json: a quoted string with a @ in the local part is valid",
  "format/email.json: an IPv4-address-literal after the @ is valid",
  "format/email.json: an IPv6-address-literal after the @ is valid",
  "format/email.json: dot before local part is not valid",
  "format/email.json: dot after local part is not valid",
  "format/email.json: two subsequent dots inside local part are not valid",
  "format/time.json: invalid leap second, Zulu (wrong hour)",
  "format/time.json: invalid leap second, Zulu (wrong minute)",
  "format/time.json: invalid leap second, zero time-offset (wrong hour)",
  "format/time.json: invalid leap second, zero time-offset (wrong minute)",
  "format/time.json: invalid leap second, positive time-offset (wrong hour)",
  "format/time.json: invalid leap second, positive time-offset (wrong minute)",
  "format/time.json: invalid leap second, negative time-offset (wrong hour)",
  "format/time.json: invalid leap second, negative time-offset (wrong minute)",
  "format/time.json: an invalid time string with invalid leap second (wrong hour)",
  "format/time.json: an invalid time string with invalid leap second (wrong minute)",
  "format/uri.json: invalid userinfo",
  "format/uri.json: unescaped non US-ASCII characters",
  "format/uri.json: invalid percent-encoding with non-hex digits",
  "format/uri.json: incomplete percent-encoding triplet",
  "format/uri.json: lone percent sign is invalid",
  "format/uri.json: non-numeric port is invalid",
  "format/uri.json: leading zero in an embedded IPv4 address is invalid",
  "format/uri.json: square brackets are not allowed in a path segment",
]);

for (const [file, index, n] of manifest) {
  const group = JSON.parse(readFileSync(join(SUITE, file), "utf8"))[index];
  test(`${file}: ${group.description}`, () => {
    for (const t of group.tests) {
      const key = `${file}: ${t.description}`;
      if (FORMAT_DIFFERENCES.has(key)) continue;
      assert.equal(checks[n](t.data), t.valid, key);
    }
  });
}

test("most of the suite is compiled", () => {
  assert.ok(manifest.length >= 200, `${manifest.length} groups`);
});
