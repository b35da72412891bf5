// The bundle budget: what a viewer downloads to get the overlay (wasm, js, css
// in dist/ and its snippets, as `cargo xtask` builds them: trunk, then
// xtask/split.mjs), printed raw, gzip and brotli.
// The budget lives in tests/budget.json.
import { expect, test } from './fixtures';
import { readFileSync, readdirSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

test('the overlay stays within its brotli budget', () => {
  const budget: number = JSON.parse(readFileSync('tests/budget.json', 'utf8')).brotli_bytes;
  // Everything the page loads up front, snippets included. Reported apart and
  // not counted: the HLS players (cmaf.js for fragmented MP4, hls.js for any
  // other HLS), fetched only for HLS streams in browsers without native program
  // date-time, Stripe's fields' glue (stripe-pay.js, fetched when a checkout
  // opens on a shop that takes payments with Stripe), and the sheets' wasm
  // module, fetched after the first frame (see src/ui/sheets.rs).
  // The creator studio (dist/studio/) is an app of its own, never loaded by viewers: its own table below.
  const all = (readdirSync('dist', { recursive: true }) as string[])
    .filter((f) => /\.(wasm|m?js|css)$/.test(f) && !f.startsWith('studio/'));
  const sheets = all.filter((f) => /^app-[0-9a-f]{16}\/.*\.wasm$/.test(f) && !f.endsWith('/vetrina_bg.wasm'));
  expect(sheets.length, 'the sheets are not in a module of their own: was dist/ built by `cargo xtask`?').toBeGreaterThan(0);
  const lazy = [...all.filter((f) => /^(hls\.[a-z.]*m?js|cmaf\.js|stripe-pay\.js)$/.test(f)), ...sheets];
  // The brand embed loader runs on brands' pages, not in the overlay: its own budget below.
  const files = all.filter((f) => !lazy.includes(f) && f !== 'embed.js');
  expect(files.some((f) => f.endsWith('.wasm'))).toBeTruthy();
  let total = { raw: 0, gzip: 0, brotli: 0 };
  const rows = files.map((f) => {
    const bytes = readFileSync(`dist/${f}`);
    const row = {
      file: f.replace(/-[0-9a-f]{12,16}(?=[._/])/, ''),
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
    total = { raw: total.raw + row.raw, gzip: total.gzip + row.gzip, brotli: total.brotli + row.brotli };
    return row;
  });
  const lazyRows = lazy.map((f) => {
    const bytes = readFileSync(`dist/${f}`);
    const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    return { file: `${f.replace(/-[0-9a-f]{16}(?=\/)/, '')} (on demand, not counted)`, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli };
  });
  console.log('\nOverlay bundle (bytes):');
  console.table([...rows, { file: 'total', ...total }, { file: 'budget (brotli)', brotli: budget }, ...lazyRows]);
  expect(total.brotli, `brotli total ${total.brotli} B exceeds the budget of ${budget} B`).toBeLessThanOrEqual(budget);
});

test('the brand embed loader stays within its own budget', () => {
  const budget: number = JSON.parse(readFileSync('tests/budget.json', 'utf8')).embed_brotli_bytes;
  const bytes = readFileSync('dist/embed.js');
  const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  console.log(`\nembed.js: ${bytes.length} B raw, ${brotli} B brotli (budget ${budget} B)`);
  expect(brotli, `embed.js is ${brotli} B brotli, over its budget of ${budget} B`).toBeLessThanOrEqual(budget);
});

test('the creator studio is a bundle of its own, reported', () => {
  const files = (readdirSync('dist/studio', { recursive: true }) as string[]).filter((f) => /\.(wasm|m?js|css)$/.test(f));
  expect(files.some((f) => f.endsWith('.wasm')), 'dist/studio has no wasm: was it built by `cargo xtask`?').toBeTruthy();
  let total = { raw: 0, gzip: 0, brotli: 0 };
  const rows = files.map((f) => {
    const bytes = readFileSync(`dist/studio/${f}`);
    const row = {
      file: `studio/${f.replace(/-[0-9a-f]{12,16}(?=[._/])/, '')}`,
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
    total = { raw: total.raw + row.raw, gzip: total.gzip + row.gzip, brotli: total.brotli + row.brotli };
    return row;
  });
  console.log('\nCreator studio bundle (bytes; not in the viewer\'s):');
  console.table([...rows, { file: 'total', ...total }]);
});
