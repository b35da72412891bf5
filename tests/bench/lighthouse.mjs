// Lighthouse on the demo as served: the viewer page on a throttled phone
// (Lighthouse's mobile defaults: slow 4G, 4x CPU slowdown, simulated), several
// runs, each printed, then the median. It reports; it does not judge.
//
//   VETRINA_BENCH_LIVE_URL=http://127.0.0.1:18091 node tests/bench/lighthouse.mjs
import { lighthouseRun, median } from './lighthouse-run.mjs';

const base = process.env.VETRINA_BENCH_LIVE_URL ?? 'http://127.0.0.1:8080';
const url = `${base}/?show=demo`;
const runs = Number(process.env.VETRINA_BENCH_LIGHTHOUSE_RUNS ?? 5);

const rows = [];
for (let i = 0; i < runs; i++) {
  const row = await lighthouseRun(url, `target/bench/lighthouse-${i + 1}.json`);
  const a = row.audits;
  rows.push(row);
  // Where the main thread went (scripts by CPU time, Lighthouse's own attribution).
  const scripts = (a['bootup-time'].details?.items ?? [])
    .slice(0, 4)
    .map((s) => `${s.url.replace(/^https?:\/\/[^/]+/, '').replace(/-[0-9a-f]{12,16}(?=[._/])/, '')} ${Math.round(s.scripting)} ms`)
    .join(', ');
  console.log(`run ${i + 1}: performance ${row.performance}, LCP ${(row.lcp / 1000).toFixed(2)} s, TBT ${row.tbt.toFixed(0)} ms, ` +
    `CLS ${row.cls.toFixed(3)}, FCP ${(row.fcp / 1000).toFixed(2)} s, accessibility ${row.accessibility}, ` +
    `${(row.bytes / 1024).toFixed(1)} KiB transferred`);
  console.log(`       scripting: ${scripts}`);
}
const m = (k) => median(rows.map((r) => r[k]));
console.log(`Lighthouse mobile (median of ${runs}, ${url}): performance ${m('performance')}, ` +
  `LCP ${(m('lcp') / 1000).toFixed(2)} s, TBT ${m('tbt').toFixed(0)} ms, CLS ${m('cls').toFixed(3)} ` +
  `(FCP ${(m('fcp') / 1000).toFixed(2)} s, ${(m('bytes') / 1024).toFixed(1)} KiB transferred; reports in target/bench/)`);
