import { chromium } from 'playwright';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--autoplay-policy=no-user-gesture-required'] });
const p = await b.newPage({ viewport: { width: 390, height: 844 } });
p.on('console', (m) => console.log('console', m.type(), m.text().slice(0, 300)));
p.on('request', (r) => { const u = r.url(); if (/cmaf|hls|m3u8|m4s|init/.test(u)) console.log('req', (performance.now()|0), u.replace(/^https?:\/\/[^/]+/, '')); });
await p.goto(process.argv[2] ?? 'http://127.0.0.1:18091/?show=demo');
await p.waitForTimeout(Number(process.argv[3] ?? 8000));
console.log(await p.evaluate(() => { const v = document.querySelector('video.vt-video'); const r = []; for (let i = 0; i < v.buffered.length; i++) r.push([v.buffered.start(i), v.buffered.end(i)]); return JSON.stringify({ t: v.currentTime, rs: v.readyState, paused: v.paused, r, ph: window.__vetrinaPlayhead, now: Date.now(), w: v.videoWidth, h: v.videoHeight }); }));
await b.close();
