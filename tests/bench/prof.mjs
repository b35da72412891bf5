import { chromium } from 'playwright';
import fs from 'node:fs';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--autoplay-policy=no-user-gesture-required'] });
const p = await b.newPage({ viewport: { width: 412, height: 823 } });
const s = await p.context().newCDPSession(p);
await s.send('Emulation.setCPUThrottlingRate', { rate: 4 });
await s.send('Profiler.enable');
await s.send('Profiler.setSamplingInterval', { interval: 200 });
await s.send('Profiler.start');
await p.goto(process.argv[2] ?? 'http://127.0.0.1:18092/?show=demo');
await p.waitForTimeout(2500);
const { profile } = await s.send('Profiler.stop');
fs.writeFileSync('/tmp/prof.cpuprofile', JSON.stringify(profile));
// self time per function
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas; 
for (let i = 0; i < profile.samples.length; i++) { const n = byId.get(profile.samples[i]); const k = n.callFrame.functionName + ' ' + (n.callFrame.url.split('/').pop()||''); self.set(k, (self.get(k) ?? 0) + (dt[i+1] ?? 0) / 1000); }
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 45);
for (const [k, v] of rows) console.log(v.toFixed(1).padStart(7), k.slice(0, 150));
// inclusive time per function
const parent = new Map(); for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map();
for (let i = 0; i < profile.samples.length; i++) { const seen = new Set(); let id = profile.samples[i]; while (id) { const n = byId.get(id); const k = n.callFrame.functionName; if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + (dt[i+1] ?? 0) / 1000); } id = parent.get(id); } }
console.log('--- inclusive');
for (const [k, v] of [...incl.entries()].sort((a, b) => b[1] - a[1]).slice(0, 70)) console.log(v.toFixed(1).padStart(7), k.slice(0, 150));
await b.close();
