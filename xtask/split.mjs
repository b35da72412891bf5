// The shipping overlay, in two wasm modules: run by `cargo xtask` after
// `trunk build --release`, it replaces trunk's one module in dist/ with
//
//   dist/app-<hash>/vetrina.js          wasm-bindgen's glue (terser-minified)
//   dist/app-<hash>/vetrina_bg.wasm     what the first frame needs
//   dist/app-<hash>/__wasm_split.js     the loader of the rest
//   dist/app-<hash>/*.wasm              the rest: the sheets (src/ui/sheets.rs)
//   dist/app-<hash>/snippets/…          wasm-bindgen's snippets (minified)
//
// Trunk cannot split a module, so this does what it does for one: cargo
// (feature `split`, relocations kept for the splitter), wasm-split-cli (crates.io,
// pinned in xtask), wasm-bindgen, wasm-opt -Oz on every module, terser. The
// folder is named by a hash of everything in it, so the server can let
// browsers keep every file in it for good; index.html is rewritten to point
// there (its integrity hints with it). Trunk's own build stays as it is for
// `trunk serve`, where the sheets are simply part of the one module.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';

const dist = process.argv[2] ?? 'dist';
const work = 'target/split';
const run = (program, args) => execFileSync(program, args, { stdio: 'inherit' });
const files = (dir) => readdirSync(dir, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile())
  .map((e) => `${e.parentPath ?? e.path}/${e.name}`.slice(dir.length + 1))
  .sort();

rmSync(work, { recursive: true, force: true });
mkdirSync(`${work}/split`, { recursive: true });
// `cargo rustc` hands the link flag to the final link only: the dependencies'
// build is the one trunk just made, reused.
run('cargo', [
  'rustc', '--quiet', '--package', 'vetrina', '--bin', 'vetrina', '--target', 'wasm32-unknown-unknown',
  '--profile', 'wasm-release', '--features', 'split', '--', '-Clink-args=--emit-relocs',
]);
run('wasm-split-cli', [
  'target/wasm32-unknown-unknown/wasm-release/vetrina.wasm', `${work}/split`, '--target', 'web', '--out-name', 'vetrina',
]);
run('wasm-bindgen', [
  '--target', 'web', '--keep-lld-exports', '--no-demangle', '--no-typescript',
  '--out-dir', `${work}/app`, '--out-name', 'vetrina', `${work}/split/vetrina.wasm`,
]);
for (const name of files(`${work}/split`)) {
  if (name !== 'vetrina.wasm') cpSync(`${work}/split/${name}`, `${work}/app/${name}`);
}

const app = `${work}/app`;
const sizes = [];
for (const name of files(app)) {
  const file = `${app}/${name}`;
  const before = readFileSync(file).length;
  if (name.endsWith('.wasm')) {
    run('wasm-opt', ['-Oz', '--output', file, file]);
  } else if (name.endsWith('.js')) {
    const { code } = await minify(readFileSync(file, 'utf8'), { ecma: 2020, module: true, compress: { passes: 2 }, mangle: true });
    writeFileSync(file, `${code}\n`);
  }
  sizes.push(`${name} ${before} B -> ${readFileSync(file).length} B`);
}

const hash = createHash('sha256');
for (const name of files(app)) hash.update(name).update('\0').update(readFileSync(`${app}/${name}`));
const folder = `app-${hash.digest('hex').slice(0, 16)}`;

// Out with trunk's module, glue and snippets; in with these.
for (const name of readdirSync(dist)) {
  if (/^vetrina-[0-9a-f]+(\.js|_bg\.wasm)$/.test(name) || name === 'snippets' || name.startsWith('app-')) {
    rmSync(`${dist}/${name}`, { recursive: true, force: true });
  }
}
renameSync(app, `${dist}/${folder}`);

// index.html: trunk's loader and hints name its files; point them here. Each
// hint's integrity is the hash of the file it names.
let index = readFileSync(`${dist}/index.html`, 'utf8');
// (A second run over its own output finds its own folder's name instead.)
index = index
  .replace(/\/app-[0-9a-f]{16}\//g, `/${folder}/`)
  .replace(/\/vetrina-[0-9a-f]+\.js/g, `/${folder}/vetrina.js`)
  .replace(/\/vetrina-[0-9a-f]+_bg\.wasm/g, `/${folder}/vetrina_bg.wasm`)
  .replace(/(?<=[="'\s])\/snippets\//g, `/${folder}/snippets/`);
// The glue imports the loader at once: hint it with the glue, not a round trip later.
if (!index.includes(`/${folder}/__wasm_split.js`)) index = index.replace(/<link\b[^>]*rel="?modulepreload"?[^>]*>/, (tag) => {
  if (!tag.includes(`/${folder}/vetrina.js`)) throw new Error('index.html has no modulepreload hint for the glue first');
  return `${tag}${tag.replace(`/${folder}/vetrina.js`, `/${folder}/__wasm_split.js`)}`;
});
index = index.replace(/<link\b[^>]*>/g, (tag) => {
  const href = /href="?\/([^"\s>]+)/.exec(tag)?.[1];
  if (!href?.startsWith(`${folder}/`) || !/integrity=/.test(tag)) return tag;
  const digest = `sha384-${createHash('sha384').update(readFileSync(`${dist}/${href}`)).digest('base64')}`;
  return tag.replace(/integrity=("[^"]*"|[^\s>]*)/, `integrity="${digest}"`);
});
if (!index.includes(`/${folder}/vetrina.js`) || !index.includes(`/${folder}/vetrina_bg.wasm`)) {
  throw new Error('index.html does not name the overlay module as expected: did trunk change its loader?');
}
writeFileSync(`${dist}/index.html`, index);
console.log(`split overlay in ${dist}/${folder}:\n  ${sizes.join('\n  ')}`);
