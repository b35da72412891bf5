// The sheets live in a wasm module of their own (src/ui/sheets.rs), fetched
// once the first frame is drawn. What a viewer sees when a tap beats that
// fetch, or when the fetch fails, and that it is fetched without a tap at all.
import { expect, test, type Page } from './fixtures';
import { expectNoViolations, openShow, pin, press, shot, unpinAll } from './helpers';

const SHEETS = /\/app-[0-9a-f]{16}\/[^/]+\.wasm$/;
const isSheets = (url: string) => SHEETS.test(url) && !url.endsWith('/vetrina_bg.wasm');

test.beforeEach(async ({ request }) => {
  await unpinAll(request);
});

test('the sheets are fetched after the first frame, before any tap', async ({ page }) => {
  const fetched = page.waitForRequest((r) => isSheets(r.url()));
  await openShow(page);
  await fetched;
  // Nothing was opened to cause it.
  await expect(page.getByRole('dialog')).toHaveCount(0);
});

/// Holds the sheets' module back until the returned function is called.
async function holdSheets(page: Page): Promise<() => void> {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(SHEETS, async (route) => {
    if (!isSheets(route.request().url())) return route.continue();
    await held;
    await route.continue();
  });
  return release;
}

test('a tap before the sheets arrive says they are loading, then shows the product', async ({ page, request }, testInfo) => {
  const release = await holdSheets(page);
  await openShow(page);
  await pin(request, 1);
  await press(page.locator('.vt-card[data-product-id="1"]'), testInfo);
  const waiting = page.getByRole('dialog', { name: 'Loading…' });
  await expect(waiting).toBeVisible();
  await expect(waiting.locator('[aria-busy="true"]')).toBeVisible();
  await shot(page, testInfo, '30-sheet-loading');
  await expectNoViolations(page, 'sheet loading');
  release();
  const sheet = page.getByRole('dialog', { name: 'Linen Shirt' });
  await expect(sheet).toBeVisible();
  await expect(waiting).toHaveCount(0);
  // The real sheet works as ever: choose, and the price is there.
  await press(sheet.getByRole('button', { name: 'Navy' }), testInfo);
  await expect(sheet).toContainText('€49.00');
});

test('sheets that cannot be fetched say so, and Try again fetches them', async ({ page, request }, testInfo) => {
  let refuse = true;
  await page.route(SHEETS, (route) =>
    isSheets(route.request().url()) && refuse ? route.abort('internetdisconnected') : route.continue(),
  );
  await openShow(page);
  await pin(request, 1);
  await press(page.locator('.vt-card[data-product-id="1"]'), testInfo);
  const failed = page.getByRole('dialog', { name: 'This could not be opened' });
  await expect(failed).toBeVisible();
  await expect(failed.getByRole('alert')).toContainText('You seem to be offline. Nothing was lost');
  await shot(page, testInfo, '31-sheet-failed');
  await expectNoViolations(page, 'sheet failed');
  // The overlay is still alive: the video's top bar and the card answer.
  await expect(page.locator('.vt-card[data-product-id="1"]')).toBeVisible();
  refuse = false;
  await press(failed.getByRole('button', { name: 'Try again' }), testInfo);
  const sheet = page.getByRole('dialog', { name: 'Linen Shirt' });
  await expect(sheet).toBeVisible();
  await expect(sheet).toContainText('€49.00');
});
