// Where a wasm module's bytes go, by crate: `cargo xtask size` runs it on the
// overlay before the split and on each module after it (target/split/split/),
// where twiggy 0.7 cannot read the splitter's output. It reads the function
// names the build keeps (the `name` section), attributes each function body
// to the crate its mangled name starts with, and counts data and everything
// else apart. Sizes are before wasm-opt: the proportions, not the bytes
// shipped (the bundle test prints those).
//
//   node xtask/wasm-size.mjs a.wasm [b.wasm …]
import { readFileSync } from 'node:fs';

function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, at];
  }
}

function name(bytes, at) {
  const [len, start] = leb(bytes, at);
  return [new TextDecoder().decode(bytes.subarray(start, start + len)), start + len];
}

/// The crate of a (legacy-mangled) Rust symbol: its first path segment, read
/// through `<T as crate::Trait>` and `<crate::Type>` wrappers.
function crateOf(symbol) {
  if (symbol.startsWith('_R')) {
    // v0 mangling (the standard library's): the first crate root, `C`, an
    // optional disambiguator, then the crate's name with its length.
    const root = /C(?:s[0-9A-Za-z]*_)?(\d+)/.exec(symbol);
    return root ? symbol.substr(root.index + root[0].length, Number(root[1])) : '(other)';
  }
  if (!symbol.startsWith('_ZN')) return '(unmangled: wasm-bindgen glue, descriptors it strips)';
  let at = 3;
  const digits = /^\d+/.exec(symbol.slice(at))?.[0];
  if (!digits) return '(other)';
  at += digits.length;
  let first = symbol.slice(at, at + Number(digits))
    .replace(/\$LT\$/g, '<').replace(/\$GT\$/g, '>').replace(/\$u20\$/g, ' ').replace(/\$RF\$/g, '&')
    .replace(/\$BP\$/g, '*').replace(/\.\./g, '::').replace(/^_/, '');
  first = first.replace(/^[<&*]+/, '').replace(/^(mut |dyn |const )/, '').replace(/^T as /, '');
  return /^[A-Za-z_][A-Za-z0-9_]*/.exec(first)?.[0] ?? '(other)';
}

function profile(file) {
  const bytes = readFileSync(file);
  const sizes = new Map();
  const add = (key, n) => sizes.set(key, (sizes.get(key) ?? 0) + n);
  let imported = 0;
  let bodies = [];
  const names = new Map();
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = leb(bytes, at + 1);
    const end = start + size;
    if (id === 2) {
      // Imports: imported functions come first in the function index space.
      let [count, p] = leb(bytes, start);
      for (let i = 0; i < count; i++) {
        [, p] = name(bytes, p);
        [, p] = name(bytes, p);
        const kind = bytes[p++];
        if (kind === 0) { imported++; [, p] = leb(bytes, p); }
        else if (kind === 1) { p++; const flags = bytes[p++]; [, p] = leb(bytes, p); if (flags & 1) [, p] = leb(bytes, p); }
        else if (kind === 2) { const flags = bytes[p++]; [, p] = leb(bytes, p); if (flags & 1) [, p] = leb(bytes, p); }
        else if (kind === 3) p += 2;
        else if (kind === 4) { p++; [, p] = leb(bytes, p); }
      }
      add('(imports and other sections)', end - at);
    } else if (id === 10) {
      let [count, p] = leb(bytes, start);
      for (let i = 0; i < count; i++) {
        const [len, body] = leb(bytes, p);
        bodies.push(body + len - p);
        p = body + len;
      }
    } else if (id === 11) {
      add('(data: strings and constants)', end - at);
    } else if (id === 0) {
      const [section, p] = name(bytes, start);
      if (section === 'name') {
        let q = p;
        while (q < end) {
          const sub = bytes[q];
          const [len, s] = leb(bytes, q + 1);
          if (sub === 1) {
            let [count, r] = leb(bytes, s);
            for (let i = 0; i < count; i++) {
              let index;
              [index, r] = leb(bytes, r);
              let fn;
              [fn, r] = name(bytes, r);
              names.set(index, fn);
            }
          }
          q = s + len;
        }
      }
      add('(names and custom sections)', end - at);
    } else if (id === 7) {
      // Here, every symbol the linker kept for the splitter; the shipped
      // modules (after wasm-bindgen and wasm-opt) export only what they share.
      add('(exports)', end - at);
    } else {
      add('(imports and other sections)', end - at);
    }
    at = end;
  }
  bodies.forEach((n, i) => add(crateOf(names.get(imported + i) ?? ''), n));
  return { total: bytes.length, rows: [...sizes].sort((a, b) => b[1] - a[1]) };
}

for (const file of process.argv.slice(2)) {
  const { total, rows } = profile(file);
  // Shares of what ships: names and custom sections are dropped by wasm-opt.
  const shipped = total - rows.filter(([c]) => c === '(names and custom sections)').reduce((a, [, n]) => a + n, 0);
  console.log(`\n    ${file}: ${total} B before wasm-opt (${shipped} B without names), by crate:`);
  for (const [crate, n] of rows.slice(0, 20)) {
    const share = crate === '(names and custom sections)' ? '' : `${(100 * n / shipped).toFixed(1)}%`;
    console.log(`${String(n).padStart(9)}  ${share.padStart(6)}  ${crate}`);
  }
}
