// The video's clock, for pins on the stream's time (see src/domain/playhead.rs).
//
// For every frame the browser presents, `onClock` receives where that frame
// sits on the stream's clock in epoch milliseconds: for HLS the playlist's
// EXT-X-PROGRAM-DATE-TIME, for a file the show's start plus the offset. The
// pins the server writes into the playlist as EXT-X-DATERANGE reach
// `onRange(eventId, productId, startMs, endMs or NaN)`. If no clock can be had
// (hls.js failed to load, a stream without program date-time), `onNoClock()`
// is called once and the video plays as it can: the overlay then shows pins as
// they arrive rather than none at all.
//
// Chromium plays HLS natively but exposes neither getStartDate() nor DATERANGE
// cues. So an HLS stream in fragmented MP4 (Vetrina's own ladder) is played by
// `cmaf.js`, a few KB of our own over MediaSource; any other HLS by hls.js
// (light build, from npm). Both are copied beside the overlay by trunk and
// loaded only then: on demand, never in the bundle. This is glue and nothing
// else; what the overlay does with the clock is Rust.

const CMAF_MODULE = 'cmaf.js';
const HLS_MODULE = 'hls.light.min.mjs';

/** How long playback may run without a clock before the overlay gives up on it. */
const NO_CLOCK_MS = 8000;

/**
 * Starts feeding the clock; returns a handle with `seek(ms)` and `stop()`.
 * `isHls` is the overlay's own judgement of the URL (playhead::is_hls).
 */
export function attach(video, src, isHls, baseMs, onClock, onRange, onNoClock) {
  let own = null;
  let hls = null;
  let stopped = false;
  let frameRequest = 0;
  let last = NaN;
  let gaveUp = false;
  const giveUp = (why) => {
    if (gaveUp || stopped || Number.isFinite(last)) return;
    gaveUp = true;
    console.warn(`vetrina: no clock for this video (${why}); pins show as they arrive`);
    onNoClock();
  };

  // Where the frame at `mediaTime` seconds sits on the stream's clock.
  const clockAt = (mediaTime) => {
    if (!isHls) return baseMs + mediaTime * 1000;
    if (own) return own.clockAt(mediaTime);
    if (hls) {
      const details = hls.levels[hls.currentLevel < 0 ? 0 : hls.currentLevel]?.details;
      const frags = details ? details.fragments : [];
      // Fragments are in order: the last one starting at or before the frame.
      let lo = 0;
      let hi = frags.length - 1;
      let found = null;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (frags[mid].start <= mediaTime) {
          found = frags[mid];
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      if (found && found.programDateTime) return found.programDateTime + (mediaTime - found.start) * 1000;
      return NaN;
    }
    // A browser that knows the stream's start date natively (Safari).
    const start = video.getStartDate ? video.getStartDate().getTime() : NaN;
    return start + mediaTime * 1000;
  };

  const report = (mediaTime) => {
    const at = clockAt(mediaTime);
    if (Number.isFinite(at)) {
      last = at;
      window.__vetrinaPlayhead = at; // read by the sync benchmark and tests
      onClock(at);
    }
  };
  // Every presented frame where the browser can say so; else every animation frame.
  const frames = video.requestVideoFrameCallback
    ? { next: (f) => video.requestVideoFrameCallback(f), cancel: (id) => video.cancelVideoFrameCallback(id) }
    : { next: requestAnimationFrame, cancel: cancelAnimationFrame };
  const tick = (_now, meta) => {
    if (stopped) return;
    report(meta && Number.isFinite(meta.mediaTime) ? meta.mediaTime : video.currentTime);
    frameRequest = frames.next(tick);
  };
  // A seek while paused presents no new frame callback in every browser.
  const onSeeked = () => report(video.currentTime);
  video.addEventListener('seeked', onSeeked);

  // A playlist's EXT-X-DATERANGE (its attributes) that is a pin.
  const pin = (attr) => {
    if (attr.CLASS !== 'com.vetrina.pin') return;
    const eventId = Number(String(attr.ID).replace(/^pin-/, ''));
    const productId = Number(attr['X-VETRINA-PRODUCT-ID']);
    const start = Date.parse(attr['START-DATE']);
    const end = attr['END-DATE'] ? Date.parse(attr['END-DATE']) : NaN;
    if (Number.isFinite(eventId) && Number.isFinite(productId) && Number.isFinite(start)) {
      onRange(eventId, productId, start, end);
    }
  };

  // Our own player when the stream is CMAF; null (and the video untouched) otherwise.
  const playOwn = async () => {
    const [cmaf, text] = await Promise.all([
      import(new URL(CMAF_MODULE, document.baseURI).href),
      fetch(src).then((res) => (res.ok ? res.text() : '')),
    ]);
    return stopped ? null : cmaf.play(video, src, text, pin);
  };

  let watchdog = 0;
  const start = async () => {
    let Hls = null;
    if (isHls) {
      try {
        // Without MediaSource (an iPhone before iOS 17.1) our player cannot run: skip its download.
        if (window.MediaSource) own = await playOwn();
      } catch (e) {
        console.warn('vetrina: the stream did not start in our own player; trying hls.js', e);
      }
      if (stopped) {
        if (own) own.stop();
        return;
      }
    }
    if (isHls && !own) {
      try {
        ({ default: Hls } = await import(new URL(HLS_MODULE, document.baseURI).href));
      } catch (e) {
        console.warn('vetrina: hls.js did not load', e);
      }
      if (stopped) return;
    }
    if (own) {
      // Playing already.
    } else if (Hls && Hls.isSupported()) {
      hls = new Hls({
        liveSyncDurationCount: 3,
        // LL-HLS where the stream has parts (PART-HOLD-BACK, blocking reload),
        // catching up after a stall by playing a little faster.
        lowLatencyMode: true,
        maxLiveSyncPlaybackRate: 1.1,
        // A phone starts on the lightest rendition and climbs when the network
        // proves it can; never above what the player's box can show.
        startLevel: 0,
        capLevelToPlayerSize: true,
      });
      hls.on(Hls.Events.LEVEL_UPDATED, (_event, data) => {
        for (const range of Object.values(data.details.dateRanges || {})) pin(range.attr);
      });
      hls.loadSource(src);
      hls.attachMedia(video);
    } else {
      // A file, or HLS the browser plays itself: Safari knows the stream's start
      // date; elsewhere the watchdog below gives up on the clock.
      video.src = src;
    }
    // Counted from here, not from attach: a slow hls.js download is not a missing clock.
    watchdog = setTimeout(() => giveUp('none after playing a while'), NO_CLOCK_MS);
    const play = video.play();
    if (play) play.catch(() => {}); // autoplay refused: the viewer taps play
    frameRequest = frames.next(tick);
  };
  start().catch((e) => console.warn('vetrina: the video could not start', e));

  return {
    /** Moves the video so the frame at `ms` on the stream's clock shows. */
    seek(ms) {
      if (Number.isFinite(last)) video.currentTime = Math.max(0, video.currentTime + (ms - last) / 1000);
    },
    stop() {
      stopped = true;
      clearTimeout(watchdog);
      video.removeEventListener('seeked', onSeeked);
      frames.cancel(frameRequest);
      if (own) own.stop();
      if (hls) hls.destroy();
    },
  };
}
