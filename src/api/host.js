// The overlay's side of the embed protocol (README, "Embedding a show"): when
// the overlay runs in a brand's page, it says hello to the parent window (only
// to the origin the page named in ?host=), takes the MessagePort the loader
// sends back with `connect`, and from then on talks only over that port.
// Requests get an `ack` or an `error` with their id; anything malformed is
// dropped with a warning. Glue only: what the messages mean is Rust (host.rs).

const V = 1;
const warn = (m) => console.warn('vetrina: ' + m);

export function connect(hostOrigin, onMessage) {
  let port = null;
  let seq = 0;
  const pending = new Map();
  const waiting = [];
  const onPort = (m) => {
    if (!m || m.vetrina !== V || typeof m.type !== 'string') return warn('dropped a malformed message from the host page');
    if (m.type === 'ack' || m.type === 'error') {
      const r = pending.get(m.re);
      if (!r) return;
      pending.delete(m.re);
      clearTimeout(r.timer);
      return m.type === 'ack' ? r.ok(JSON.stringify(m.data ?? null)) : r.fail(String((m.error && m.error.message) || 'refused'));
    }
    if (m.type === 'cart.sync' || m.type === 'theme') {
      onMessage(m.type, JSON.stringify(m.data || {}));
      return port.postMessage({ vetrina: V, type: 'ack', re: m.id });
    }
    warn('dropped an unknown message from the host page: ' + m.type);
    port.postMessage({ vetrina: V, type: 'error', re: m.id, error: { code: 'unknown_type', message: m.type } });
  };
  addEventListener('message', (e) => {
    if (e.source !== parent || e.origin !== hostOrigin) return;
    const m = e.data;
    if (!m || m.vetrina !== V || m.type !== 'connect' || !e.ports[0]) return warn('dropped a malformed message from the host page');
    if (port) return;
    port = e.ports[0];
    port.onmessage = (ev) => onPort(ev.data);
    port.postMessage({ vetrina: V, type: 'ack', re: m.id });
    onMessage('connect', JSON.stringify(m.data || {}));
    // Theme tokens the page set before we connected (Vetrina.theme), as a later `theme` would bring them.
    if (m.data && m.data.theme) onMessage('theme', JSON.stringify(m.data.theme));
    waiting.splice(0).forEach((go) => go());
  });
  parent.postMessage({ vetrina: V, type: 'hello' }, hostOrigin);
  const bridge = {
    // Resolves with the host's answer (JSON text) or rejects with its reason.
    request(type, json) {
      return new Promise((ok, fail) => {
        const go = () => {
          const id = ++seq;
          const timer = setTimeout(() => {
            pending.delete(id);
            fail('The shop did not answer.');
          }, 10000);
          pending.set(id, { ok, fail, timer });
          port.postMessage({ vetrina: V, type, id, data: JSON.parse(json) });
        };
        port ? go() : waiting.push(go);
      });
    },
  };
  // Where the viewer is, every few seconds, so a full page load of the brand's
  // site reopens the show there (embed.js passes it back as ?t=).
  const position = () => {
    const v = document.querySelector('video');
    if (v && v.currentTime > 0) bridge.request('position', JSON.stringify({ t: Math.floor(v.currentTime) })).catch(() => {});
  };
  setInterval(position, 5000);
  addEventListener('pagehide', position);
  // Reopened: back to that moment, for a video with an end (a live stream's own clock
  // decides where a live viewer is, so it is left alone).
  const resumeAt = +new URLSearchParams(location.search).get('t');
  if (resumeAt > 0) {
    const seek = setInterval(() => {
      const v = document.querySelector('video');
      if (!v || v.readyState < 1) return;
      clearInterval(seek);
      if (Number.isFinite(v.duration)) v.currentTime = Math.min(resumeAt, Math.max(0, v.duration - 1));
    }, 200);
    setTimeout(() => clearInterval(seek), 15000);
  }
  return bridge;
}
