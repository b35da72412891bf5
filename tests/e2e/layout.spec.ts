// Layout from a 320 px phone to a landscape phone: nothing overflows sideways,
// sheets fit on screen with their main action reachable, and the video keeps its box.
import { expect, test } from './fixtures';
import { openShow, pin, unpinAll } from './helpers';

const sizes = [
  { name: 'small-phone-320x568', width: 320, height: 568 },
  { name: 'phone-landscape-844x390', width: 844, height: 390 },
  { name: 'tablet-768x1024', width: 768, height: 1024 },
];

test.beforeEach(async ({ request }) => {
  await unpinAll(request);
});

for (const size of sizes) {
  test(`fits at ${size.name}`, async ({ page, request }, testInfo) => {
    test.skip(testInfo.project.name !== 'phone', 'one run per size is enough');
    await page.setViewportSize({ width: size.width, height: size.height });
    await openShow(page);
    await pin(request, 1);
    await pin(request, 9);
    await expect(page.locator('.vt-card')).toHaveCount(2);
    await page.waitForTimeout(350);
    // Cards are wide enough to read the product's name whole.
    for (const title of await page.locator('.vt-card__title').all()) {
      expect(await title.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBeTruthy();
    }
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    const videoBox = await page.locator('video.vt-video').boundingBox();
    await page.screenshot({ path: `target/e2e-screenshots/layout/${size.name}-cards.png` });

    await page.locator('.vt-card[data-product-id="1"]').click();
    const sheet = page.getByRole('dialog', { name: 'Linen Shirt' });
    await expect(sheet).toBeVisible();
    await page.waitForTimeout(350);
    const box = await sheet.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(size.width + 0.5);
    expect(box!.y).toBeGreaterThanOrEqual(0);
    // The main action can be reached (scrolled into view inside the sheet if need be).
    await page.getByTestId('buy-now').scrollIntoViewIfNeeded();
    await expect(page.getByTestId('buy-now')).toBeInViewport();
    expect(await overflow()).toBeLessThanOrEqual(0);
    // Opening a sheet does not move or resize the video underneath.
    expect(await page.locator('video.vt-video').boundingBox()).toEqual(videoBox);
    await page.screenshot({ path: `target/e2e-screenshots/layout/${size.name}-sheet.png` });
  });
}
