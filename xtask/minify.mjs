// Trunk's post-build hook (Trunk.toml): minifies, in the staging folder, the
// plain-JS files trunk copies as they are (terser, npm, pinned): the brand
// embed loader and the fragmented-MP4 HLS player. The sources stay readable;
// the budget test checks the results.
import { readFileSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';

const files = [
  { name: 'embed.js', source: 'public/embed.js', module: false },
  { name: 'cmaf.js', source: 'src/ui/cmaf.js', module: true },
];
for (const { name, source: origin, module } of files) {
  const file = `${process.env.TRUNK_STAGING_DIR}/${name}`;
  const source = readFileSync(file, 'utf8');
  const { code } = await minify(source, { ecma: 2020, module, compress: { passes: 2 }, mangle: true });
  writeFileSync(file, `// Vetrina ${name}; source: ${origin}\n${code}\n`);
  console.log(`${name} minified: ${source.length} B -> ${code.length} B`);
}
