// The show embedded on a brand's site (the e2e server's sample brand site, on
// another origin): the facade, nothing loaded before intent, the overlay in an
// iframe on Vetrina's origin, the host's own cart over the message protocol,
// analytics for the host, and the doctor when something is missing.
import { expect, test, type Page } from './fixtures';
import { BRAND, STRANGER, fillCheckout, pin, press, shot, unpinAll } from './helpers';

const facade = (page: Page) => page.getByRole('button', { name: /^Watch/ });
const overlay = (page: Page) => page.frameLocator('iframe[title]');

test.beforeEach(async ({ request }) => {
  await unpinAll(request);
});

test('before the viewer asks, the page gets a facade and nothing of the player', async ({ page }, testInfo) => {
  const requested: string[] = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  await page.goto(`${BRAND}/`);
  await expect(page.getByRole('heading', { name: 'Spring Edit, live from Milano', level: 2 })).toBeVisible();
  await expect(page.getByText('Live', { exact: true })).toBeVisible();
  await expect(facade(page)).toBeVisible();
  // The box is reserved at the show's aspect ratio: nothing moves when the poster or frame arrives.
  const box = (await page.locator('vetrina-show, script[data-show] + div').first().boundingBox())!;
  expect(Math.abs(box.height - (box.width * 16) / 9)).toBeLessThan(2);
  await page.waitForTimeout(1500);
  await shot(page, testInfo, 'embed-01-facade');
  const heavy = requested.filter((p) => /\.wasm$|vetrina-[0-9a-f]+\.js$|hls|\.m3u8$|\.m4s$|\.mp4$|\/events/.test(p));
  expect(heavy, `requests before intent: ${requested.join(', ')}`).toEqual([]);
  expect(requested).toContain('/embed.js');
  expect(page.frames()).toHaveLength(1);

  // Intent: the overlay opens in a frame on Vetrina's origin and works there.
  await press(facade(page), testInfo);
  const frame = overlay(page);
  await expect(frame.locator('video.vt-video')).toBeVisible();
  expect(page.frames()[1].url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?show=demo&embed=1&host=http%3A%2F%2Flocalhost/);
});

// The facade's words come with its card, in the page's language (the
// overlay's catalogues): nothing of them lives in embed.js.
test('on an Italian page the facade speaks Italian, and the poster opens the show', async ({ page }) => {
  await page.goto(`${BRAND}/it/product.html`);
  const watch = page.getByRole('button', { name: /^Guarda: Spring Edit/ });
  await expect(watch).toBeVisible();
  await expect(page.getByText('In diretta', { exact: true })).toBeVisible();
  // A tap anywhere on the poster, not only on the button, opens the show.
  await page.locator('vetrina-show').click({ position: { x: 40, y: 40 } });
  await expect(overlay(page).locator('video.vt-video')).toBeVisible();
});

test('the show is framed only by the sites it allows', async ({ page, request }) => {
  const answer = await request.get('/?show=demo');
  expect(answer.headers()['content-security-policy']).toContain(`frame-ancestors 'self' ${BRAND}`);
  // Another origin gets a doctor's report on load, and the frame is refused by the browser.
  const warnings: string[] = [];
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  await page.goto(`${STRANGER}/`);
  await expect.poll(() => warnings.join('\n')).toContain(`${STRANGER} may not embed "demo"`);
  expect(await page.evaluate(() => (window as any).Vetrina.doctor().length)).toBeGreaterThan(0);
});

