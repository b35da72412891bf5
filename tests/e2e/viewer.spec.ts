// The viewer's extras on the real server: the product shelf, quantities, cart
// lines that explain themselves, retries that never double an action, the
// viewer's language, and safe-area insets on a notched phone.
import { expect, test } from './fixtures';
import { expectNoViolations, fillCheckout, openShow, pin, press, setPrice, shot, unpinAll } from './helpers';

test.beforeEach(async ({ request }) => {
  await unpinAll(request);
});

test('the shelf shows every product, pinned ones first, one tap from anywhere', async ({ page, request }, testInfo) => {
  await openShow(page);
  await pin(request, 3);
  await pin(request, 8);
  await expect(page.locator('.vt-rail .vt-card')).toHaveCount(2);
  const videoBox = await page.locator('video.vt-video').boundingBox();
  await press(page.getByTestId('shelf-button'), testInfo);
  const shelf = page.getByRole('dialog', { name: 'All products' });
  await expect(shelf).toBeVisible();
  // A tall sheet rests on the bottom edge and moves nothing underneath.
  await page.waitForTimeout(350);
  const box = (await shelf.boundingBox())!;
  expect(Math.abs(box.y + box.height - page.viewportSize()!.height)).toBeLessThanOrEqual(8.5);
  expect(await page.locator('video.vt-video').boundingBox()).toEqual(videoBox);
  const cards = shelf.locator('.vt-card');
  await expect(cards).toHaveCount(9);
  // Newest pin first, both marked; then the catalogue in order.
  await expect(cards.nth(0)).toHaveAttribute('data-product-id', '8');
  await expect(cards.nth(1)).toHaveAttribute('data-product-id', '3');
  await expect(cards.nth(2)).toHaveAttribute('data-product-id', '1');
  await expect(shelf.getByText('Pinned now')).toHaveCount(2);
  // A sold-out variant does not make a product sold out; a sold-out product says so.
  await expect(shelf.locator('.vt-card[data-product-id="7"]')).not.toContainText('Sold out');
  await shot(page, testInfo, '20-shelf');

  // The order follows pins live while the shelf is open.
  await pin(request, 7);
  await expect(cards.nth(0)).toHaveAttribute('data-product-id', '7');
  await expect(shelf.getByText('Pinned now')).toHaveCount(3);

  await press(shelf.locator('.vt-card[data-product-id="9"]'), testInfo);
  await expect(page.getByRole('dialog', { name: 'Denim Jacket' })).toBeVisible();
  // Closing it: the shelf row that opened it is gone, so focus goes back to "Products".
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('shelf-button')).toBeFocused();
});

test('a quantity is picked in the detail, within stock and the per-buyer limit', async ({ page, request }, testInfo) => {
  await openShow(page);
  await pin(request, 7);
  await press(page.locator('.vt-card[data-product-id="7"]'), testInfo);
  const sheet = page.getByRole('dialog', { name: 'Wool Beanie' });
  await press(sheet.getByRole('button', { name: 'Oat' }), testInfo);
  const quantity = sheet.getByRole('group', { name: 'Quantity of Wool Beanie' });
  await expect(quantity.getByRole('button', { name: 'One fewer' })).toBeDisabled();
  await press(quantity.getByRole('button', { name: 'One more' }), testInfo);
  await press(quantity.getByRole('button', { name: 'One more' }), testInfo);
  await expect(quantity).toContainText('3');
  await shot(page, testInfo, '21-quantity');
  await press(page.getByTestId('add-to-cart'), testInfo);
  await expect(page.getByTestId('cart-count')).toHaveText('3');

  // The Leather Tote is one per buyer: the picker stops at one.
  await pin(request, 5);
  await press(page.locator('.vt-card[data-product-id="5"]'), testInfo);
  const tote = page.getByRole('dialog', { name: 'Leather Tote' }).getByRole('group', { name: 'Quantity of Leather Tote' });
  await expect(tote).toContainText('1');
  await expect(tote.getByRole('button', { name: 'One more' })).toBeDisabled();
});

