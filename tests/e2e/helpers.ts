// Shared helpers for the end-to-end tests: the creator API, taps, screenshots.
import AxeBuilder from '@axe-core/playwright';
import { existsSync, readFileSync } from 'node:fs';
import { expect, type APIRequestContext, type Locator, type Page, type TestInfo } from '@playwright/test';

export const TOKEN = process.env.VETRINA_E2E_TOKEN ?? 'e2e-creator-token';
export const OPERATOR = process.env.VETRINA_E2E_OPERATOR ?? 'e2e-operator-token-0123456789';
/** The e2e server's data folder (see playwright.config.ts): its outbox holds the confirmations sent. */
export const DATA_DIR = process.env.VETRINA_E2E_DATA ?? 'target/e2e-data';

/** The order confirmation the server wrote for `number`, as the buyer would receive it. */
export function sentConfirmation(number: string): string {
  const path = `${DATA_DIR}/outbox/${number}.eml`;
  expect(existsSync(path), `${path} was not written`).toBeTruthy();
  // Quoted-printable: undo soft line breaks and =XX bytes to read the text.
  const raw = readFileSync(path, 'latin1').replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(raw, 'latin1').toString('utf8');
}
const auth = { Authorization: `Bearer ${TOKEN}` };

export async function snapshot(request: APIRequestContext, show = 'demo') {
  const r = await request.get(`/api/shows/${show}`);
  expect(r.ok()).toBeTruthy();
  return r.json();
}

export async function pin(request: APIRequestContext, productId: number) {
  const r = await request.post('/api/shows/demo/pins', { headers: auth, data: { product_id: productId } });
  expect(r.status(), await r.text()).toBe(201);
}

export async function unpinAll(request: APIRequestContext) {
  const snap = await snapshot(request);
  for (const id of snap.pinned) {
    const r = await request.delete(`/api/shows/demo/pins/${id}`, { headers: auth });
    expect(r.ok()).toBeTruthy();
  }
}

/** Buys `quantity` of a variant through the API, as another viewer would; the order's number. */
export async function buyElsewhere(request: APIRequestContext, variantId: number, quantity: number) {
  const cart = await (await request.post('/api/carts', { data: { show_id: 'demo' } })).json();
  const add = await request.post(`/api/carts/${cart.id}/lines`, { data: { variant_id: variantId, quantity } });
  expect(add.ok(), await add.text()).toBeTruthy();
  const order = await request.post(`/api/carts/${cart.id}/checkout`, {
    headers: { 'Idempotency-Key': `elsewhere-${Date.now()}-${Math.random()}` },
    data: {
      email: 'other@example.com',
      name: 'Other Viewer',
      address: { line1: '2 Via Po', city: 'Torino', postal_code: '10100', country: 'IT' },
      payment_token: 'tok_visa',
    },
  });
  expect(order.status(), await order.text()).toBe(201);
  return (await order.json()).number as string;
}

/** A tap on a touch device, a click elsewhere. */
export async function press(locator: Locator, testInfo: TestInfo) {
  if (testInfo.project.use.hasTouch) {
    await locator.tap();
  } else {
    await locator.click();
  }
}

/** Saves a screenshot under target/e2e-screenshots/<project>/<name>.png. */
export async function shot(page: Page, testInfo: TestInfo, name: string) {
  // Let entrance animations finish so the picture shows the resting state.
  await page.waitForTimeout(350);
  await page.screenshot({ path: `target/e2e-screenshots/${testInfo.project.name}/${name}.png` });
}

export async function openShow(page: Page) {
  await page.goto('/?show=demo');
  await expect(page.locator('video.vt-video')).toBeVisible();
}

/** Fills the checkout form as a viewer would (country stays at its default, Italy). */
export async function fillCheckout(
  form: Locator,
  who: { email: string; name: string; address: string; city: string; postalCode: string },
) {
  await form.getByLabel('Email').fill(who.email);
  await form.getByLabel('Full name').fill(who.name);
  await form.getByLabel('Address').fill(who.address);
  await form.getByLabel('City').fill(who.city);
  await form.getByLabel('Postal code').fill(who.postalCode);
}

/** Runs axe-core (WCAG 2.x A and AA rules) on what the page shows now. */
export async function expectNoViolations(page: Page, screen: string) {
  // Entrance animations make colours mid-fade; check the resting state.
  await page.waitForTimeout(350);
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  console.log(`axe ${screen}: ${results.violations.length} violations, ${results.passes.length} rules passed`);
  expect(summary, `axe violations on ${screen}`).toEqual([]);
}

/** Changes a variant's price as the creator would. */
export async function setPrice(request: APIRequestContext, variantId: number, priceMinor: number) {
  const r = await request.patch(`/api/shows/demo/variants/${variantId}`, { headers: auth, data: { price_minor: priceMinor } });
  expect(r.ok(), await r.text()).toBeTruthy();
}

/** The e2e server's sample brand site: another origin (localhost, not 127.0.0.1) embedding the show. */
export const BRAND = `http://localhost:${(process.env.VETRINA_E2E_BRAND_ADDR ?? '127.0.0.1:18083').split(':')[1]}`;
/** The same site on an origin the show does not allow. */
export const STRANGER = `http://${process.env.VETRINA_E2E_BRAND_ADDR ?? '127.0.0.1:18083'}`;
