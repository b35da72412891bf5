//! Low-latency HLS from the origin's memory (`state::origin`).
//!
//! Each rendition's media playlist lists its segments as usual (whole
//! segments are files of the recording, under `/media/live/`) and, for the
//! newest ones, their parts (`EXT-X-PART`, each at most `PART-TARGET`
//! seconds), with a hint of the part to come (`EXT-X-PRELOAD-HINT`). A player
//! asks for the playlist that will contain a part it does not have yet
//! (`?_HLS_msn=M&_HLS_part=P`) and the answer waits until it exists; the
//! hinted part's URL waits likewise. That is what lets a player sit a second
//! and a half behind the encoder instead of three segments (six seconds).
//!
//! A waiting request costs a `watch` receiver, no timer of its own: one new
//! part wakes every waiter of that track at once. Answers to blocking
//! requests are the same for everyone asking with the same URL, so they are
//! cacheable: a CDN or nginx with `proxy_cache_lock` collapses a crowd's
//! requests into one.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::http::error::{ApiError, ApiPath};
use crate::state::origin::{Origin, Track};
use crate::state::AppState;

/// Where a part lives: `/live/{show}/{rendition}/{recording}.{msn}.{part}.m4s`.
pub fn part_uri(show: &str, rendition: &str, recording: &str, msn: u64, part: usize) -> String {
    format!("/live/{show}/{rendition}/{recording}.{msn}.{part}.m4s")
}

/// Segments whose parts are listed: the newest ones, covering more than three
/// target durations back from the live edge as the specification asks.
const SEGMENTS_WITH_PARTS: usize = 3;

/// The media playlist of `track` (without pins; see [`super::hls::with_dateranges`]).
pub fn render(track: &Track, show: &str, rendition: &str, recording: &str) -> String {
    let mut out = String::with_capacity(2048);
    let part_target = track.part_target;
    out.push_str("#EXTM3U\n#EXT-X-VERSION:6\n");
    out.push_str(&format!("#EXT-X-TARGETDURATION:{}\n", track.segment_target));
    // Three parts behind the newest: where a player should sit (the
    // specification's minimum is two part targets; three leaves room for one late part).
    out.push_str(&format!("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK={:.3}\n", part_target * 3.0));
    out.push_str(&format!("#EXT-X-PART-INF:PART-TARGET={part_target:.3}\n"));
    let first = track.segments.front().map_or(0, |s| s.msn);
    out.push_str(&format!("#EXT-X-MEDIA-SEQUENCE:{first}\n#EXT-X-INDEPENDENT-SEGMENTS\n"));
    out.push_str(&format!("#EXT-X-MAP:URI=\"/media/live/{show}/{}\"\n", track.init_file));
    let with_parts = track.segments.len().saturating_sub(SEGMENTS_WITH_PARTS);
    for (i, segment) in track.segments.iter().enumerate() {
        out.push_str(&format!("#EXT-X-PROGRAM-DATE-TIME:{}\n", super::hls::iso8601(segment.date_ms)));
        if i >= with_parts {
            for (n, part) in segment.parts.iter().enumerate() {
                out.push_str(&format!(
                    "#EXT-X-PART:DURATION={:.5},URI=\"{}\"{}\n",
                    part.duration,
                    part_uri(show, rendition, recording, segment.msn, n),
                    if part.independent { ",INDEPENDENT=YES" } else { "" }
                ));
            }
        }
        if let Some(file) = &segment.file {
            out.push_str(&format!("#EXTINF:{:.5},\n/media/live/{show}/{file}\n", segment.duration()));
        }
    }
    // An encoder that left may come back: no ENDLIST (that is the show's end,
    // served from the recording), just no hint of a part to come.
    if let Some(last) = track.segments.back().filter(|_| !track.ended) {
        let (msn, part) = if last.file.is_some() { (last.msn + 1, 0) } else { (last.msn, last.parts.len()) };
        out.push_str(&format!(
            "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"{}\"\n",
            part_uri(show, rendition, recording, msn, part)
        ));
    }
    out
}

/// What a blocking playlist request waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    pub msn: u64,
    pub part: Option<usize>,
}

/// Reads `_HLS_msn` and `_HLS_part` (a part without a segment number is a bad request).
pub fn wait_of(query: &HashMap<String, String>) -> Result<Option<Wait>, ApiError> {
    let number = |key: &str| -> Result<Option<u64>, ApiError> {
        query
            .get(key)
            .map(|v| {
                v.parse::<u64>().map_err(|_| {
                    ApiError::bad_request("bad_blocking_request", format!("{key} must be a whole number."))
                })
            })
            .transpose()
    };
    match (number("_HLS_msn")?, number("_HLS_part")?) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(ApiError::bad_request("bad_blocking_request", "_HLS_part needs _HLS_msn.")),
        (Some(msn), part) => Ok(Some(Wait { msn, part: part.map(|p| p as usize) })),
    }
}

