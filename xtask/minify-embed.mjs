// Trunk's post-build hook (Trunk.toml): minifies the brand embed loader in the
// staging folder with terser (npm, pinned), so brands' pages get the smallest
// file while public/embed.js stays readable. The budget test checks the result.
import { readFileSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';

const file = `${process.env.TRUNK_STAGING_DIR}/embed.js`;
const source = readFileSync(file, 'utf8');
const { code } = await minify(source, { ecma: 2020, compress: { passes: 2 }, mangle: true });
writeFileSync(file, `// Vetrina embed loader; source: public/embed.js\n${code}\n`);
console.log(`embed.js minified: ${source.length} B -> ${code.length} B`);
