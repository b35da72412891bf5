//! The built overlay (`dist/`), served the way a phone on a slow network needs.
//!
//! Every file is read once at start-up and compressed then, at the strongest
//! settings (brotli 11, gzip 9), so no request pays for compression and the
//! bytes on the wire are as few as they can be: each answer picks brotli or
//! gzip from `Accept-Encoding`, says `Vary: Accept-Encoding`, and carries an
//! ETag. Files whose names carry trunk's content hash never change, so they
//! are cached for a year as `immutable`; everything else (the page itself,
//! wasm-bindgen's snippets, the HLS players, the icon) is `no-cache`: the
//! browser keeps it but asks, and gets a 304 while it is unchanged.
//!
//! The page is also the one place with inline script after a trunk build (its
//! boot module). The Content-Security-Policy allows no inline script, so that
//! module is moved into a file of its own, named by its hash.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::util::fnv1a;

/// What the browser may run: our own scripts and wasm, nothing inline, nothing
/// from elsewhere. Media and images may come from a brand's CDN (a show's
/// stream URL and product images are theirs); hls.js runs its transmuxer in a
/// blob worker and plays through MediaSource blobs. What the page may *send*
/// data to is narrower: `connect-src` is our own origin, plus the show's
/// stream origin where the players fetch its playlists ([`policy`]). The
/// `script-src`, `frame-src` and `connect-src` directives are added by
/// [`policy_with`]: Stripe's hosts join them only on a shop that takes
/// payments with Stripe.
pub const CSP: &str = "default-src 'self'; \
                       style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; \
                       media-src 'self' blob: https:; worker-src 'self' blob:; \
                       font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";

/// [`CSP`] for a page without payments by Stripe.
pub fn policy(stream_origin: Option<&str>) -> String {
    policy_with(stream_origin, None)
}