/// Waits (at most `patience`) until `ready` holds for the track, looking at
/// it in place (a crowd of waiters copies nothing). `Err(true)` if it did not
/// come in time or the encoder left, `Err(false)` if the track is gone.
pub async fn wait_until(
    origin: &Origin,
    show: &str,
    rendition: &str,
    patience: Duration,
    ready: impl Fn(&Track) -> bool,
) -> Result<(), bool> {
    let mut changed = origin.watch(show, rendition).ok_or(false)?;
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        changed.borrow_and_update();
        match origin.read(show, rendition, |t| (ready(t), t.ended)).ok_or(false)? {
            (true, _) => return Ok(()),
            (false, true) => return Err(true),
            (false, false) => {}
        }
        match tokio::time::timeout_at(deadline, changed.changed()).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(false),
            Err(_) => return Err(true),
        }
    }
}

/// The LL-HLS playlist of a live track, waiting first if the request asks
/// to, with `pins` (a function of the playlist text) applied; the text and
/// whether the request was a blocking one. `None` when this server is not
/// originating that track.
pub async fn playlist<Fut>(
    origin: &Origin,
    show: &str,
    rendition: &str,
    query: &HashMap<String, String>,
    pins: impl FnOnce(String) -> Fut,
) -> Result<Option<(std::sync::Arc<str>, bool)>, ApiError>
where
    Fut: std::future::Future<Output = Result<String, ApiError>>,
{
    let Some(position) = origin.read(show, rendition, |t| (t.position(), t.segment_target)) else { return Ok(None) };
    let wait = wait_of(query)?;
    if let Some(w) = wait {
        // The specification's rule: more than two segments ahead is a client error.
        let newest = position.0.map_or(0, |(msn, _)| msn);
        if w.msn > newest + 2 {
            return Err(ApiError::bad_request(
                "bad_blocking_request",
                format!("Segment {} is too far ahead of the live edge.", w.msn),
            ));
        }
        // At most three target durations, then 503 as the specification asks.
        let patience = Duration::from_secs(u64::from(position.1) * 3);
        match wait_until(origin, show, rendition, patience, |t| t.has(w.msn, w.part)).await {
            Ok(()) => {}
            Err(true) => {
                return Err(ApiError::Unavailable {
                    code: "part_late",
                    message: "That part did not come in time; the stream may have stopped.".into(),
                })
            }
            Err(false) => return Ok(None),
        }
    }
    let made = origin
        .answer(show, rendition, |track| async move {
            pins(render(&track, show, rendition, &track_recording(&track))).await
        })
        .await;
    match made {
        None => Ok(None),
        Some(text) => Ok(Some((text?, wait.is_some()))),
    }
}

/// The recording a track belongs to: the stem of its init file (`{recording}-{rendition}-init.mp4`).
pub fn track_recording(track: &Track) -> String {
    track.init_file.split('-').next().unwrap_or_default().to_string()
}

