// A small HLS player for CMAF streams: HLS whose segments are fragmented MP4
// (`#EXT-X-MAP`), with codecs in the multivariant playlist. That is what
// Vetrina's own live ladder publishes, and what most encoders now offer.
//
// Fragmented MP4 goes into Media Source Extensions as it is: there is nothing
// to transmux, so this is a few kilobytes where hls.js is a hundred, and the
// main thread does almost nothing per segment (hls.js parses every fragment
// there: the long tasks Lighthouse counted on a throttled phone). Anything
// else (MPEG-TS segments, no CODECS, no program date-time, no MediaSource)
// makes `play` answer null before touching the video, and the caller hands
// the stream to hls.js or to the browser.
//
// Each segment is placed on the media timeline by its EXT-X-PROGRAM-DATE-TIME
// (`sequence` mode, `timestampOffset` = its date minus the first date), so a
// frame's time on the stream's clock is `anchor + mediaTime`, exactly, across
// rendition switches and seeks.
//
// Rendition choice: start on the lightest, then the best whose declared
// bandwidth fits 70% of the measured throughput and whose height the player's
// box can show (as hls.js with `startLevel: 0, capLevelToPlayerSize`).
// Live: start three segments behind the live edge and refresh the playlist
// every target duration (the pins arrive as DATERANGE tags in it).
//
// Low-latency HLS (a playlist with EXT-X-PART, as Vetrina's origin serves):
// start PART-HOLD-BACK behind the newest part, at a part that starts with a
// keyframe; then fetch part after part, each time asking for the playlist
// that will list the next one (`_HLS_msn`, `_HLS_part`: the origin answers
// when it exists), so the video stays a second and a half behind the
// encoder. After a stall the player is further behind: it plays a little
// faster until it is back, or jumps if it is far behind. A viewer who seeks
// back leaves the live edge (whole segments from there) until they return.

/** Segments kept ahead of the playhead, in seconds. */
const AHEAD_S = 10;
/** Played video kept behind the playhead (for small seeks back), in seconds. */
const BEHIND_S = 20;
/** Where a live viewer starts: this many segments behind the live edge. */
const LIVE_SYNC_SEGMENTS = 3;
/** Share of the measured throughput a rendition may use. */
const HEADROOM = 0.7;
/** LL-HLS: further behind the hold-back than this (a stall), play 8% faster; this far again, jump. */
const CATCH_UP_S = 0.5;
const JUMP_S = 3;

const sleep = (ms, signal) =>
  new Promise((done) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); done(); }, { once: true });
  });

/** `KEY=value,KEY="quoted, value"` into an object. */
export function attributes(line) {
  const out = {};
  const re = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  let m;
  while ((m = re.exec(line))) out[m[1]] = m[2].replace(/^"|"$/g, '');
  return out;
}

/** The renditions of a multivariant playlist, lightest first; null for a media playlist. */
export function parseMultivariant(text, base) {
  const lines = text.split(/\r?\n/);
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('#EXT-X-STREAM-INF:')) continue;
    const a = attributes(lines[i].slice(18));
    let uri = lines[++i];
    while (uri !== undefined && (uri.trim() === '' || uri.startsWith('#'))) uri = lines[++i];
    if (uri === undefined) break;
    const height = Number((a.RESOLUTION || '').split('x')[1]) || 0;
    out.push({ uri: new URL(uri.trim(), base).href, bandwidth: Number(a.BANDWIDTH) || 0, height, codecs: a.CODECS || '' });
  }
  if (!out.length) return null;
  return out.sort((x, y) => x.bandwidth - y.bandwidth);
}

