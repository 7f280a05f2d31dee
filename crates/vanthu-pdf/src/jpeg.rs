//! Reading what a JPEG says about itself — size, components, coding process, resolution — without
//! decoding a single pixel.
//!
//! Digitised pages are embedded in the PDF *as they are* (`/DCTDecode` passthrough), so the
//! assembler needs to know, from the headers alone, whether a PDF reader can decode the data and how
//! large the page must be: baseline, extended and progressive Huffman-coded JPEGs with 8-bit samples
//! and one (grey) or three (colour) components pass; arithmetic coding, 12-bit samples, lossless and
//! hierarchical processes and CMYK/YCCK are refused with [`PdfError::UnsupportedImage`] so that the
//! caller re-encodes them. The resolution comes from the JFIF `APP0` density, else from the EXIF
//! `XResolution`/`YResolution`.
//!
//! The parser walks the marker segments up to the first scan (`SOS`) and never further: every step
//! advances, every read is bounds-checked, so truncated or hostile bytes give an error, never a
//! panic or a loop. It does not validate the entropy-coded data; a PDF reader decodes it later.

use crate::{PdfError, Result};

/// How the JPEG was coded (the `SOFn` marker).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Process {
    /// `SOF0`: baseline sequential DCT.
    Baseline,
    /// `SOF1`: extended sequential DCT, Huffman-coded.
    Extended,
    /// `SOF2`: progressive DCT, Huffman-coded (PDF 1.3 and later).
    Progressive,
    /// `SOF3`: lossless, Huffman-coded.
    Lossless,
    /// `SOF5`–`SOF7`: hierarchical (differential), Huffman-coded.
    Hierarchical,
    /// `SOF9`–`SOF15`: arithmetic-coded.
    Arithmetic,
}

/// A resolution in dots per inch along each axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Density {
    /// Horizontal dots per inch.
    pub x: f32,
    /// Vertical dots per inch.
    pub y: f32,
}

/// What the headers of a JPEG say.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct JpegInfo {
    /// Samples per line.
    pub width: u32,
    /// Number of lines.
    pub height: u32,
    /// Colour components: 1 (grey) or 3 (colour) for an accepted JPEG.
    pub components: u8,
    /// Bits per sample: 8 for an accepted JPEG.
    pub precision: u8,
    /// The coding process.
    pub process: Process,
    /// The resolution from JFIF `APP0`, else from EXIF; `None` when neither gives one.
    pub density: Option<Density>,
    /// The `transform` byte of an Adobe `APP14` segment, when there is one.
    pub adobe_transform: Option<u8>,
}

/// Why a JPEG is refused, in words for the clerk.
fn unsupported(why: &str) -> PdfError {
    PdfError::UnsupportedImage(why.to_owned())
}

fn truncated() -> PdfError {
    unsupported("tệp JPEG bị cắt cụt hoặc hỏng")
}

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]))
}

/// Reads the headers of `bytes` up to the first scan and refuses what cannot be passed through.
///
/// Refuses what a PDF reader's `DCTDecode` cannot be relied on to decode (arithmetic coding,
/// 12-bit, lossless, hierarchical), CMYK/YCCK, and anything truncated or malformed.
pub(crate) fn parse(bytes: &[u8]) -> Result<JpegInfo> {
    let info = header(bytes)?;
    match info.process {
        Process::Baseline | Process::Extended | Process::Progressive => {}
        Process::Lossless => {
            return Err(unsupported("JPEG nén không mất dữ liệu (lossless) không được hỗ trợ"));
        }
        Process::Hierarchical => {
            return Err(unsupported("JPEG phân cấp (hierarchical) không được hỗ trợ"));
        }
        Process::Arithmetic => {
            return Err(unsupported("JPEG mã hoá số học (arithmetic) không được hỗ trợ"));
        }
    }
    if info.precision != 8 {
        return Err(unsupported(&format!("JPEG {} bit/mẫu không được hỗ trợ, chỉ nhận 8 bit", info.precision)));
    }
    match info.components {
        1 | 3 => Ok(info),
        4 => Err(unsupported("JPEG hệ màu CMYK/YCCK không được hỗ trợ, cần RGB hoặc xám")),
        n => Err(unsupported(&format!("JPEG có {n} thành phần màu không được hỗ trợ"))),
    }
}