test("a brand's own cart: items and checkout go to the host page, a refusal rolls back", async ({ page, request }, testInfo) => {
  // The page sets its handlers only after it has loaded, so surely after the
  // async snippet has run (on a fast machine that order happened by itself and
  // the items went to Vetrina's cart): the loader looks them up when used.
  await page.addInitScript(() => {
    let config: unknown;
    let loaded = false;
    Object.defineProperty(window, 'VetrinaConfig', { get: () => (loaded ? config : undefined), set: (c) => void (config = c) });
    addEventListener('load', () => setTimeout(() => (loaded = true), 50));
  });
  await page.goto(`${BRAND}/host-cart.html`);
  await page.waitForFunction(() => (window as any).VetrinaConfig);
  await press(facade(page), testInfo);
  const frame = overlay(page);
  await expect(frame.locator('video.vt-video')).toBeVisible();
  await pin(request, 4);
  await press(frame.locator('.vt-card[data-product-id="4"]'), testInfo);
  await press(frame.getByTestId('add-to-cart'), testInfo);
  // The host's cart took it, and the overlay shows the host's count.
  await expect(page.getByTestId('host-count')).toHaveText('1');
  await expect(page.getByTestId('host-lines')).toContainText('Ceramic Mug');
  await expect(frame.getByTestId('cart-count')).toHaveText('1');
  // Analytics reached the page's dataLayer (the snippet opted in), in GA4's shape.
  const events = await page.evaluate(() => (window as any).dataLayer.filter((e: any) => e.event).map((e: any) => e.event));
  expect(events).toEqual(expect.arrayContaining(['view_item', 'add_to_cart']));
  const added = await page.evaluate(() => (window as any).dataLayer.find((e: any) => e.event === 'add_to_cart'));
  expect(added.ecommerce).toMatchObject({ currency: 'EUR', value: 18, items: [{ item_name: 'Ceramic Mug', quantity: 1, price: 18 }] });
  expect(typeof added.vetrina_video_time).toBe('number');
  await page.evaluate(() => scrollTo(0, 0));
  await shot(page, testInfo, 'embed-02-host-cart');

  // The host refuses the next one: the overlay says why and its count goes back.
  await page.getByTestId('host-refuse').check();
  await press(frame.locator('.vt-card[data-product-id="4"]'), testInfo);
  await press(frame.getByTestId('add-to-cart'), testInfo);
  await expect(frame.getByRole('alert')).toContainText('Our shop cannot take that item right now.');
  await expect(frame.getByTestId('cart-count')).toHaveText('1');
  await expect(page.getByTestId('host-count')).toHaveText('1');
  await press(frame.getByRole('button', { name: 'Close' }), testInfo);

  // The cart button hands over to the host's checkout.
  await press(frame.getByTestId('cart-button'), testInfo);
  await expect(page.getByTestId('host-status')).toHaveText('Checkout handed over to the brand site.');
  expect(await page.evaluate(() => (window as any).dataLayer.some((e: any) => e.event === 'begin_checkout'))).toBe(true);
});

test("with Vetrina's cart the whole purchase stays in the frame, and malformed messages are dropped", async ({ page, request }, testInfo) => {
  const frameWarnings: string[] = [];
  page.on('console', (m) => m.type() === 'warning' && frameWarnings.push(m.text()));
  await page.goto(`${BRAND}/`);
  await press(facade(page), testInfo);
  const frame = overlay(page);
  await expect(frame.locator('video.vt-video')).toBeVisible();
  // Something on the host page posts garbage at the frame: dropped, with a warning.
  await page.evaluate(() => document.querySelector('script[data-show] + div')!.shadowRoot!.querySelector('iframe')!
    .contentWindow!.postMessage({ nonsense: true }, '*'));
  await expect.poll(() => frameWarnings.join('\n')).toContain('dropped a malformed message from the host page');
  await pin(request, 4);
  await press(frame.locator('.vt-card[data-product-id="4"]'), testInfo);
  await press(frame.getByTestId('add-to-cart'), testInfo);
  await expect(frame.getByTestId('cart-count')).toHaveText('1');
  // No cart lives in the brand's origin.
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('vetrina')))).toEqual([]);
  // The purchase, in the frame; the page hears of it as a DOM event (it did not opt into dataLayer).
  await page.evaluate(() => {
    (window as any).heard = [];
    document.addEventListener('vetrina:analytics', (e: any) => (window as any).heard.push(e.detail));
  });
  await press(frame.getByTestId('cart-button'), testInfo);
  await press(frame.getByTestId('go-to-checkout'), testInfo);
  const form = frame.getByRole('dialog', { name: 'Checkout' });
  await fillCheckout(form, { email: 'eve@example.com', name: 'Eve Embed', address: '3 Via Po', city: 'Torino', postalCode: '10121' });
  await press(frame.getByTestId('place-order'), testInfo);
  await expect(frame.getByRole('dialog', { name: 'Thank you!' })).toBeVisible();
  const heard: any[] = await page.evaluate(() => (window as any).heard);
  expect(heard.map((e) => e.event)).toEqual(['begin_checkout', 'purchase']);
  expect(heard[1].ecommerce).toMatchObject({ currency: 'EUR', transaction_id: expect.stringMatching(/^VT-/), items: [{ item_name: 'Ceramic Mug' }] });
  expect(await page.evaluate(() => (window as any).dataLayer)).toBeUndefined();
});

