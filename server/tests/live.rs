//! The live playlist route: ffmpeg's playlist served with pins as DATERANGE tags.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use axum::http::StatusCode;
use common::{auth, call, TOKEN};
use vetrina_server::{app, demo, live, AppState, Assets};

#[tokio::test]
async fn the_live_playlist_carries_the_shows_pins() {
    let media = tempfile::tempdir().unwrap();
    let pool = common::memory_db().await;
    demo::seed(&pool, media.path(), Some(TOKEN)).await.unwrap();
    let state = AppState::new(pool);
    let router = app(state, Assets { dist: None, media: Some(media.path().to_path_buf()) });

    let r = call(&router, "GET", "/live/demo.m3u8", &[], None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not streaming yet");

    // A playlist as ffmpeg writes it, its window reaching a little past the pin.
    let now = vetrina_server::util::now_ms();
    let dir = live::hls::stream_dir(media.path(), "demo");
    std::fs::create_dir_all(&dir).unwrap();
    // Eight segments of 2 s, from 10 s ago to 4 s ahead, kept whole (an EVENT playlist).
    let segment = |i: i64| {
        format!(
            "#EXTINF:2.000000,\n#EXT-X-PROGRAM-DATE-TIME:{}\nindex{i}.ts\n",
            live::hls::iso8601(now - 10_000 + i * 2000)
        )
    };
    let playlist = format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:EVENT\n{}",
        (0..8).map(segment).collect::<String>()
    );
    std::fs::write(dir.join("index.m3u8"), playlist).unwrap();

    let (k, v) = auth();
    call(&router, "POST", "/api/shows/demo/pins", &[(k, &v)], Some(r#"{"product_id":5}"#)).await;
    let r = call(&router, "GET", "/live/demo.m3u8", &[], None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/vnd.apple.mpegurl");
    assert_eq!(r.headers["cache-control"], "no-cache");
    let tags: Vec<&str> = r.body.lines().filter(|l| l.starts_with("#EXT-X-DATERANGE:")).collect();
    assert_eq!(tags.len(), 1, "{}", r.body);
    assert!(
        tags[0].contains("CLASS=\"com.vetrina.pin\"") && tags[0].ends_with("X-VETRINA-PRODUCT-ID=5"),
        "{}",
        tags[0]
    );
    assert!(!tags[0].contains("END-DATE"));
    assert!(r.body.contains("\n/media/live/demo/index2.ts\n"), "segment URIs point at the media files: {}", r.body);
    // Live viewers get a sliding window of the last segments, not the whole show.
    assert_eq!(r.body.matches(".ts\n").count(), live::hls::LIVE_WINDOW_SEGMENTS, "{}", r.body);
    assert!(r.body.contains("#EXT-X-MEDIA-SEQUENCE:2\n") && !r.body.contains("PLAYLIST-TYPE"), "{}", r.body);

    call(&router, "DELETE", "/api/shows/demo/pins/5", &[(k, &v)], None).await;
    let r = call(&router, "GET", "/live/demo.m3u8", &[], None).await;
    assert!(r.body.lines().any(|l| l.starts_with("#EXT-X-DATERANGE:") && l.contains("END-DATE=")), "{}", r.body);

    // Ended: the recording up to the end, as video on demand.
    call(&router, "PATCH", "/api/shows/demo", &[(k, &v)], Some(r#"{"status":"ended"}"#)).await;
    let r = call(&router, "GET", "/live/demo.m3u8", &[], None).await;
    assert!(r.body.ends_with("#EXT-X-ENDLIST\n"), "{}", r.body);
    assert!(r.body.contains("\n/media/live/demo/index0.ts\n") && r.body.contains("PLAYLIST-TYPE:EVENT"), "{}", r.body);
    assert!(r.body.contains("index5.ts") && !r.body.contains("index6.ts"), "cut where the show ended: {}", r.body);

    for bad in ["/live/demo.txt", "/live/..%2Fetc.m3u8", "/live/other.m3u8"] {
        assert_eq!(call(&router, "GET", bad, &[], None).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
}

#[tokio::test]
async fn an_adaptive_ladder_gets_the_pins_in_every_rendition() {
    let media = tempfile::tempdir().unwrap();
    let pool = common::memory_db().await;
    demo::seed(&pool, media.path(), Some(TOKEN)).await.unwrap();
    let router = app(AppState::new(pool), Assets { dist: None, media: Some(media.path().to_path_buf()) });
    let dir = live::hls::stream_dir(media.path(), "demo");
    std::fs::create_dir_all(&dir).unwrap();
    let now = vetrina_server::util::now_ms();
    let mut master = String::from("#EXTM3U\n#EXT-X-VERSION:6\n");
    for (name, w, h, kbps) in live::hls::LADDER {
        master.push_str(&format!("#EXT-X-STREAM-INF:BANDWIDTH={},RESOLUTION={w}x{h}\n{name}.m3u8\n", kbps * 1100));
        let segments: String = (0..4)
            .map(|i| {
                format!(
                    "#EXTINF:2.0,\n#EXT-X-PROGRAM-DATE-TIME:{}\n7-{name}-{i:05}.ts\n",
                    live::hls::iso8601(now - 6000 + i * 2000)
                )
            })
            .collect();
        std::fs::write(dir.join(format!("{name}.m3u8")), format!("#EXTM3U\n#EXT-X-TARGETDURATION:2\n{segments}"))
            .unwrap();
    }
    std::fs::write(dir.join(live::hls::MASTER), master).unwrap();
    let (k, v) = auth();
    call(&router, "POST", "/api/shows/demo/pins", &[(k, &v)], Some(r#"{"product_id":3}"#)).await;

    let r = call(&router, "GET", "/live/demo.m3u8", &[], None).await;
    assert_eq!((r.status, r.headers["cache-control"].to_str().unwrap()), (StatusCode::OK, "no-cache"));
    let variants: Vec<&str> = r.body.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).collect();
    assert_eq!(variants, ["/live/demo/360p.m3u8", "/live/demo/540p.m3u8", "/live/demo/720p.m3u8"]);
    for (name, ..) in live::hls::LADDER {
        let r = call(&router, "GET", &format!("/live/demo/{name}.m3u8"), &[], None).await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
        assert!(
            r.body.contains("CLASS=\"com.vetrina.pin\"") && r.body.contains("X-VETRINA-PRODUCT-ID=3"),
            "{}",
            r.body
        );
        assert!(r.body.contains(&format!("\n/media/live/demo/7-{name}-00003.ts\n")), "{}", r.body);
    }
    for bad in ["/live/demo/../x.m3u8", "/live/demo/1080p.m3u8", "/live/no/360p.m3u8", "/live/demo/360p.txt"] {
        assert_eq!(call(&router, "GET", bad, &[], None).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
}