/// Stripe's hosts as Stripe documents them for a Content-Security-Policy
/// (docs.stripe.com/security/guide, "Content Security Policy"), without the
/// Google Maps ones (only its Address Element needs them): Stripe.js and its
/// iframes come from js.stripe.com, 3-D Secure frames from hooks.stripe.com,
/// and Stripe.js calls api.stripe.com. A stand-in's Stripe.js (offline tests)
/// is named by its own origin in each.
fn stripe_hosts(js_url: &str) -> (String, String, String) {
    let stand_in = js_url
        .strip_prefix("http://127.0.0.1:")
        .or_else(|| js_url.strip_prefix("http://localhost:"))
        .and_then(|rest| rest.split('/').next())
        .filter(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
        .map(|port| {
            format!("{}:{port}", if js_url.contains("localhost") { "http://localhost" } else { "http://127.0.0.1" })
        });
    match stand_in {
        Some(origin) => (origin.clone(), origin.clone(), origin),
        None => (
            "https://js.stripe.com https://*.js.stripe.com".into(),
            "https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com".into(),
            "https://api.stripe.com".into(),
        ),
    }
}

/// The overlay page's policy: [`CSP`], with `connect-src` our own origin and
/// `stream_origin` (an `https://host[:port]` the server itself made from a
/// show's stream URL), and, where the shop takes payments with Stripe
/// (`stripe_js`: the Stripe.js the checkout loads), Stripe's hosts.
pub fn policy_with(stream_origin: Option<&str>, stripe_js: Option<&str>) -> String {
    let mut script = String::from("script-src 'self' 'wasm-unsafe-eval'");
    let mut frame = String::from("frame-src 'self'");
    let mut connect = String::from("connect-src 'self'");
    if let Some(origin) = stream_origin {
        connect.push(' ');
        connect.push_str(origin);
    }
    if let Some(js) = stripe_js {
        let (s, f, c) = stripe_hosts(js);
        for (directive, hosts) in [(&mut script, s), (&mut frame, f), (&mut connect, c)] {
            directive.push(' ');
            directive.push_str(&hosts);
        }
    }
    format!("{CSP}; {script}; {frame}; {connect}")
}

/// The origin of an `https://` stream URL, if it is one and a plain host name
/// (so it cannot add to a policy it is written into).
pub fn https_origin(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_ok = !authority.is_empty()
        && !authority.contains('@')
        && authority.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    host_ok.then(|| format!("https://{}", authority.to_ascii_lowercase()))
}

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";

/// One file, in every encoding worth sending.
pub struct Asset {
    raw: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
    etag: HeaderValue,
    content_type: &'static str,
    cache_control: &'static str,
}

impl Asset {
    pub fn new(bytes: Vec<u8>, content_type: &'static str, cache_control: &'static str) -> Self {
        Self::cached(bytes, content_type, cache_control, None)
    }

    /// [`Asset::new`], keeping the compressed forms in `cache` (by content
    /// hash): brotli 11 runs at about a megabyte a second, so a restart with
    /// the same files should not pay for it again.
    fn cached(bytes: Vec<u8>, content_type: &'static str, cache_control: &'static str, cache: Option<&Path>) -> Self {
        let compressible = is_compressible(content_type) && bytes.len() > 256;
        let smaller = |packed: Vec<u8>| (packed.len() < bytes.len()).then(|| Bytes::from(packed));
        let hash = fnv1a(&bytes);
        let packed = |ext: &str, pack: &dyn Fn() -> Vec<u8>| {
            let Some(dir) = cache else { return pack() };
            let file = dir.join(format!("{hash:016x}.{}.{ext}", bytes.len()));
            if let Ok(hit) = std::fs::read(&file) {
                return hit;
            }
            let fresh = pack();
            // A read-only dist only costs the next start the same work again.
            let _ = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&file, &fresh));
            fresh
        };
        let brotli = if compressible { smaller(packed("br", &|| brotli(&bytes, 11))) } else { None };
        let gzip = if compressible { smaller(packed("gz", &|| gzip(&bytes, 9))) } else { None };
        let etag = etag(&bytes);
        Self { raw: Bytes::from(bytes), brotli, gzip, etag, content_type, cache_control }
    }

    /// A page made for one request (a show's page), compressed in the one
    /// encoding this request takes (the other would be thrown away), once per
    /// version of the page: the compressed bytes are kept by the page's
    /// content hash ([`PAGES`]), so a thousand viewers opening an unchanged
    /// show compress it once. Rendering and a miss take milliseconds over a
    /// large catalogue: call it off the async runtime (`spawn_blocking`).
    pub fn page(html: String, request: &HeaderMap) -> Self {
        let bytes = html.into_bytes();
        let accepts = accepted(request);
        let hash = fnv1a(&bytes);
        let brotli = accepts.brotli.then(|| PAGES.get_or_pack(hash, "br", || brotli(&bytes, 5)));
        let gzip = (!accepts.brotli && accepts.gzip).then(|| PAGES.get_or_pack(hash, "gz", || gzip(&bytes, 6)));
        let etag = etag(&bytes);
        Self {
            raw: Bytes::from(bytes),
            brotli,
            gzip,
            etag,
            content_type: "text/html; charset=utf-8",
            cache_control: REVALIDATE,
        }
    }

    pub fn text(&self) -> &[u8] {
        &self.raw
    }

    /// The answer to a GET or HEAD with these request headers.
    pub fn respond(&self, request: &HeaderMap, head: bool) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(self.cache_control));
        headers.insert(header::ETAG, self.etag.clone());
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        let matches = request
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim().trim_start_matches("W/") == self.etag || t.trim() == "*"));
        if matches {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        let accepts = accepted(request);
        let body = match (&self.brotli, &self.gzip) {
            (Some(br), _) if accepts.brotli => {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
                br.clone()
            }
            (_, Some(gz)) if accepts.gzip => {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                gz.clone()
            }
            _ => self.raw.clone(),
        };
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        let body = if head { Body::empty() } else { Body::from(body) };
        (StatusCode::OK, headers, body).into_response()
    }
}

