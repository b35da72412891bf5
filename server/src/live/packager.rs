//! From an encoder's fragmented MP4 to the origin and the recording.
//!
//! One packager per rendition reads what the encoder writes (a pipe), cuts it
//! with [`super::cmaf::Splitter`], and for every fragment adds a part to the
//! origin's track at once (waking the players waiting for it). A segment
//! closes once it holds [`SEGMENT_TARGET_S`] seconds (the encoder sends a keyframe
//! every segment); it is then
//! written whole to the stream's folder and added to the rendition's playlist
//! file there, the same EVENT playlist ffmpeg's own HLS muxer would write, so
//! the replay after the show and a plain HLS player are served from files as
//! before.
//!
//! The stream's clock: a fragment arrives once its last frame is encoded, so
//! its first frame was captured about its own length before; less its decode
//! time, that says when the stream began. The earliest such estimate is the
//! stream's start, and every fragment is dated from it by its decode time: a
//! fragment read late (a busy server) can only make the estimate worse, so it
//! is not believed, and the dates do not drift with the pipe's hiccups. A
//! better estimate moves the next segment's date back by what it found.

use std::path::{Path, PathBuf};

use axum::body::Bytes;
use tokio::io::AsyncReadExt;

use super::cmaf::{Chunk, Splitter};
use crate::state::origin::{Origin, Part, Segment, Track};

/// Seconds per part the encoder is asked for (its `-frag_duration`).
pub const PART_TARGET_S: f64 = 0.5;
/// Seconds per segment (and between keyframes).
pub const SEGMENT_TARGET_S: u32 = 2;

/// What a packager writes down as it goes.
pub struct Recording {
    pub dir: PathBuf,
    pub show: String,
    pub rendition: String,
    /// Unique to this run of the stream; in every file and part name.
    pub stamp: String,
}

impl Recording {
    fn init_file(&self) -> String {
        format!("{}-{}-init.mp4", self.stamp, self.rendition)
    }
    fn segment_file(&self, msn: u64) -> String {
        format!("{}-{}-{msn:05}.m4s", self.stamp, self.rendition)
    }
}

/// Reads `input` until it ends, feeding `origin`; returns why it stopped.
pub async fn run(origin: Origin, recording: Recording, mut input: impl tokio::io::AsyncRead + Unpin) -> String {
    let mut splitter = Splitter::default();
    let mut state = State::default();
    let mut buffer = vec![0u8; 64 * 1024];
    let why = loop {
        let n = match input.read(&mut buffer).await {
            Ok(0) => break "the encoder closed its output".to_string(),
            Ok(n) => n,
            Err(e) => break format!("reading the encoder: {e}"),
        };
        let chunks = match splitter.push(&buffer[..n]) {
            Ok(c) => c,
            Err(e) => break format!("the encoder's output is not fragmented MP4 as expected: {e}"),
        };
        for chunk in chunks {
            if let Err(e) = state.take(&origin, &recording, chunk).await {
                tracing::warn!(show = %recording.show, rendition = %recording.rendition, error = %e, "could not write the recording");
            }
        }
    };
    // The open segment is the recording's last.
    if let Err(e) = state.close_segment(&origin, &recording).await {
        tracing::warn!(show = %recording.show, error = %e, "could not write the recording's last segment");
    }
    origin.update(&recording.show, &recording.rendition, |t| t.ended = true);
    why
}

#[derive(Default)]
struct State {
    timescale: u32,
    /// Decode time and wall clock (ms) of the first fragment.
    anchor: Option<(u64, i64)>,
    next_msn: u64,
    /// The open segment's parts, kept to write it whole.
    open: Vec<u8>,
    open_since_ms: i64,
    open_duration: f64,
    /// The playlist file's segment lines so far.
    listed: String,
    warned_long_part: bool,
}

