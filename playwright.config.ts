// End-to-end tests: Debian's Chromium (never a downloaded browser) against the
// real server on a fresh database, on a phone with touch and on a desktop.
// Run through `cargo xtask test` (or `cargo xtask e2e`), which builds first.
import { defineConfig } from '@playwright/test';

const addr = process.env.VETRINA_E2E_ADDR ?? '127.0.0.1:18080';
const token = process.env.VETRINA_E2E_TOKEN ?? 'e2e-creator-token';
// Creates shows (the studio's "Create a show").
const operator = process.env.VETRINA_E2E_OPERATOR ?? 'e2e-operator-token-0123456789';
const data = process.env.VETRINA_E2E_DATA ?? 'target/e2e-data';
// A second server streams the demo show live over HLS (ffmpeg), for the tests of
// pins on the video's clock; its show is ended by those tests, so it is its own.
const liveAddr = process.env.VETRINA_E2E_LIVE_ADDR ?? '127.0.0.1:18081';
// The sample brand site (a second origin, http://localhost:PORT) that embeds the show.
const brandAddr = process.env.VETRINA_E2E_BRAND_ADDR ?? '127.0.0.1:18083';
const liveData = process.env.VETRINA_E2E_LIVE_DATA ?? 'target/e2e-live-data';
// A third takes payments with Stripe, pointed at the stand-in for Stripe's API
// and Stripe.js (tests/stripe-standin), which delivers its webhooks back to it.
const stripeAddr = process.env.VETRINA_E2E_STRIPE_ADDR ?? '127.0.0.1:18084';
const standinAddr = process.env.VETRINA_E2E_STANDIN_ADDR ?? '127.0.0.1:18085';
const stripeData = process.env.VETRINA_E2E_STRIPE_DATA ?? 'target/e2e-stripe-data';
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const desktop = { viewport: { width: 1280, height: 800 } };

const chromium = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
    '--no-default-browser-check', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-extensions', '--disable-default-apps',
    '--autoplay-policy=no-user-gesture-required',
  ],
};

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'target/e2e-results',
  // Two chains side by side, each one test at a time: the phone, then the
  // desktop, against one server and one database (so stock stays
  // predictable), and beside them the live projects against the live server
  // (whose show those tests end, so its phone goes first too). The chains
  // share nothing; side by side they take about the longer one's time.
  workers: 2,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://${addr}`,
    headless: true,
    launchOptions: chromium,
    trace: 'off',
  },
  projects: [
    { name: 'phone', use: phone, testIgnore: /live\.spec|stripe\.spec/, workers: 1 },
    { name: 'desktop', use: desktop, testIgnore: /bundle\.spec|live\.spec|stripe\.spec/, workers: 1, dependencies: ['phone'] },
    // After the live chain, on that worker: the Stripe shop's own server.
    {
      name: 'stripe-phone',
      use: { ...phone, baseURL: `http://${stripeAddr}` },
      testMatch: /stripe\.spec/,
      workers: 1,
      dependencies: ['live-desktop'],
    },
    {
      name: 'stripe-desktop',
      use: { ...desktop, baseURL: `http://${stripeAddr}` },
      testMatch: /stripe\.spec/,
      workers: 1,
      dependencies: ['stripe-phone'],
    },
    { name: 'live-phone', use: { ...phone, baseURL: `http://${liveAddr}` }, testMatch: /live\.spec/, workers: 1 },
    {
      name: 'live-desktop',
      use: { ...desktop, baseURL: `http://${liveAddr}` },
      testMatch: /live\.spec/,
      workers: 1,
      dependencies: ['live-phone'],
    },
  ],
  // VETRINA_E2E_EXTERNAL: the servers are already running (`cargo xtask cluster --test`
  // sends the viewer tests through its load balancer).
  webServer: process.env.VETRINA_E2E_EXTERNAL ? [] : [
    {
      command: `target/debug/vetrina-server --demo --host-every 0 --demo-token ${token} --operator-token ${operator} --addr ${addr} --brand-addr ${brandAddr} --dist dist --data-dir ${data}`,
      url: `http://${addr}/api/shows/demo`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: `target/debug/vetrina-server --demo --live --host-every 0 --demo-token ${token} --addr ${liveAddr} --dist dist --data-dir ${liveData}`,
      // Ready once ffmpeg has written its first playlist.
      url: `http://${liveAddr}/live/demo.m3u8`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: `target/debug/stripe-standin --addr ${standinAddr} --webhook-url http://${stripeAddr}/api/payments/stripe/webhook`,
      url: `http://${standinAddr}/v3/`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: `target/debug/vetrina-server --demo --host-every 0 --demo-token ${token} --addr ${stripeAddr} --dist dist --data-dir ${stripeData} ` +
        `--stripe-secret-key sk_test_standin --stripe-publishable-key pk_test_standin --stripe-webhook-secret whsec_standin ` +
        `--stripe-api http://${standinAddr} --stripe-js http://${standinAddr}/v3/`,
      url: `http://${stripeAddr}/api/shows/demo`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