/// Compressed pages by content hash and encoding: the latest versions of the
/// pages being viewed (a few dozen; forgotten all at once when full, so a
/// burst of other pages costs a recompression, never unbounded memory).
pub struct PageCache {
    packed: std::sync::Mutex<HashMap<(u64, &'static str), Bytes>>,
    /// How many pages were compressed (a miss): for tests and the curious.
    pub packs: std::sync::atomic::AtomicUsize,
}

/// The server's one [`PageCache`].
pub static PAGES: std::sync::LazyLock<PageCache> = std::sync::LazyLock::new(|| PageCache {
    packed: std::sync::Mutex::new(HashMap::new()),
    packs: std::sync::atomic::AtomicUsize::new(0),
});

const PAGES_KEPT: usize = 64;

impl PageCache {
    fn get_or_pack(&self, hash: u64, encoding: &'static str, pack: impl FnOnce() -> Vec<u8>) -> Bytes {
        if let Some(hit) = self.packed.lock().unwrap_or_else(|p| p.into_inner()).get(&(hash, encoding)) {
            return hit.clone();
        }
        // Packed outside the lock: two first viewers may both pack; both get the same bytes.
        let fresh = Bytes::from(pack());
        self.packs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut packed = self.packed.lock().unwrap_or_else(|p| p.into_inner());
        if packed.len() >= PAGES_KEPT {
            packed.clear();
        }
        packed.insert((hash, encoding), fresh.clone());
        fresh
    }
}

/// A strong ETag from the content (hex digits in quotes: always a valid header).
fn etag(bytes: &[u8]) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{:016x}\"", fnv1a(bytes))).unwrap_or(HeaderValue::from_static("\"0\""))
}

struct Accepts {
    brotli: bool,
    gzip: bool,
}

/// `Accept-Encoding`, honouring `;q=0` (a refusal).
fn accepted(request: &HeaderMap) -> Accepts {
    let mut accepts = Accepts { brotli: false, gzip: false };
    for value in request.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()) {
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0)
            });
            match coding.as_str() {
                "br" => accepts.brotli = !refused,
                "gzip" => accepts.gzip = !refused,
                "*" if !refused => {
                    accepts.brotli = true;
                    accepts.gzip = true;
                }
                _ => {}
            }
        }
    }
    accepts
}

fn is_compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || ["application/javascript", "application/wasm", "application/json", "image/svg+xml"]
            .iter()
            .any(|t| content_type.starts_with(t))
}

fn brotli(bytes: &[u8], quality: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 3);
    let params = brotli::enc::BrotliEncoderParams { quality: quality as i32, lgwin: 22, ..Default::default() };
    // Writing into memory cannot fail.
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out
}