/// Reads the headers of `bytes` up to the first scan, whatever the process, precision or
/// components; errors only when the bytes are not a JPEG or are cut short.
pub(crate) fn header(bytes: &[u8]) -> Result<JpegInfo> {
    if bytes.len() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8 {
        return Err(unsupported("không phải tệp JPEG"));
    }
    let mut jfif: Option<Option<Density>> = None;
    let mut exif: Option<Density> = None;
    let mut adobe_transform = None;
    let mut frame: Option<(Process, u8, u32, u32, u8)> = None;
    let mut at = 2;
    loop {
        // A marker: one or more 0xFF fill bytes, then the code.
        if bytes.get(at) != Some(&0xFF) {
            return Err(truncated());
        }
        while bytes.get(at) == Some(&0xFF) {
            at += 1;
        }
        let Some(&code) = bytes.get(at) else {
            return Err(truncated());
        };
        at += 1;
        match code {
            // Markers without a length: TEM, RSTn, a second SOI.
            0x01 | 0xD0..=0xD8 => continue,
            0xD9 => return Err(unsupported("tệp JPEG không có dữ liệu ảnh")),
            0x00 => return Err(truncated()),
            _ => {}
        }
        let length = usize::from(be16(bytes, at).ok_or_else(truncated)?);
        if length < 2 {
            return Err(truncated());
        }
        let segment = bytes.get(at + 2..at + length).ok_or_else(truncated)?;
        at += length;
        match code {
            // SOFn; C4 (DHT), C8 (reserved) and CC (DAC) are not frames.
            0xC0..=0xCF if !matches!(code, 0xC4 | 0xC8 | 0xCC) => {
                let process = match code {
                    0xC0 => Process::Baseline,
                    0xC1 => Process::Extended,
                    0xC2 => Process::Progressive,
                    0xC3 => Process::Lossless,
                    0xC5..=0xC7 => Process::Hierarchical,
                    _ => Process::Arithmetic,
                };
                if frame.is_some() {
                    // Hierarchical JPEGs have several frames; the first one says enough.
                    continue;
                }
                frame = Some(read_frame(process, segment)?);
            }
            0xE0 if segment.starts_with(b"JFIF\0") && jfif.is_none() => {
                jfif = Some(jfif_density(&segment[5..]));
            }
            0xE1 if segment.starts_with(b"Exif\0\0") && exif.is_none() => {
                exif = exif_density(&segment[6..]);
            }
            0xEE if segment.starts_with(b"Adobe") => {
                adobe_transform = segment.get(11).copied();
            }
            0xDA => break,
            _ => {}
        }
    }
    let Some((process, precision, height, width, components)) = frame else {
        return Err(unsupported("tệp JPEG không có khung ảnh (SOF) trước dữ liệu"));
    };
    Ok(JpegInfo { width, height, components, precision, process, density: jfif.flatten().or(exif), adobe_transform })
}

/// `SOFn`: precision, lines, samples per line, components.
fn read_frame(process: Process, segment: &[u8]) -> Result<(Process, u8, u32, u32, u8)> {
    if segment.len() < 6 {
        return Err(truncated());
    }
    let precision = segment[0];
    let height = u32::from(u16::from_be_bytes([segment[1], segment[2]]));
    let width = u32::from(u16::from_be_bytes([segment[3], segment[4]]));
    let components = segment[5];
    if segment.len() < 6 + 3 * usize::from(components) {
        return Err(truncated());
    }
    if width == 0 || height == 0 || components == 0 {
        return Err(unsupported("JPEG không ghi rõ kích thước ảnh"));
    }
    Ok((process, precision, height, width, components))
}

