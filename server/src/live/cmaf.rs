//! Fragmented MP4 (CMAF) cut into what an LL-HLS origin serves.
//!
//! An encoder writing fragmented MP4 sends an init segment (`ftyp` + `moov`:
//! the codec and the track's timescale) and then fragments (`moof` + `mdat`),
//! each a run of frames. Asked for fragments of half a second
//! (`-frag_duration 500000`, cut at keyframes too), every fragment is one
//! LL-HLS part as it is: nothing is re-muxed, the bytes are passed on. What
//! the origin needs to know about a fragment is read from its `moof`: when it
//! starts (`tfdt`), how long it lasts (the `trun`'s sample durations, or
//! `tfhd`'s default times the sample count) and whether it starts with a
//! keyframe (the first sample's flags), since a segment, and a player joining,
//! must start at one.
//!
//! Pure and synchronous: bytes in, boxes out, whatever size the reads come in.

/// One thing the encoder sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Chunk {
    /// `ftyp` + `moov`, with the video track's timescale and its RFC 6381 codec.
    Init { bytes: Vec<u8>, timescale: u32, codec: String },
    /// `moof` + `mdat`: frames `decode_time..decode_time + duration` (timescale units).
    Fragment { bytes: Vec<u8>, decode_time: u64, duration: u64, independent: bool },
}

/// A box larger than this is refused (a fragment of half a second at 4 Mbit/s
/// is 250 KB; a runaway encoder or a corrupt stream must not grow memory).
pub const MAX_BOX: usize = 16 << 20;

/// Splits a byte stream into [`Chunk`]s.
#[derive(Debug, Default)]
pub struct Splitter {
    buffer: Vec<u8>,
    /// `ftyp` waiting for its `moov`; `moof` waiting for its `mdat`.
    pending: Vec<u8>,
    timescale: Option<u32>,
}

impl Splitter {
    /// Feeds bytes; returns every chunk they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<Chunk>, String> {
        self.buffer.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some((kind, size)) = header(&self.buffer)? {
            if self.buffer.len() < size {
                break;
            }
            let item: Vec<u8> = self.buffer.drain(..size).collect();
            match &kind {
                b"ftyp" | b"styp" => self.pending = item,
                b"moov" => {
                    let timescale = video_timescale(&item).ok_or("the init segment has no video track's mdhd")?;
                    let codec = avc_codec(&item).ok_or("the init segment has no H.264 configuration (avcC)")?;
                    self.timescale = Some(timescale);
                    let mut bytes = std::mem::take(&mut self.pending);
                    bytes.extend_from_slice(&item);
                    out.push(Chunk::Init { bytes, timescale, codec });
                }
                b"moof" => self.pending = item,
                b"mdat" => {
                    let moof = std::mem::take(&mut self.pending);
                    if self.timescale.is_none() || moof.is_empty() {
                        return Err("media data before an init segment and a moof".into());
                    }
                    let info = fragment_info(&moof).ok_or("a moof without tfhd, tfdt or trun")?;
                    let mut bytes = moof;
                    bytes.extend_from_slice(&item);
                    out.push(Chunk::Fragment { bytes, decode_time: info.0, duration: info.1, independent: info.2 });
                }
                // mfra at the end, free, sidx...: nothing a player needs live.
                _ => {}
            }
        }
        Ok(out)
    }
}

/// `(type, size)` of the box at the start of `b`, once its header is there.
fn header(b: &[u8]) -> Result<Option<([u8; 4], usize)>, String> {
    if b.len() < 8 {
        return Ok(None);
    }
    let size32 = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let kind = [b[4], b[5], b[6], b[7]];
    let size = match size32 {
        1 => {
            if b.len() < 16 {
                return Ok(None);
            }
            usize::try_from(u64::from_be_bytes([b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]]))
                .map_err(|_| "a box too large".to_string())?
        }
        0 => return Err("a box that runs to the end of the stream".into()),
        n => n,
    };
    if !(8..=MAX_BOX).contains(&size) {
        return Err(format!("a {} box of {size} bytes", String::from_utf8_lossy(&kind)));
    }
    Ok(Some((kind, size)))
}

