// Where the pytest wrapper (tests/test_render_typescript.py) built the compiled packages.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const BUILD = process.env.WIRETYPE_TS_BUILD;
if (!BUILD) {
  throw new Error("WIRETYPE_TS_BUILD is not set: run `.venv/bin/python -m pytest tests/test_render_typescript.py`");
}

export async function load(...parts) {
  return import(pathToFileURL(join(BUILD, ...parts)).href);
}

export function readJson(...parts) {
  return JSON.parse(readFileSync(join(BUILD, ...parts), "utf8"));
}

/** JSON equality as a parsed document sees it (-0 equals 0, key order ignored). */
export function jsonEqual(a, b) {
  if (a === b || (typeof a === "number" && typeof b === "number" && a == b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}