test('a cart line says when its price changed since it was added, and its limit', async ({ page, request }, testInfo) => {
  await openShow(page);
  await pin(request, 4);
  await press(page.locator('.vt-card[data-product-id="4"]'), testInfo);
  await press(page.getByTestId('add-to-cart'), testInfo);
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  try {
    await setPrice(request, 13, 2000);
    await page.reload();
    await press(page.getByTestId('cart-button'), testInfo);
    const cart = page.getByRole('dialog', { name: 'Your cart' });
    await expect(cart.getByTestId('price-changed')).toHaveText('Price changed since you added it (was €18.00)');
    // The server's totals use the new price.
    await expect(page.getByTestId('cart-total')).toHaveText('€24.90');
    await shot(page, testInfo, '22-price-changed');
    // Changing the line is seeing the new price: the note goes.
    await press(cart.getByRole('button', { name: 'One more' }), testInfo);
    await expect(page.getByTestId('cart-total')).toHaveText('€44.90');
    // The line re-rendered; the keyboard stays on the same control.
    await expect(cart.getByRole('button', { name: 'One more' })).toBeFocused();
    await expect(cart.getByTestId('price-changed')).toHaveCount(0);
  } finally {
    await setPrice(request, 13, 1800);
  }

  // A refused quantity is explained on its own line.
  await page.keyboard.press('Escape');
  await pin(request, 5);
  await press(page.locator('.vt-card[data-product-id="5"]'), testInfo);
  await press(page.getByRole('button', { name: 'Cognac' }), testInfo);
  await press(page.getByTestId('add-to-cart'), testInfo);
  await expect(page.getByTestId('cart-count')).toHaveText('3');
  await press(page.getByTestId('cart-button'), testInfo);
  const toteLine = page.locator('.vt-line[data-variant-id="14"]');
  await expect(toteLine.getByRole('button', { name: 'One more' })).toBeDisabled();
});

test('an add whose answer was lost is sent again with the same key and counted once', async ({ page, request }, testInfo) => {
  await openShow(page);
  await pin(request, 3);
  await press(page.locator('.vt-card[data-product-id="3"]'), testInfo);
  await press(page.getByRole('button', { name: 'Olive' }), testInfo);
  const keys: string[] = [];
  let lost = false;
  await page.route('**/api/carts/*/lines', async (route) => {
    keys.push(route.request().headers()['idempotency-key'] ?? '');
    if (lost) return route.continue();
    // The request reaches the server and is applied; its answer never arrives.
    lost = true;
    await route.fetch();
    await route.abort('connectionreset');
  });
  await press(page.getByTestId('add-to-cart'), testInfo);
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  expect(keys.length).toBe(2);
  expect(keys[0]).not.toBe('');
  expect(keys[1]).toBe(keys[0]);
  await press(page.getByTestId('cart-button'), testInfo);
  await expect(page.locator('.vt-line[data-variant-id="12"] .vt-stepper__value')).toHaveText('1');
});

test('an add made offline waits for the network, then happens once', async ({ page, context, request }, testInfo) => {
  await openShow(page);
  await pin(request, 4);
  await press(page.locator('.vt-card[data-product-id="4"]'), testInfo);
  await context.setOffline(true);
  await press(page.getByTestId('add-to-cart'), testInfo);
  await expect(page.getByTestId('retrying')).toBeVisible();
  // The button that was pressed says what is under way; the other one waits.
  await expect(page.getByTestId('add-to-cart')).toHaveText('Adding…');
  await expect(page.getByTestId('buy-now')).toHaveText('Buy now');
  await expect(page.getByTestId('offline')).toBeVisible();
  await shot(page, testInfo, '23-offline-retrying');
  // Longer than the online retries would take: offline, it keeps waiting.
  await page.waitForTimeout(4500);
  await expect(page.getByTestId('cart-count')).toHaveCount(0);
  await context.setOffline(false);
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  await expect(page.getByTestId('retrying')).toBeHidden();
});

