// What the overlay benchmarks share: Debian's Chromium, launched the same way
// each time, and percentiles.
import { chromium } from 'playwright-core';

/** Headless Chromium from apt (never a downloaded browser), video autoplay allowed. */
export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-extensions', '--no-first-run',
      '--autoplay-policy=no-user-gesture-required'],
  });
}

/** The `p` quantile (0..1) of `xs`, nearest rank. */
export const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * p) - 1)];
