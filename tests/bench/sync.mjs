// Pin sync benchmark (prints numbers; asserts nothing): run by `cargo xtask bench`,
// which starts two servers: the demo streaming live HLS (VETRINA_BENCH_LIVE_URL)
// and the demo playing its file with pins shown as they arrive (VETRINA_BENCH_URL).
//
// 1. On the video's clock (live HLS through our own fragmented-MP4 player): for each pin, how far the
//    card's first painted frame is from the moment the viewer's video reached
//    the pin's stream time. The video's moment is the playhead of the presented
//    frame whose callback put the card in (from requestVideoFrameCallback, on
//    the stream's program date-time); the paint is the next animation frame.
//    Sync error = (playhead at insertion - pin time) + (paint - insertion).
//    Target: within 100 ms.
//    Also per pin: from the creator's pin request to the card painted on the
//    viewer's screen (LL-HLS: the video is about two seconds behind).
// 2. The plain SSE path: from the creator's pin request to the card painted.
// 3. How far behind the encoder live viewers' pictures run, through our own
//    player and through hls.js (lowLatencyMode), each for 30 s on a phone
//    viewport: now minus the presented frame's capture time on the stream's
//    program-date-time clock (which the origin dates from when each part
//    arrives, less its length), sampled every 250 ms; and the stalls
//    (`waiting` events) meanwhile. Not read from the pixels: the clock burnt
//    into the picture is for eyes.
import { launch, pct } from './common.mjs';

const base = process.env.VETRINA_BENCH_URL ?? 'http://127.0.0.1:18090';
const live = process.env.VETRINA_BENCH_LIVE_URL ?? 'http://127.0.0.1:18091';
const token = process.env.VETRINA_BENCH_TOKEN ?? 'bench-token';
const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
const PINS = Number(process.env.VETRINA_BENCH_PINS ?? 12);
const PRODUCTS = [1, 2, 3, 4, 6, 7, 8, 9];

async function api(server, method, path, body) {
  const r = await fetch(server + path, { method, headers: auth, body: body && JSON.stringify(body) });
  if (!r.ok && r.status !== 409) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? null : r.json();
}

const stats = (xs) => `p50 ${pct(xs, 0.5).toFixed(1)} ms, p95 ${pct(xs, 0.95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** In the page: per product, the playhead and page time when its card went in, and its first paint. */
function watch() {
  const seen = {};
  window.__seen = seen;
  new MutationObserver(() => {
    for (const el of document.querySelectorAll('.vt-rail .vt-card')) {
      const id = el.dataset.productId;
      if (id in seen) continue;
      const entry = { playhead: window.__vetrinaPlayhead, inserted: performance.now(), insertedEpoch: Date.now() };
      seen[id] = entry;
      requestAnimationFrame(() => {
        entry.painted = performance.now();
        entry.paintedEpoch = Date.now();
      });
    }
  }).observe(document.body, { subtree: true, childList: true });
}

async function unpinAll(server) {
  const snap = await api(server, 'GET', '/api/shows/demo');
  for (const id of snap.pinned) await api(server, 'DELETE', `/api/shows/demo/pins/${id}`);
}

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  // 1. Live HLS, pins on the video's clock.
  await unpinAll(live);
  let page = await context.newPage();
  await page.goto(`${live}/?show=demo`);
  await page.waitForFunction(() => window.__vetrinaPlayhead > 0, null, { timeout: 60_000 });
  await page.evaluate(watch);
  const errors = [];
  const early = [];
  const onScreen = [];
  const started = (await api(live, 'GET', '/api/shows/demo')).show.started_at_ms;
  for (let i = 0; i < PINS; i++) {
    const product = PRODUCTS[i % PRODUCTS.length];
    await page.evaluate((id) => delete window.__seen[id], String(product));
    const sent = Date.now();
    await api(live, 'POST', '/api/shows/demo/pins', { product_id: product });
    const timeline = await api(live, 'GET', '/api/shows/demo/timeline');
    const pinAt = started + timeline.filter((e) => e.type === 'pin' && e.product_id === product).at(-1).stream_ms;
    const entry = await page.waitForFunction((id) => window.__seen[id]?.painted && window.__seen[id], String(product), { timeout: 60_000 }).then((h) => h.jsonValue());
    const videoLate = entry.playhead - pinAt;
    const paint = entry.painted - entry.inserted;
    if (videoLate < 0) early.push(videoLate);
    errors.push(videoLate + paint);
    onScreen.push(entry.paintedEpoch - sent);
    console.log(`  pin ${i + 1}: product ${product}, card painted ${(videoLate + paint).toFixed(1)} ms after the video reached it (frame ${videoLate.toFixed(1)} ms past the pin, paint ${paint.toFixed(1)} ms); the event had arrived ${(entry.insertedEpoch - pinAt - videoLate).toFixed(0)} ms of wall time earlier`);
    await api(live, 'DELETE', `/api/shows/demo/pins/${product}`);
    await sleep(1500);
  }
  console.log(`live HLS, pins on the video's clock (${PINS} pins): sync error ${stats(errors)} (target within 100 ms); cards shown before their moment: ${early.length}`);
  console.log(`live HLS: pin request → card on the viewer's screen ${stats(onScreen)} (target p50 within 2,500 ms)`);
  await page.close();

  // 3. Behind the encoder, through each player.
  for (const player of ['cmaf.js', 'hls.js']) {
    const p = await context.newPage();
    if (player === 'hls.js') {
      // Without CODECS our player declines and hls.js plays (as in the e2e).
      await p.route('**/live/demo.m3u8', async (route) => {
        const res = await route.fetch();
        await route.fulfill({ response: res, body: (await res.text()).replace(/,CODECS="[^"]*"/g, '') });
      });
    }
    await p.goto(`${live}/?show=demo`);
    await p.waitForFunction(() => window.__vetrinaPlayhead > 0, null, { timeout: 60_000 });
    await p.evaluate(() => {
      window.__stalls = 0;
      document.querySelector('video').addEventListener('waiting', () => window.__stalls++);
    });
    await sleep(5000); // settle at the edge
    const lags = [];
    const stallsBefore = await p.evaluate(() => window.__stalls);
    for (let i = 0; i < 120; i++) {
      await sleep(250);
      lags.push(await p.evaluate(() => Date.now() - window.__vetrinaPlayhead));
    }
    const stalls = (await p.evaluate(() => window.__stalls)) - stallsBefore;
    console.log(`live picture behind the encoder through ${player} (30 s): ${stats(lags)}; stalls ${stalls} (targets: p50 within 2,000 ms, p95 within 3,000 ms)`);
    await p.close();
  }

  // 2. The plain SSE path: pin request to card painted.
  await unpinAll(base);
  page = await context.newPage();
  await page.goto(`${base}/?show=demo`);
  await page.locator('video.vt-video').waitFor();
  await page.evaluate(watch);
  const latencies = [];
  for (let i = 0; i < PINS; i++) {
    const product = PRODUCTS[i % PRODUCTS.length];
    await page.evaluate((id) => delete window.__seen[id], String(product));
    const sent = Date.now();
    await api(base, 'POST', '/api/shows/demo/pins', { product_id: product });
    const entry = await page.waitForFunction((id) => window.__seen[id]?.painted && window.__seen[id], String(product), { timeout: 30_000 }).then((h) => h.jsonValue());
    latencies.push(entry.paintedEpoch - sent);
    await api(base, 'DELETE', `/api/shows/demo/pins/${product}`);
    await sleep(300);
  }
  console.log(`plain SSE path (${PINS} pins): pin request → card painted ${stats(latencies)}`);
} finally {
  await browser.close();
}
