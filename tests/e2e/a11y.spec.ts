// Accessibility: axe-core (WCAG 2.x A and AA rules) on every screen of the
// viewer's path, and the whole path from a pin to an order by keyboard alone.
import { expect, test, type Page } from './fixtures';
import { expectNoViolations, fillCheckout, openShow, pin, unpinAll } from './helpers';

test.beforeEach(async ({ request }) => {
  await unpinAll(request);
});

test('every screen passes axe', async ({ page, request }) => {
  await openShow(page);
  await expectNoViolations(page, 'show');
  await page.getByTestId('shelf-button').click();
  await expect(page.getByRole('dialog', { name: 'All products' })).toBeVisible();
  await expectNoViolations(page, 'shelf');
  await page.keyboard.press('Escape');
  await pin(request, 1);
  await page.locator('.vt-card[data-product-id="1"]').click();
  await expectNoViolations(page, 'product sheet');
  const sheet = page.getByRole('dialog', { name: 'Linen Shirt' });
  await sheet.getByRole('button', { name: 'M', exact: true }).click();
  await sheet.getByRole('button', { name: 'Navy' }).click();
  await page.getByTestId('add-to-cart').click();
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  await expectNoViolations(page, 'added notice');
  await page.getByTestId('cart-button').click();
  await expectNoViolations(page, 'cart');
  await page.getByTestId('go-to-checkout').click();
  await expectNoViolations(page, 'checkout');
  await page.getByTestId('place-order').click();
  await expect(page.locator('#vt-f-email-error')).not.toBeEmpty();
  await expectNoViolations(page, 'checkout with errors');
  const form = page.getByRole('dialog', { name: 'Checkout' });
  await fillCheckout(form, { email: 'dee@example.com', name: 'Dee Monti', address: '5 Via Monti', city: 'Bergamo', postalCode: '24121' });
  await page.getByTestId('place-order').click();
  await expect(page.getByTestId('order-number')).toBeVisible();
  await expectNoViolations(page, 'confirmation');
  await page.getByRole('button', { name: 'Keep watching' }).click();
  await page.getByTestId('cart-button').click();
  await expectNoViolations(page, 'empty cart');
  await page.goto('/?show=no-such-show');
  await expect(page.getByRole('alert')).toBeVisible();
  await expectNoViolations(page, 'unknown show');
});

/** Presses Tab until the focused element matches, failing after `limit` presses. */
async function tabTo(page: Page, describe: string, matches: (el: Element) => boolean, limit = 30) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(`(${matches.toString()})(document.activeElement)`)) return;
  }
  throw new Error(`Tab never reached ${describe}`);
}

test('a keyboard alone goes from a pin to an order, and focus returns from sheets', async ({ page, request }) => {
  await openShow(page);
  await pin(request, 9);
  await expect(page.locator('.vt-card[data-product-id="9"]')).toBeVisible();
  await tabTo(page, 'the pinned card', (el) => el.classList.contains('vt-card'));
  await page.keyboard.press('Enter');
  const sheet = page.getByRole('dialog', { name: 'Denim Jacket' });
  await expect(sheet).toBeFocused();
  // Escape closes the sheet and focus goes back to the card that opened it.
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();
  await expect(page.locator('.vt-card[data-product-id="9"]')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(sheet).toBeFocused();
  // Tab and Shift+Tab never leave an open sheet.
  const insideSheet = () => page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'));
  await page.keyboard.press('Shift+Tab');
  expect(await insideSheet()).toBeTruthy();
  await expect(page.getByTestId('buy-now')).toBeFocused();
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    expect(await insideSheet()).toBeTruthy();
  }
  await tabTo(page, 'size M', (el) => el.textContent === 'M');
  await page.keyboard.press('Enter');
  await tabTo(page, 'colour Black', (el) => el.textContent === 'Black');
  await page.keyboard.press('Enter');
  await tabTo(page, 'Add to cart', (el) => el.textContent === 'Add to cart');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  await tabTo(page, 'the cart button', (el) => el.getAttribute('data-testid') === 'cart-button');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Your cart' })).toBeFocused();
  await tabTo(page, 'Checkout', (el) => el.textContent === 'Checkout');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Checkout' })).toBeFocused();
  for (const [id, text] of [
    ['vt-f-email', 'eve@example.com'],
    ['vt-f-name', 'Eve Rossi'],
    ['vt-f-address-line1', '6 Via Po'],
    ['vt-f-address-city', 'Torino'],
    ['vt-f-address-postal_code', '10121'],
  ]) {
    await tabTo(page, id, new Function('el', `return el.id === '${id}'`) as (el: Element) => boolean);
    await page.keyboard.type(text);
  }
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('order-number')).toHaveText(/^VT-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
});
