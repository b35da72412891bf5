// Trunk's post-build hook (Trunk.toml): minifies, in the staging folder, the
// plain JS that trunk and wasm-bindgen copy as it is (terser, npm, pinned):
// the brand embed loader, the fragmented-MP4 HLS player, Stripe's fields' glue and wasm-bindgen's
// snippets (the overlay's JS glue), whose integrity hashes in index.html are
// rewritten to match. The sources stay readable; the budget test checks the
// results.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';

const staging = process.env.TRUNK_STAGING_DIR;
const files = [
  { name: 'embed.js', banner: '// Vetrina: public/embed.js\n', module: false },
  { name: 'cmaf.js', banner: '// Vetrina: src/player/cmaf.js\n', module: true },
  { name: 'stripe-pay.js', banner: '// Vetrina: src/pay/stripe-pay.js\n', module: false },
];
for (const f of readdirSync(`${staging}/snippets`, { recursive: true })) {
  if (f.endsWith('.js')) files.push({ name: `snippets/${f}`, banner: '', module: true, integrity: true });
}
let index = readFileSync(`${staging}/index.html`, 'utf8');
for (const { name, banner, module, integrity } of files) {
  const file = `${staging}/${name}`;
  const source = readFileSync(file, 'utf8');
  const { code } = await minify(source, { ecma: 2020, module, compress: { passes: 2 }, mangle: true });
  const out = `${banner}${code}\n`;
  writeFileSync(file, out);
  if (integrity) {
    // The modulepreload hint trunk wrote for this file carries its hash.
    const digest = `sha384-${createHash('sha384').update(out).digest('base64')}`;
    const path = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const tag = new RegExp(`(<link[^>]*/${path}[\\s"][^>]*integrity=)("[^"]*"|[^\\s>]*)`);
    if (!tag.test(index)) throw new Error(`no integrity hint for ${name} in index.html`);
    index = index.replace(tag, `$1"${digest}"`);
  }
  console.log(`${name} minified: ${source.length} B -> ${out.length} B`);
}
writeFileSync(`${staging}/index.html`, index);