/** A media playlist: its init segment, segments with their dates, pins, whether it ended. */
export function parseMedia(text, base) {
  // `open`: LL-HLS, the segment being written (its parts so far), if any.
  const out = { map: null, target: 2, ended: false, segments: [], ranges: [], partTarget: 0, holdBack: 0, open: null };
  let seq = 0;
  let duration = NaN;
  let date = NaN;
  let parts = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-MAP:')) out.map = new URL(attributes(line.slice(11)).URI, base).href;
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) out.target = Number(line.slice(22)) || 2;
    else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) seq = Number(line.slice(22)) || 0;
    else if (line.startsWith('#EXTINF:')) duration = parseFloat(line.slice(8));
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) date = Date.parse(line.slice(25));
    else if (line.startsWith('#EXT-X-DATERANGE:')) out.ranges.push(attributes(line.slice(17)));
    else if (line.startsWith('#EXT-X-PART-INF:')) out.partTarget = Number(attributes(line.slice(16))['PART-TARGET']) || 0;
    else if (line.startsWith('#EXT-X-SERVER-CONTROL:')) out.holdBack = Number(attributes(line.slice(22))['PART-HOLD-BACK']) || 0;
    else if (line.startsWith('#EXT-X-PART:')) {
      const a = attributes(line.slice(12));
      parts.push({ uri: new URL(a.URI, base).href, duration: Number(a.DURATION), independent: a.INDEPENDENT === 'YES' });
    } else if (line === '#EXT-X-ENDLIST') out.ended = true;
    else if (line && !line.startsWith('#')) {
      out.segments.push({ seq, uri: new URL(line, base).href, duration, date, parts });
      seq += 1;
      // A date is given once and runs on through the segments after it.
      date += duration * 1000;
      duration = NaN;
      parts = [];
    }
  }
  if (parts.length) out.open = { seq, date, parts, open: true };
  return out;
}

/** The segment `seq` of a playlist, complete or the open one. */
const segmentOf = (list, seq) => list.segments.find((s) => s.seq === seq) || (list.open && list.open.seq === seq ? list.open : null);

const mime = (codecs) => `video/mp4; codecs="${codecs}"`;

/**
 * Plays `src` (whose multivariant playlist is `text`) through MediaSource;
 * null if this player cannot (see the top). Calls `onRange(attributes)` for
 * every DATERANGE of every playlist it reads. Returns `{ clockAt(mediaTime), stop() }`.
 */