/// `GET /live/{show}/{rendition}/{recording}.{msn}.{part}.m4s`: a part from
/// memory, waiting for it if it is the next one (the preload hint).
pub async fn part(
    State((state, _)): State<(AppState, std::path::PathBuf)>,
    ApiPath((show, rendition, file)): ApiPath<(String, String, String)>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound("No such part.".into());
    let name = file.strip_suffix(".m4s").ok_or_else(not_found)?;
    let mut bits = name.split('.');
    let (Some(recording), Some(msn), Some(index), None) = (bits.next(), bits.next(), bits.next(), bits.next()) else {
        return Err(not_found());
    };
    let (msn, index): (u64, usize) = (msn.parse().map_err(|_| not_found())?, index.parse().map_err(|_| not_found())?);
    let origin = &state.origin;
    let current = origin.read(&show, &rendition, |t| (track_recording(t), t.position())).ok_or_else(not_found)?;
    if current.0 != recording {
        return Err(not_found());
    }
    // Only the part to come is waited for; one further ahead is not served.
    let (newest_msn, parts) = current.1.unwrap_or((0, 0));
    let next = (msn == newest_msn && index <= parts) || (msn == newest_msn + 1 && index == 0);
    let patience = if next { Duration::from_secs(3) } else { Duration::ZERO };
    wait_until(origin, &show, &rendition, patience, |t| t.part(msn, index).is_some()).await.map_err(|_| not_found())?;
    let bytes = origin.read(&show, &rendition, |t| t.part(msn, index).map(|p| p.bytes.clone())).flatten();
    Ok((
        [
            (header::CONTENT_TYPE, "video/mp4"),
            // These bytes never change under this URL (the recording is in it).
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        bytes.ok_or_else(not_found)?,
    )
        .into_response())
}

/// The answer for a playlist: blocking answers are cacheable by URL for a
/// moment (everyone asking for that part gets the same), others are not.
pub fn m3u8(body: String, blocking: bool) -> Response {
    let cache = if blocking { "public, max-age=2" } else { "no-cache" };
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/vnd.apple.mpegurl"), (header::CACHE_CONTROL, cache)], body)
        .into_response()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::state::origin::{Part, Segment};
    use axum::body::Bytes;

    fn part(independent: bool) -> Part {
        Part { bytes: Bytes::from_static(b"x"), duration: 0.5, independent }
    }

    fn track(segments: usize, parts_in_last: usize) -> Track {
        let mut s = std::collections::VecDeque::new();
        for i in 0..segments {
            let last = i + 1 == segments;
            let n = if last { parts_in_last } else { 4 };
            s.push_back(Segment {
                msn: 10 + i as u64,
                date_ms: 1_764_000_000_000 + i as i64 * 2000,
                parts: (0..n).map(|p| part(p == 0)).collect(),
                file: (!last).then(|| format!("7-360p-{:05}.m4s", 10 + i)),
            });
        }
        Track {
            init: Bytes::new(),
            init_file: "7-360p-init.mp4".into(),
            codec: "avc1.42c01f".into(),
            part_target: 0.5,
            segment_target: 2,
            segments: s,
            ended: false,
        }
    }

    #[test]
    fn the_playlist_follows_the_ll_hls_grammar() {
        let text = render(&track(5, 2), "demo", "360p", "7");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "#EXTM3U");
        assert!(text.contains("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500\n"));
        assert!(text.contains("#EXT-X-PART-INF:PART-TARGET=0.500\n"));
        assert!(text.contains("#EXT-X-MEDIA-SEQUENCE:10\n"));
        assert!(text.contains("#EXT-X-MAP:URI=\"/media/live/demo/7-360p-init.mp4\"\n"));
        // Every part within PART-TARGET; PART-HOLD-BACK at least twice it (RFC 8216bis 4.4.3.8).
        let target = 0.5;
        for l in lines.iter().filter(|l| l.starts_with("#EXT-X-PART:")) {
            let d: f64 = l["#EXT-X-PART:DURATION=".len()..].split(',').next().unwrap().parse().unwrap();
            assert!(d <= target, "{l}");
        }
        // Parts for the last three segments only (the two complete and the open one).
        assert_eq!(lines.iter().filter(|l| l.starts_with("#EXT-X-PART:")).count(), 4 + 4 + 2);
        assert!(text.contains("URI=\"/live/demo/360p/7.12.0.m4s\",INDEPENDENT=YES"));
        // Whole segments for all the complete ones; the open one has no EXTINF yet.
        assert_eq!(lines.iter().filter(|l| l.starts_with("#EXTINF:")).count(), 4);
        assert!(text.contains("#EXTINF:2.00000,\n/media/live/demo/7-360p-00013.m4s\n"));
        // The hint names the next part of the open segment, and is the last line.
        assert_eq!(*lines.last().unwrap(), "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"/live/demo/360p/7.14.2.m4s\"");
        // A segment's parts come before its EXTINF, after its date.
        let at = |needle: &str| text.find(needle).unwrap();
        assert!(at("7.13.3.m4s") < at("7-360p-00013.m4s"));
        assert!(at("#EXT-X-PROGRAM-DATE-TIME") < at("#EXT-X-PART:"));

        let mut ended = track(2, 3);
        ended.ended = true;
        let text = render(&ended, "demo", "360p", "7");
        assert!(!text.contains("#EXT-X-ENDLIST"), "the encoder may come back");
        assert!(!text.contains("PRELOAD-HINT"));
    }

    #[test]
    fn blocking_parameters_are_read_strictly() {
        let q = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(wait_of(&q(&[])).unwrap(), None);
        assert_eq!(wait_of(&q(&[("_HLS_msn", "12")])).unwrap(), Some(Wait { msn: 12, part: None }));
        assert_eq!(
            wait_of(&q(&[("_HLS_msn", "12"), ("_HLS_part", "3")])).unwrap(),
            Some(Wait { msn: 12, part: Some(3) })
        );
        assert!(wait_of(&q(&[("_HLS_part", "3")])).is_err());
        assert!(wait_of(&q(&[("_HLS_msn", "-1")])).is_err());
        assert!(wait_of(&q(&[("_HLS_msn", "x")])).is_err());
    }

    #[test]
    fn a_part_is_had_once_it_or_its_segment_is_there() {
        let t = track(3, 2);
        assert!(t.has(11, None) && t.has(11, Some(3)));
        assert!(t.has(12, Some(1)) && !t.has(12, Some(2)) && !t.has(12, None) && !t.has(13, Some(0)));
    }

    #[tokio::test]
    async fn one_new_part_wakes_every_waiter() {
        let origin = Origin::default();
        origin.start("demo", "360p", track(2, 1));
        let waiters: Vec<_> = (0..50)
            .map(|_| {
                let origin = origin.clone();
                tokio::spawn(async move {
                    wait_until(&origin, "demo", "360p", Duration::from_secs(5), |t| t.has(11, Some(1))).await.is_ok()
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50)).await;
        origin.update("demo", "360p", |t| t.segments.back_mut().unwrap().parts.push(part(false)));
        for w in waiters {
            assert!(w.await.unwrap());
        }
        // Nobody waits past the patience given.
        let late = wait_until(&origin, "demo", "360p", Duration::from_millis(30), |t| t.has(11, Some(3))).await;
        assert!(matches!(late, Err(true)));
    }
}
