// The creator's path through the studio (/studio): sign in with the show's
// token, run the show from the keyboard, two studios on one board, the real
// overlay in the preview, and what a viewer's overlay shows meanwhile.
// (Replacing the token is covered by the API tests: here it would lock every
// other test out of the demo show.)
import { expect, test, type Page } from '@playwright/test';
import { TOKEN, expectNoViolations, press, shot, unpinAll } from './helpers';

test.beforeEach(async ({ request }) => {
  await unpinAll(request);
});

async function signIn(page: Page) {
  await page.goto('/studio');
  await page.getByLabel('Show').fill('demo');
  await page.getByLabel('Creator token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Run sheet' })).toBeVisible();
  await expect(page.getByText('Following the show live')).toBeVisible();
}

const row = (page: Page, position: number) => page.locator('.vs-row').nth(position - 1);

test('a wrong token is refused and says so; the right one opens the show, kept out of the URL', async ({ page }, testInfo) => {
  await page.goto('/studio');
  await expect(page.getByRole('heading', { name: 'Vetrina Studio' })).toBeVisible();
  await expectNoViolations(page, 'studio sign-in');
  await page.getByLabel('Creator token').fill('not-the-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('That token does not open this show. Check the show and the token.');
  await shot(page, testInfo, '40-studio-wrong-token');

  await page.getByLabel('Creator token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Run sheet' })).toBeVisible();
  expect(page.url()).not.toContain(TOKEN);
  expect(await page.evaluate(() => sessionStorage.getItem('vetrina.studio.token'))).toBe(TOKEN);
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
  await expect(row(page, 1)).toContainText('Linen Shirt');
  await shot(page, testInfo, '41-studio-run-sheet');
  await expectNoViolations(page, 'studio run sheet');

  // A reload stays signed in (this tab's session); signing out forgets the token.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Run sheet' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Vetrina Studio' })).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.getItem('vetrina.studio.token'))).toBeNull();
});

test('keys run the show: a digit pins by position, N the next, U unpins; viewers see it', async ({ page, browser }, testInfo) => {
  test.skip(!!testInfo.project.use.hasTouch, 'keyboard shortcuts are for a studio with a keyboard');
  await signIn(page);
  const viewer = await (await browser.newContext()).newPage();
  await viewer.goto('/?show=demo');
  await expect(viewer.locator('video.vt-video')).toBeVisible();

  await page.keyboard.press('3');
  await expect(row(page, 3)).toHaveClass(/vs-row--pinned/);
  await expect(row(page, 3).getByRole('button', { name: 'Unpin Silk Scarf' })).toHaveAttribute('aria-pressed', 'true');
  await expect(viewer.locator('.vt-card[data-product-id="3"]')).toBeVisible();

  await page.keyboard.press('n');
  await expect(row(page, 4)).toHaveClass(/vs-row--pinned/);
  await expect(viewer.locator('.vt-card[data-product-id="4"]')).toBeVisible();

  await page.keyboard.press('u');
  await expect(row(page, 4)).not.toHaveClass(/vs-row--pinned/);
  await expect(viewer.locator('.vt-card[data-product-id="4"]')).toHaveCount(0);
  await expect(row(page, 3)).toHaveClass(/vs-row--pinned/);

  // The keys work wherever the focus is (but in a text field).
  await page.getByRole('button', { name: 'Sign out' }).focus();
  await page.keyboard.press('5');
  await expect(row(page, 5)).toHaveClass(/vs-row--pinned/);
  await viewer.context().close();
});

test('two studios share one board, and the preview is the real overlay', async ({ page, browser }, testInfo) => {
  await signIn(page);
  const other = await (await browser.newContext()).newPage();
  await signIn(other);

  await press(row(page, 2).getByRole('button', { name: 'Pin Canvas Sneakers' }), testInfo);
  await expect(row(other, 2)).toHaveClass(/vs-row--pinned/);
  await press(row(other, 2).getByRole('button', { name: 'Unpin Canvas Sneakers' }), testInfo);
  await expect(row(page, 2)).not.toHaveClass(/vs-row--pinned/);

  await press(row(other, 1).getByRole('button', { name: 'Pin Linen Shirt' }), testInfo);
  const preview = page.frameLocator('iframe[title^="Phone preview"]');
  await expect(preview.locator('.vt-card[data-product-id="1"]')).toBeVisible();
  await expect(page.frameLocator('iframe[title^="Small phone preview"]').locator('.vt-card[data-product-id="1"]')).toBeVisible();
  await shot(page, testInfo, '42-studio-preview');
  await other.context().close();
});