test.describe('in Italian', () => {
  test.use({ locale: 'it-IT' });

  test('a browser in Italian gets the overlay in Italian, with Italian formats', async ({ page, request }, testInfo) => {
    await openShow(page);
    await expect(page.locator('html')).toHaveAttribute('lang', 'it');
    await expect(page.locator('.vt-live')).toHaveText('In diretta');
    await pin(request, 1);
    const card = page.locator('.vt-card[data-product-id="1"]');
    await expect(card).toContainText(/49,00\s€ prima 69,00\s€ -29%/);
    await expect(page.getByTestId('announcer')).toHaveText('In evidenza: Linen Shirt');
    await press(card, testInfo);
    const sheet = page.getByRole('dialog', { name: 'Linen Shirt' });
    await expect(page.getByTestId('add-to-cart')).toHaveText('Aggiungi al carrello');
    await press(page.getByTestId('buy-now'), testInfo);
    await expect(sheet.getByRole('alert')).toHaveText('Scegli prima: size.');
    await shot(page, testInfo, '24-italian-detail');
    await expectNoViolations(page, 'product sheet in Italian');
    await press(sheet.getByRole('button', { name: 'S', exact: true }), testInfo);
    await press(sheet.getByRole('button', { name: 'Navy' }), testInfo);
    await press(page.getByTestId('buy-now'), testInfo);
    const form = page.getByRole('dialog', { name: 'Cassa' });
    await expect(form.getByLabel('Paese')).toContainText('Italia');
    await press(page.getByTestId('place-order'), testInfo);
    await expect(form.locator('#vt-f-email-error')).toHaveText('Inserisci un indirizzo email come nome@esempio.it.');
    await expect(page.getByTestId('place-order')).toHaveText(/Ordina · 53,90\s€/);
    await shot(page, testInfo, '25-italian-checkout');
    await expectNoViolations(page, 'checkout in Italian');
    await form.getByLabel('Email').fill('ivo@example.com');
    await form.getByLabel('Nome e cognome').fill('Ivo Sala');
    await form.getByLabel('Indirizzo').fill('9 Via Sala');
    await form.getByLabel('Città').fill('Como');
    await form.getByLabel('CAP').fill('22100');
    await press(page.getByTestId('place-order'), testInfo);
    const done = page.getByRole('dialog', { name: 'Grazie!' });
    await expect(done).toContainText('Una conferma sta arrivando a ivo@example.com.');
    await shot(page, testInfo, '26-italian-confirmation');
  });

  test('the page can insist on a language', async ({ page }) => {
    await page.goto('/?show=demo&lang=en');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByTestId('shelf-button')).toHaveText('Products');
  });
});

test.describe('in German', () => {
  test.use({ locale: 'de-DE' });

  test('the German sentences come with the page, or are fetched when the page lacks them', async ({ page }) => {
    // As the server sends it: the catalogue is in the page, nothing is fetched.
    const fetched: string[] = [];
    page.on('request', (r) => { if (r.url().includes('/i18n/')) fetched.push(r.url()); });
    await openShow(page);
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await expect(page.getByTestId('shelf-button')).toHaveText('Produkte');
    expect(fetched).toEqual([]);
    // A page without it (a brand's static copy of the overlay): fetched once, beside the overlay.
    await page.route(/\/\?show=demo/, async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace(/<script type="application\/json" id="vt-text-de">.*?<\/script>/s, '');
      await route.fulfill({ response, body });
    });
    await openShow(page);
    await expect(page.getByTestId('shelf-button')).toHaveText('Produkte');
    await expect(page.getByTestId('cart-button')).toHaveAttribute('aria-label', 'Warenkorb, leer');
    expect(fetched.map((u) => new URL(u).pathname)).toEqual(['/i18n/de.json']);
  });
});

test('an English viewer downloads no other language', async ({ page }) => {
  const fetched: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/i18n/')) fetched.push(r.url()); });
  await openShow(page);
  await expect(page.getByTestId('shelf-button')).toHaveText('Products');
  expect(fetched).toEqual([]);
});

test.describe('in a language we do not speak', () => {
  test.use({ locale: 'pt-BR' });

  test("the show's language is used, with the viewer's number formats left to Intl", async ({ page }) => {
    await openShow(page);
    // The demo show is in English.
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByTestId('shelf-button')).toHaveText('Products');
  });
});

test('on a notched phone nothing sits under the notch or the home indicator', async ({ page, request }, testInfo) => {
  test.skip(testInfo.project.name !== 'phone', 'safe areas are a phone matter');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setSafeAreaInsetsOverride' as any, { insets: { top: 47, bottom: 34, left: 0, right: 0 } });
  await openShow(page);
  await pin(request, 4);
  const box = async (selector: string) => (await page.locator(selector).first().boundingBox())!;
  expect((await box('.vt-top .vt-live')).y).toBeGreaterThanOrEqual(47);
  expect((await box('[data-testid="cart-button"]')).y).toBeGreaterThanOrEqual(47);
  const card = await box('.vt-rail .vt-card');
  expect(card.y + card.height).toBeLessThanOrEqual(844 - 34);
  await shot(page, testInfo, '27-safe-area');
  await press(page.locator('.vt-card[data-product-id="4"]'), testInfo);
  // Once the sheet has slid in, its last button sits above the home indicator.
  await page.waitForTimeout(350);
  const buy = await box('[data-testid="buy-now"]');
  expect(buy.y + buy.height).toBeLessThanOrEqual(844 - 34);
  expect(buy.y + buy.height).toBeGreaterThan(844 - 34 - 120);
  await shot(page, testInfo, '28-safe-area-sheet');
});
