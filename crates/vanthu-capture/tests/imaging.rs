//! Pages from files and pixels: passthrough, conversions, limits, resolution, blank pages and
//! the separator sheet. Inputs are made here (image's encoders, a hand-written TIFF, ImageMagick
//! for what our crates cannot write: progressive and CMYK JPEG, compressed TIFF).

use std::process::Command;
use std::time::{Duration, Instant};

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ImageBuffer, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};
use vanthu_capture::CaptureError;
use vanthu_capture::imaging::{
    self, FileKind, MAX_SIDE, MIN_SIDE, Page, RawPage, encode_raw, pages_for_pdf, pages_from_file, separator_sheet,
    sniff, thumbnail_jpeg,
};

// ---------------------------------------------------------------------------------------------
// Makers

const A4_200: (u32, u32) = (1654, 2339);
const A4_300: (u32, u32) = (2480, 3508);

fn white(w: u32, h: u32) -> RgbImage {
    RgbImage::from_pixel(w, h, Rgb([255, 255, 255]))
}

fn rect(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, c: [u8; 3]) {
    for yy in y..(y + h).min(img.height()) {
        for xx in x..(x + w).min(img.width()) {
            img.put_pixel(xx, yy, Rgb(c));
        }
    }
}

/// `lines` lines of "words" (black rectangles the size of 10-pt letters at 200 dpi), starting
/// at `top`, between 10 % margins.
fn text(img: &mut RgbImage, top: u32, lines: u32, c: [u8; 3]) {
    let (w, _) = img.dimensions();
    let (left, right) = (w / 10, w - w / 10);
    for line in 0..lines {
        let y = top + line * 45;
        let mut x = left;
        let mut i = 0u32;
        while x + 14 < right {
            let letters = 3 + (i * 7 + line * 3) % 6;
            for _ in 0..letters {
                let tall = (i + x).is_multiple_of(5);
                rect(img, x, if tall { y } else { y + 8 }, 3, if tall { 28 } else { 20 }, c);
                rect(img, x + 3, y + 8, 8, 3, c);
                rect(img, x + 3, y + 25, 8, 3, c);
                x += 16;
            }
            x += 14;
            i += 1;
        }
    }
}

fn text_page(w: u32, h: u32) -> RgbImage {
    let mut img = white(w, h);
    text(&mut img, h / 8, 40, [10, 10, 10]);
    img
}

/// A small deterministic generator (xorshift), so that "noise" is the same on every run.
struct Noise(u64);
impl Noise {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 32) as u32
    }
    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

fn jpeg_of(img: &DynamicImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality).encode_image(img).expect("JPEG encode");
    out
}

fn png_of<P: image::PixelWithColorType>(img: &ImageBuffer<P, Vec<P::Subpixel>>) -> Vec<u8>
where
    [P::Subpixel]: image::EncodableLayout,
{
    use image::EncodableLayout;
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(img.as_raw().as_bytes(), img.width(), img.height(), P::COLOR_TYPE)
        .expect("PNG encode");
    out
}

fn decode_rgb(jpeg: &[u8]) -> RgbImage {
    image::load_from_memory(jpeg).expect("decode").into_rgb8()
}

fn one_page(bytes: &[u8]) -> Page {
    let mut pages = pages_from_file(bytes).expect("pages");
    assert_eq!(pages.len(), 1);
    pages.remove(0)
}

/// Runs ImageMagick's `convert` with `args`, the last one being the output file, and reads it.
fn convert(dir: &std::path::Path, args: &[&str]) -> Vec<u8> {
    let status = Command::new("convert")
        .current_dir(dir)
        .args(args)
        .status()
        .expect("ImageMagick `convert` must be installed for these tests");
    assert!(status.success(), "convert {args:?}");
    let output = args[args.len() - 1];
    let file = output.split_once(':').map_or(output, |(_, file)| file);
    std::fs::read(dir.join(file)).expect("convert output")
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend(data);
    out.extend(&body);
    out.extend(crc32(&body).to_be_bytes());
}

