// Playwright's `test` with one change: the API client (`request`) sends a
// request again when the server had just closed the kept-alive connection it
// went out on (ECONNRESET). The server closes a connection idle for its
// header-read timeout (10 s); a browser then retries on a new connection,
// but Playwright's client does not, so a test that waited about that long
// between two API calls failed at random (CI, 2026-12-03). Nothing else is
// retried: an answer, whatever its status, is the answer.
import { test as base, type APIRequestContext } from '@playwright/test';

export { expect, type APIRequestContext, type Locator, type Page, type TestInfo } from '@playwright/test';

const SENDS = new Set(['get', 'head', 'post', 'put', 'patch', 'delete', 'fetch']);

function retrying(request: APIRequestContext): APIRequestContext {
  return new Proxy(request, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof prop === 'string' && SENDS.has(prop)) {
        return (url: unknown, options: object = {}) => value.call(target, url, { maxRetries: 2, ...options });
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export const test = base.extend({
  request: async ({ request }, use) => {
    await use(retrying(request));
  },
});