/// The children of a container box's body.
fn children(body: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let rest = body.get(at..)?;
        let (kind, size) = header(rest).ok()??;
        let child = rest.get(8..size)?;
        at += size;
        Some((kind, child))
    })
}

fn child<'a>(body: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    children(body).find(|(k, _)| k == kind).map(|(_, b)| b)
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The timescale of the first video track (`moov/trak/mdia/mdhd`, handler `vide`).
fn video_timescale(moov: &[u8]) -> Option<u32> {
    children(&moov[8..]).filter(|(k, _)| k == b"trak").find_map(|(_, trak)| {
        let mdia = child(trak, b"mdia")?;
        let hdlr = child(mdia, b"hdlr")?;
        if hdlr.get(8..12)? != b"vide" {
            return None;
        }
        let mdhd = child(mdia, b"mdhd")?;
        // Version 1 has 64-bit creation and modification times before it.
        let at = if mdhd.first()? == &1 { 20 } else { 12 };
        u32_at(mdhd, at)
    })
}

/// `avc1.PPCCLL` from the avcC box (profile, compatibility, level).
fn avc_codec(moov: &[u8]) -> Option<String> {
    let at = moov.windows(4).position(|w| w == b"avcC")? + 4;
    let c = moov.get(at..at + 4)?;
    Some(format!("avc1.{:02x}{:02x}{:02x}", c[1], c[2], c[3]))
}