/// A PNG whose header claims `w` × `h` RGB pixels, followed by a tiny, valid zlib IDAT.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &ihdr);
    // zlib stream of one stored block with 4 zero bytes.
    png_chunk(&mut out, b"IDAT", &[0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF, 0, 0, 0, 0, 0x00, 0x04, 0x00, 0x01]);
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// One page of a hand-written, uncompressed little-endian TIFF.
struct TiffPage {
    width: u32,
    height: u32,
    bits: u16,
    samples: u16,
    photometric: u16,
    dpi: u32,
    /// NewSubfileType: 1 marks a reduced-resolution preview of another page.
    subfile: u32,
    data: Vec<u8>,
}

fn tiff(pages: &[TiffPage]) -> Vec<u8> {
    let mut out = b"II*\0\0\0\0\0".to_vec();
    let mut next_at = 4;
    let pad = |out: &mut Vec<u8>| {
        if out.len() % 2 == 1 {
            out.push(0);
        }
    };
    for p in pages {
        let data_at = out.len() as u32;
        out.extend(&p.data);
        pad(&mut out);
        let bits_at = out.len() as u32;
        for _ in 0..p.samples {
            out.extend(p.bits.to_le_bytes());
        }
        pad(&mut out);
        let res_at = out.len() as u32;
        out.extend(p.dpi.to_le_bytes());
        out.extend(1u32.to_le_bytes());
        let ifd_at = out.len() as u32;
        out[next_at..next_at + 4].copy_from_slice(&ifd_at.to_le_bytes());
        let bits_value = if p.samples == 1 { u32::from(p.bits) } else { bits_at };
        let entries: [(u16, u16, u32, u32); 13] = [
            (254, 4, 1, p.subfile),
            (256, 4, 1, p.width),
            (257, 4, 1, p.height),
            (258, 3, u32::from(p.samples), bits_value),
            (259, 3, 1, 1),
            (262, 3, 1, u32::from(p.photometric)),
            (273, 4, 1, data_at),
            (277, 3, 1, u32::from(p.samples)),
            (278, 4, 1, p.height),
            (279, 4, 1, p.data.len() as u32),
            (282, 5, 1, res_at),
            (283, 5, 1, res_at),
            (296, 3, 1, 2),
        ];
        out.extend((entries.len() as u16).to_le_bytes());
        for (tag, kind, count, value) in entries {
            out.extend(tag.to_le_bytes());
            out.extend(kind.to_le_bytes());
            out.extend(count.to_le_bytes());
            out.extend(value.to_le_bytes());
        }
        next_at = out.len();
        out.extend(0u32.to_le_bytes());
    }
    out
}

/// Nearest-neighbour rotation by `degrees` about the centre, white outside.
fn rotate(img: &RgbImage, degrees: f32) -> RgbImage {
    let (w, h) = img.dimensions();
    let (s, c) = degrees.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let sx = (c * dx + s * dy + cx).round();
        let sy = (-s * dx + c * dy + cy).round();
        if sx >= 0.0 && sy >= 0.0 && (sx as u32) < w && (sy as u32) < h {
            *img.get_pixel(sx as u32, sy as u32)
        } else {
            Rgb([255, 255, 255])
        }
    })
}

fn raw(img: &RgbImage, dpi: f32) -> RawPage {
    RawPage { width: img.width(), height: img.height(), dpi, rgb: img.as_raw().clone() }
}

/// Encodes `img` as a scanner page, then reads the JPEG back as a file would be: the analysis
/// then sees the page after compression.
fn scanned(img: &RgbImage, dpi: f32) -> Page {
    let page = encode_raw(&raw(img, dpi)).expect("encode");
    one_page(&page.jpeg)
}

fn near(a: [u8; 3], b: [u8; 3], tolerance: u8) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= tolerance)
}

// ---------------------------------------------------------------------------------------------
// Sniffing and refusals

