//! Live HLS with pins in the stream itself.
//!
//! The demo's live stream is made by ffmpeg: a rolling HLS playlist whose
//! segments carry `EXT-X-PROGRAM-DATE-TIME`, the wall-clock time each frame was
//! captured. We serve that playlist rewritten with one `EXT-X-DATERANGE` per pin
//! (its `START-DATE` the moment of the pin, an `END-DATE` once unpinned), so a
//! player that reads timed metadata learns of a pin with the video itself, at
//! the frame the host pinned it on, however late its copy of the stream is.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::http::error::{ApiError, ApiPath};
use crate::state::AppState;
use crate::store;

/// A pin as a date range on the stream's clock (Unix milliseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinRange {
    /// The pin event's id: the range's `ID` is `pin-<id>`.
    pub event_id: i64,
    pub product_id: i64,
    pub start_ms: i64,
    pub end_ms: Option<i64>,
}

/// Pairs each pin with the unpin that ends it, from events in id order.
pub fn ranges(events: &[(i64, &str, i64, i64)]) -> Vec<PinRange> {
    let mut out: Vec<PinRange> = Vec::new();
    for &(id, kind, product_id, at_ms) in events {
        match kind {
            "pin" => out.push(PinRange { event_id: id, product_id, start_ms: at_ms, end_ms: None }),
            "unpin" => {
                if let Some(open) = out.iter_mut().rev().find(|r| r.product_id == product_id && r.end_ms.is_none()) {
                    open.end_ms = Some(at_ms.max(open.start_ms));
                }
            }
            _ => {}
        }
    }
    out
}

