//! The demo show: a seeded catalogue, locally generated product images and video,
//! and a scripted host that pins and unpins products so the demo is alive with
//! nobody at a console. Nothing here touches the network.

use std::path::Path;
use std::time::Duration;

use crate::store;
use vetrina_wire::ShowEvent;

use crate::state::AppState;
use crate::util::{now_ms, random_id};

pub const DEMO_SHOW: &str = "demo";

// The demo's creator token works for this long after each start.
use crate::http::auth::TOKEN_LIFETIME_MS;

struct SeedVariant(&'static [&'static str], i64, Option<i64>, i64);

struct SeedProduct {
    title: &'static str,
    description: &'static str,
    colour: &'static str,
    option_names: &'static [&'static str],
    variants: &'static [SeedVariant],
    /// A limited drop: at most this many per buyer.
    max_per_buyer: Option<i64>,
}

const PRODUCTS: &[SeedProduct] = &[
    SeedProduct {
        title: "Linen Shirt",
        description: "Washed linen, relaxed fit, mother-of-pearl buttons.",
        colour: "#d9c7a7",
        option_names: &["Size", "Colour"],
        variants: &[
            SeedVariant(&["S", "Sand"], 4900, Some(6900), 4),
            SeedVariant(&["M", "Sand"], 4900, Some(6900), 6),
            SeedVariant(&["L", "Sand"], 4900, Some(6900), 0),
            SeedVariant(&["S", "Navy"], 4900, Some(6900), 3),
            SeedVariant(&["M", "Navy"], 4900, Some(6900), 5),
            SeedVariant(&["L", "Navy"], 4900, Some(6900), 2),
        ],
        max_per_buyer: None,
    },
    SeedProduct {
        title: "Canvas Sneakers",
        description: "Organic cotton canvas on a natural rubber sole.",
        colour: "#f2efe9",
        option_names: &["Size"],
        variants: &[
            SeedVariant(&["38"], 7900, None, 3),
            SeedVariant(&["40"], 7900, None, 5),
            SeedVariant(&["42"], 7900, None, 4),
            SeedVariant(&["44"], 7900, None, 0),
        ],
        max_per_buyer: None,
    },
    SeedProduct {
        title: "Silk Scarf",
        description: "Hand-rolled edges, printed in Como.",
        colour: "#c8553d",
        option_names: &["Colour"],
        variants: &[SeedVariant(&["Terracotta"], 3500, Some(4500), 8), SeedVariant(&["Olive"], 3500, Some(4500), 6)],
        max_per_buyer: None,
    },
    SeedProduct {
        title: "Ceramic Mug",
        description: "Stoneware, 350 ml, dishwasher safe.",
        colour: "#8fb8de",
        option_names: &[],
        variants: &[SeedVariant(&[], 1800, None, 25)],
        max_per_buyer: None,
    },
    SeedProduct {
        title: "Leather Tote",
        description: "Vegetable-tanned leather that ages beautifully.",
        colour: "#8c5a3c",
        option_names: &["Colour"],
        variants: &[SeedVariant(&["Cognac"], 12900, None, 3), SeedVariant(&["Black"], 12900, None, 2)],
        max_per_buyer: Some(1),
    },
    SeedProduct {
        title: "Sunglasses",
        description: "Acetate frames, polarised lenses.",
        colour: "#2d3142",
        option_names: &[],
        variants: &[SeedVariant(&[], 5900, Some(8900), 7)],
        max_per_buyer: None,
    },
    SeedProduct {
        title: "Wool Beanie",
        description: "Merino rib knit.",
        colour: "#4f772d",
        option_names: &["Colour"],
        variants: &[SeedVariant(&["Forest"], 2200, None, 0), SeedVariant(&["Oat"], 2200, None, 9)],
        max_per_buyer: None,
    },
    SeedProduct {
        title: "Scented Candle",
        description: "Fig and cedar, 45 hours of burn time.",
        colour: "#e9c46a",
        option_names: &[],
        variants: &[SeedVariant(&[], 2400, None, 3)],
        max_per_buyer: None,
    },
    SeedProduct {
        title: "Denim Jacket",
        description: "Selvedge denim, rinsed.",
        colour: "#3d5a80",
        option_names: &["Size", "Colour"],
        variants: &[
            SeedVariant(&["M", "Indigo"], 9900, Some(12900), 2),
            SeedVariant(&["L", "Indigo"], 9900, Some(12900), 1),
            SeedVariant(&["M", "Black"], 9900, Some(12900), 4),
        ],
        max_per_buyer: None,
    },
];

