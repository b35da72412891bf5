// The viewer's whole path on the real server: pin → card → variant → cart →
// checkout → confirmation, plus reload, failures and bad events.
import { expect, test } from './fixtures';
import { buyElsewhere, fillCheckout, openShow, pin, press, sentConfirmation, shot, snapshot, unpinAll } from './helpers';

test.beforeEach(async ({ request }) => {
  await unpinAll(request);
});

test('a pinned product can be bought in a few taps', async ({ page, request }, testInfo) => {
  await openShow(page);
  await expect(page.locator('.vt-top__title')).toHaveText('Spring Edit, live from Milano');
  await shot(page, testInfo, '01-show');

  await pin(request, 1);
  const card = page.locator('.vt-card[data-product-id="1"]');
  await expect(card).toBeVisible();
  await expect(card).toContainText('Linen Shirt');
  await expect(card).toContainText('€49.00');
  await expect(card).toContainText('€69.00');
  await expect(page.getByTestId('announcer')).toHaveText('Now showing: Linen Shirt');
  await shot(page, testInfo, '02-pinned');

  await press(card, testInfo);
  const sheet = page.getByRole('dialog', { name: 'Linen Shirt' });
  await expect(sheet).toBeVisible();
  await expect(sheet).toBeFocused();
  await shot(page, testInfo, '03-detail');

  // Nothing chosen yet: the sheet says what is missing instead of guessing.
  await press(page.getByTestId('add-to-cart'), testInfo);
  await expect(sheet.getByRole('alert')).toHaveText('Choose a size first.');

  // Sand in L is sold out: once Sand is chosen, L cannot be picked.
  await press(sheet.getByRole('button', { name: 'Sand' }), testInfo);
  await expect(sheet.getByRole('button', { name: 'L (sold out)' })).toBeDisabled();
  await press(sheet.getByRole('button', { name: 'M', exact: true }), testInfo);
  await expect(sheet.getByRole('button', { name: 'M', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await shot(page, testInfo, '04-variant');

  await press(page.getByTestId('add-to-cart'), testInfo);
  await expect(sheet).toBeHidden();
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  await expect(page.getByTestId('notice')).toContainText('Linen Shirt added');
  await shot(page, testInfo, '05-added');

  await press(page.getByTestId('cart-button'), testInfo);
  const cart = page.getByRole('dialog', { name: 'Your cart' });
  await expect(cart).toContainText('Linen Shirt');
  // "Added to your cart" was about the product sheet; in the cart it no longer applies.
  await expect(page.getByTestId('notice')).toHaveCount(0);
  await expect(cart).toContainText('M · Sand');
  // Totals come from the server: 49.00 plus 4.90 shipping below the free threshold.
  await expect(page.getByTestId('cart-total')).toHaveText('€53.90');
  await shot(page, testInfo, '06-cart');

  await press(page.getByTestId('go-to-checkout'), testInfo);
  const form = page.getByRole('dialog', { name: 'Checkout' });
  await expect(form).toBeVisible();
  const expected: Record<string, string> = {
    Email: 'email',
    'Full name': 'name',
    Address: 'address-line1',
    'Apartment, floor (optional)': 'address-line2',
    City: 'address-level2',
    'Postal code': 'postal-code',
    Country: 'country',
  };
  for (const [label, token] of Object.entries(expected)) {
    await expect(form.getByLabel(label)).toHaveAttribute('autocomplete', token);
  }
  // A bad email is caught beside its field before anything is sent.
  await form.getByLabel('Email').fill('ada@');
  await press(page.getByTestId('place-order'), testInfo);
  await expect(form.locator('#vt-f-email-error')).toContainText('Enter an email address');

  await fillCheckout(form, { email: 'ada@example.com', name: 'Ada Lovelace', address: '1 Via Roma', city: 'Milano', postalCode: '20121' });
  await form.getByLabel('Country').selectOption('IT');
  await shot(page, testInfo, '07-checkout');

  await press(page.getByTestId('place-order'), testInfo);
  const done = page.getByRole('dialog', { name: 'Thank you!' });
  await expect(done).toBeVisible();
  await expect(page.getByTestId('order-number')).toHaveText(/^VT-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
  await expect(done).toContainText('ada@example.com');
  await expect(page.getByTestId('cart-count')).toHaveCount(0);
  await expect(page.getByTestId('notice')).toHaveCount(0);
  await shot(page, testInfo, '08-confirmation');
  // "A confirmation is on its way" is true: the server sent it (to its outbox, in the demo).
  const number = (await page.getByTestId('order-number').textContent())!.trim();
  const mail = sentConfirmation(number);
  expect(mail).toContain('To: "Ada Lovelace" <ada@example.com>');
  expect(mail).toContain(`Subject: Your order ${number}`);
  expect(mail).toContain('Linen Shirt (M, Sand)');
  expect(mail).toContain('Total: 53.90 EUR');
  expect(mail).toContain('1 Via Roma');
});

test('a first-time viewer buys in five taps plus autofill', async ({ page, request }, testInfo) => {
  let taps = 0;
  const tap = async (locator: Parameters<typeof press>[0]) => {
    taps += 1;
    await press(locator, testInfo);
  };
  await openShow(page);
  await pin(request, 9);
  await tap(page.locator('.vt-card[data-product-id="9"]'));
  const sheet = page.getByRole('dialog', { name: 'Denim Jacket' });
  await tap(sheet.getByRole('button', { name: 'M', exact: true }));
  await tap(sheet.getByRole('button', { name: 'Indigo' }));
  await tap(page.getByTestId('buy-now'));
  const form = page.getByRole('dialog', { name: 'Checkout' });
  await expect(form).toBeVisible();
  // Autofill: the browser fills every field in one go from the autocomplete tokens.
  await fillCheckout(form, { email: 'fay@example.com', name: 'Fay Neri', address: '7 Via Neri', city: 'Napoli', postalCode: '80100' });
  await shot(page, testInfo, '17-buy-now-checkout');
  await tap(page.getByTestId('place-order'));
  await expect(page.getByTestId('order-number')).toHaveText(/^VT-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
  expect(taps).toBeLessThanOrEqual(5);
  console.log(`first-time viewer: ${taps} taps from the pinned card to a placed order, plus autofill`);
});

test('a returning viewer who asked to be remembered buys in two taps', async ({ page, request }, testInfo) => {
  await openShow(page);
  await pin(request, 4);
  // First visit: an ordinary checkout, with consent to be remembered.
  await press(page.locator('.vt-card[data-product-id="4"]'), testInfo);
  await press(page.getByTestId('buy-now'), testInfo);
  const form = page.getByRole('dialog', { name: 'Checkout' });
  await fillCheckout(form, { email: 'gia@example.com', name: 'Gia Bassi', address: '8 Via Bassi', city: 'Bologna', postalCode: '40121' });
  expect(await page.evaluate(() => localStorage.getItem('vetrina.buyer'))).toBeNull();
  await form.getByLabel(/Remember my details/).check();
  await press(page.getByTestId('place-order'), testInfo);
  await expect(page.getByTestId('order-number')).toBeVisible();
  expect(await page.evaluate(() => localStorage.getItem('vetrina.buyer'))).toContain('gia@example.com');

  // Next visit: from the pinned card to a placed order.
  await page.reload();
  let taps = 0;
  const tap = async (locator: Parameters<typeof press>[0]) => {
    taps += 1;
    await press(locator, testInfo);
  };
  await tap(page.locator('.vt-card[data-product-id="4"]'));
  await expect(page.getByTestId('express-note')).toHaveText('Buy now orders at once: €18.00 + €4.90 shipping, to Gia Bassi, Bologna.');
  await shot(page, testInfo, '18-returning-viewer-express');
  await tap(page.getByTestId('buy-now'));
  await expect(page.getByTestId('order-number')).toHaveText(/^VT-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
  await expect(page.getByRole('dialog', { name: 'Thank you!' })).toContainText('gia@example.com');
  expect(taps).toBeLessThanOrEqual(2);
  console.log(`returning viewer: ${taps} taps from the pinned card to a placed order`);

  // Unticking "remember" at the next checkout forgets the details.
  await page.getByRole('button', { name: 'Keep watching' }).click();
  await press(page.locator('.vt-card[data-product-id="4"]'), testInfo);
  await press(page.getByTestId('add-to-cart'), testInfo);
  await press(page.getByTestId('cart-button'), testInfo);
  await press(page.getByTestId('go-to-checkout'), testInfo);
  await expect(form.getByLabel('Email')).toHaveValue('gia@example.com');
  await form.getByLabel(/Remember my details/).uncheck();
  await press(page.getByTestId('place-order'), testInfo);
  await expect(page.getByTestId('order-number')).toBeVisible();
  expect(await page.evaluate(() => localStorage.getItem('vetrina.buyer'))).toBeNull();
});

test('the cart survives a reload', async ({ page, request }, testInfo) => {
  await openShow(page);
  await pin(request, 4);
  await press(page.locator('.vt-card[data-product-id="4"]'), testInfo);
  await press(page.getByTestId('add-to-cart'), testInfo);
  await expect(page.getByTestId('cart-count')).toHaveText('1');

  await page.reload();
  await expect(page.locator('video.vt-video')).toBeVisible();
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  await press(page.getByTestId('cart-button'), testInfo);
  await expect(page.getByRole('dialog', { name: 'Your cart' })).toContainText('Ceramic Mug');
  await shot(page, testInfo, '09-cart-after-reload');

  // Quantity changes go through the server and come back with new totals.
  await press(page.getByRole('button', { name: 'One more' }), testInfo);
  await expect(page.getByTestId('cart-count')).toHaveText('2');
  await expect(page.getByTestId('cart-total')).toHaveText('€40.90');
  await press(page.getByRole('button', { name: 'Remove Ceramic Mug' }), testInfo);
  await expect(page.getByText('Your cart is empty.')).toBeVisible();
  await shot(page, testInfo, '10-cart-empty');
});

test('a line sold out meanwhile is named at checkout and nothing is lost', async ({ page, request }, testInfo) => {
  // Each project buys out a different product, so the two runs do not interfere.
  const [productId, variantId, title] = testInfo.project.name === 'phone' ? [6, 16, 'Sunglasses'] : [8, 19, 'Scented Candle'];
  const stock = (await snapshot(request)).products.find((p: any) => p.id === productId).variants[0].stock;
  expect(stock).toBeGreaterThan(0);

  await openShow(page);
  await pin(request, productId);
  await press(page.locator(`.vt-card[data-product-id="${productId}"]`), testInfo);
  await press(page.getByTestId('add-to-cart'), testInfo);
  await expect(page.getByTestId('cart-count')).toHaveText('1');

  await buyElsewhere(request, variantId, stock);

  await press(page.getByTestId('cart-button'), testInfo);
  await press(page.getByTestId('go-to-checkout'), testInfo);
  const form = page.getByRole('dialog', { name: 'Checkout' });
  await fillCheckout(form, { email: 'bea@example.com', name: 'Bea Rossi', address: '3 Via Dante', city: 'Roma', postalCode: '00100' });
  await press(page.getByTestId('place-order'), testInfo);
  await expect(form.getByRole('alert')).toHaveText(`Not enough left of ${title}. Change your cart to continue.`);
  await shot(page, testInfo, '11-sold-out-at-checkout');
  // The cart is intact: the viewer decides what to do with the line, which now says why.
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  await press(form.getByRole('button', { name: 'Back to cart' }), testInfo);
  const cart = page.getByRole('dialog', { name: 'Your cart' });
  await expect(cart).toContainText('Sold out: remove it to check out');
  await expect(page.getByTestId('go-to-checkout')).toBeDisabled();
  await shot(page, testInfo, '12-sold-out-line-in-cart');
});

test('a declined test card buys nothing and says so', async ({ page, request }, testInfo) => {
  await openShow(page);
  await pin(request, 4);
  await press(page.locator('.vt-card[data-product-id="4"]'), testInfo);
  await press(page.getByTestId('add-to-cart'), testInfo);
  await press(page.getByTestId('cart-button'), testInfo);
  await press(page.getByTestId('go-to-checkout'), testInfo);
  const form = page.getByRole('dialog', { name: 'Checkout' });
  await fillCheckout(form, { email: 'cy@example.com', name: 'Cy Verdi', address: '4 Via Verdi', city: 'Parma', postalCode: '43121' });
  await form.getByLabel(/Payment/).selectOption('tok_declined');
  await press(page.getByTestId('place-order'), testInfo);
  await expect(form.getByRole('alert')).toContainText('The card was declined and nothing was charged');
  await shot(page, testInfo, '16-card-declined');
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  // Another card goes through, with the same cart.
  await form.getByLabel(/Payment/).selectOption('tok_visa');
  await press(page.getByTestId('place-order'), testInfo);
  await expect(page.getByTestId('order-number')).toHaveText(/^VT-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
});

test('a failed request explains itself and keeps the cart', async ({ page, request }, testInfo) => {
  await openShow(page);
  await pin(request, 3);
  await press(page.locator('.vt-card[data-product-id="3"]'), testInfo);
  await press(page.getByRole('button', { name: 'Olive' }), testInfo);
  await press(page.getByTestId('add-to-cart'), testInfo);
  await expect(page.getByTestId('cart-count')).toHaveText('1');

  await page.route('**/api/carts/**', (route) => route.abort('internetdisconnected'));
  await press(page.locator('.vt-card[data-product-id="3"]'), testInfo);
  await press(page.getByRole('button', { name: 'Terracotta' }), testInfo);
  await press(page.getByTestId('add-to-cart'), testInfo);
  // It tries again a few times (the browser still says it is online), then explains.
  await expect(page.getByTestId('retrying')).toBeVisible();
  await expect(page.getByRole('dialog', { name: 'Silk Scarf' }).getByRole('alert')).toContainText('offline');
  await expect(page.getByTestId('retrying')).toBeHidden();
  await shot(page, testInfo, '13-request-failed');
  await expect(page.getByTestId('cart-count')).toHaveText('1');

  await page.unroute('**/api/carts/**');
  await press(page.getByTestId('add-to-cart'), testInfo);
  await expect(page.getByTestId('cart-count')).toHaveText('2');
});

test('offline keeps the cart, says so, and the stream catches up without duplicates', async ({ page, context, request }, testInfo) => {
  await openShow(page);
  await pin(request, 2);
  await press(page.locator('.vt-card[data-product-id="2"]'), testInfo);
  await press(page.getByRole('button', { name: '40' }), testInfo);
  await press(page.getByTestId('add-to-cart'), testInfo);
  await expect(page.getByTestId('cart-count')).toHaveText('1');

  await context.setOffline(true);
  await expect(page.getByTestId('offline')).toBeVisible();
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  await shot(page, testInfo, '19-offline');
  // The host keeps pinning while this viewer is offline.
  await pin(request, 5);

  await context.setOffline(false);
  await expect(page.getByTestId('offline')).toBeHidden();
  // The browser reconnects with Last-Event-ID: the missed pin arrives, once.
  await expect(page.locator('.vt-card[data-product-id="5"]')).toHaveCount(1, { timeout: 15_000 });
  await expect(page.locator('.vt-card[data-product-id="2"]')).toHaveCount(1);
  await expect(page.locator('.vt-card')).toHaveCount(2);
  await expect(page.getByTestId('cart-count')).toHaveText('1');
});

test('a malformed event is dropped with a warning and the stream goes on', async ({ page }, testInfo) => {
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
  });
  await page.route('**/api/shows/demo/events**', (route) =>
    route.fulfill({
      status: 200,
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
      body:
        'retry: 600000\n\n' +
        'id: 900001\ndata: {this is not json\n\n' +
        'id: 900002\ndata: {"id":900002,"show_id":"demo","stream_ms":1,"type":"explode","product_id":2}\n\n' +
        'id: 900003\ndata: {"id":900003,"show_id":"demo","stream_ms":2,"type":"pin","product_id":2}\n\n',
    }),
  );
  await openShow(page);
  await expect(page.locator('.vt-card[data-product-id="2"]')).toBeVisible();
  await expect.poll(() => warnings.filter((w) => w.includes('dropped an event')).length).toBe(2);
  await shot(page, testInfo, '14-after-malformed-events');
});

test('an unknown show has a designed error state', async ({ page }, testInfo) => {
  await page.goto('/?show=no-such-show');
  await expect(page.getByRole('alert')).toContainText('The show could not be loaded.');
  await expect(page.getByRole('alert')).toContainText('does not exist');
  await shot(page, testInfo, '15-unknown-show');
});

test('pinning needs the creator token', async ({ request }) => {
  const anonymous = await request.post('/api/shows/demo/pins', { data: { product_id: 1 } });
  expect(anonymous.status()).toBe(401);
  expect((await anonymous.json()).code).toBe('unauthorized');
  const wrong = await request.post('/api/shows/demo/pins', {
    headers: { Authorization: 'Bearer not-the-token' },
    data: { product_id: 1 },
  });
  expect(wrong.status()).toBe(401);
});

test('a card with nothing to choose has Buy now: one tap to the checkout, the item in it', async ({ page, request }, testInfo) => {
  await openShow(page);
  await pin(request, 4);
  const buy = page.getByRole('button', { name: 'Buy now: Ceramic Mug' });
  await expect(buy).toBeVisible();
  await expect(buy).toHaveText('Buy now');
  // A product with sizes opens its sheet instead: nothing is bought unchosen.
  await pin(request, 1);
  await expect(page.locator('.vt-card[data-product-id="1"]')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Buy now: Linen Shirt' })).toHaveCount(0);
  await shot(page, testInfo, '09-card-buy-now');
  await press(buy, testInfo);
  const form = page.getByRole('dialog', { name: 'Checkout' });
  await expect(form).toBeVisible();
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  // Back in the cart: the mug, once.
  await press(form.getByRole('button', { name: 'Back to cart' }), testInfo);
  await expect(page.getByRole('dialog', { name: 'Your cart' })).toContainText('Ceramic Mug');
});