test('scrolled past, the playing show docks as a mini-player that can be closed', async ({ page }, testInfo) => {
  await page.goto(`${BRAND}/`);
  await press(facade(page), testInfo);
  await expect(overlay(page).locator('video.vt-video')).toBeVisible();
  const wrap = page.locator('script[data-show] + div').locator('.f');
  await page.evaluate(() => scrollTo(0, document.body.scrollHeight));
  await expect(wrap).toHaveClass(/\bd\b/);
  const docked = (await wrap.boundingBox())!;
  const view = page.viewportSize()!;
  expect(docked.x + docked.width).toBeLessThanOrEqual(view.width);
  expect(docked.y + docked.height).toBeLessThanOrEqual(view.height);
  await expect(overlay(page).locator('video.vt-video')).toBeVisible();
  await shot(page, testInfo, 'embed-03-mini-player');
  // Keyboard-reachable and closable; closed, it stays in its place on the page.
  const close = page.getByRole('button', { name: 'Close the mini-player' });
  await close.focus();
  await page.keyboard.press('Enter');
  await expect(wrap).not.toHaveClass(/\bd\b/);
});

test("the page's theme reaches the show, and a reload of the page reopens it", async ({ page }, testInfo) => {
  await page.goto(`${BRAND}/`);
  await press(facade(page), testInfo);
  const stage = overlay(page).locator('main.vt-stage');
  await expect(stage).toHaveAttribute('style', /--vt-accent:#8a3b12/);
  // Vetrina.theme() after the fact, and an unsafe value is dropped by the overlay's sanitiser.
  await page.evaluate(() => (window as any).Vetrina.theme({ accent: '#0a7d55', radius: '4px;}body{display:none' }));
  await expect(stage).toHaveAttribute('style', /--vt-accent:#0a7d55/);
  await expect(stage).not.toHaveAttribute('style', /display:none/);
  await page.reload();
  await expect(overlay(page).locator('video.vt-video')).toBeVisible();
  await expect(facade(page)).toHaveCount(0);
});

test('a route change that removes the embed keeps the show playing, floating', async ({ page }, testInfo) => {
  await page.goto(`${BRAND}/`);
  await press(facade(page), testInfo);
  await expect(overlay(page).locator('video.vt-video')).toBeVisible();
  // What a single-page site does on navigation: the content, embed included, is replaced.
  await page.evaluate(() => document.querySelector('main')!.replaceChildren(Object.assign(document.createElement('p'), { textContent: 'Another route' })));
  await expect(page.getByText('Another route')).toBeVisible();
  const floating = page.locator('body > div').last().locator('.f');
  await expect(floating).toHaveClass(/\bd\b/);
  await expect(overlay(page).locator('video.vt-video')).toBeVisible();
  await shot(page, testInfo, 'embed-04-route-change');
  await page.getByRole('button', { name: 'Close the mini-player' }).click();
  await expect(page.locator('iframe')).toHaveCount(0);
});

test('a reload of the brand page reopens a video where the viewer was', async ({ page }, testInfo) => {
  await page.goto(`${BRAND}/`);
  await press(facade(page), testInfo);
  const video = overlay(page).locator('video.vt-video');
  await expect(video).toBeVisible();
  await expect.poll(() => page.evaluate(() => +(sessionStorage.getItem('vetrina.open.demo') ?? 0)), { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
  const before = await page.evaluate(() => +sessionStorage.getItem('vetrina.open.demo')!);
  await page.reload();
  await expect(overlay(page).locator('video.vt-video')).toBeVisible();
  expect(page.frames()[1].url()).toContain(`&t=${before}`);
  await expect.poll(() => overlay(page).locator('video.vt-video').evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThanOrEqual(before);
});

test("the doctor names a page policy that blocks Vetrina, and host-cart handlers that are missing", async ({ page, baseURL }) => {
  const vetrina = new URL(baseURL!).origin;
  const warnings: string[] = [];
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  // The sample site's page that gets it wrong: data-cart="host" without handlers,
  // and a Content-Security-Policy that lets the script in but nothing else.
  await page.goto(`${BRAND}/misconfigured.html`);
  await expect.poll(() => warnings.join('\n')).toContain(`this page's Content-Security-Policy blocks ${vetrina} (connect-src)`);
  const report: string[] = await page.evaluate(() => (window as any).Vetrina.doctor());
  expect(report.join('\n')).toContain('data-cart="host" needs Vetrina.onAddToCart(fn)');
  expect(report.join('\n')).toContain('data-cart="host" needs Vetrina.onCheckout(fn)');
});

// A brand's product page (heading, the show, the brand's own grid below it):
// layout shifts counted from the first byte, before embed.js has run. The
// box is reserved in the page's own markup, so nothing below it moves when
// the loader arrives, draws its facade, loads the poster or opens the show;
// nor when the loader is two seconds late, nor when it never comes (then the
// box holds a plain link to the show).
for (const when of ['on time', 'two seconds late', 'blocked'] as const) {
  test(`the product page never shifts: embed.js ${when}`, async ({ page }, testInfo) => {
    await page.addInitScript(() => {
      const w = window as any;
      w.__shifts = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as any[]) {
          if (!e.hadRecentInput) w.__shifts.push({ value: e.value, at: Math.round(e.startTime) });
        }
      }).observe({ type: 'layout-shift', buffered: true });
    });
    if (when !== 'on time') {
      await page.route('**/embed.js', async (route) => {
        if (when === 'blocked') return route.abort();
        await new Promise((r) => setTimeout(r, 2000));
        await route.continue();
      });
    }
    const posters: string[] = [];
    page.on('request', (r) => r.url().endsWith('/shows/demo/poster') && posters.push(r.url()));
    const gridTop = () => page.evaluate(() => document.querySelector('.grid')!.getBoundingClientRect().top + scrollY);
    await page.goto(`${BRAND}/product.html`, { waitUntil: 'commit' });
    await page.waitForSelector('.grid');
    const before = await gridTop();
    if (when === 'blocked') {
      const link = page.getByRole('link', { name: 'Watch the show on Vetrina' });
      await expect(link).toBeVisible();
      expect(await link.getAttribute('href')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?show=demo$/);
      // The link is the show's poster, fetched by the page's own markup.
      await expect.poll(() => link.locator('img').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBeGreaterThan(0);
      await page.waitForTimeout(1500);
    } else {
      await expect(facade(page)).toBeVisible({ timeout: 10_000 });
      await expect(page.getByRole('heading', { name: 'Spring Edit, live from Milano', level: 2 })).toBeVisible();
      // The poster (and anything else the facade loads) has arrived.
      await page.waitForLoadState('networkidle');
      await shot(page, testInfo, `embed-product-facade-${when.replace(/ /g, '-')}`);
      // The snippet asks for the loader only once the page has loaded (its
      // own requests and largest paint come first).
      const t = await page.evaluate(() => ({
        load: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd,
        loader: performance.getEntriesByType('resource').find((e) => e.name.endsWith('/embed.js'))?.startTime,
      }));
      expect(t.loader).toBeGreaterThanOrEqual(t.load);
      await press(facade(page), testInfo);
      await expect(overlay(page).locator('video.vt-video')).toBeVisible();
    }
    expect(await gridTop()).toBe(before);
    expect(await page.evaluate(() => (window as any).__shifts)).toEqual([]);
    // One request for the poster: the page's markup made it, the facade drew the same.
    expect(posters).toHaveLength(1);
    await shot(page, testInfo, `embed-product-${when.replace(/ /g, '-')}`);
  });
}

test('below the fold with data-autoplay="visible", the product page does not shift either', async ({ page }, testInfo) => {
  await page.addInitScript(() => {
    const w = window as any;
    w.__shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as any[]) if (!e.hadRecentInput) w.__shifts.push(e.value);
    }).observe({ type: 'layout-shift', buffered: true });
  });
  const requested: string[] = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  await page.goto(`${BRAND}/product-autoplay.html`);
  await page.waitForLoadState('networkidle');
  // Off screen: nothing of the player loads.
  expect(page.frames()).toHaveLength(1);
  expect(requested.filter((p) => /\.wasm$|\/events/.test(p))).toEqual([]);
  await page.locator('vetrina-show').scrollIntoViewIfNeeded();
  await expect(overlay(page).locator('video.vt-video')).toBeVisible({ timeout: 15_000 });
  expect(await page.evaluate(() => (window as any).__shifts)).toEqual([]);
  await shot(page, testInfo, 'embed-product-autoplay');
});
