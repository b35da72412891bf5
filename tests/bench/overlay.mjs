// Overlay benchmark (prints numbers; asserts nothing): run by `cargo xtask bench`,
// which starts a server and passes its address in VETRINA_BENCH_URL.
//
// 1. Tap → sheet visible: a phone viewport with Chromium's CPU throttled 4x;
//    from the click to the first frame painted with the detail sheet in it.
// 2. JS heap after 500 pin/unpin events: it should depend on the number of
//    products, not on the number of events.
import { launch, pct } from './common.mjs';

const base = process.env.VETRINA_BENCH_URL ?? 'http://127.0.0.1:18090';
const token = process.env.VETRINA_BENCH_TOKEN ?? 'bench-token';
const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };

async function api(method, path, body) {
  const r = await fetch(base + path, { method, headers: auth, body: body && JSON.stringify(body) });
  if (!r.ok && r.status !== 409) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? null : r.json();
}

const fmt = (x) => x.toFixed(1);

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const page = await context.newPage();
  // Keep a handle on the wasm instance trunk starts, to read its linear memory.
  await page.addInitScript(() => addEventListener('TrunkApplicationStarted', (e) => { window.__vtWasm = e.detail.wasm; }));
  const cdp = await context.newCDPSession(page);
  const snapshot = await api('GET', '/api/shows/demo');
  for (const id of snapshot.pinned) await api('DELETE', `/api/shows/demo/pins/${id}`);
  await page.goto(`${base}/?show=demo`);
  await page.locator('video.vt-video').waitFor();
  await api('POST', '/api/shows/demo/pins', { product_id: 1 });
  await page.locator('.vt-card').first().waitFor();

  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const samples = [];
  for (let i = 0; i < 30; i++) {
    samples.push(await page.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      document.querySelector('.vt-card').click();
      const check = () => {
        if (document.querySelector('.vt-sheet')) {
          // The frame after the one that has the sheet: it has been painted.
          requestAnimationFrame(() => resolve(performance.now() - t0));
        } else {
          requestAnimationFrame(check);
        }
      };
      requestAnimationFrame(check);
    })));
    await page.keyboard.press('Escape');
    await page.locator('.vt-sheet').waitFor({ state: 'detached' });
  }
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  const warm = samples.slice(5);
  console.log(`tap → sheet visible (CPU 4x slower, ${warm.length} taps after 5 warm-up): ` +
    `p50 ${fmt(pct(warm, 0.5))} ms, p95 ${fmt(pct(warm, 0.95))} ms, max ${fmt(Math.max(...warm))} ms (target ≤ 50 ms)`);

  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const [nodes, wasm] = await page.evaluate(() => [document.getElementsByTagName('*').length, window.__vtWasm?.memory?.buffer.byteLength ?? 0]);
    return { usedSize, nodes, wasm };
  };
  await api('DELETE', '/api/shows/demo/pins/1');
  const products = snapshot.products.map((p) => p.id);
  let sent = 0;
  const churn = async (n) => {
    for (let i = 0; i < n; i += 2) {
      const id = products[(sent / 2) % products.length];
      await api('POST', '/api/shows/demo/pins', { product_id: id });
      await api('DELETE', `/api/shows/demo/pins/${id}`);
      sent += 2;
    }
    // Wait until the overlay has applied everything (no card left).
    await page.waitForFunction(() => document.querySelectorAll('.vt-card').length === 0);
  };
  await churn(50);
  const after50 = await heap();
  await churn(450);
  const after500 = await heap();
  const kib = (b) => (b / 1024).toFixed(0);
  for (const [label, m] of [['50', after50], ['500', after500]]) {
    console.log(`after ${label} pin/unpin events: JS heap ${kib(m.usedSize)} KiB, wasm memory ${kib(m.wasm)} KiB, ${m.nodes} DOM elements`);
  }
  console.log(`growth over 450 more events: JS heap ${kib(after500.usedSize - after50.usedSize)} KiB, wasm memory ${kib(after500.wasm - after50.wasm)} KiB`);
} finally {
  await browser.close();
}
