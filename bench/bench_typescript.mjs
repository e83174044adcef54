// Generated validators vs ajv (compiled, and standalone) on the same schemas and messages.
// Not a test: prints messages/s and ratios. Run through bench/bench_typescript.py, which
// builds the package and writes cases.json (each version's open JSON Schema + messages).
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const Ajv2020 = require("ajv/dist/2020").default;
const standaloneCode = require("ajv/dist/standalone").default;
const { _ } = require("ajv");

const work = process.argv[2];
const pkg = await import(pathToFileURL(join(work, "protocol", "dist", "index.js")).href);
const validation = await import(pathToFileURL(join(work, "protocol", "dist", "validation.js")).href);
const { cases, formats } = JSON.parse(readFileSync(join(work, "cases.json"), "utf8"));

// ajv gets exactly the formats the generated code checks (same functions), so both do the same work.
const formatFns = Object.fromEntries(formats.map(([name, fn]) => [name, validation[fn]]));
globalThis.__wiretypeFormats = formatFns;
function ajv(standalone) {
  const options = { strict: false, allErrors: false, validateFormats: true, unicodeRegExp: true };
  if (standalone) options.code = { source: true, formats: _`globalThis.__wiretypeFormats` };
  const instance = new Ajv2020(options);
  for (const [name, fn] of Object.entries(formatFns)) instance.addFormat(name, fn);
  return instance;
}

const compiledAjv = ajv(false);
const standaloneAjv = ajv(true);
const generated = [], compiled = [], standalone = [];
const schemas = {};
cases.forEach((c, i) => {
  generated.push(pkg.validators.get(c.type).get(c.v).check);
  compiled.push(compiledAjv.compile(c.schema));
  schemas[`v${i}`] = c.schema;
  c.schema.$id = `urn:case:${i}`;
});
for (const [i, c] of cases.entries()) standaloneAjv.addSchema(c.schema, `v${i}`);
const file = join(work, "ajv-standalone.cjs");
writeFileSync(file, standaloneCode(standaloneAjv, Object.fromEntries(cases.map((_c, i) => [`v${i}`, `v${i}`]))));
const standaloneModule = require(file);
cases.forEach((_c, i) => standalone.push(standaloneModule[`v${i}`]));

// Agreement first: a benchmark of validators that disagree measures nothing.
for (const [i, c] of cases.entries()) {
  for (const m of [...c.valid, ...c.invalid]) {
    const want = compiled[i](m);
    if (generated[i](m) !== want || standalone[i](m) !== want) {
      throw new Error(`disagreement on ${c.type} v${c.v}: ${JSON.stringify(m)}`);
    }
  }
}

function measure(validators, which, rounds) {
  let n = 0, sink = 0;
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < cases.length; i++) {
      const fn = validators[i];
      for (const m of cases[i][which]) { if (fn(m)) sink++; n++; }
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return [n / seconds, sink];
}

const rounds = Number(process.env.ROUNDS ?? 20000);
const ROUNDS_OF_CONTENDERS = Number(process.env.REPEATS ?? 9);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const contenders = [["generated", generated], ["ajv compiled", compiled], ["ajv standalone", standalone]];
// Interleaved: each repeat measures every contender once, in a rotated order, so that a slow
// moment of the machine (another process, a GC, the CPU's clock) falls on all of them alike.
// The median over the repeats is the figure; the spread (min-max) says how much to trust it.
const rows = [];
for (const which of ["valid", "invalid"]) {
  for (const [, set] of contenders) measure(set, which, Math.ceil(rounds / 10)); // warm up
  const rates = Object.fromEntries(contenders.map(([label]) => [label, []]));
  for (let r = 0; r < ROUNDS_OF_CONTENDERS; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const [label, set] = contenders[(r + k) % contenders.length];
      rates[label].push(measure(set, which, Math.ceil(rounds / 4))[0]);
    }
  }
  const base = median(rates["ajv compiled"]);
  for (const [label, list] of Object.entries(rates)) {
    const mid = median(list);
    rows.push({ messages: which, validator: label, "messages/s (median)": Math.round(mid),
                spread: `${Math.round(Math.min(...list))}-${Math.round(Math.max(...list))}`,
                "vs ajv compiled": (mid / base).toFixed(2) });
  }
}
console.table(rows);

// decode (JSON text in, normalised envelope out) vs JSON.parse + ajv compiled validate.
const texts = cases.flatMap((c) => c.valid.map((data) => [c, JSON.stringify({ type: c.type, v: c.v, id: "b", data })]));
const index = new Map(cases.map((c, i) => [c, i]));
function rate(fn) {
  const start = process.hrtime.bigint();
  const n = rounds / 16;
  for (let r = 0; r < n; r++) for (const [c, text] of texts) fn(c, text);
  return (n * texts.length) / (Number(process.hrtime.bigint() - start) / 1e9);
}
const decodes = [], parses = [];
for (let r = 0; r < ROUNDS_OF_CONTENDERS; r++) { // interleaved too
  decodes.push(rate((_c, t) => pkg.decode(t)));
  parses.push(rate((c, t) => compiled[index.get(c)](JSON.parse(t).data)));
}
const decodeRate = median(decodes);
const ajvRate = median(parses);
console.table([{ path: "decode(text)", "messages/s": Math.round(decodeRate), ratio: (decodeRate / ajvRate).toFixed(2) },
               { path: "JSON.parse + ajv compiled", "messages/s": Math.round(ajvRate), ratio: "1.00" }]);
