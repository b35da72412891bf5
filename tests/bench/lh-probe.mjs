import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
const flags = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required'];
const chrome = await chromeLauncher.launch({ chromePath: '/usr/bin/chromium', chromeFlags: flags });
try {
  const result = await lighthouse(process.argv[2] ?? 'http://127.0.0.1:18091/?show=demo', { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance'] });
  if (!result.artifacts.Trace) { console.log('no trace', JSON.stringify(result.lhr.runtimeError)); process.exit(0); }
  const ev = result.artifacts.Trace.traceEvents;
  const nav = ev.find(e => e.name === 'navigationStart' && e.args?.data?.isLoadingMainFrame)?.ts;
  for (const e of ev) if (/largestContentfulPaint::Candidate|firstContentfulPaint|LargestTextPaint|LargestImagePaint/.test(e.name)) console.log(((e.ts - nav)/1000).toFixed(0), e.name, JSON.stringify(e.args?.data ?? {}).slice(0, 300));
  const a = result.lhr.audits;
  console.log('perf', result.lhr.categories.performance.score, 'lcp', a['largest-contentful-paint'].numericValue, 'tbt', a['total-blocking-time'].numericValue, 'fcp', a['first-contentful-paint'].numericValue);
  const lt = a['long-tasks'].details.items; for (const i of lt) console.log('long', i.url.slice(-40), Math.round(i.startTime), Math.round(i.duration));
  const fs = await import('node:fs'); fs.writeFileSync('/tmp/trace.json', JSON.stringify(ev));
} finally { await chrome.kill(); }
