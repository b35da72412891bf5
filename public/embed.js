// Vetrina's embed loader: the one script a brand puts on its page, after the
// box it reserves for the show in its own markup (README, "Embedding a show"):
//   <vetrina-show show="spring" style="display:block;aspect-ratio:9/16;max-width:360px">
//     <a href="https://VETRINA/?show=spring"><img src="https://VETRINA/shows/spring/poster" ...></a>
//   </vetrina-show>
//   <script>…adds this script once the page has loaded…</script>
// (server/src/edge/embed.rs writes it; or, shifting the page once it runs,
// <script async src="https://VETRINA/embed.js" data-show="spring">). Before the viewer asks for the show it
// draws a facade (the poster the page already fetched, then, once the page
// has loaded, title, badge and Watch from one card request) in a box of fixed
// aspect ratio and loads nothing else; on intent the
// overlay opens in an iframe on Vetrina's origin (checkout never runs in the
// host's origin). The two talk over a MessageChannel set up after one checked
// message. Attributes, the page API and the protocol: README, "Embedding a show".
// Served minified (xtask/minify.mjs); its budget is in tests/budget.json.
(() => {
  const V = 1;
  const me = document.currentScript;
  const ORIGIN = new URL(me.src).origin;
  // The page's handlers (Vetrina.onX or window.VetrinaConfig), looked up when
  // used: an async snippet may run before the page's own script sets its config.
  const fns = {};
  const fn = (k) => fns[k] || (window.VetrinaConfig || {})[k];
  const players = [];
  const blocked = [];
  let cart = null;
  let theme = {};
  let seq = 0;
  const warn = (m) => console.warn('Vetrina: ' + m);
  const safe = (v) => (/^(#[0-9a-f]{3,8}|[a-z]{3,20})$/i.test(v || '') ? v : '');
  // What the facade adds beyond the poster waits until the brand's page has
  // loaded and painted: its largest paint stays its own (issue 24's Lighthouse
  // runs: the card request, made before, was counted into it).
  const afterPage = (f) =>
    document.readyState === 'complete' ? requestAnimationFrame(() => setTimeout(f)) : addEventListener('load', () => afterPage(f));
  addEventListener('securitypolicyviolation', (e) => {
    if (e.blockedURI.startsWith(ORIGIN)) blocked.push(e.effectiveDirective);
  });

  function send(p, type, data) {
    if (p.port) p.port.postMessage({ vetrina: V, type, id: ++seq, data });
  }

  function reply(p, m, result) {
    Promise.resolve()
      .then(result)
      .then(
        (data) => p.port.postMessage({ vetrina: V, type: 'ack', re: m.id, data: data ?? null }),
        (e) => p.port.postMessage({ vetrina: V, type: 'error', re: m.id, error: { code: 'rejected', message: String((e && e.message) || e) } }),
      );
  }

  function onPort(p, m) {
    if (!m || m.vetrina !== V || typeof m.type !== 'string') return warn('dropped a malformed message');
    if (m.type === 'ack' || m.type === 'error') return;
    const d = m.data || {};
    const handler = fn({ 'cart.add': 'onAddToCart', 'cart.update': 'onUpdateItem', checkout: 'onCheckout' }[m.type]);
    if (handler) return reply(p, m, () => handler(m.type === 'checkout' ? cart : d.item));
    if (m.type === 'analytics') {
      return reply(p, m, () => {
        p.el.dispatchEvent(new CustomEvent('vetrina:analytics', { detail: d, bubbles: true }));
        if (p.get('analytics') === 'datalayer') {
          const dl = (window.dataLayer = window.dataLayer || []);
          dl.push({ ecommerce: null });
          dl.push({ event: d.event, ecommerce: d.ecommerce, vetrina_video_time: d.video_time_s });
        }
      });
    }
    if (m.type === 'position') return reply(p, m, () => sessionStorage.setItem('vetrina.open.' + p.show, +d.t || 0));
    warn('dropped an unknown message: ' + m.type);
    p.port.postMessage({ vetrina: V, type: 'error', re: m.id, error: { code: 'unknown_type', message: m.type } });
  }

  addEventListener('message', (e) => {
    const p = players.find((x) => x.frame && e.source === x.frame.contentWindow);
    if (!p || e.origin !== ORIGIN) return;
    const m = e.data;
    if (!m || m.vetrina !== V || m.type !== 'hello') return warn('dropped a malformed message');
    if (p.port) return;
    const ch = new MessageChannel();
    p.port = ch.port1;
    p.port.onmessage = (ev) => onPort(p, ev.data);
    const data = { cart: p.mode, cartState: cart, theme };
    e.source.postMessage({ vetrina: V, type: 'connect', id: ++seq, data }, ORIGIN, [ch.port2]);
  });

  function mount(el, get) {
    const show = get('show');
    if (!show) return warn('no data-show on the snippet');
    const p = { el, get, show }; // and later card, frame, port, mode, error
    players.push(p);
    const root = el.attachShadow({ mode: 'open' });
    const accent = safe(get('accent'));
    root.innerHTML =
      // The box is the element itself, so a box the page reserved in its own
      // markup (README) is the one drawn in: nothing moves when this runs.
      '<style>:host{display:block;max-width:' + (parseInt(get('width'), 10) || 360) + 'px;aspect-ratio:' +
      (get('aspect') || '9/16').replace(/[^\d/.]/g, '') + '}' +
      '.b{position:relative;height:100%;background:#111;border-radius:12px;overflow:hidden;color:#fff;font:15px/1.4 system-ui}' +
      'img,.f,iframe{position:absolute;inset:0;width:100%;height:100%;border:0;object-fit:cover}' +
      '.t{position:absolute;inset:auto 0 0;padding:16px;background:linear-gradient(#0000,#000c)}' +
      'h2{margin:6px 0 10px;font-size:18px}.l{padding:2px 8px;border-radius:99px;background:#0009;font:600 12px system-ui}' +
      '.on{background:#c8281e}button{min-height:44px;padding:0 22px;border:0;border-radius:99px;font:600 15px system-ui;' +
      'cursor:pointer;background:' + (accent || '#fff') + ';color:' + (accent ? '#fff' : '#111') + '}' +
      'button:focus-visible{outline:3px solid #fff;outline-offset:2px}' +
      '.d{position:fixed;inset:auto 16px 16px auto;overflow:visible;width:min(40vw,180px);height:auto;aspect-ratio:9/16;z-index:2147483647;' +
      'border-radius:12px;box-shadow:0 8px 24px #0008}.x{display:none;position:absolute;top:-40px;right:0;' +
      'min-height:32px;padding:0 10px;z-index:1}.d .x{display:block}.d .pp{right:48px}.d.dl{inset:auto auto 16px 16px}</style>' +
      // The page's own markup (the snippet's link and poster) shows through
      // the slot until the facade's poster, the same address, covers it.
      '<div class="b"><slot inert></slot><img alt="" loading="lazy"><div class="t" hidden><span class="l"></span><h2></h2>' +
      '<button class="w"></button></div></div>';
    const $ = (s) => root.querySelector(s);
    const box = $('.b');
    const img = $('img');
    // The poster the snippet's <img> has already fetched (edge/poster.rs).
    img.src = (el.querySelector('img') || 0).src || ORIGIN + '/shows/' + encodeURIComponent(show) + '/poster';
    // The words come with the card, in the page's language (the overlay's
    // catalogues, chosen by the server); only a failed card leaves English.
    const draw = (c) => {
      const w = c.words || { watch: 'Watch' };
      p.card = c;
      const h = $('h2');
      h.textContent = c.title || '';
      // Shown only now: the title's lines would push up a badge and button
      // the viewer had already seen.
      h.parentNode.hidden = 0;
      const badge = $('.l');
      badge.textContent = { live: w.live, ended: w.replay, scheduled: w.scheduled }[c.status] || '';
      badge.className = 'l' + (c.status === 'live' ? ' on' : '');
      const b = $('.w');
      b.textContent = w.watch;
      b.ariaLabel = w.watch + ': ' + (c.title || '');
    };
    // The poster came with the page; the rest waits until the page has loaded
    // and the poster is on screen (a poster below the fold, which loads only
    // when scrolled to, waits a second at most).
    const later = () => afterPage(card);
    afterPage(() => Promise.race([img.decode(), new Promise((r) => setTimeout(r, 1e3))]).then(later, later));
    const card = () =>
      fetch(ORIGIN + '/api/shows/' + encodeURIComponent(show) + '/embed?lang=' + encodeURIComponent(get('lang') || document.documentElement.lang))
        .then((r) => (r.ok ? r.json() : Promise.reject(Error('HTTP ' + r.status))))
        .then(draw, (e) => {
          p.error = 'the show "' + show + '" failed to load (' + e.message + ')';
          draw({});
        });

    const key = 'vetrina.open.' + show;
    const open = () => {
      if (p.frame) return;
      p.mode = get('cart') === 'host' && fn('onAddToCart') && fn('onCheckout') ? 'host' : 'vetrina';
      const q = new URLSearchParams({ show, embed: '1', host: location.origin, cart: p.mode });
      if (get('lang')) q.set('lang', get('lang'));
      if (accent) q.set('theme.accent', accent);
      // A full page load of this site (same tab) reopens the show where the viewer was.
      const at = sessionStorage.getItem(key);
      if (+at > 0) q.set('t', at);
      sessionStorage.setItem(key, at || '0');
      const wrap = document.createElement('div');
      wrap.className = 'f';
      // (No type="button" on buttons in the shadow root: no form reaches in.)
      wrap.innerHTML = '<button class="x" aria-label="Close the mini-player">×</button>';
      const f = (p.frame = document.createElement('iframe'));
      f.title = (p.card && p.card.title) || 'Live show';
      f.allow = 'autoplay; fullscreen; picture-in-picture; payment';
      f.src = ORIGIN + '/?' + q;
      wrap.append(f);
      box.replaceChildren(wrap);
      f.focus();
      watch();
      // Docks as a mini-player when the viewer scrolls past it; × puts it back for good
      // (or, for a player kept across a route change, closes it).
      let dock = get('dock') !== 'off';
      wrap.firstChild.onclick = () => {
        dock = false;
        wrap.classList.remove('d');
        if (get('float')) el.remove(), sessionStorage.removeItem(key);
      };
      if (get('dock') === 'left') wrap.classList.add('dl');
      new IntersectionObserver(([e]) => wrap.classList.toggle('d', dock && (!!get('float') || !e.isIntersecting))).observe(box);
      // Where the browser offers it, the mini-player can leave the page (Document Picture-in-Picture).
      if (window.documentPictureInPicture) {
        const b = document.createElement('button');
        b.className = 'x pp';
        b.ariaLabel = 'Picture in picture';
        b.textContent = '▣';
        b.onclick = async () => {
          const w = await documentPictureInPicture.requestWindow({ width: 270, height: 480 });
          w.document.body.style.margin = 0;
          f.style.cssText = 'width:100vw;height:100vh;border:0';
          w.document.body.append(f);
          w.onpagehide = () => wrap.append((f.style.cssText = '', f));
        };
        wrap.append(b);
      }
    };
    // The whole poster opens the show (Watch, inside it, is the keyboard's way).
    box.onclick = open;
    if (sessionStorage.getItem(key) !== null) open();
    else if (get('autoplay') === 'visible') {
      new IntersectionObserver(([e], o) => {
        if (e.isIntersecting) {
          o.disconnect();
          (window.requestIdleCallback || setTimeout)(open);
        }
      }).observe(box);
    }
  }

  // What keeps the embed from working, named (also printed once the page has loaded).
  function doctor() {
    const out = [];
    for (const p of players) {
      if (p.error) out.push(p.error);
      if (p.card && p.card.embed_allowed === false)
        out.push(location.origin + ' may not embed "' + p.show + '": add it with PUT ' + ORIGIN + '/api/shows/' + p.show + '/embed-origins');
      if (p.get('cart') === 'host')
        for (const k of ['onAddToCart', 'onCheckout'])
          if (!fn(k)) out.push('data-cart="host" needs Vetrina.' + k + '(fn); using Vetrina\'s own cart');
    }
    for (const d of new Set(blocked)) out.push("this page's Content-Security-Policy blocks " + ORIGIN + ' (' + d + ')');
    out.forEach(warn);
    return out;
  }

  const api = (window.Vetrina = {
    onAddToCart: (f) => void (fns.onAddToCart = f),
    onUpdateItem: (f) => void (fns.onUpdateItem = f),
    onCheckout: (f) => void (fns.onCheckout = f),
    updateCart(c) {
      cart = c;
      for (const p of players) send(p, 'cart.sync', c);
    },
    theme(t) {
      theme = Object.assign(theme, t);
      for (const p of players) send(p, 'theme', theme);
    },
    doctor,
  });

  // A single-page site that swaps out the element keeps the show playing: it
  // reopens at once as a floating mini-player where the viewer was. The page
  // is watched only once a show has been opened in it (most visits never do).
  let watching = null;
  function watch() {
    watching = watching || new MutationObserver(() => {
      for (const p of players.splice(0)) {
        if (!p.frame || p.el.isConnected || p.get('float')) players.push(p);
        else {
          const el = document.createElement('div');
          el.style.cssText = 'position:fixed;right:0;bottom:0;width:0';
          document.body.append(el);
          mount(el, (n) => (n === 'float' ? '1' : p.get(n)));
        }
      }
    });
    watching.observe(document, { childList: true, subtree: true });
  }

  const fromScript = (n) => me.getAttribute('data-' + n);
  if (fromScript('show')) {
    const el = document.createElement('div');
    me.after(el);
    mount(el, fromScript);
  }
  customElements.define(
    'vetrina-show',
    class extends HTMLElement {
      connectedCallback() {
        if (!this.shadowRoot) mount(this, (n) => this.getAttribute(n) ?? this.getAttribute('data-' + n));
      }
    },
  );
  afterPage(() => setTimeout(() => doctor().length || console.info('Vetrina: embed ready'), 500));
  document.dispatchEvent(new CustomEvent('vetrina:ready', { detail: api }));
})();