impl State {
    async fn take(&mut self, origin: &Origin, rec: &Recording, chunk: Chunk) -> std::io::Result<()> {
        match chunk {
            Chunk::Init { bytes, timescale, codec } => {
                self.timescale = timescale;
                write_atomically(&rec.dir.join(rec.init_file()), &bytes).await?;
                origin.start(
                    &rec.show,
                    &rec.rendition,
                    Track {
                        init: Bytes::from(bytes),
                        init_file: rec.init_file(),
                        codec,
                        part_target: PART_TARGET_S,
                        segment_target: SEGMENT_TARGET_S,
                        segments: Default::default(),
                        ended: false,
                    },
                );
                write_master(origin, &rec.dir, &rec.show).await?;
            }
            Chunk::Fragment { bytes, decode_time, duration, independent } => {
                let scale = f64::from(self.timescale.max(1));
                let seconds = duration as f64 / scale;
                // When the stream began, as this fragment tells it; the
                // earliest telling wins (a fragment read late, say while the
                // server was starting, must not make every date after it late).
                let (t0, _) = *self.anchor.get_or_insert((decode_time, i64::MAX));
                let offset_ms = (decode_time.saturating_sub(t0) as f64 * 1000.0 / scale) as i64;
                let began = crate::util::now_ms() - (seconds * 1000.0) as i64 - offset_ms;
                let anchor = self.anchor.as_mut().map(|a| {
                    a.1 = a.1.min(began);
                    a.1
                });
                let date_ms = anchor.unwrap_or(began) + offset_ms;
                if seconds > PART_TARGET_S + 0.001 && !self.warned_long_part {
                    self.warned_long_part = true;
                    tracing::warn!(seconds, "the encoder sent a part longer than PART-TARGET; players may refuse it");
                }
                let starts_segment = self.open.is_empty();
                if starts_segment && !independent {
                    tracing::warn!("a segment starts without a keyframe: is the encoder's keyframe interval 2 s?");
                }
                let part = Part { bytes: Bytes::from(bytes), duration: seconds, independent };
                self.open.extend_from_slice(&part.bytes);
                self.open_duration += seconds;
                if starts_segment {
                    self.open_since_ms = date_ms;
                    let msn = self.next_msn;
                    origin.update(&rec.show, &rec.rendition, |t| {
                        t.segments.push_back(Segment { msn, date_ms, parts: vec![part], file: None })
                    });
                } else {
                    origin.update(&rec.show, &rec.rendition, |t| {
                        if let Some(s) = t.segments.back_mut() {
                            s.parts.push(part);
                        }
                    });
                }
                // Full: closed now rather than when the next part comes, so
                // the playlist hints at the next segment's first part, the
                // one the encoder sends next (keyframes every segment).
                if self.open_duration >= f64::from(SEGMENT_TARGET_S) - PART_TARGET_S / 2.0 {
                    self.close_segment(origin, rec).await?;
                }
            }
        }
        Ok(())
    }

    /// Writes the open segment to its file and the playlist, and marks it complete.
    async fn close_segment(&mut self, origin: &Origin, rec: &Recording) -> std::io::Result<()> {
        if self.open.is_empty() {
            return Ok(());
        }
        let msn = self.next_msn;
        let file = rec.segment_file(msn);
        write_atomically(&rec.dir.join(&file), &self.open).await?;
        self.listed.push_str(&format!(
            "#EXTINF:{:.6},\n#EXT-X-PROGRAM-DATE-TIME:{}\n{file}\n",
            self.open_duration,
            super::hls::iso8601(self.open_since_ms)
        ));
        let playlist = format!(
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:{SEGMENT_TARGET_S}\n#EXT-X-MEDIA-SEQUENCE:0\n\
             #EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"{}\"\n{}",
            rec.init_file(),
            self.listed
        );
        write_atomically(&rec.dir.join(format!("{}.m3u8", rec.rendition)), playlist.as_bytes()).await?;
        origin.update(&rec.show, &rec.rendition, |t| {
            if let Some(s) = t.segments.iter_mut().find(|s| s.msn == msn) {
                s.file = Some(file);
            }
        });
        self.next_msn += 1;
        self.open.clear();
        self.open_duration = 0.0;
        Ok(())
    }
}

/// The multivariant playlist of the show's renditions so far, beside them.
async fn write_master(origin: &Origin, dir: &Path, show: &str) -> std::io::Result<()> {
    let mut out = String::from("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    for (name, codec) in origin.renditions(show) {
        let Some((_, width, height, kbps)) = super::hls::LADDER.iter().find(|(n, ..)| *n == name) else { continue };
        out.push_str(&format!(
            "#EXT-X-STREAM-INF:BANDWIDTH={},RESOLUTION={width}x{height},CODECS=\"{codec}\"\n{name}.m3u8\n",
            kbps * 1100
        ));
    }
    write_atomically(&dir.join(super::hls::MASTER), out.as_bytes()).await
}

/// Readers see the old file or the new one, never half of one.
async fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, path).await
}