/// Creates the demo show on first start; on later starts renews its token (or
/// sets the one given) and returns it.
pub async fn seed(db: &store::Pool, media: &Path, token: Option<&str>) -> Result<String, Box<dyn std::error::Error>> {
    seed_with_stream(db, media, token, "/media/demo.mp4").await
}

/// [`seed`], with the show's video at `stream_url` (the live HLS playlist, say).
pub async fn seed_with_stream(
    db: &store::Pool,
    media: &Path,
    token: Option<&str>,
    stream_url: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(media.join("products"))?;
    // Tokens are kept as digests, so a restart cannot print the old one: the
    // given token, or a new one each start.
    let token = token.map_or_else(random_id, str::to_string);
    let digest = crate::http::auth::token_digest(&token);
    let expires = now_ms() + TOKEN_LIFETIME_MS;
    let mut tx = crate::store::begin_write(db).await?;
    let show = store::shows::NewShow {
        id: DEMO_SHOW,
        title: "Spring Edit, live from Milano",
        status: vetrina_wire::ShowStatus::Live,
        currency: "EUR",
        locale: "en",
        stream_url: "/media/demo.mp4",
        started_at_ms: now_ms(),
        creator_token: &digest,
        token_expires_at_ms: expires,
    };
    let inserted = store::shows::insert(&mut tx, &show).await?;
    store::shows::set_creator_token(&mut tx, DEMO_SHOW, &digest, expires).await?;
    let media_urls =
        store::shows::Changes { stream_url: Some(stream_url), poster_url: Some(POSTER_URL), ..Default::default() };
    store::shows::update(&mut tx, DEMO_SHOW, &media_urls).await?;
    if inserted {
        let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let option_names: Vec<Vec<String>> = PRODUCTS.iter().map(|p| strings(p.option_names)).collect();
        let options: Vec<Vec<Vec<String>>> =
            PRODUCTS.iter().map(|p| p.variants.iter().map(|v| strings(v.0)).collect()).collect();
        let images: Vec<String> = PRODUCTS
            .iter()
            .map(|p| format!("/media/products/{}.svg", p.title.to_lowercase().replace(' ', "-")))
            .collect();
        let products: Vec<store::catalogue::NewProduct> = PRODUCTS
            .iter()
            .enumerate()
            .map(|(i, p)| store::catalogue::NewProduct {
                title: p.title,
                description: p.description,
                image_url: &images[i],
                option_names: &option_names[i],
                max_per_buyer: p.max_per_buyer,
                variants: p
                    .variants
                    .iter()
                    .enumerate()
                    .map(|(j, SeedVariant(_, price, compare_at, stock))| store::catalogue::NewVariant {
                        options: &options[i][j],
                        price_minor: *price,
                        compare_at_minor: *compare_at,
                        stock: *stock,
                        shopify_variant_id: None,
                    })
                    .collect(),
            })
            .collect();
        store::catalogue::append(&mut tx, DEMO_SHOW, &products).await?;
    }
    tx.commit().await?;
    std::fs::write(media.join("poster-demo.svg"), POSTER_SVG)?;
    for p in PRODUCTS {
        let slug = p.title.to_lowercase().replace(' ', "-");
        let path = media.join("products").join(format!("{slug}.svg"));
        if !path.exists() {
            std::fs::write(path, product_svg(p.title, p.colour))?;
        }
    }
    Ok(token)
}

const POSTER_URL: &str = "/media/poster-demo.svg";

/// The demo show's poster: the test pattern's colour bars, small enough (under
/// half a kilobyte compressed) to be on screen with the page's first paint.
const POSTER_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="540" height="960" viewBox="0 0 540 960" preserveAspectRatio="xMidYMid slice">
<defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#000" stop-opacity="0.35"/><stop offset="0.3" stop-color="#000" stop-opacity="0"/></linearGradient></defs>
<rect width="540" height="960" fill="#202020"/>
<g opacity="0.85"><rect x="0" y="180" width="77" height="520" fill="#c0c0c0"/><rect x="77" y="180" width="77" height="520" fill="#c0c000"/><rect x="154" y="180" width="77" height="520" fill="#00c0c0"/><rect x="231" y="180" width="78" height="520" fill="#00c000"/><rect x="309" y="180" width="77" height="520" fill="#c000c0"/><rect x="386" y="180" width="77" height="520" fill="#c00000"/><rect x="463" y="180" width="77" height="520" fill="#0000c0"/></g>
<rect width="540" height="960" fill="url(#s)"/>
</svg>"##;

