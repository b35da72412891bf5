// What the embed costs a brand's page: Lighthouse mobile (slow 4G, 4x CPU,
// simulated) on the sample brand site's product page without the snippet,
// with it, and with it below the fold and `data-autoplay="visible"`; the
// median of several runs each. The targets (issue 24): performance equal,
// CLS 0, LCP at most 100 ms later, TBT unchanged. It reports; it does not judge.
//
//   VETRINA_BENCH_BRAND_URL=http://localhost:18092 node tests/bench/embed.mjs
import { lighthouseRun, median } from './lighthouse-run.mjs';

const base = process.env.VETRINA_BENCH_BRAND_URL ?? 'http://localhost:8081';
const runs = Number(process.env.VETRINA_BENCH_LIGHTHOUSE_RUNS ?? 5);
const pages = [
  ['without the show', '/product-without-show.html'],
  ['with the show', '/product.html'],
  ['show below the fold, autoplay when visible', '/product-autoplay.html'],
];

// Lighthouse's default simulation (Lantern) replays the page's requests on a
// model of slow 4G in which a second host costs a DNS lookup and a TCP
// handshake before its first byte, and counts every request that finished
// before the page's largest paint in the unthrottled load; the second mode
// applies the same throttling to a real load in the browser instead.
for (const method of ['simulate', 'devtools']) {
  console.log(`Throttling: ${method}${method === 'simulate' ? " (Lighthouse's default)" : ' (applied to a real load)'}`);
  const results = [];
  for (const [name, path] of pages) {
    const rows = [];
    for (let i = 0; i < runs; i++) {
      const file = `target/bench/embed${path.replace(/\W+/g, '-').replace(/-html$/, '')}-${method}-${i + 1}.json`;
      rows.push(await lighthouseRun(base + path, file, method));
    }
    const m = (k) => median(rows.map((r) => r[k]));
    const row = { name, performance: m('performance'), lcp: m('lcp'), tbt: m('tbt'), cls: m('cls'), fcp: m('fcp'),
      lcpElements: [...new Set(rows.map((r) => r.lcpElement))] };
    results.push(row);
    console.log(`  ${name} (median of ${runs}): performance ${row.performance}, LCP ${(row.lcp / 1000).toFixed(2)} s, ` +
      `TBT ${row.tbt.toFixed(0)} ms, CLS ${row.cls.toFixed(3)}, FCP ${(row.fcp / 1000).toFixed(2)} s`);
    console.log(`      largest paint: ${row.lcpElements.join(' | ')}`);
  }
  const [plain, ...embedded] = results;
  for (const r of embedded) {
    console.log(`  ${r.name} against without: performance ${r.performance - plain.performance >= 0 ? '+' : ''}` +
      `${r.performance - plain.performance}, LCP ${(r.lcp - plain.lcp).toFixed(0)} ms, ` +
      `TBT ${(r.tbt - plain.tbt).toFixed(0)} ms, CLS ${r.cls.toFixed(3)} (reports in target/bench/)`);
  }
}
