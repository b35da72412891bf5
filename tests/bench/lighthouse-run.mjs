// Lighthouse as the benchmarks run it: Debian's Chromium, Lighthouse's mobile
// defaults (slow 4G, 4x CPU slowdown, simulated), one fresh browser per run.
import { writeFileSync, mkdirSync } from 'node:fs';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const flags = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
  '--no-first-run', '--no-default-browser-check', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-extensions', '--disable-default-apps', '--autoplay-policy=no-user-gesture-required'];

export const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One Lighthouse run of `url`: the figures, the largest paint's element and the raw report (kept as `save`). */
// `throttlingMethod`: 'simulate' (Lighthouse's default) or 'devtools' (the
// same slow 4G and 4x CPU applied to the real load in the browser).
export async function lighthouseRun(url, save, throttlingMethod = 'simulate') {
  const chrome = await chromeLauncher.launch({ chromePath: '/usr/bin/chromium', chromeFlags: flags });
  try {
    const result = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error',
      onlyCategories: ['performance', 'accessibility'], throttlingMethod });
    const lhr = result.lhr;
    const a = lhr.audits;
    if (save) {
      mkdirSync('target/bench', { recursive: true });
      writeFileSync(save, result.report);
    }
    return {
      performance: Math.round(lhr.categories.performance.score * 100),
      accessibility: Math.round(lhr.categories.accessibility.score * 100),
      fcp: a['first-contentful-paint'].numericValue,
      lcp: a['largest-contentful-paint'].numericValue,
      tbt: a['total-blocking-time'].numericValue,
      cls: a['cumulative-layout-shift'].numericValue,
      bytes: a['total-byte-weight'].numericValue,
      // Lighthouse 13 names the element in its LCP breakdown (older ones had an audit of its own).
      lcpElement: (a['lcp-breakdown-insight']?.details?.items ?? []).find((i) => i.type === 'node')?.selector ??
        a['largest-contentful-paint-element']?.details?.items?.[0]?.items?.[0]?.node?.selector ?? '',
      audits: a,
    };
  } finally {
    await chrome.kill();
  }
}
