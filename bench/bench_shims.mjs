// The TypeScript half of bench_shims.py: one strategy of one package, compiled in DIST.
//
//   node bench_shims.mjs DIST CASES.json HOPS.json
//
// CASES: [[message, v1 data], ...]; HOPS: the package's hop table (for the table strategy's
// steps alone). Prints {per_s, step_ns, import_ms} as JSON.
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const [dist, casesText, hopsText] = process.argv.slice(2);
const url = (name) => pathToFileURL(join(dist, `${name}.js`)).href;
await import(url("validators"));
await import(url("migration"));
const started = performance.now();
const shims = await import(url("shims"));
const importMs = performance.now() - started;
const p = await import(url("index"));
const { runSteps } = await import(url("migration"));

const msgs = JSON.parse(casesText).map(([type, data]) => p.decode(JSON.stringify({ type, v: 1, id: "m", data })));
const once = () => { for (const m of msgs) p.downgrade(p.upgrade(m), 1); };
once();
let best = Infinity;
for (let r = 0; r < 5; r++) {
  const t = performance.now();
  for (let i = 0; i < 3; i++) once();
  best = Math.min(best, (performance.now() - t) / 3);
}

const data = new Map();
for (const m of msgs) {
  data.set(`${m.type} 1`, m.data);
  data.set(`${m.type} 2`, p.upgrade(m, 2).data);
}
const hops = JSON.parse(hopsText).filter(([type, from]) => data.has(`${type} ${from}`));
const functions = shims.HOPS; // the code strategy exports its hop functions
const work = hops.map(([type, from, to, table]) => [
  data.get(`${type} ${from}`),
  functions === undefined ? table : functions.get(`${type} ${from} ${to}`),
]);
const steps = functions === undefined
  ? () => { for (const [d, table] of work) runSteps({ ...d }, table, []); }
  : () => { for (const [d, hop] of work) hop({ ...d }); };
for (let i = 0; i < 50; i++) steps();
let stepBest = Infinity;
for (let r = 0; r < 9; r++) {
  const t = performance.now();
  for (let i = 0; i < 300; i++) steps();
  stepBest = Math.min(stepBest, (performance.now() - t) / 300 / Math.max(hops.length, 1));
}
process.stdout.write(JSON.stringify({ per_s: msgs.length / (best / 1000), step_ns: stepBest * 1e6, import_ms: importMs }));