export async function play(video, src, text, onRange) {
  if (!window.MediaSource) return null;
  src = new URL(src, document.baseURI).href;
  const renditions = (parseMultivariant(text, src) || []).filter(
    (r) => r.codecs && MediaSource.isTypeSupported(mime(r.codecs)),
  );
  if (!renditions.length) return null;
  const abort = new AbortController();
  const { signal } = abort;
  const get = async (url, as) => {
    const res = await fetch(url, { signal });
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return as === 'text' ? res.text() : res.arrayBuffer();
  };
  // With `want` ({msn, part}), the playlist that lists that part (LL-HLS: the origin waits for it).
  const load = async (level, want) => {
    const url = new URL(renditions[level].uri);
    if (want) {
      url.searchParams.set('_HLS_msn', want.msn);
      url.searchParams.set('_HLS_part', want.part);
    }
    const list = parseMedia(await get(url.href, 'text'), renditions[level].uri);
    list.ranges.forEach(onRange);
    return list;
  };

  let level = 0;
  let list = await load(level);
  const first = list.segments[0];
  if (!list.map || !first || !Number.isFinite(first.date)) return null;
  // Media time 0 is the first date this viewer could ever be shown.
  const anchor = first.date;

  const source = new MediaSource();
  const url = URL.createObjectURL(source);
  video.src = url;
  await new Promise((open) => source.addEventListener('sourceopen', open, { once: true }));
  const buffer = source.addSourceBuffer(mime(renditions[level].codecs));
  buffer.mode = 'sequence';
  if (list.ended) {
    // A recording: its whole length, so a seek past what is loaded is not cut short.
    const last = list.segments[list.segments.length - 1];
    source.duration = (last.date - anchor) / 1000 + last.duration;
  }
  const whenDone = () =>
    new Promise((done, failed) => {
      const ok = () => { buffer.removeEventListener('error', bad); done(); };
      const bad = () => { buffer.removeEventListener('updateend', ok); failed(new Error('the browser refused a segment')); };
      buffer.addEventListener('updateend', ok, { once: true });
      buffer.addEventListener('error', bad, { once: true });
    });
  const append = async (bytes, offset) => {
    if (source.readyState === 'closed') throw new Error('the media source closed');
    if (offset !== undefined) buffer.timestampOffset = offset;
    const done = whenDone();
    buffer.appendBuffer(bytes);
    await done;
  };
  const removeBefore = async (end) => {
    if (end <= 0 || !buffer.buffered.length || buffer.buffered.start(0) >= end) return;
    const done = whenDone();
    buffer.remove(0, end);
    await done;
  };

  // Where to read next: a segment number, moved by seeks and by falling behind.
  let next = list.ended ? first.seq : list.segments[Math.max(0, list.segments.length - LIVE_SYNC_SEGMENTS)].seq;
  let startAt = NaN;
  const timeOf = (segment) => (segment.date - anchor) / 1000;

  // LL-HLS at the live edge: the next part to read ({msn, part}); null when
  // reading whole segments (a recording, a plain playlist, a viewer who went back).
  const lowLatency = () => list.partTarget > 0 && !list.ended;
  const holdBack = () => list.holdBack || 3 * list.partTarget;
  const newest = () => list.open || list.segments[list.segments.length - 1];
  const sum = (parts) => parts.reduce((t, p) => t + p.duration, 0);
  /** Media time of the end of the newest part listed. */
  const edgeTime = () => {
    const s = newest();
    return s ? timeOf(s) + (s.open ? sum(s.parts) : s.duration) : 0;
  };
  /** The part to start from: a keyframe at least PART-HOLD-BACK behind the newest. */
  const edgeStart = () => {
    const all = [];
    for (const s of [...list.segments, ...(list.open ? [list.open] : [])]) s.parts.forEach((p, i) => all.push({ msn: s.seq, part: i, p }));
    if (!all.length) return null;
    let i = all.length;
    let back = 0;
    while (i > 0 && back < holdBack()) back += all[--i].p.duration;
    while (i > 0 && !all[i].p.independent) i -= 1;
    return all[i].p.independent ? { msn: all[i].msn, part: all[i].part } : null;
  };
  let edge = lowLatency() ? edgeStart() : null;
  // The viewer went back on purpose: no catching up until they return.
  let rewound = false;
  const buffered = (t) => {
    const r = video.buffered;
    for (let i = 0; i < r.length; i++) if (r.start(i) <= t + 0.1 && t < r.end(i)) return r.end(i) - t;
    return 0;
  };
  let moved = 0; // counts seeks, so data fetched for the old position is dropped
  const onSeeking = () => {
    if (lowLatency()) {
      rewound = edgeTime() - video.currentTime > holdBack() + JUMP_S;
      if (rewound) video.playbackRate = 1;
    }
    if (buffered(video.currentTime) > 0) return;
    // Out of what is loaded: whole segments from there, or the live edge again.
    edge = lowLatency() && !rewound ? edgeStart() : null;
    moved += 1;
    // Read from the segment that holds the new position.
    const at = anchor + video.currentTime * 1000;
    const hit = list.segments.find((s) => at < s.date + s.duration * 1000);
    if (hit) next = hit.seq;
    wake();
  };
  video.addEventListener('seeking', onSeeking);
  let wake = () => {};
  const rest = (ms) =>
    new Promise((done) => {
      const timer = setTimeout(done, ms);
      wake = () => { clearTimeout(timer); done(); };
    });

  let throughput = NaN; // bits per second, smoothed
  const choose = () => {
    const box = Math.max(video.clientHeight, video.clientWidth) * (window.devicePixelRatio || 1);
    // Nothing above the first rendition that fills the player's box.
    let cap = renditions.findIndex((r) => r.height >= box);
    if (cap < 0) cap = renditions.length - 1;
    let best = 0;
    for (let i = 1; i <= cap; i++) {
      if (renditions[i].bandwidth <= throughput * HEADROOM) best = i;
    }
    return best;
  };

  // Live: the playlist again every target duration, for new segments and pins.
  const refresh = async () => {
    while (!signal.aborted && !list.ended) {
      await sleep(list.target * 1000, signal);
      if (signal.aborted) return;
      // At the live edge the pump's own blocking reloads keep the playlist fresh.
      if (edge) continue;
      try {
        const fresh = await load(level);
        list = fresh;
        // Fell out of the window (a long stall): rejoin near the live edge.
        if (list.segments.length && next < list.segments[0].seq) {
          next = list.segments[Math.max(0, list.segments.length - LIVE_SYNC_SEGMENTS)].seq;
        }
        wake();
      } catch (e) {
        if (!signal.aborted) console.warn('vetrina: the live playlist did not load; trying again', e);
      }
    }
  };

  let initOf = null; // the init segment in the buffer
  let codecsOf = renditions[level].codecs;
  const ensureInit = async () => {
    if (initOf === list.map) return;
    const init = await get(list.map);
    if (codecsOf !== renditions[level].codecs && buffer.changeType) buffer.changeType(mime(renditions[level].codecs));
    codecsOf = renditions[level].codecs;
    await append(init);
    initOf = list.map;
  };

  // LL-HLS: behind the hold-back after a stall, play a little faster; far behind, jump.
  const catchUp = () => {
    if (!edge || rewound || video.paused || !Number.isFinite(startAt)) return;
    const behind = edgeTime() - video.currentTime;
    if (behind > holdBack() + JUMP_S) {
      // Back to the live edge: read from a keyframe there, and play from it
      // once it is in (the first append after this moves the playhead).
      video.playbackRate = 1;
      edge = edgeStart();
      startAt = NaN;
      moved += 1;
      wake();
    } else if (behind > holdBack() + CATCH_UP_S) {
      video.playbackRate = 1.08;
    } else if (behind < holdBack() + 0.1) {
      video.playbackRate = 1;
    }
  };
  video.addEventListener('timeupdate', catchUp);

  // Where the parts appended so far end, and in which run (`moved`) they were.
  let partsEnd = NaN;
  let partsRun = -1;
  // One step at the live edge: the next part, or the playlist that will list it.
  const edgeStep = async () => {
    // Paused: enough ahead is enough (the catch-up rejoins the edge on play).
    if (buffered(video.currentTime) > AHEAD_S && Number.isFinite(startAt)) {
      await rest(500);
      return;
    }
    const segment = segmentOf(list, edge.msn);
    if (!segment && list.segments.length && edge.msn < list.segments[0].seq) {
      edge = edgeStart(); // fell out of the window: rejoin
      return;
    }
    if (segment && !segment.open && edge.part >= segment.parts.length) {
      if (!segment.parts.length) {
        // Too old for parts: its whole segment, then on from there.
        next = segment.seq;
        edge = null;
      } else edge = { msn: edge.msn + 1, part: 0 };
      return;
    }
    const part = segment && segment.parts[edge.part];
    if (!part) {
      list = await load(level, edge);
      return;
    }
    if (edge.part === 0) {
      const wanted = choose();
      if (wanted !== level) {
        // The same part of the other rendition (its encoder output may be a
        // moment behind this one's: the origin waits for it).
        const fresh = await load(wanted, edge);
        const same = segmentOf(fresh, edge.msn);
        if (same && same.parts.length) {
          level = wanted;
          list = fresh;
          return;
        }
      }
    }
    await ensureInit();
    const seeks = moved;
    const began = performance.now();
    const bytes = await get(part.uri);
    const seconds = Math.max((performance.now() - began) / 1000, 0.001);
    throughput = Number.isFinite(throughput) ? 0.8 * throughput + 0.2 * (bytes.byteLength * 8) / seconds : (bytes.byteLength * 8) / seconds;
    if (seeks !== moved || !edge) return;
    const at = timeOf(segment) + sum(segment.parts.slice(0, edge.part));
    // Following on from the part before: no new timestampOffset, which in
    // `sequence` mode would make the browser drop frames until a keyframe
    // (a part that does not start with one would be lost whole).
    const follows = Math.abs(at - partsEnd) < 0.1 && seeks === partsRun;
    await append(bytes, follows ? undefined : at);
    partsEnd = at + part.duration;
    partsRun = seeks;
    edge = { msn: edge.msn, part: edge.part + 1 };
    failures = 0;
    if (!Number.isFinite(startAt)) {
      startAt = at;
      if (video.currentTime < startAt) video.currentTime = startAt;
    }
    await removeBefore(video.currentTime - BEHIND_S);
  };

  let failures = 0;
  // The playhead at (or within half a second of) a hole in the buffer, with
  // video after it: a segment that was skipped or, live, a viewer who fell
  // out of the window (a long pause, a locked phone) and rejoins near the
  // live edge. Step over it rather than wait forever.
  const skipHole = () => {
    const r = video.buffered;
    const t = video.currentTime;
    for (let i = 0; i < r.length; i++) {
      if (r.start(i) <= t + 0.1) continue;
      const ahead = i > 0 && r.start(i - 1) <= t + 0.1 ? r.end(i - 1) - t : 0;
      const hole = r.start(i) - t - ahead;
      // Live, a wide hole is a rejoin: go at once, not after what is left of the old video.
      const rejoin = !list.ended && hole >= 2 * list.target;
      if ((ahead < 0.5 && (!list.ended || hole < 3)) || rejoin) video.currentTime = r.start(i);
      return;
    }
  };
  const onWaiting = () => wake();
  video.addEventListener('waiting', onWaiting);

  const pump = async () => {
    while (!signal.aborted) {
      try {
        if (Number.isFinite(startAt)) skipHole();
        if (edge) {
          await edgeStep();
          continue;
        }
        const ahead = buffered(video.currentTime);
        const segment = list.segments.find((s) => s.seq === next);
        // Whole segments caught up with the one being written: parts from here.
        if (!segment && lowLatency() && list.open && next === list.open.seq) {
          edge = { msn: next, part: 0 };
          continue;
        }
        if (!segment || (ahead > AHEAD_S && Number.isFinite(startAt))) {
          if (!segment && list.ended && source.readyState === 'open' && !buffer.updating && next > first.seq) {
            source.endOfStream();
          }
          await rest(segment ? 500 : list.target * 500);
          continue;
        }
        const wanted = choose();
        if (wanted !== level) {
          const fresh = await load(wanted);
          const same = fresh.segments.find((s) => Math.abs(s.date - segment.date) < 500);
          if (same || fresh.ended) {
            level = wanted;
            list = fresh;
            if (same) next = same.seq;
            continue;
          }
        }
        await ensureInit();
        const seeks = moved;
        const began = performance.now();
        const bytes = await get(segment.uri);
        const seconds = Math.max((performance.now() - began) / 1000, 0.001);
        const sample = (bytes.byteLength * 8) / seconds;
        throughput = Number.isFinite(throughput) ? 0.6 * throughput + 0.4 * sample : sample;
        if (seeks !== moved) continue;
        try {
          await append(bytes, timeOf(segment));
        } catch (e) {
          // Full: let go of what was played, then try once more.
          if (e.name !== 'QuotaExceededError') throw e;
          await removeBefore(video.currentTime - 2);
          await append(bytes, timeOf(segment));
        }
        next = segment.seq + 1;
        failures = 0;
        if (!Number.isFinite(startAt)) {
          startAt = timeOf(segment);
          if (video.currentTime < startAt) video.currentTime = startAt;
        }
        await removeBefore(video.currentTime - BEHIND_S);
      } catch (e) {
        if (signal.aborted) return;
        failures += 1;
        if (failures === 1) console.warn('vetrina: a video segment did not load; trying again', e);
        // A segment gone from a live window is skipped, not retried forever.
        if (failures >= 3 && !list.ended) {
          if (edge) edge = edgeStart();
          else next += 1;
        }
        // Wakeable like the pump's other waits: a seek, a stall or a fresh playlist retries sooner.
        await rest(Math.min(500 * 2 ** failures, 8000));
      }
    }
  };
  refresh();
  pump();

  return {
    /** Where the frame at `mediaTime` seconds sits on the stream's clock. */
    clockAt: (mediaTime) => anchor + mediaTime * 1000,
    stop() {
      abort.abort();
      wake();
      video.removeEventListener('seeking', onSeeking);
      video.removeEventListener('waiting', onWaiting);
      video.removeEventListener('timeupdate', catchUp);
      video.playbackRate = 1;
      video.removeAttribute('src');
      video.load();
      URL.revokeObjectURL(url);
    },
  };
}