/// JFIF `APP0` after the identifier: version (2), units (1), X density (2), Y density (2).
/// `Some(None)` is a JFIF segment that states an aspect ratio only.
fn jfif_density(body: &[u8]) -> Option<Density> {
    let units = *body.get(2)?;
    let x = f32::from(be16(body, 3)?);
    let y = f32::from(be16(body, 5)?);
    let per_inch = match units {
        1 => 1.0,
        2 => 2.54,
        _ => return None,
    };
    (x > 0.0 && y > 0.0).then_some(Density { x: x * per_inch, y: y * per_inch })
}

/// EXIF `APP1` after the identifier: a TIFF structure; reads IFD0's `XResolution` (0x011A),
/// `YResolution` (0x011B) and `ResolutionUnit` (0x0128: 2 inch, the default; 3 centimetre).
fn exif_density(tiff: &[u8]) -> Option<Density> {
    let little = match tiff.get(..4)? {
        b"II*\0" => true,
        b"MM\0*" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b = [*tiff.get(at)?, *tiff.get(at + 1)?];
        Some(if little { u16::from_le_bytes(b) } else { u16::from_be_bytes(b) })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b = [*tiff.get(at)?, *tiff.get(at + 1)?, *tiff.get(at + 2)?, *tiff.get(at + 3)?];
        Some(if little { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
    };
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let count = usize::from(u16_at(ifd)?);
    let (mut x, mut y, mut unit) = (None, None, 2u16);
    for i in 0..count.min(512) {
        let entry = ifd.checked_add(2 + 12 * i)?;
        let tag = u16_at(entry)?;
        let kind = u16_at(entry + 2)?;
        match (tag, kind) {
            (0x011A | 0x011B, 5) => {
                let at = usize::try_from(u32_at(entry + 8)?).ok()?;
                let (num, den) = (u32_at(at)?, u32_at(at.checked_add(4)?)?);
                let value = (den != 0).then(|| num as f32 / den as f32);
                if tag == 0x011A {
                    x = value;
                } else {
                    y = value;
                }
            }
            (0x0128, 3) => unit = u16_at(entry + 8)?,
            _ => {}
        }
    }
    let per_inch = match unit {
        2 => 1.0,
        3 => 2.54,
        _ => return None,
    };
    let (x, y) = (x? * per_inch, y? * per_inch);
    (x.is_finite() && y.is_finite() && x > 0.0 && y > 0.0).then_some(Density { x, y })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal baseline header: SOI, optional extra segments, SOF0, SOS.
    fn jpeg(extra: &[&[u8]], precision: u8, components: u8, sof: u8) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8];
        for segment in extra {
            out.extend_from_slice(segment);
        }
        let len = 8 + 3 * u16::from(components);
        out.extend_from_slice(&[0xFF, sof]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&[precision, 0x01, 0x2C, 0x00, 0xC8, components]);
        for c in 0..components {
            out.extend_from_slice(&[c + 1, 0x11, 0]);
        }
        out.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 0x00, 0xFF, 0xD9]);
        out
    }

    fn app(code: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, code];
        out.extend_from_slice(&(u16::try_from(body.len() + 2).unwrap_or(0)).to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    fn exif(little: bool, x: (u32, u32), y: (u32, u32), unit: u16) -> Vec<u8> {
        let w16 = |v: u16| if little { v.to_le_bytes() } else { v.to_be_bytes() };
        let w32 = |v: u32| if little { v.to_le_bytes() } else { v.to_be_bytes() };
        let mut t = Vec::new();
        t.extend_from_slice(if little { b"II*\0" } else { b"MM\0*" });
        t.extend_from_slice(&w32(8));
        t.extend_from_slice(&w16(3));
        let data = 8 + 2 + 3 * 12 + 4;
        for (tag, kind, value) in [(0x011A, 5, data), (0x011B, 5, data + 8)] {
            t.extend_from_slice(&w16(tag));
            t.extend_from_slice(&w16(kind));
            t.extend_from_slice(&w32(1));
            t.extend_from_slice(&w32(value));
        }
        t.extend_from_slice(&w16(0x0128));
        t.extend_from_slice(&w16(3));
        t.extend_from_slice(&w32(1));
        t.extend_from_slice(&w16(unit));
        t.extend_from_slice(&[0, 0]);
        t.extend_from_slice(&w32(0));
        for v in [x.0, x.1, y.0, y.1] {
            t.extend_from_slice(&w32(v));
        }
        let mut body = b"Exif\0\0".to_vec();
        body.extend_from_slice(&t);
        app(0xE1, &body)
    }

    fn jfif(units: u8, x: u16, y: u16) -> Vec<u8> {
        let mut body = b"JFIF\0\x01\x02".to_vec();
        body.push(units);
        body.extend_from_slice(&x.to_be_bytes());
        body.extend_from_slice(&y.to_be_bytes());
        body.extend_from_slice(&[0, 0]);
        app(0xE0, &body)
    }

    #[test]
    fn densities_from_jfif_then_exif() {
        type Case = (Vec<Vec<u8>>, Option<(f32, f32)>);
        let cases: Vec<Case> = vec![
            (vec![jfif(1, 300, 300)], Some((300.0, 300.0))),
            (vec![jfif(2, 118, 118)], Some((299.72, 299.72))),
            (vec![jfif(0, 1, 1)], None),
            (vec![jfif(0, 1, 1), exif(true, (200, 1), (400, 2), 2)], Some((200.0, 200.0))),
            (vec![exif(false, (150, 1), (300, 1), 2)], Some((150.0, 300.0))),
            (vec![exif(true, (100, 1), (100, 1), 3)], Some((254.0, 254.0))),
            (vec![exif(true, (100, 0), (100, 1), 2)], None),
            (vec![jfif(1, 200, 200), exif(true, (72, 1), (72, 1), 2)], Some((200.0, 200.0))),
            (vec![], None),
        ];
        for (segments, want) in cases {
            let refs: Vec<&[u8]> = segments.iter().map(Vec::as_slice).collect();
            let info = parse(&jpeg(&refs, 8, 3, 0xC0)).expect("parses");
            let got = info.density.map(|d| (d.x, d.y));
            match (got, want) {
                (Some(g), Some(w)) => {
                    assert!((g.0 - w.0).abs() < 0.01 && (g.1 - w.1).abs() < 0.01, "{g:?} vs {w:?}")
                }
                (g, w) => assert_eq!(g, w),
            }
            assert_eq!((info.width, info.height, info.components), (200, 300, 3));
        }
    }

    #[test]
    fn processes_and_refusals() {
        let adobe = app(0xEE, b"Adobe\0\x64\0\0\0\0\x01");
        assert_eq!(parse(&jpeg(&[], 8, 1, 0xC0)).map(|i| i.process).ok(), Some(Process::Baseline));
        assert_eq!(parse(&jpeg(&[], 8, 3, 0xC1)).map(|i| i.process).ok(), Some(Process::Extended));
        assert_eq!(
            parse(&jpeg(&[&adobe], 8, 3, 0xC2)).map(|i| (i.process, i.adobe_transform)).ok(),
            Some((Process::Progressive, Some(1)))
        );
        for (precision, components, sof) in [(12, 3, 0xC1), (8, 4, 0xC0), (8, 2, 0xC0), (8, 3, 0xC9), (8, 3, 0xC3)] {
            assert!(matches!(parse(&jpeg(&[], precision, components, sof)), Err(PdfError::UnsupportedImage(_))));
        }
    }

    #[test]
    fn every_truncation_is_an_error() {
        let whole = jpeg(&[&jfif(1, 200, 200), &exif(true, (1, 1), (1, 1), 2)], 8, 3, 0xC0);
        let sos = whole.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap_or(0);
        for len in 0..sos + 4 {
            assert!(parse(&whole[..len]).is_err(), "prefix of {len} bytes");
        }
        assert!(parse(&whole).is_ok());
        // Only fill bytes, or a zero-length segment, must end too.
        assert!(parse(&[0xFF, 0xD8, 0xFF, 0xFF, 0xFF]).is_err());
        assert!(parse(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x00]).is_err());
    }
}
