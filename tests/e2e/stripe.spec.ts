// A shop that takes payments with Stripe, in the browser. Stripe.js cannot be
// loaded from this machine, so the server here is pointed at the stand-in for
// Stripe's API and for exactly the part of Stripe.js the checkout uses
// (tests/stripe-standin: its Payment Element is a list of Stripe's test cards,
// its Express Checkout Element one Link button, its 3-D Secure a dialog); the
// overlay, stripe-pay.js, the server and the webhooks are the real ones. The
// README says how to run the same with real test keys.
import { expect, test, type Page, type TestInfo } from './fixtures';
import { existsSync } from 'node:fs';
import { expectNoViolations, fillCheckout, openShow, pin, press, shot, unpinAll } from './helpers';

const STANDIN = `http://${process.env.VETRINA_E2E_STANDIN_ADDR ?? '127.0.0.1:18085'}`;
const DATA = process.env.VETRINA_E2E_STRIPE_DATA ?? 'target/e2e-stripe-data';
const card = (page: Page) => page.getByLabel('Card (Stripe test card)');

test.beforeEach(async ({ request }) => {
  await unpinAll(request);
});

/** From the pinned mug to the checkout sheet, its Stripe fields mounted. */
async function toCheckout(page: Page, testInfo: TestInfo) {
  await press(page.locator('.vt-card[data-product-id="4"]'), testInfo);
  await press(page.getByTestId('buy-now'), testInfo);
  const form = page.getByRole('dialog', { name: 'Checkout' });
  await expect(form).toBeVisible();
  await expect(card(page)).toBeVisible();
  return form;
}

test('a card pays through Stripe’s fields, which load only when the checkout opens', async ({ page, request }, testInfo) => {
  const requested: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  const answer = await page.goto('/?show=demo');
  // The page names the Stripe.js host it may load, and where it may send data: only on this shop.
  const csp = answer!.headers()['content-security-policy'];
  expect(csp).toContain(`script-src 'self' 'wasm-unsafe-eval' ${STANDIN}`);
  expect(csp).toContain(`connect-src 'self' ${STANDIN}`);
  await expect(page.locator('video.vt-video')).toBeVisible();
  await pin(request, 4);
  await expect(page.locator('.vt-card[data-product-id="4"]')).toBeVisible();
  expect(requested.filter((u) => /stripe-pay\.js|\/v3\/|\/v1\//.test(u)), 'Stripe loaded before checkout').toEqual([]);

  const form = await toCheckout(page, testInfo);
  expect(requested.some((u) => u.endsWith('/stripe-pay.js'))).toBeTruthy();
  expect(requested.some((u) => u === `${STANDIN}/v3/`)).toBeTruthy();
  await fillCheckout(form, { email: 'ada@example.com', name: 'Ada Lovelace', address: '1 Via Roma', city: 'Milano', postalCode: '20121' });
  await card(page).selectOption('pm_card_visa');
  await page.getByTestId('place-order').scrollIntoViewIfNeeded();
  await shot(page, testInfo, 'stripe-01-checkout');
  await expectNoViolations(page, 'checkout with Stripe');
  await press(page.getByTestId('place-order'), testInfo);
  await expect(page.getByRole('dialog', { name: 'Thank you!' })).toBeVisible();
  const number = (await page.getByTestId('order-number').textContent())!.trim();
  expect(number).toMatch(/^VT-/);
  // Paid, and the confirmation sent: what the sheet says is true.
  expect(existsSync(`${DATA}/outbox/${number}.eml`)).toBeTruthy();
  await shot(page, testInfo, 'stripe-02-paid');
  // No card number ever reached our server: only a ConfirmationToken.
  expect(requested.filter((u) => u.includes('/checkout')).length).toBeGreaterThan(0);
});

test('3-D Secure runs in Stripe’s dialog between two sends of one order', async ({ page, request }, testInfo) => {
  await openShow(page);
  await pin(request, 4);
  const form = await toCheckout(page, testInfo);
  await fillCheckout(form, { email: 'bo@example.com', name: 'Bo Bianchi', address: '2 Via Po', city: 'Torino', postalCode: '10100' });
  await card(page).selectOption('pm_card_threeDSecure2Required');
  await press(page.getByTestId('place-order'), testInfo);
  const challenge = page.getByRole('dialog', { name: '3-D Secure test challenge' });
  await expect(challenge).toBeVisible();
  await expect(form).toContainText('Confirm the payment with your bank…');
  await shot(page, testInfo, 'stripe-03-3ds');
  await challenge.getByRole('button', { name: 'Complete' }).click();
  await expect(page.getByRole('dialog', { name: 'Thank you!' })).toBeVisible();
  await expect(page.getByRole('dialog', { name: 'Thank you!' })).toContainText('bo@example.com');
});

test('a declined card is told plainly and another card pays', async ({ page, request }, testInfo) => {
  await openShow(page);
  await pin(request, 4);
  const form = await toCheckout(page, testInfo);
  await fillCheckout(form, { email: 'cy@example.com', name: 'Cy Verdi', address: '4 Via Verdi', city: 'Parma', postalCode: '43121' });
  await card(page).selectOption('pm_card_chargeDeclined');
  await press(page.getByTestId('place-order'), testInfo);
  await expect(form.getByRole('alert')).toHaveText('The card was declined. Nothing was charged; try another card.');
  await page.getByTestId('place-order').scrollIntoViewIfNeeded();
  await shot(page, testInfo, 'stripe-04-declined');
  await card(page).selectOption('pm_card_visa');
  await press(page.getByTestId('place-order'), testInfo);
  await expect(page.getByRole('dialog', { name: 'Thank you!' })).toBeVisible();
});

test('a wallet pays in two taps, Buy now on the card then the wallet, its details filling the form', async ({ page, request }, testInfo) => {
  await openShow(page);
  await pin(request, 4);
  let taps = 0;
  const tap = async (locator: Parameters<typeof press>[0]) => {
    taps += 1;
    await press(locator, testInfo);
  };
  await tap(page.getByRole('button', { name: 'Buy now: Ceramic Mug' }));
  const wallet = page.getByRole('button', { name: 'Pay with Link' });
  await expect(wallet).toBeVisible();
  await expect(page.getByText('Or pay by card')).toBeVisible();
  await shot(page, testInfo, 'stripe-05-wallet');
  await tap(wallet);
  const done = page.getByRole('dialog', { name: 'Thank you!' });
  await expect(done).toBeVisible();
  await expect(done).toContainText('ada@example.com');
  console.log(`wallet: ${taps} taps from the pinned card to a paid order, plus the wallet's own confirmation`);
  expect(taps).toBe(2);
});

test('when Stripe.js cannot load, the checkout says so and tries again on request', async ({ page, request }, testInfo) => {
  await page.route(`${STANDIN}/v3/`, (route) => route.abort());
  await openShow(page);
  await pin(request, 4);
  await press(page.locator('.vt-card[data-product-id="4"]'), testInfo);
  await press(page.getByTestId('buy-now'), testInfo);
  const form = page.getByRole('dialog', { name: 'Checkout' });
  await expect(form.getByText('The payment form could not load. Check your connection, then try again.')).toBeVisible();
  await page.getByTestId('stripe-fields').scrollIntoViewIfNeeded();
  await shot(page, testInfo, 'stripe-06-form-failed');
  await page.unroute(`${STANDIN}/v3/`);
  await press(form.getByRole('button', { name: 'Try again' }), testInfo);
  await expect(card(page)).toBeVisible();
});