fn gzip(bytes: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

pub fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "application/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// Whether a dist file's name carries a content hash, so it never changes:
/// trunk's (`name-0123456789abcdef.js`, `…_bg.wasm`), or the folder the
/// shipping build puts the overlay's modules in (`app-0123456789abcdef/…`,
/// named by a hash of all it holds: see xtask/split.mjs). The hash in
/// wasm-bindgen's `snippets/crate-<hash>/` folder names the crate, not the
/// content (it stays when `player.js` changes), so trunk's snippets are
/// revalidated.
pub fn is_hashed(path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let in_app_folder = path.trim_start_matches('/').contains('/')
        && first.strip_prefix("app-").is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    if in_app_folder {
        return true;
    }
    let name = path.rsplit('/').next().unwrap_or("");
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    // Trunk writes the 64-bit hash in hex without leading zeros: 16 digits,
    // sometimes fewer.
    stem.rsplit_once('-').is_some_and(|(_, h)| (12..=16).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Cache rules for `/media`: a live segment's name is unique to its recording
/// (see `live::spawn_demo_stream`), so it never changes; generated pictures
/// and the demo video may be redrawn, so they are kept briefly.
pub async fn media_cache(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = request.uri().path();
    let rule = match path.rsplit('.').next() {
        Some("ts" | "m4s" | "aac") => IMMUTABLE,
        // A live recording's init segment: its name is unique to the recording.
        Some("mp4") if path.starts_with("/media/live/") => IMMUTABLE,
        Some("m3u8") => REVALIDATE,
        _ => "public, max-age=300",
    };
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(rule));
    }
    response
}

/// Where compressed copies are kept between starts, inside dist/ (trunk's next
/// build clears it with everything else). Dot-folders are never served.
const CACHE_DIR: &str = ".compressed";

/// The whole `dist/` folder in memory, by URL path (`/vetrina-….js`).
pub struct Dist {
    files: HashMap<String, Arc<Asset>>,
    /// `index.html` as trunk wrote it, its inline boot module moved out.
    pub index_html: String,
    /// The creator studio's page (`studio/index.html`, its own trunk build),
    /// likewise, if it was built.
    pub studio_html: Option<String>,
}

impl Dist {
    pub fn load(dir: &Path) -> std::io::Result<Self> {
        let cache = dir.join(CACHE_DIR);
        let mut found = Vec::new();
        let mut index_html = String::new();
        let mut studio_html = None;
        let mut pending = vec![dir.to_path_buf()];
        while let Some(folder) = pending.pop() {
            for entry in std::fs::read_dir(&folder)? {
                let path = entry?.path();
                if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
                    continue;
                }
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                let Ok(relative) = path.strip_prefix(dir) else { continue };
                let url = format!("/{}", relative.to_string_lossy().replace('\\', "/"));
                if url == "/index.html" {
                    index_html = std::fs::read_to_string(&path)?;
                    continue;
                }
                if url == "/studio/index.html" {
                    studio_html = Some(std::fs::read_to_string(&path)?);
                    continue;
                }
                found.push((url, std::fs::read(&path)?));
            }
        }
        // Compress on every core: the wasm and hls.js are most of the work.
        let files: HashMap<String, Arc<Asset>> = std::thread::scope(|scope| {
            let workers: Vec<_> = found
                .into_iter()
                .map(|(url, bytes)| {
                    let cache = &cache;
                    scope.spawn(move || {
                        let rule = if is_hashed(&url) { IMMUTABLE } else { REVALIDATE };
                        let asset = Asset::cached(bytes, content_type(&url), rule, Some(cache));
                        (url, Arc::new(asset))
                    })
                })
                .collect();
            workers.into_iter().filter_map(|w| w.join().ok()).collect()
        });
        let mut files = files;
        let (index_html, mut boot) = extract_inline_modules(&drop_wasm_preload(&index_html));
        let studio_html = studio_html.map(|html| {
            let (html, studio_boot) = extract_inline_modules(&html);
            boot.extend(studio_boot);
            html
        });
        for (url, code) in boot {
            files.insert(
                url,
                Arc::new(Asset::new(code.into_bytes(), "application/javascript; charset=utf-8", IMMUTABLE)),
            );
        }
        Ok(Self { files, index_html, studio_html })
    }

    pub fn get(&self, path: &str) -> Option<Arc<Asset>> {
        self.files.get(path).cloned()
    }
}