/// `(decode time, duration, starts with a keyframe)` of a `moof` (its first track).
fn fragment_info(moof: &[u8]) -> Option<(u64, u64, bool)> {
    let traf = child(&moof[8..], b"traf")?;
    let tfhd = child(traf, b"tfhd")?;
    let tfhd_flags = u32_at(tfhd, 0)? & 0x00ff_ffff;
    // After version+flags and track id: optional fields, in this order.
    let mut at = 8;
    if tfhd_flags & 0x01 != 0 {
        at += 8; // base data offset
    }
    if tfhd_flags & 0x02 != 0 {
        at += 4; // sample description index
    }
    let default_duration = if tfhd_flags & 0x08 != 0 {
        let d = u32_at(tfhd, at)?;
        at += 4;
        Some(d)
    } else {
        None
    };
    if tfhd_flags & 0x10 != 0 {
        at += 4; // default sample size
    }
    let default_flags = if tfhd_flags & 0x20 != 0 { u32_at(tfhd, at) } else { None };

    let tfdt = child(traf, b"tfdt")?;
    let decode_time = if tfdt.first()? == &1 { u64_at(tfdt, 4)? } else { u64::from(u32_at(tfdt, 4)?) };

    let trun = child(traf, b"trun")?;
    let flags = u32_at(trun, 0)? & 0x00ff_ffff;
    let count = u32_at(trun, 4)?;
    let mut at = 8;
    if flags & 0x01 != 0 {
        at += 4; // data offset
    }
    let first_flags = if flags & 0x04 != 0 {
        let f = u32_at(trun, at)?;
        at += 4;
        Some(f)
    } else {
        None
    };
    let per_sample = [0x100, 0x200, 0x400, 0x800].iter().filter(|f| flags & **f != 0).count() * 4;
    let mut duration = 0u64;
    let mut first_sample_flags = first_flags;
    for i in 0..count as usize {
        let sample = at + i * per_sample;
        let mut field = sample;
        if flags & 0x100 != 0 {
            duration += u64::from(u32_at(trun, field)?);
            field += 4;
        } else {
            duration += u64::from(default_duration?);
        }
        if flags & 0x200 != 0 {
            field += 4;
        }
        if i == 0 && first_sample_flags.is_none() && flags & 0x400 != 0 {
            first_sample_flags = u32_at(trun, field);
        }
    }
    // sample_is_non_sync_sample is bit 16; no flags at all: assume a keyframe
    // only if nothing says otherwise is not safe, so say no.
    let independent = first_sample_flags.or(default_flags).is_some_and(|f| f & 0x0001_0000 == 0);
    Some((decode_time, duration, independent))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    fn init() -> Vec<u8> {
        let hdlr = boxed(b"hdlr", &[0, 0, 0, 0, 0, 0, 0, 0, b'v', b'i', b'd', b'e', 0, 0, 0, 0]);
        let mut mdhd_body = vec![0u8; 12];
        mdhd_body.extend_from_slice(&15_360u32.to_be_bytes());
        mdhd_body.extend_from_slice(&[0; 8]);
        let mdhd = boxed(b"mdhd", &mdhd_body);
        let avcc = boxed(b"avcC", &[1, 0x42, 0xc0, 0x1f, 0xff]);
        let mdia = boxed(b"mdia", &[mdhd, hdlr, boxed(b"minf", &avcc)].concat());
        let moov = boxed(b"moov", &boxed(b"trak", &mdia));
        [boxed(b"ftyp", b"isom\0\0\x02\0"), moov].concat()
    }

    /// ffmpeg's shape: tfhd with default duration 512 and non-sync default
    /// flags; trun with sizes, and first-sample flags on a keyframe.
    fn fragment(decode_time: u64, count: u32, key: bool) -> Vec<u8> {
        let mut tfhd = vec![0, 0x02, 0x00, 0x38, 0, 0, 0, 1];
        tfhd.extend_from_slice(&512u32.to_be_bytes());
        tfhd.extend_from_slice(&1000u32.to_be_bytes());
        tfhd.extend_from_slice(&0x0101_0000u32.to_be_bytes());
        let mut tfdt = vec![1, 0, 0, 0];
        tfdt.extend_from_slice(&decode_time.to_be_bytes());
        let mut trun = vec![0, 0, 0x02, if key { 0x05 } else { 0x01 }];
        trun.extend_from_slice(&count.to_be_bytes());
        trun.extend_from_slice(&0u32.to_be_bytes());
        if key {
            trun.extend_from_slice(&0x0200_0000u32.to_be_bytes());
        }
        for _ in 0..count {
            trun.extend_from_slice(&1000u32.to_be_bytes());
        }
        let traf = boxed(b"traf", &[boxed(b"tfhd", &tfhd), boxed(b"tfdt", &tfdt), boxed(b"trun", &trun)].concat());
        [boxed(b"moof", &[boxed(b"mfhd", &[0; 8]), traf].concat()), boxed(b"mdat", &[7; 30])].concat()
    }

    #[test]
    fn an_encoders_stream_splits_into_init_and_parts_whatever_the_reads() {
        let stream = [init(), fragment(0, 15, true), fragment(7680, 15, false), boxed(b"mfra", &[0; 8])].concat();
        // One byte at a time, as a slow pipe might deliver it.
        let mut s = Splitter::default();
        let mut got = Vec::new();
        for b in &stream {
            got.extend(s.push(std::slice::from_ref(b)).unwrap());
        }
        assert_eq!(got.len(), 3);
        assert!(matches!(&got[0], Chunk::Init { timescale: 15_360, codec, .. } if codec == "avc1.42c01f"));
        assert!(matches!(got[1], Chunk::Fragment { decode_time: 0, duration: 7680, independent: true, .. }));
        assert!(matches!(got[2], Chunk::Fragment { decode_time: 7680, duration: 7680, independent: false, .. }));
        // Each part is its moof and mdat, byte for byte.
        let Chunk::Fragment { bytes, .. } = &got[2] else { panic!() };
        assert_eq!(&bytes[..], &fragment(7680, 15, false)[..]);
    }

    #[test]
    fn a_broken_stream_is_refused_not_buffered() {
        let mut s = Splitter::default();
        assert!(s.push(&[0xff, 0xff, 0xff, 0xff, b'm', b'd', b'a', b't']).is_err());
        let mut s = Splitter::default();
        assert!(s.push(&fragment(0, 1, true)).is_err(), "media before any init segment");
    }
}
