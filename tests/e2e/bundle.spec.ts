// The bundle budget: what a viewer downloads to get the overlay (wasm, js, css
// in dist/, as trunk's release build left them), printed raw, gzip and brotli.
// The budget lives in tests/budget.json.
import { expect, test } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

test('the overlay stays within its brotli budget', () => {
  const budget: number = JSON.parse(readFileSync('tests/budget.json', 'utf8')).brotli_bytes;
  const files = readdirSync('dist').filter((f) => /\.(wasm|js|css)$/.test(f));
  expect(files.some((f) => f.endsWith('.wasm'))).toBeTruthy();
  let total = { raw: 0, gzip: 0, brotli: 0 };
  const rows = files.map((f) => {
    const bytes = readFileSync(`dist/${f}`);
    const row = {
      file: f.replace(/-[0-9a-f]{16}/, ''),
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
    total = { raw: total.raw + row.raw, gzip: total.gzip + row.gzip, brotli: total.brotli + row.brotli };
    return row;
  });
  console.log('\nOverlay bundle (bytes):');
  console.table([...rows, { file: 'total', ...total }, { file: 'budget (brotli)', brotli: budget }]);
  expect(total.brotli, `brotli total ${total.brotli} B exceeds the budget of ${budget} B`).toBeLessThanOrEqual(budget);
});
