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

/// A real encoder (ffmpeg, as the demo runs it) into the packager and out as
/// LL-HLS: a request for a part that does not exist yet waits for it, the part
/// is the encoder's fragment, and when the encoder leaves the recording is on
/// disk as a plain playlist for the replay.
#[tokio::test]
async fn an_encoder_streams_through_the_origin_as_low_latency_hls() {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    use vetrina_server::live::packager::{self, Recording};

    let media = tempfile::tempdir().unwrap();
    let pool = common::memory_db().await;
    demo::seed(&pool, media.path(), Some(TOKEN)).await.unwrap();
    let state = AppState::new(pool);
    let origin = state.origin.clone();
    let router = app(state, Assets { dist: None, media: Some(media.path().to_path_buf()) });
    let dir = live::hls::stream_dir(media.path(), "demo");
    std::fs::create_dir_all(&dir).unwrap();

    // Four seconds of 30 fps with a keyframe every 2 s, in half-second fragments, on stdout.
    let mut ffmpeg = tokio::process::Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-re",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=180x320:rate=30",
            "-t",
            "4",
        ])
        .args(["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "60", "-keyint_min", "60"])
        .args(["-sc_threshold", "0", "-an", "-f", "mp4", "-movflags", "empty_moov+default_base_moof+frag_keyframe"])
        .args(["-frag_duration", "500000", "-flush_packets", "1", "pipe:1"])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("ffmpeg (apt-get install ffmpeg)");
    let stdout = ffmpeg.stdout.take().unwrap();
    let recording = Recording { dir: dir.clone(), show: "demo".into(), rendition: "360p".into(), stamp: "42".into() };
    let packaging = tokio::spawn(packager::run(origin, recording, stdout));

    // Wait for the track, then ask for the playlist that lists part 1 of segment 1 (about 2.5 s in).
    let began = std::time::Instant::now();
    loop {
        if call(&router, "GET", "/live/demo/360p.m3u8", &[], None).await.body.contains("#EXT-X-PART-INF") {
            break;
        }
        assert!(began.elapsed().as_secs() < 20, "the origin never started");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let asked = std::time::Instant::now();
    let r = call(&router, "GET", "/live/demo/360p.m3u8?_HLS_msn=1&_HLS_part=1", &[], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(asked.elapsed().as_millis() > 300, "it waited for the part rather than answering at once");
    assert!(r.body.contains("URI=\"/live/demo/360p/42.1.1.m4s\""), "{}", r.body);
    assert!(r.body.contains("#EXT-X-PART-INF:PART-TARGET=0.500"), "{}", r.body);
    assert_eq!(r.headers["cache-control"], "public, max-age=2", "a blocking answer is the same for everyone asking");
    for line in r.body.lines().filter(|l| l.starts_with("#EXT-X-PART:")) {
        let d: f64 = line["#EXT-X-PART:DURATION=".len()..].split(',').next().unwrap().parse().unwrap();
        assert!(d <= 0.5 + 1e-9, "a part longer than PART-TARGET: {line}");
    }
    assert!(
        r.body.contains("URI=\"/live/demo/360p/42.1.0.m4s\",INDEPENDENT=YES"),
        "segments start at a keyframe: {}",
        r.body
    );

    // The part is the encoder's fragment: a moof, then its mdat.
    let part = router
        .clone()
        .oneshot(axum::http::Request::get("/live/demo/360p/42.1.1.m4s").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::OK);
    assert_eq!(part.headers()["content-type"], "video/mp4");
    let bytes = part.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&bytes[4..8], b"moof");

    // Asking too far ahead is the client's mistake; nonsense is too.
    for bad in ["?_HLS_msn=99", "?_HLS_part=1", "?_HLS_msn=x"] {
        let r = call(&router, "GET", &format!("/live/demo/360p.m3u8{bad}"), &[], None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
    }
    for bad in ["/live/demo/360p/41.1.1.m4s", "/live/demo/360p/42.x.1.m4s", "/live/demo/360p/42.1.m4s"] {
        assert_eq!(call(&router, "GET", bad, &[], None).await.status, StatusCode::NOT_FOUND, "{bad}");
    }

    // The encoder leaves: no part is promised any more (it may come back, so
    // the show has not ended), and the recording is on disk.
    assert_eq!(packaging.await.unwrap(), "the encoder closed its output");
    let r = call(&router, "GET", "/live/demo/360p.m3u8", &[], None).await;
    assert!(!r.body.contains("PRELOAD-HINT") && !r.body.contains("ENDLIST"), "{}", r.body);
    let r = call(&router, "GET", "/live/demo/360p.m3u8?_HLS_msn=2&_HLS_part=3", &[], None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "a part that will never come is not waited for: {}", r.body);
    let recorded = std::fs::read_to_string(dir.join("360p.m3u8")).unwrap();
    assert!(
        recorded.contains("#EXT-X-MAP:URI=\"42-360p-init.mp4\"") && recorded.contains("42-360p-00001.m4s"),
        "{recorded}"
    );
    assert!(dir.join("42-360p-00001.m4s").exists() && dir.join("42-360p-init.mp4").exists());
}