/// RFC 3339 in UTC with milliseconds, as HLS date attributes want.
pub fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Parses `#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:50:01.123+0000` (ffmpeg's form) or `...Z`.
pub fn parse_pdt(value: &str) -> Option<i64> {
    let v = value.trim();
    let (date, time) = v.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let end = time.find(['Z', '+', '-']).unwrap_or(time.len());
    let offset_ms = match &time[end..] {
        "" | "Z" => 0,
        tz => {
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            let digits: String = tz[1..].chars().filter(char::is_ascii_digit).collect();
            let (h, m) = (digits.get(..2)?.parse::<i64>().ok()?, digits.get(2..4).unwrap_or("00").parse::<i64>().ok()?);
            sign * (h * 3600 + m * 60) * 1000
        }
    };
    let mut t = time[..end].split(':');
    let (h, m) = (t.next()?.parse::<i64>().ok()?, t.next()?.parse::<i64>().ok()?);
    let s: f64 = t.next()?.parse().ok()?;
    // Days from civil date (inverse of the above).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400_000 + (h * 3600 + m * 60) * 1000 + (s * 1000.0).round() as i64 - offset_ms)
}

/// The playlist with a DATERANGE for every pin that overlaps its window (or is
/// still open), placed before the first segment. Playlists without
/// program date-time are returned unchanged: there is no clock to place pins on.
pub fn with_dateranges(playlist: &str, pins: &[PinRange]) -> String {
    // The window the playlist covers: each segment's tags (date-time and
    // duration, in either order; ffmpeg writes the duration first) precede its URI.
    let (mut window_start, mut window_end) = (None::<i64>, None::<i64>);
    let (mut pdt, mut duration_ms, mut parts_ms) = (None, 0, 0);
    for line in playlist.lines() {
        if let Some(v) = line.strip_prefix("#EXT-X-PROGRAM-DATE-TIME:") {
            pdt = parse_pdt(v);
        } else if let Some(v) = line.strip_prefix("#EXTINF:") {
            let secs: f64 = v.split(',').next().and_then(|s| s.trim().parse().ok()).unwrap_or(0.0);
            duration_ms = (secs * 1000.0) as i64;
        } else if let Some(v) = line.strip_prefix("#EXT-X-PART:DURATION=") {
            // LL-HLS: the open segment's parts so far extend the window too.
            let secs: f64 = v.split(',').next().and_then(|s| s.trim().parse().ok()).unwrap_or(0.0);
            parts_ms += (secs * 1000.0) as i64;
        } else if !line.starts_with('#') && !line.trim().is_empty() {
            if let Some(start) = pdt {
                window_start = Some(window_start.map_or(start, |w| w.min(start)));
                window_end = Some(window_end.map_or(start + duration_ms, |w| w.max(start + duration_ms)));
            }
            // A segment without its own date-time continues the previous one.
            pdt = pdt.map(|p| p + duration_ms);
            parts_ms = 0;
        }
    }
    if let (Some(start), true) = (pdt, parts_ms > 0) {
        window_start = Some(window_start.map_or(start, |w| w.min(start)));
        window_end = Some(window_end.map_or(start + parts_ms, |w| w.max(start + parts_ms)));
    }
    let (Some(start), Some(end)) = (window_start, window_end) else { return playlist.to_string() };
    let tags: Vec<String> = pins
        .iter()
        .filter(|p| p.start_ms <= end && p.end_ms.is_none_or(|e| e >= start))
        .map(|p| {
            let mut tag = format!(
                "#EXT-X-DATERANGE:ID=\"pin-{}\",CLASS=\"com.vetrina.pin\",START-DATE=\"{}\"",
                p.event_id,
                iso8601(p.start_ms)
            );
            if let Some(e) = p.end_ms {
                tag.push_str(&format!(",END-DATE=\"{}\"", iso8601(e)));
            }
            tag.push_str(&format!(",X-VETRINA-PRODUCT-ID={}", p.product_id));
            tag
        })
        .collect();
    let mut out = String::with_capacity(playlist.len() + tags.iter().map(|t| t.len() + 1).sum::<usize>());
    let mut placed = false;
    for line in playlist.lines() {
        // Before the first segment's own tags (its date-time, its duration or its parts).
        if !placed
            && (line.starts_with("#EXT-X-PROGRAM-DATE-TIME:")
                || line.starts_with("#EXTINF:")
                || line.starts_with("#EXT-X-PART:"))
        {
            for t in &tags {
                out.push_str(t);
                out.push('\n');
            }
            placed = true;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A media playlist split into its header tags and its segments (each with
/// the tags before its URI and its program date-time), for cutting.
struct Segments<'a> {
    header: Vec<&'a str>,
    media_sequence: u64,
    segments: Vec<(Vec<&'a str>, Option<i64>)>,
}

impl<'a> Segments<'a> {
    fn parse(playlist: &'a str) -> Self {
        let (mut header, mut segments, mut media_sequence) = (Vec::new(), Vec::new(), 0);
        let (mut pending, mut pdt) = (Vec::new(), None::<i64>);
        for line in playlist.lines() {
            if line.trim().is_empty() || line == "#EXT-X-ENDLIST" {
                continue;
            }
            if let Some(v) = line.strip_prefix("#EXT-X-MEDIA-SEQUENCE:") {
                media_sequence = v.trim().parse().unwrap_or(0);
            } else if let Some(v) = line.strip_prefix("#EXT-X-PROGRAM-DATE-TIME:") {
                pdt = parse_pdt(v);
                pending.push(line);
            } else if line.starts_with("#EXTINF:") || line.starts_with("#EXT-X-DISCONTINUITY") {
                pending.push(line);
            } else if line.starts_with('#') {
                header.push(line);
            } else {
                pending.push(line);
                segments.push((std::mem::take(&mut pending), pdt.take()));
            }
        }
        Self { header, media_sequence, segments }
    }

    /// Segments `from..to`, numbered on from the playlist's first.
    fn render(&self, from: usize, to: usize, ended: bool) -> String {
        let mut out = String::new();
        for line in &self.header {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(&format!("#EXT-X-MEDIA-SEQUENCE:{}\n", self.media_sequence + from as u64));
        for (lines, _) in &self.segments[from..to] {
            for line in lines {
                out.push_str(line);
                out.push('\n');
            }
        }
        if ended {
            out.push_str("#EXT-X-ENDLIST\n");
        }
        out
    }
}

/// The playlist of a show that has ended: its segments up to `end_ms` (by
/// program date-time) and `#EXT-X-ENDLIST`, so players treat it as video on
/// demand: the replay, seekable from the start, on the same clock as the live
/// show. Segments without a clock are kept.
pub fn ended_at(playlist: &str, end_ms: i64) -> String {
    let p = Segments::parse(playlist);
    let to = p.segments.iter().position(|(_, pdt)| pdt.is_some_and(|at| at > end_ms)).unwrap_or(p.segments.len());
    p.render(0, to, true)
}

/// The playlist for live viewers: only its last `keep` segments. ffmpeg keeps
/// every segment (the recording becomes the replay), but a viewer on a phone
/// should not re-read the whole show every two seconds; late joiners get the
/// earlier pins from the show's timeline instead.
pub fn live_window(playlist: &str, keep: usize) -> String {
    let mut p = Segments::parse(playlist);
    let from = p.segments.len().saturating_sub(keep);
    // Without its oldest segments it is no longer an EVENT playlist: a sliding window.
    p.header.retain(|l| !l.starts_with("#EXT-X-PLAYLIST-TYPE"));
    p.render(from, p.segments.len(), false)
}

/// Segments in the live playlist: 6 × 2 s, room for hls.js to start three
/// segments behind the live edge.
pub const LIVE_WINDOW_SEGMENTS: usize = 6;

/// Where ffmpeg writes a show's live stream.
pub fn stream_dir(media: &Path, show_id: &str) -> PathBuf {
    media.join("live").join(show_id)
}

/// `GET /live/{show}.m3u8`: ffmpeg's playlist with the show's pins as DATERANGEs.
pub async fn playlist(
    State((state, media)): State<(AppState, PathBuf)>,
    ApiPath(file): ApiPath<String>,
) -> Result<Response, ApiError> {
    let show_id = playlist_name(&file)?;
    let dir = stream_dir(&media, show_id);
    // An adaptive ladder: the master playlist, its renditions under /live/{show}/.
    if let Ok(master) = tokio::fs::read_to_string(dir.join(MASTER)).await {
        return Ok(m3u8(rebase_uris(&master, &format!("/live/{show_id}/"))));
    }
    media_playlist(&state, &dir, show_id, "index").await
}

/// `GET /live/{show}/{rendition}.m3u8`: one rendition of the ladder, with the
/// pins. While this server originates it live, the low-latency playlist
/// (blocking with `_HLS_msn` and `_HLS_part`, see [`super::llhls`]).
pub async fn rendition(
    State((state, media)): State<(AppState, PathBuf)>,
    ApiPath((show, file)): ApiPath<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let show_id = safe_name(&show)?;
    let rendition = playlist_name(&file)?;
    if store::events::ended_at(&state.db, show_id).await?.is_none() {
        let shared = &state;
        let pins = move |text: String| async move { with_pins(shared, show_id, &text).await };
        if let Some((text, blocking)) = super::llhls::playlist(&state.origin, show_id, rendition, &query, pins).await? {
            return Ok(super::llhls::m3u8(text.to_string(), blocking));
        }
    }
    media_playlist(&state, &stream_dir(&media, show_id), show_id, rendition).await
}

/// The playlist with the show's pins as DATERANGE tags.
async fn with_pins(state: &AppState, show_id: &str, text: &str) -> Result<String, ApiError> {
    let events = store::events::pin_rows(&state.db, show_id).await?;
    let borrowed: Vec<(i64, &str, i64, i64)> = events.iter().map(|(i, k, p, t)| (*i, k.as_str(), *p, *t)).collect();
    Ok(with_dateranges(text, &ranges(&borrowed)))
}

/// The master playlist ffmpeg writes beside the renditions.
pub const MASTER: &str = "master.m3u8";

/// The renditions of the demo's ladder: name, size, video bitrate (kbit/s).
/// Phones on a poor network get 360p at 0.4 Mbit/s instead of one 4 Mbit/s stream.
pub const LADDER: [(&str, u32, u32, u32); 3] =
    [("360p", 360, 640, 400), ("540p", 540, 960, 900), ("720p", 720, 1280, 1800)];

fn safe_name(name: &str) -> Result<&str, ApiError> {
    let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(name)
    } else {
        Err(ApiError::NotFound("No such stream.".into()))
    }
}

fn playlist_name(file: &str) -> Result<&str, ApiError> {
    safe_name(file.strip_suffix(".m3u8").ok_or_else(|| ApiError::NotFound("Not a playlist.".into()))?)
}

fn m3u8(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/vnd.apple.mpegurl"), (header::CACHE_CONTROL, "no-cache")], body)
        .into_response()
}

/// A media playlist (`{name}.m3u8` in the stream's folder) as viewers get it:
/// the live window or, once the show ended, the recording; with the pins.
async fn media_playlist(state: &AppState, dir: &Path, show_id: &str, name: &str) -> Result<Response, ApiError> {
    let text = tokio::fs::read_to_string(dir.join(format!("{name}.m3u8")))
        .await
        .map_err(|_| ApiError::NotFound(format!("The show '{show_id}' is not streaming live.")))?;
    let events = store::events::pin_rows(&state.db, show_id).await?;
    let borrowed: Vec<(i64, &str, i64, i64)> = events.iter().map(|(i, k, p, t)| (*i, k.as_str(), *p, *t)).collect();
    // Once the show has ended, the recording up to that moment is its replay.
    let ended = store::events::ended_at(&state.db, show_id).await?;
    let text = match ended {
        Some(end) => ended_at(&text, end),
        None => live_window(&text, LIVE_WINDOW_SEGMENTS),
    };
    let body = with_dateranges(&text, &ranges(&borrowed));
    Ok(m3u8(rebase_uris(&body, &format!("/media/live/{show_id}/"))))
}

/// ffmpeg writes URIs relative to its folder; viewers get them under `prefix`:
/// every URI line, and the init segment's `#EXT-X-MAP:URI="…"` (fMP4).
fn rebase_uris(playlist: &str, prefix: &str) -> String {
    let relative = |uri: &str| !uri.starts_with('/') && !uri.contains("://");
    let mut out = String::with_capacity(playlist.len() + 64);
    for line in playlist.lines() {
        if let Some(uri) = line.strip_prefix("#EXT-X-MAP:URI=\"").filter(|u| relative(u)) {
            out.push_str("#EXT-X-MAP:URI=\"");
            out.push_str(prefix);
            out.push_str(uri);
        } else {
            if !line.starts_with('#') && !line.trim().is_empty() && relative(line) {
                out.push_str(prefix);
            }
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// Starts ffmpeg producing the demo's live stream (a 9:16 test pattern with the
/// wall-clock time burnt in) until the server stops, as an encoder would send
/// it: an adaptive ladder of [`LADDER`] renditions with aligned keyframes every
/// two seconds, each written as fragmented MP4 in half-second fragments into a
/// pipe that a packager ([`super::packager`]) reads into `origin` (the LL-HLS
/// parts) and into the stream's folder (the recording, which is the replay).
pub fn spawn_demo_stream(
    media: &Path,
    show_id: &str,
    origin: &crate::state::origin::Origin,
) -> std::io::Result<tokio::process::Child> {
    use super::packager::{self, Recording, PART_TARGET_S, SEGMENT_TARGET_S};
    let dir = stream_dir(media, show_id);
    // A fresh recording each run: names would otherwise repeat.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let stamp = crate::util::now_ms().to_string();
    // The pipes, opened by their packagers before ffmpeg opens them to write.
    for (name, ..) in LADDER {
        let fifo = dir.join(format!("{name}.fifo"));
        let made = std::process::Command::new("mkfifo").arg(&fifo).status()?;
        if !made.success() {
            return Err(std::io::Error::other(format!("mkfifo {} failed", fifo.display())));
        }
        // Read and write: the pipe stays open across ffmpeg's (re)opening it.
        let input = tokio::net::unix::pipe::OpenOptions::new().read_write(true).open_receiver(&fifo)?;
        let recording = Recording {
            dir: dir.clone(),
            show: show_id.to_string(),
            rendition: name.to_string(),
            stamp: stamp.clone(),
        };
        let origin = origin.clone();
        tokio::spawn(async move {
            let why = packager::run(origin, recording, input).await;
            tracing::warn!(rendition = name, %why, "the live stream's packager stopped");
        });
    }
    // The wall-clock time of the frame, to judge latency and pin timing by eye.
    let clock = clock_filter(r"%{localtime\:%H\\\:%M\\\:%S}", 75);
    // One encode, split into the ladder: every rendition has the same frames
    // and keyframes (so players switch cleanly).
    let split = LADDER.iter().enumerate().map(|(i, _)| format!("[s{i}]")).collect::<String>();
    let scales: String =
        LADDER.iter().enumerate().map(|(i, (_, w, h, _))| format!(";[s{i}]scale={w}:{h}[v{i}]")).collect();
    let filter = format!("[0:v]format=yuv420p{clock},split={}{split}{scales}", LADDER.len());
    // 30 frames a second: a half-second part is 15 frames exactly, never more
    // than PART-TARGET (Safari refuses a longer part).
    let fps = 30;
    let gop = fps * SEGMENT_TARGET_S;
    let mut ffmpeg = tokio::process::Command::new("ffmpeg");
    ffmpeg
        .args(["-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i"])
        .arg(format!("testsrc2=size=720x1280:rate={fps}"))
        .arg("-filter_complex")
        .arg(filter);
    for (i, (name, _, _, kbps)) in LADDER.iter().enumerate() {
        ffmpeg
            .args(["-map", &format!("[v{i}]")])
            .args(["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency"])
            .args(["-g", &gop.to_string(), "-keyint_min", &gop.to_string(), "-sc_threshold", "0"])
            .args([
                "-b:v",
                &format!("{kbps}k"),
                "-maxrate",
                &format!("{}k", kbps * 11 / 10),
                "-bufsize",
                &format!("{}k", kbps * 2),
            ])
            .args(["-an", "-f", "mp4", "-movflags", "empty_moov+default_base_moof+frag_keyframe"])
            .args(["-frag_duration", &((PART_TARGET_S * 1_000_000.0) as u64).to_string(), "-flush_packets", "1", "-y"])
            .arg(dir.join(format!("{name}.fifo")));
    }
    ffmpeg.kill_on_drop(true).spawn()
}

/// An ffmpeg filter fragment (",drawtext=...") burning `text` into the frame,
/// large and boxed below the overlay's top bar; empty without a font to draw with.
pub fn clock_filter(text: &str, fontsize: u32) -> String {
    let font =
        ["/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"]
            .into_iter()
            .find(|f| Path::new(f).exists());
    match font {
        Some(f) => format!(
            ",drawtext=fontfile={f}:text='{text}':fontsize={fontsize}:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=12:x=(w-tw)/2:y=h*0.16"
        ),
        None => String::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const PLAYLIST: &str = "#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:10
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:50:00.000+0000
#EXTINF:2.000000,
index10.ts
#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:50:02.000+0000
#EXTINF:2.000000,
index11.ts
";

    #[test]
    fn rebasing_covers_segments_and_the_fmp4_init_segment() {
        let ffmpeg = "#EXTM3U\n#EXT-X-MAP:URI=\"7-360p-init.mp4\"\n#EXTINF:2.0,\n7-360p-00001.m4s\n/already/absolute.m4s\nhttps://cdn.example/x.m4s\n";
        assert_eq!(
            rebase_uris(ffmpeg, "/media/live/demo/"),
            "#EXTM3U\n#EXT-X-MAP:URI=\"/media/live/demo/7-360p-init.mp4\"\n#EXTINF:2.0,\n/media/live/demo/7-360p-00001.m4s\n/already/absolute.m4s\nhttps://cdn.example/x.m4s\n"
        );
        // The init segment is a header tag: cutting the window keeps it.
        assert!(live_window(ffmpeg, 1).contains("#EXT-X-MAP:URI=\"7-360p-init.mp4\""));
    }

    fn at(s: &str) -> i64 {
        parse_pdt(s).unwrap()
    }

    #[test]
    fn dates_round_trip() {
        let ms = at("2026-11-22T03:50:01.250Z");
        assert_eq!(iso8601(ms), "2026-11-22T03:50:01.250Z");
        assert_eq!(at("2026-11-22T04:50:01.250+0100"), ms);
        assert_eq!(at("2024-02-29T23:59:59.999Z") + 1, at("2024-03-01T00:00:00Z"));
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(parse_pdt("yesterday"), None);
    }

    #[test]
    fn pins_pair_with_their_unpins() {
        let r = ranges(&[(1, "pin", 7, 100), (2, "pin", 8, 150), (3, "unpin", 7, 200), (4, "pin", 7, 300)]);
        assert_eq!(
            r,
            [
                PinRange { event_id: 1, product_id: 7, start_ms: 100, end_ms: Some(200) },
                PinRange { event_id: 2, product_id: 8, start_ms: 150, end_ms: None },
                PinRange { event_id: 4, product_id: 7, start_ms: 300, end_ms: None },
            ]
        );
    }

    #[test]
    fn playlist_gets_dateranges_for_pins_in_its_window() {
        let pins = [
            // Ended before the window: dropped.
            PinRange {
                event_id: 1,
                product_id: 1,
                start_ms: at("2026-11-22T03:40:00Z"),
                end_ms: Some(at("2026-11-22T03:41:00Z")),
            },
            // Inside the window, ended.
            PinRange {
                event_id: 2,
                product_id: 2,
                start_ms: at("2026-11-22T03:50:01.5Z"),
                end_ms: Some(at("2026-11-22T03:50:03Z")),
            },
            // Started long ago, still pinned.
            PinRange { event_id: 3, product_id: 3, start_ms: at("2026-11-22T03:30:00Z"), end_ms: None },
            // After the window (the viewer's copy is behind the host): not yet.
            PinRange { event_id: 4, product_id: 4, start_ms: at("2026-11-22T03:50:09Z"), end_ms: None },
        ];
        let out = with_dateranges(PLAYLIST, &pins);
        let tags: Vec<&str> = out.lines().filter(|l| l.starts_with("#EXT-X-DATERANGE")).collect();
        assert_eq!(
            tags,
            [
                "#EXT-X-DATERANGE:ID=\"pin-2\",CLASS=\"com.vetrina.pin\",START-DATE=\"2026-11-22T03:50:01.500Z\",END-DATE=\"2026-11-22T03:50:03.000Z\",X-VETRINA-PRODUCT-ID=2",
                "#EXT-X-DATERANGE:ID=\"pin-3\",CLASS=\"com.vetrina.pin\",START-DATE=\"2026-11-22T03:30:00.000Z\",X-VETRINA-PRODUCT-ID=3",
            ]
        );
        // Placed after the header, before the first segment; everything else intact.
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[4], tags[0]);
        assert_eq!(
            out.lines().filter(|l| !l.starts_with("#EXT-X-DATERANGE")).collect::<Vec<_>>(),
            PLAYLIST.lines().collect::<Vec<_>>()
        );
    }

    #[test]
    fn ffmpeg_order_duration_first_counts_the_last_segment() {
        let ffmpeg = "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:2.000000,\n#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:46:39.455+0000\nindex11.ts\n#EXTINF:2.000000,\n#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:46:41.455+0000\nindex12.ts\n";
        // Pinned during the last segment.
        let pins = [PinRange { event_id: 5, product_id: 3, start_ms: at("2026-11-22T03:46:42.5Z"), end_ms: None }];
        let out = with_dateranges(ffmpeg, &pins);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[2].starts_with("#EXT-X-DATERANGE:ID=\"pin-5\""), "{out}");
        assert_eq!(lines[3], "#EXTINF:2.000000,");
    }

    #[test]
    fn an_ended_show_becomes_video_on_demand_up_to_its_end() {
        let live = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXTINF:2.000000,\n#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:50:00.000+0000\nindex0.ts\n#EXTINF:2.000000,\n#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:50:02.000+0000\nindex1.ts\n#EXTINF:2.000000,\n#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:50:04.000+0000\nindex2.ts\n";
        let out = ended_at(live, at("2026-11-22T03:50:03.000Z"));
        assert_eq!(
            out,
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2.000000,\n#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:50:00.000+0000\nindex0.ts\n#EXTINF:2.000000,\n#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:50:02.000+0000\nindex1.ts\n#EXT-X-ENDLIST\n"
        );
        // Ending twice does not end it twice.
        assert_eq!(ended_at(&out, at("2026-11-22T04:00:00.000Z")), out);

        // Live viewers get the last segments only, numbered on from the first.
        let window = live_window(live, 2);
        assert_eq!(
            window,
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-MEDIA-SEQUENCE:1\n#EXTINF:2.000000,\n#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:50:02.000+0000\nindex1.ts\n#EXTINF:2.000000,\n#EXT-X-PROGRAM-DATE-TIME:2026-11-22T03:50:04.000+0000\nindex2.ts\n"
        );
        assert_eq!(live_window(live, 10).matches(".ts").count(), 3);
    }

    #[test]
    fn a_playlist_without_a_clock_is_left_alone() {
        let plain = "#EXTM3U\n#EXTINF:2.0,\na.ts\n";
        let pins = [PinRange { event_id: 1, product_id: 1, start_ms: 0, end_ms: None }];
        assert_eq!(with_dateranges(plain, &pins), plain);
    }
}
