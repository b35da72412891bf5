// A brand whose buyers pay on its own Shopify store: the show is imported from
// the store's products.json (keeping its variant ids), set to check out there
// in the studio, and a viewer's cart hands over by the store's cart permalink,
// after the overlay says where they are going. The store itself is not
// reached (no network here): the test stops at the link.
import { expect, test } from './fixtures';
import { OPERATOR, expectNoViolations, press, shot, snapshot } from './helpers';

test('a show that checks out on the brand store sends the cart there, saying so first', async ({ page, browser, request }, testInfo) => {
  const demo = await snapshot(request);
  const id = `store-${testInfo.project.name}-${Date.now()}`;
  const made = await request.post('/api/shows', {
    headers: { Authorization: `Bearer ${OPERATOR}` },
    data: { id, title: 'Tote Drop', currency: 'EUR', locale: 'en', stream_url: demo.show.stream_url },
  });
  expect(made.status(), await made.text()).toBe(201);
  const token = (await made.json()).creator_token;
  const auth = { Authorization: `Bearer ${token}` };
  expect((await request.patch(`/api/shows/${id}`, { headers: auth, data: { status: 'live' } })).ok()).toBeTruthy();
  const products = JSON.stringify({
    products: [
      { title: 'Canvas Tote', images: [{ src: demo.products[0].image_url }], variants: [{ id: 40011, price: '35.00', inventory_quantity: 5 }] },
    ],
  });
  const imported = await request.post(`/api/shows/${id}/import`, {
    headers: { ...auth, 'Idempotency-Key': `${id}-import` },
    data: { format: 'shopify', source: products, store: 'brand.myshopify.com' },
  });
  expect(imported.status(), await imported.text()).toBe(200);

  // The creator turns it on in the studio's settings.
  const studio = await (await browser.newContext()).newPage();
  await studio.goto('/studio');
  await studio.getByLabel('Show', { exact: true }).fill(id);
  await studio.getByLabel('Creator token').fill(token);
  await studio.getByRole('button', { name: 'Sign in' }).click();
  await expect(studio.getByRole('heading', { name: 'Run sheet' })).toBeVisible();
  await studio.getByRole('button', { name: 'Settings' }).click();
  const settings = studio.locator('form.vs-settings');
  await expect(settings.getByLabel(/Your Shopify store/)).toHaveValue('brand.myshopify.com');
  await settings.getByRole('checkbox', { name: 'Buyers pay on the Shopify store' }).check();
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await expect(studio.getByTestId('studio-message')).toContainText('Settings saved');
  await studio.screenshot({ path: `target/e2e-screenshots/${testInfo.project.name}/61-studio-checkout-on-store.png`, fullPage: true });
  await studio.close();
  const product = (await (await request.get(`/api/shows/${id}`)).json()).products[0];
  expect((await request.post(`/api/shows/${id}/pins`, { headers: auth, data: { product_id: product.id } })).status()).toBe(201);

  // The viewer: card, add, cart, and the store's checkout named before it opens.
  await page.goto(`/?show=${id}`);
  const card = page.locator(`.vt-card[data-product-id="${product.id}"]`);
  await press(card, testInfo);
  await press(page.getByTestId('add-to-cart'), testInfo);
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  await press(page.getByTestId('cart-button'), testInfo);
  const pay = page.getByTestId('go-to-checkout');
  await expect(pay).toHaveText('Pay on brand.myshopify.com');
  await press(pay, testInfo);
  const sheet = page.getByRole('dialog', { name: "Pay on the brand's store" });
  await expect(sheet.getByTestId('handover-note')).toHaveText(
    "Your cart goes with you to brand.myshopify.com, the brand's own store, where you pay and choose delivery. The show stays here.",
  );
  const link = sheet.getByRole('link', { name: 'Continue to brand.myshopify.com (opens in a new tab)' });
  await expect(link).toHaveAttribute('href', 'https://brand.myshopify.com/cart/40011:1');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', /noopener/);
  await shot(page, testInfo, '60-handover');
  await expectNoViolations(page, 'hand-over to the brand store');
  // Back to the cart: nothing lost.
  await press(sheet.getByRole('button', { name: 'Back to cart' }), testInfo);
  await expect(page.getByTestId('cart-count')).toHaveText('1');
});
