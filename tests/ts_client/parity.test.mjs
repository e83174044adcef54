// Message Processing, the parity scripts: each script of tests/ts_client/parity/ run through
// the TypeScript core must write the frames and tell the events its `expect` says. The same
// scripts run through the Python core in tests/test_client_parity.py, which also checks that
// both cores give identical transcripts.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { REPO } from "./helpers.mjs";
import { matches, runScript } from "./parity.mjs";

const FOLDER = join(REPO, "tests/ts_client/parity");
const SCRIPTS = readdirSync(FOLDER).filter((n) => n.endsWith(".json")).sort();

describe("Message Processing: scripted server behaviour (parity with the Python client)", () => {
  test("there are scripts", () => assert.ok(SCRIPTS.length >= 15));
  for (const name of SCRIPTS) {
    const script = JSON.parse(readFileSync(join(FOLDER, name), "utf8"));
    test(`${name.replace(/\.json$/, "")}: ${script.description}`, () => {
      const transcript = runScript(script);
      assert.equal(transcript.length, script.steps.length);
      script.steps.forEach((step, i) => {
        for (const key of ["frames", "events"]) assert.ok(key in step.expect, `step ${i} expects no ${key}`);
        for (const [key, expected] of Object.entries(step.expect)) {
          assert.ok(matches(expected, transcript[i][key]), `step ${i} (${step.do ?? "server"}) ${key}:\nexpected ${JSON.stringify(expected)}\n     got ${JSON.stringify(transcript[i][key])}`);
        }
      });
    });
  }
});
