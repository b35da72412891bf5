// The studio's own latency figures (prints numbers; asserts nothing): run by
// `cargo xtask bench` against its two demo servers. For each, a studio signs
// in and pins products one by one with its buttons; after each pin the studio
// times pin request -> card painted in its 390x844 preview (the real overlay)
// and shows last / p50 / p95. On the live HLS server it also shows how far the
// preview's video runs behind live. This script reads those figures as the
// creator sees them.
import { launch } from './common.mjs';

const base = process.env.VETRINA_BENCH_URL ?? 'http://127.0.0.1:18090';
const live = process.env.VETRINA_BENCH_LIVE_URL ?? 'http://127.0.0.1:18091';
const token = process.env.VETRINA_BENCH_TOKEN ?? 'bench-token';
const PINS = Number(process.env.VETRINA_BENCH_STUDIO_PINS ?? 20);
const PRODUCTS = [1, 2, 3, 4, 5, 6, 7, 8, 9];
const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };

async function unpinAll(server) {
  const snap = await (await fetch(`${server}/api/shows/demo`)).json();
  for (const id of snap.pinned) await fetch(`${server}/api/shows/demo/pins/${id}`, { method: 'DELETE', headers: auth });
  if (snap.show.status !== 'live') {
    await fetch(`${server}/api/shows/demo`, { method: 'PATCH', headers: auth, body: JSON.stringify({ status: 'live' }) });
  }
}

async function measure(browser, server, label, pins) {
  await unpinAll(server);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${server}/studio`);
  await page.getByLabel('Show', { exact: true }).fill('demo');
  await page.getByLabel('Creator token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Following the show live').waitFor();
  const latency = page.getByTestId('pin-latency');
  for (let i = 0; i < pins; i++) {
    const row = page.locator('.vs-row').nth(PRODUCTS[i % PRODUCTS.length] - 1);
    // Unpinned first when it is on the board from an earlier round.
    if ((await row.getAttribute('class')).includes('vs-row--pinned')) {
      await row.getByRole('button', { name: /^Unpin/ }).click();
      await page.waitForFunction((el) => !el.className.includes('vs-row--pinned'), await row.elementHandle());
    }
    await row.getByRole('button', { name: /^Pin/ }).click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="pin-latency"]')?.textContent?.includes(`over ${n} pin`), i + 1, { timeout: 60_000 });
  }
  console.log(`${label}: ${await latency.textContent()}`);
  const behind = page.getByTestId('behind-live');
  if (server === live) {
    await page.waitForFunction(() => document.querySelector('[data-testid="behind-live"]')?.textContent, null, { timeout: 30_000 });
    console.log(`${label}: ${await behind.textContent()}`);
  }
  await page.context().close();
}

const browser = await launch();
try {
  await measure(browser, base, 'studio, file video (pins as they arrive)', PINS);
  await measure(browser, live, 'studio, live HLS (cards on the video clock)', Math.min(PINS, 10));
} finally {
  await browser.close();
}