/// A square product picture: the product's colour, its initial large, and its name.
fn product_svg(title: &str, colour: &str) -> String {
    let initial = title.chars().next().unwrap_or('V');
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="480" height="480" viewBox="0 0 480 480">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="{colour}"/><stop offset="1" stop-color="{colour}" stop-opacity="0.7"/></linearGradient></defs>
<rect width="480" height="480" fill="url(#g)"/>
<circle cx="240" cy="210" r="130" fill="#ffffff" fill-opacity="0.35"/>
<text x="240" y="262" font-size="160" font-weight="700" text-anchor="middle" font-family="DejaVu Serif, Georgia, serif" fill="#1b1b1b" fill-opacity="0.75">{initial}</text>
<text x="240" y="420" font-size="38" text-anchor="middle" font-family="DejaVu Sans, sans-serif" fill="#1b1b1b" fill-opacity="0.8">{title}</text>
</svg>"##
    )
}

/// Makes the demo video with ffmpeg if it is not there yet: 9:16, a test pattern
/// with a large running clock burnt in so pin timing can be judged by eye.
pub async fn ensure_video(media: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let out = media.join("demo.mp4");
    if out.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(media)?;
    let partial = media.join("demo.partial.mp4");
    // The video's own running time.
    let clock = crate::live::hls::clock_filter(r"%{pts\:hms}", 40);
    tracing::info!("generating the demo video with ffmpeg (about half a minute, once)");
    let status = tokio::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc2=size=540x960:rate=25:duration=90")
        .arg("-vf")
        .arg(format!("format=yuv420p{clock}"))
        .args(["-c:v", "libx264", "-preset", "veryfast", "-crf", "32", "-g", "50", "-an", "-movflags", "+faststart"])
        .arg(&partial)
        .status()
        .await
        .map_err(|e| format!("could not run ffmpeg (install it with apt-get install ffmpeg): {e}"))?;
    if !status.success() {
        return Err(format!("ffmpeg failed with {status}").into());
    }
    std::fs::rename(partial, out)?;
    Ok(())
}

/// The scripted host: every few seconds pins the next product and, once two are
/// pinned, unpins the oldest, cycling through the catalogue for ever.
pub async fn run_host(state: AppState, every: Duration) {
    let products = match async { store::catalogue::product_ids(&mut *state.db.acquire().await?, DEMO_SHOW).await }.await
    {
        Ok(ids) => ids,
        Err(e) => {
            tracing::error!(error = %e, "scripted host could not read the catalogue");
            return;
        }
    };
    if products.is_empty() {
        return;
    }
    // Start from a clean slate so the script's own view of what is pinned is true.
    if let Ok(mut conn) = state.db.acquire().await {
        if let Ok((pinned, _)) = crate::live::shows::pinned_now(&mut conn, DEMO_SHOW).await {
            drop(conn);
            for product_id in pinned {
                let _ = crate::live::events::record(&state, DEMO_SHOW, ShowEvent::Unpin { product_id }).await;
            }
        }
    }
    let mut pinned: std::collections::VecDeque<i64> = Default::default();
    let mut next = 0;
    loop {
        tokio::time::sleep(every).await;
        if pinned.len() >= 2 {
            if let Some(oldest) = pinned.pop_front() {
                let _ = crate::live::events::record(&state, DEMO_SHOW, ShowEvent::Unpin { product_id: oldest }).await;
            }
        }
        let product_id = products[next % products.len()];
        next += 1;
        match crate::live::events::record(&state, DEMO_SHOW, ShowEvent::Pin { product_id }).await {
            Ok(_) => pinned.push_back(product_id),
            // A creator may have pinned it by hand meanwhile: then it is pinned either way.
            Err(e) => tracing::info!(error = %e, product_id, "scripted host: pin skipped"),
        }
    }
}