/// The page without trunk's `<link rel=preload>` for the wasm: the overlay's
/// loader (Trunk.toml, `pattern_script`) fetches it after the first paint, so
/// the download never competes with the page's stylesheet for that paint. The
/// JS modules' `modulepreload` hints stay: they are small and needed first.
pub fn drop_wasm_preload(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<link") {
        let Some(end) = rest[start..].find('>').map(|i| start + i + 1) else { break };
        let tag = &rest[start..end];
        out.push_str(&rest[..start]);
        let preload = tag.contains("rel=preload") || tag.contains("rel=\"preload\"");
        if !(preload && tag.contains(".wasm")) {
            out.push_str(tag);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Moves each inline `<script type="module">…</script>` into a file named by
/// its hash, returning the page and the new files. (Trunk writes its loader
/// inline; the CSP forbids inline script.)
pub fn extract_inline_modules(html: &str) -> (String, Vec<(String, String)>) {
    let mut out = String::with_capacity(html.len());
    let mut files = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let Some(open_end) = rest[start..].find('>').map(|i| start + i + 1) else { break };
        let open = &rest[start..open_end];
        let Some(close) = rest[open_end..].find("</script>").map(|i| open_end + i) else { break };
        out.push_str(&rest[..start]);
        if open.contains("src=") || !open.contains("module") {
            out.push_str(&rest[start..close + 9]);
        } else {
            let code = rest[open_end..close].to_string();
            let url = format!("/vetrina-boot-{:016x}.js", fnv1a(code.as_bytes()));
            out.push_str(&format!("<script type=\"module\" src=\"{url}\"></script>"));
            files.push((url, code));
        }
        rest = &rest[close + 9..];
    }
    out.push_str(rest);
    (out, files)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn stripes_hosts_join_the_policy_only_where_it_takes_payments() {
        let plain = policy(None);
        assert!(!plain.contains("stripe"), "{plain}");
        let paying = policy_with(None, Some("https://js.stripe.com/v3/"));
        for directive in [
            "script-src 'self' 'wasm-unsafe-eval' https://js.stripe.com https://*.js.stripe.com",
            "frame-src 'self' https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com",
            "connect-src 'self' https://api.stripe.com",
        ] {
            assert!(paying.split("; ").any(|d| d == directive), "{directive} missing from {paying}");
        }
        // A stand-in on this machine is named by its origin; anything else gets Stripe's own hosts.
        assert!(
            policy_with(None, Some("http://127.0.0.1:4242/v3/")).contains("connect-src 'self' http://127.0.0.1:4242")
        );
        assert!(!policy_with(None, Some("http://127.0.0.1:4242;script-src *")).contains("*;"));
    }

    #[test]
    fn the_page_sends_data_home_and_asks_only_its_stream_host() {
        assert!(policy(None).ends_with("connect-src 'self'"));
        let connect: Vec<String> =
            policy(None).split(';').filter(|d| d.contains("connect-src")).map(|d| d.trim().to_string()).collect();
        assert_eq!(connect, ["connect-src 'self'"]);
        assert_eq!(
            https_origin("https://CDN.example:8443/live/a.m3u8?x=1").as_deref(),
            Some("https://cdn.example:8443")
        );
        assert_eq!(https_origin("/live/demo.m3u8"), None);
        assert_eq!(https_origin("https://a.example;script-src/x"), None);
        assert_eq!(https_origin("https://user@a.example/x"), None);
        assert_eq!(https_origin("http://a.example/x"), None);
    }

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed("/vetrina-0123456789abcdef.js"));
        assert!(is_hashed("/vetrina-0123456789abcdef_bg.wasm"));
        assert!(is_hashed("/vetrina-7ba4c2ff76de9d0_bg.wasm"));
        assert!(!is_hashed("/snippets/vetrina-0123456789abcdef/src/player/player.js"));
        assert!(is_hashed("/app-0123456789abcdef/vetrina_bg.wasm"));
        assert!(is_hashed("/app-0123456789abcdef/snippets/vetrina-0123456789abcdef/src/player/player.js"));
        assert!(!is_hashed("/app-beta/vetrina.js"));
        assert!(!is_hashed("/hls.light.min.mjs"));
        assert!(!is_hashed("/favicon.svg"));
        assert!(!is_hashed("/index.html"));
    }

    #[test]
    fn inline_modules_move_out() {
        let html = "<head><script type=\"module\" src=\"/a.js\"></script><script type=\"module\">import x from '/b.js';</script></head>";
        let (page, files) = extract_inline_modules(html);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].1, "import x from '/b.js';");
        assert!(page.contains(&format!("<script type=\"module\" src=\"{}\"></script>", files[0].0)));
        assert!(page.contains("src=\"/a.js\""));
        assert!(!page.contains("import x"));
    }

    #[test]
    fn only_the_wasm_preload_goes() {
        let html = "<link rel=modulepreload href=/a.js><link as=fetch href=/a_bg.wasm rel=preload type=application/wasm><link rel=\"preload\" href=\"/b.wasm\"><link rel=stylesheet href=/a.css>";
        assert_eq!(drop_wasm_preload(html), "<link rel=modulepreload href=/a.js><link rel=stylesheet href=/a.css>");
    }

    #[test]
    fn accept_encoding_honours_refusals() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_ENCODING, v.parse().unwrap());
            let a = accepted(&m);
            (a.brotli, a.gzip)
        };
        assert_eq!(h("gzip, deflate, br, zstd"), (true, true));
        assert_eq!(h("gzip"), (false, true));
        assert_eq!(h("br;q=0, gzip;q=0.5"), (false, true));
        assert_eq!(h("identity"), (false, false));
    }
}