#[test]
fn sniffing_decides_by_bytes() {
    let jpeg = jpeg_of(&DynamicImage::ImageRgb8(white(400, 400)), 90);
    let png = png_of(&white(400, 400));
    let cases: [(&str, Vec<u8>, Option<FileKind>); 8] = [
        ("jpeg", jpeg, Some(FileKind::Jpeg)),
        ("png", png.clone(), Some(FileKind::Png)),
        ("tiff le", b"II*\0\x08\0\0\0".to_vec(), Some(FileKind::Tiff)),
        ("tiff be", b"MM\0*\0\0\0\x08".to_vec(), Some(FileKind::Tiff)),
        ("pdf", b"%PDF-1.7\n%\xE2\xE3".to_vec(), Some(FileKind::Pdf)),
        ("pdf after junk", [vec![b' '; 100], b"%PDF-1.4".to_vec()].concat(), Some(FileKind::Pdf)),
        ("text", b"hello, world".to_vec(), None),
        ("empty", Vec::new(), None),
    ];
    for (name, bytes, expected) in cases {
        assert_eq!(sniff(&bytes), expected, "{name}");
        assert_eq!(FileKind::from_bytes(&bytes), expected, "{name}");
    }

    // A PNG saved as "scan.jpg" is a PNG.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("scan.jpg");
    std::fs::write(&path, &png).expect("write");
    let bytes = std::fs::read(&path).expect("read");
    assert_eq!(sniff(&bytes), Some(FileKind::Png));
    let page = one_page(&bytes);
    assert!(!page.passthrough);
    assert_eq!((page.width, page.height), (400, 400));
}

#[test]
fn refusals() {
    let jpeg = jpeg_of(&DynamicImage::ImageRgb8(text_page(600, 800)), 90);
    let png = png_of(&text_page(600, 800));
    let mut noise = Noise(7);
    let random: Vec<u8> = std::iter::repeat_with(|| noise.below(256) as u8).take(4096).collect();
    assert_eq!(sniff(&random), None, "the random bytes happen to look like a file");
    type Check = fn(&CaptureError) -> bool;
    let cases: Vec<(&str, Vec<u8>, Check)> = vec![
        ("zero bytes", Vec::new(), |e| matches!(e, CaptureError::Empty)),
        ("random bytes", random, |e| matches!(e, CaptureError::UnknownFormat)),
        ("pdf", b"%PDF-1.7\n1 0 obj\n".to_vec(), |e| matches!(e, CaptureError::NotAnImage)),
        ("jpeg cut in half", jpeg[..jpeg.len() / 2].to_vec(), |e| matches!(e, CaptureError::Corrupt(_))),
        ("jpeg without its end marker", jpeg[..jpeg.len() - 2].to_vec(), |e| matches!(e, CaptureError::Corrupt(_))),
        ("jpeg header only", jpeg[..200].to_vec(), |e| matches!(e, CaptureError::Corrupt(_))),
        ("png cut in half", png[..png.len() / 2].to_vec(), |e| matches!(e, CaptureError::Corrupt(_))),
        ("png signature only", png[..8].to_vec(), |e| matches!(e, CaptureError::Corrupt(_))),
        ("tiff header only", b"II*\0\x08\0\0\0".to_vec(), |e| matches!(e, CaptureError::Corrupt(_))),
        ("png 1x1", png_of(&white(1, 1)), |e| matches!(e, CaptureError::TooSmall { width: 1, height: 1 })),
        ("png just under MIN_SIDE", png_of(&white(MIN_SIDE - 1, 2000)), |e| matches!(e, CaptureError::TooSmall { .. })),
        ("png claiming 100000 x 100000", png_claiming(100_000, 100_000), |e| {
            matches!(e, CaptureError::TooLarge { width: 100_000, height: 100_000, max: MAX_SIDE })
        }),
        ("png claiming 20001 x 400", png_claiming(MAX_SIDE + 1, 400), |e| matches!(e, CaptureError::TooLarge { .. })),
        ("png claiming 20000 x 20000 (over MAX_PIXELS)", png_claiming(MAX_SIDE, MAX_SIDE), |e| {
            matches!(e, CaptureError::TooLarge { .. })
        }),
    ];
    // Both readers refuse the same way: the queue's (decodes and analyses) and the one for a PDF
    // written at once (walks a JPEG without decoding it). Refusals are decided from headers.
    for (name, bytes, check) in cases {
        for (reader, read) in [("pages_from_file", pages_from_file as fn(&[u8]) -> _), ("pages_for_pdf", pages_for_pdf)]
        {
            match read(&bytes) {
                Ok(pages) => panic!("{reader}, {name}: accepted as {} page(s)", pages.len()),
                Err(e) => assert!(check(&e), "{reader}, {name}: unexpected error {e:?}"),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JPEG

#[test]
fn colour_jpeg_passes_through_byte_for_byte() {
    let img = text_page(1240, 1754);
    let jpeg = jpeg_of(&DynamicImage::ImageRgb8(img), 85);
    let page = one_page(&jpeg);
    assert!(page.passthrough);
    assert_eq!(page.jpeg, jpeg, "bytes must be identical");
    assert_eq!((page.width, page.height), (1240, 1754));
    assert!(!page.analysis.blank);
    // Read for a PDF written at once: the same bytes and size, without a decode.
    let fast = pages_for_pdf(&jpeg).expect("a colour JPEG");
    assert_eq!(fast.len(), 1);
    assert!(fast[0].passthrough && fast[0].jpeg == jpeg);
    assert_eq!((fast[0].width, fast[0].height, fast[0].dpi), (page.width, page.height, page.dpi));
}

#[test]
fn progressive_jpeg_passes_through_and_cmyk_is_reencoded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut img = text_page(800, 1100);
    rect(&mut img, 300, 500, 200, 200, [220, 20, 30]);
    std::fs::write(dir.path().join("page.png"), png_of(&img)).expect("write");

    let progressive = convert(dir.path(), &["page.png", "-interlace", "JPEG", "-quality", "90", "progressive.jpg"]);
    let page = one_page(&progressive);
    assert!(page.passthrough, "a progressive colour JPEG is embeddable as is");
    assert_eq!(page.jpeg, progressive);

    let cmyk = convert(dir.path(), &["page.png", "-colorspace", "CMYK", "-quality", "95", "cmyk.jpg"]);
    let page = one_page(&cmyk);
    assert!(!page.passthrough, "a CMYK JPEG becomes an RGB one");
    assert_eq!((page.width, page.height), (800, 1100));
    let rgb = decode_rgb(&page.jpeg);
    let red = rgb.get_pixel(400, 600).0;
    assert!(red[0] > 150 && red[1] < 90 && red[2] < 90, "red stays red: {red:?}");
    assert!(near(rgb.get_pixel(20, 20).0, [255, 255, 255], 12));
}

#[test]
fn grey_jpeg_becomes_a_colour_page() {
    let mut img = white(900, 1200);
    rect(&mut img, 100, 100, 600, 40, [20, 20, 20]);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("page.png"), png_of(&img)).expect("write");
    // A true one-component JPEG (image's encoder writes grey as three components).
    let jpeg = convert(dir.path(), &["page.png", "-type", "Grayscale", "-quality", "90", "grey.jpg"]);
    assert_eq!(jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).map(|at| jpeg[at + 9]), Some(1));
    let page = one_page(&jpeg);
    assert!(!page.passthrough);
    let decoded = image::load_from_memory(&page.jpeg).expect("decode");
    assert_eq!(decoded.color(), image::ColorType::Rgb8, "every page is colour");
    let rgb = decoded.into_rgb8();
    assert!(near(rgb.get_pixel(400, 120).0, [20, 20, 20], 12));
    assert!(near(rgb.get_pixel(400, 600).0, [255, 255, 255], 8));
    assert!(!page.analysis.blank);
}

// ---------------------------------------------------------------------------------------------
// PNG

#[test]
fn png_alpha_is_flattened_on_white_and_16_bit_becomes_8() {
    let mut rgba = RgbaImage::from_pixel(600, 800, Rgba([0, 0, 0, 0]));
    for y in 0..100 {
        for x in 0..600 {
            rgba.put_pixel(x, y, Rgba([0, 0, 255, 255])); // opaque blue band
        }
    }
    for y in 200..300 {
        for x in 0..600 {
            rgba.put_pixel(x, y, Rgba([0, 0, 0, 128])); // half-transparent black
        }
    }
    let page = one_page(&png_of(&rgba));
    assert!(!page.passthrough);
    let rgb = decode_rgb(&page.jpeg);
    assert!(near(rgb.get_pixel(300, 50).0, [0, 0, 255], 16), "{:?}", rgb.get_pixel(300, 50));
    assert!(near(rgb.get_pixel(300, 250).0, [127, 127, 127], 8), "{:?}", rgb.get_pixel(300, 250));
    assert!(near(rgb.get_pixel(300, 600).0, [255, 255, 255], 4), "transparent is white paper");

    let deep: ImageBuffer<Rgb<u16>, Vec<u16>> =
        ImageBuffer::from_fn(500, 700, |x, _| if x < 250 { Rgb([65535, 0, 0]) } else { Rgb([0x8080, 0x8080, 0x8080]) });
    let page = one_page(&png_of(&deep));
    let rgb = decode_rgb(&page.jpeg);
    assert!(near(rgb.get_pixel(100, 300).0, [255, 0, 0], 16), "{:?}", rgb.get_pixel(100, 300));
    assert!(near(rgb.get_pixel(400, 300).0, [128, 128, 128], 4), "{:?}", rgb.get_pixel(400, 300));
}

// ---------------------------------------------------------------------------------------------
// TIFF

#[test]
fn multi_page_tiff_gives_every_page() {
    // Page 1: 1-bit, white-is-zero (a fax), odd width; a black band in rows 100..150.
    let (w1, h1) = (333u32, 400u32);
    let row_bytes = (w1 as usize).div_ceil(8);
    let mut bilevel = vec![0u8; row_bytes * h1 as usize];
    for y in 100..150 {
        bilevel[y * row_bytes..(y + 1) * row_bytes].fill(0xFF);
    }
    // Page 2: 8-bit grey, black-is-zero, a gradient.
    let (w2, h2) = (400u32, 500u32);
    let grey: Vec<u8> = (0..w2 * h2).map(|i| ((i % w2) * 255 / (w2 - 1)) as u8).collect();
    // Page 3: RGB, green.
    let (w3, h3) = (500u32, 400u32);
    let green: Vec<u8> = (0..w3 * h3).flat_map(|_| [0u8, 160, 0]).collect();
    // Before page 2, the scanner's small preview of it (a reduced-resolution image): not a page.
    let preview = vec![128u8; 40 * 50];
    let bytes = tiff(&[
        TiffPage { width: w1, height: h1, bits: 1, samples: 1, photometric: 0, dpi: 100, subfile: 0, data: bilevel },
        TiffPage { width: 40, height: 50, bits: 8, samples: 1, photometric: 1, dpi: 30, subfile: 1, data: preview },
        TiffPage { width: w2, height: h2, bits: 8, samples: 1, photometric: 1, dpi: 300, subfile: 0, data: grey },
        TiffPage { width: w3, height: h3, bits: 8, samples: 3, photometric: 2, dpi: 200, subfile: 0, data: green },
    ]);
    let pages = pages_from_file(&bytes).expect("tiff");
    let sizes: Vec<(u32, u32, f32)> = pages.iter().map(|p| (p.width, p.height, p.dpi)).collect();
    assert_eq!(sizes, [(w1, h1, 100.0), (w2, h2, 300.0), (w3, h3, 200.0)]);
    assert!(pages.iter().all(|p| !p.passthrough));

    let p1 = decode_rgb(&pages[0].jpeg);
    assert!(near(p1.get_pixel(200, 120).0, [0, 0, 0], 16), "bit 1 is black in white-is-zero");
    assert!(near(p1.get_pixel(200, 300).0, [255, 255, 255], 16));
    assert!(near(p1.get_pixel(w1 - 1, 300).0, [255, 255, 255], 16), "last column of an odd row");
    let p2 = decode_rgb(&pages[1].jpeg);
    assert!(near(p2.get_pixel(0, 250).0, [0, 0, 0], 12));
    assert!(near(p2.get_pixel(w2 - 1, 250).0, [255, 255, 255], 12));
    let p3 = decode_rgb(&pages[2].jpeg);
    assert!(near(p3.get_pixel(250, 200).0, [0, 160, 0], 16), "{:?}", p3.get_pixel(250, 200));
}

#[test]
fn compressed_tiff_from_imagemagick() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("text.png"), png_of(&text_page(800, 1000))).expect("write");
    let cases: [(&str, &[&str], usize); 3] = [
        ("lzw, two pages", &["text.png", "text.png", "-compress", "LZW", "lzw.tif"], 2),
        ("group 4", &["text.png", "-monochrome", "-compress", "Group4", "g4.tif"], 1),
        ("jpeg in tiff", &["text.png", "-type", "TrueColor", "-compress", "JPEG", "jpeg.tif"], 1),
    ];
    for (name, args, count) in cases {
        let bytes = convert(dir.path(), args);
        let pages = pages_from_file(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(pages.len(), count, "{name}");
        for page in &pages {
            assert_eq!((page.width, page.height), (800, 1000), "{name}");
            assert!(!page.analysis.blank, "{name}: text is not blank");
            let rgb = decode_rgb(&page.jpeg);
            assert!(near(rgb.get_pixel(10, 10).0, [255, 255, 255], 16), "{name}: paper is white");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Resolution

#[test]
fn resolution_from_the_file_or_the_a4_rule() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a4.png"), png_of(&text_page(A4_200.0, A4_200.1))).expect("w");
    let a4_rule = |w: u32, h: u32| {
        let (s, l) = (w.min(h) as f32, w.max(h) as f32);
        (s / (210.0 / 25.4)).max(l / (297.0 / 25.4))
    };
    let cases: [(&str, &[&str], f32); 6] = [
        ("png, 300 dpi pHYs", &["a4.png", "-units", "PixelsPerInch", "-density", "300", "p300.png"], 300.0),
        ("jpeg, JFIF 200 dpi", &["a4.png", "-units", "PixelsPerInch", "-density", "200", "j200.jpg"], 200.0),
        (
            "jpeg, JFIF in dots per cm",
            &["a4.png", "-units", "PixelsPerCentimeter", "-density", "118", "jcm.jpg"],
            118.0 * 2.54,
        ),
        (
            "jpeg, 72 dpi software default",
            &["a4.png", "-units", "PixelsPerInch", "-density", "72", "j72.jpg"],
            a4_rule(A4_200.0, A4_200.1),
        ),
        ("tiff, 150 dpi", &["a4.png", "-units", "PixelsPerInch", "-density", "150", "t150.tif"], 150.0),
        ("png, no density", &["a4.png", "-strip", "nodensity.png"], a4_rule(A4_200.0, A4_200.1)),
    ];
    for (name, args, dpi) in cases {
        let page = one_page(&convert(dir.path(), args));
        assert!((page.dpi - dpi).abs() < 0.6, "{name}: {} dpi, expected {dpi}", page.dpi);
    }
    // The A4 rule in both orientations, and for a small image: never below 1.
    let landscape = one_page(&png_of(&white(2339, 1654)));
    assert!((landscape.dpi - 200.0).abs() < 0.5, "{}", landscape.dpi);
    let page = encode_raw(&RawPage { dpi: 0.0, ..raw(&white(400, 400), 0.0) }).expect("encode");
    assert!(page.dpi >= 1.0);
}

// ---------------------------------------------------------------------------------------------
// Encoding

#[test]
fn encode_raw_is_one_colour_jpeg_with_the_resolution() {
    let img = text_page(A4_200.0, A4_200.1);
    let page = encode_raw(&raw(&img, 200.0)).expect("encode");
    assert!(!page.passthrough);
    assert_eq!((page.width, page.height, page.dpi), (A4_200.0, A4_200.1, 200.0));
    // JFIF density in dots per inch: 200.
    assert_eq!(&page.jpeg[..4], &[0xFF, 0xD8, 0xFF, 0xE0]);
    assert_eq!(&page.jpeg[6..11], b"JFIF\0");
    assert_eq!(page.jpeg[13], 1);
    assert_eq!(u16::from_be_bytes([page.jpeg[14], page.jpeg[15]]), 200);
    // Read back, it passes through untouched: compressed once.
    let again = one_page(&page.jpeg);
    assert!(again.passthrough);
    assert_eq!(again.jpeg, page.jpeg);
    assert_eq!(again.dpi, 200.0);
    // Wrong buffer lengths and sizes are refused.
    let mut short = raw(&img, 200.0);
    short.rgb.truncate(100);
    assert!(matches!(encode_raw(&short), Err(CaptureError::Encode(_))));
    assert!(matches!(encode_raw(&raw(&white(1, 1), 200.0)), Err(CaptureError::TooSmall { .. })));
    eprintln!("A4 200 dpi text page: {} KB", page.jpeg.len() / 1024);
}

#[test]
fn thumbnail_is_a_small_jpeg() {
    let page = encode_raw(&raw(&text_page(A4_200.0, A4_200.1), 200.0)).expect("encode");
    let thumb = thumbnail_jpeg(&page.jpeg, 200).expect("thumbnail");
    let img = image::load_from_memory(&thumb).expect("decode");
    assert_eq!((img.width(), img.height()), (200, 283));
    assert!(thumb.len() < 30_000, "{} bytes", thumb.len());
    // Never wider than the page; not a JPEG → refused.
    let img = image::load_from_memory(&thumbnail_jpeg(&page.jpeg, 5000).expect("t")).expect("d");
    assert_eq!(img.width(), A4_200.0);
    assert!(matches!(thumbnail_jpeg(&png_of(&white(400, 400)), 100), Err(CaptureError::UnknownFormat)));
    assert!(matches!(thumbnail_jpeg(&page.jpeg[..1000], 100), Err(CaptureError::Corrupt(_))));
}

// ---------------------------------------------------------------------------------------------
// Blank pages and the separator sheet

#[test]
fn blank_pages() {
    let (w, h) = A4_200;
    let mut noise = Noise(42);
    // Scanner noise: every pixel a little off white, then light grey speckles and a faint
    // bleed-through of text from the other side, then JPEG at a low quality.
    let mut noisy = RgbImage::from_fn(w, h, |_, _| {
        let v = 255 - noise.below(14) as u8;
        Rgb([v, v, v.saturating_sub(3)])
    });
    for _ in 0..400 {
        let (x, y) = (noise.below(w - 4), noise.below(h - 4));
        let g = 185 + noise.below(30) as u8;
        rect(&mut noisy, x, y, 1 + noise.below(3), 1 + noise.below(3), [g, g, g]);
    }
    text(&mut noisy, h / 6, 30, [214, 212, 210]);
    // A few real dark dust specks.
    for _ in 0..12 {
        let (x, y) = (noise.below(w - 4), noise.below(h - 4));
        rect(&mut noisy, x, y, 2, 2, [30, 30, 30]);
    }
    let mut one_line = white(w, h);
    text(&mut one_line, h / 3, 1, [20, 20, 20]);
    let mut signature = white(w, h);
    for i in 0..300u32 {
        // A wavy blue pen stroke, 4 px wide, ~60 mm long.
        let x = 900 + i * 2;
        let y = 1900 + ((i as f32 / 9.0).sin() * 30.0) as u32;
        rect(&mut signature, x, y, 4, 4, [30, 40, 150]);
    }
    let mut edge_mark = white(w, h);
    rect(&mut edge_mark, 0, 0, 60, h, [0, 0, 0]); // the scanner's dark edge, inside the margin

    let cases: [(&str, RgbImage, bool); 6] = [
        ("white page", white(w, h), true),
        ("noise, speckles, bleed-through, dust", noisy, true),
        ("a dark edge within the margin", edge_mark, true),
        ("one line of text", one_line, false),
        ("a blue signature alone", signature, false),
        ("a full text page", text_page(w, h), false),
    ];
    for (name, img, blank) in cases {
        let img = decode_rgb(&jpeg_of(&DynamicImage::ImageRgb8(img), 70));
        let page = scanned(&img, 200.0);
        assert_eq!(page.analysis.blank, blank, "{name}: {:?}", page.analysis);
        assert!(!page.analysis.separator, "{name}");
        assert_eq!(imaging::analyse(&img).blank, blank, "{name} (analyse)");
    }
    let black = imaging::analyse(&RgbImage::from_pixel(800, 1000, Rgb([0, 0, 0])));
    assert!(!black.blank && black.ink > 0.99, "a black page is all ink: {black:?}");
}

#[test]
fn separator_sheet_is_recognised_after_print_and_scan() {
    let mut cases: Vec<(String, RgbImage, f32)> = Vec::new();
    for (dpi, (w, h)) in [(200.0, A4_200), (300.0, A4_300)] {
        let sheet = separator_sheet(w, h);
        // A few degrees of skew either way (4° only once: the detector's margin, not a goal).
        let skews: &[f32] = if dpi == 200.0 { &[0.0, 2.0, -2.0, -4.0] } else { &[0.0, 2.0, -2.0] };
        for &degrees in skews {
            cases.push((format!("{dpi} dpi, {degrees}°"), rotate(&sheet, degrees), dpi));
        }
        cases.push((format!("{dpi} dpi, upside down"), rotate(&sheet, 180.0), dpi));
    }
    // Printed at 93 % to fit the printer's margins, scanned at 200 dpi, skewed.
    let (w, h) = A4_200;
    let small = image::imageops::resize(
        &separator_sheet(w * 93 / 100, h * 93 / 100),
        w * 93 / 100,
        h * 93 / 100,
        image::imageops::FilterType::Triangle,
    );
    let mut printed = white(w, h);
    image::imageops::overlay(&mut printed, &small, i64::from(w * 4 / 100), i64::from(h * 3 / 100));
    cases.push(("printed at 93 %, 1.5°".into(), rotate(&printed, 1.5), 200.0));
    cases.push(("letter size at 150 dpi".into(), separator_sheet(1275, 1650), 150.0));

    for (name, img, dpi) in cases {
        let page = scanned(&img, dpi);
        assert!(page.analysis.separator, "{name}: {:?}", page.analysis);
        assert!(!page.analysis.blank, "{name}");
    }

    // Not separators: text, a page of tables, a black page, a blank page, a page of bars only.
    let (w, h) = A4_200;
    let mut table = white(w, h);
    for i in 0..30 {
        rect(&mut table, 150, 300 + i * 60, w - 300, 3, [0, 0, 0]);
    }
    text(&mut table, 310, 20, [0, 0, 0]);
    let mut bars_only = white(w, h);
    for (top, bottom) in [(0.08, 0.14), (0.68, 0.74), (0.84, 0.90)] {
        rect(
            &mut bars_only,
            w / 10,
            (top * h as f32) as u32,
            w * 8 / 10,
            ((bottom - top) * h as f32) as u32,
            [0, 0, 0],
        );
    }
    let mut headline = white(w, h);
    rect(&mut headline, 165, 200, w - 330, 160, [0, 0, 0]);
    text(&mut headline, 500, 35, [0, 0, 0]);
    let others: [(&str, RgbImage); 6] = [
        ("text page", text_page(w, h)),
        ("table page", table),
        ("black page", RgbImage::from_pixel(w, h, Rgb([0, 0, 0]))),
        ("white page", white(w, h)),
        ("three bars, no square", bars_only),
        ("a black headline block", headline),
    ];
    for (name, img) in others {
        let page = scanned(&img, 200.0);
        assert!(!page.analysis.separator, "{name}: {:?}", page.analysis);
    }
}

// ---------------------------------------------------------------------------------------------
// Throughput (measured, reported, not asserted)

#[test]
fn encode_raw_throughput() {
    let raw = raw(&text_page(A4_200.0, A4_200.1), 200.0);
    let rounds = if cfg!(debug_assertions) { 2 } else { 40 };
    // Each round timed alone; the fastest is the machine's figure on a quiet core, the median
    // what this (shared) machine gave.
    let measure = |f: &mut dyn FnMut()| {
        f();
        let mut times: Vec<Duration> = (0..rounds)
            .map(|_| {
                let started = Instant::now();
                f();
                started.elapsed()
            })
            .collect();
        times.sort();
        (times[0], times[times.len() / 2])
    };
    let (best, median) = measure(&mut || assert!(!encode_raw(&raw).expect("encode").analysis.blank));
    let image = RgbImage::from_raw(raw.width, raw.height, raw.rgb.clone()).expect("image");
    let (analysis, _) = measure(&mut || assert!(!imaging::analyse(&image).blank));
    let page = encode_raw(&raw).expect("encode");
    let (passthrough, _) = measure(&mut || assert!(one_page(&page.jpeg).passthrough));
    // The same page with scanner noise on every pixel (±7): more to compress, a bigger file.
    let mut noise = Noise(3);
    let mut noisy = raw.clone();
    noisy.rgb.iter_mut().for_each(|v| *v = (i32::from(*v) + noise.below(15) as i32 - 7).clamp(0, 255) as u8);
    let (noisy_best, noisy_median) = measure(&mut || assert!(!encode_raw(&noisy).expect("encode").analysis.blank));
    let noisy_kb = encode_raw(&noisy).expect("encode").jpeg.len() / 1024;
    eprintln!(
        "encode_raw, the same page with scanner noise: best {noisy_best:?} = {:.1} pages/s, median \
         {noisy_median:?} = {:.1} pages/s, {noisy_kb} KB (clean: {} KB)",
        1.0 / noisy_best.as_secs_f64(),
        1.0 / noisy_median.as_secs_f64(),
        page.jpeg.len() / 1024,
    );
    eprintln!(
        "encode_raw, A4 200 dpi text page ({} build, one core): best {best:?} = {:.1} pages/s, \
         median {median:?} = {:.1} pages/s; analysis alone {analysis:?}; a JPEG file passed \
         through (decode + analysis) {passthrough:?}",
        if cfg!(debug_assertions) { "debug" } else { "release" },
        1.0 / best.as_secs_f64(),
        1.0 / median.as_secs_f64(),
    );
}
