//! Pages as pictures and as text, through pdfium: thumbnails, previews and the tests' eyes.
//!
//! pdfium is the renderer Chromium ships; it draws what clerks will see in any viewer, reads the
//! text back through the fonts' ToUnicode maps, and copes with damaged files. It is a C++ library
//! loaded at run time from an explicit path ([`locate_pdfium`]), never linked: a machine without it
//! still runs Vanthu, only without previews ([`PdfError::PdfiumMissing`]).
//!
//! pdfium-render binds to the library **once per process**, so there is one [`Renderer`], reached
//! through [`Renderer::global`]. It is thread-safe: pdfium-render's `thread_safe` feature
//! serialises every call into pdfium, and the renderer also holds a lock for the whole of each
//! operation (open, render, close), because pdfium itself is not reentrant. Calls may come from
//! any thread, and should come from a worker, not the UI thread: a thumbnail (~200 px wide) takes
//! a few milliseconds, a preview (~1200 px) tens of milliseconds, a large scan more.
//!
//! It must not write PDFs: what we write, we write with krilla and lopdf, whose output we control.

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use pdfium_render::prelude::*;

use crate::{PdfError, Result};

/// Largest rendering width accepted, in pixels (a 1200 dpi A3 page is ~14 000 px wide).
const MAX_WIDTH_PX: u32 = 16_000;

/// Largest number of pixels in one rendering (guards the height of very long pages).
const MAX_PIXELS: u64 = 200_000_000;

/// Where the pdfium library is, if anywhere we look.
///
/// In order: the file named by `$VANTHU_PDFIUM` (if it exists), `libpdfium.so` next to the
/// current executable, then in its parent directory (tests and examples run from `deps/`), then
/// the workspace's `target/pdfium/libpdfium.so` (where `cargo xtask` puts it in development).
pub fn locate_pdfium() -> Option<PathBuf> {
    let name = Pdfium::pdfium_platform_library_name();
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(path) = std::env::var_os("VANTHU_PDFIUM").filter(|p| !p.is_empty()) {
        candidates.push(PathBuf::from(path));
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        candidates.push(dir.join(&name));
        if let Some(parent) = dir.parent() {
            candidates.push(parent.join(&name));
        }
    }
    candidates.push(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/pdfium/libpdfium.so")));
    candidates.into_iter().find(|path| path.is_file())
}

/// The process's one binding to pdfium. See the module documentation.
pub struct Renderer {
    pdfium: Pdfium,
    /// Held for the whole of each operation: pdfium is not reentrant.
    lock: Mutex<()>,
}

static GLOBAL: OnceLock<std::result::Result<Renderer, String>> = OnceLock::new();

/// The process-wide renderer; the same as [`Renderer::global`].
pub fn global() -> Result<&'static Renderer> {
    Renderer::global()
}

impl Renderer {
    /// The process-wide renderer, bound on first use to the library [`locate_pdfium`] finds.
    ///
    /// If binding fails, the reason is kept and every later call fails at once with the same
    /// [`PdfError::PdfiumMissing`] (the library is not looked for again until the next start).
    pub fn global() -> Result<&'static Renderer> {
        let bound = GLOBAL.get_or_init(|| {
            let path = locate_pdfium().ok_or_else(|| {
                "không tìm thấy libpdfium (đặt biến VANTHU_PDFIUM hoặc để thư viện cạnh chương trình)".to_owned()
            })?;
            let bindings = Pdfium::bind_to_library(&path).map_err(|e| format!("{}: {e:?}", path.display()))?;
            Ok(Renderer { pdfium: Pdfium::new(bindings), lock: Mutex::new(()) })
        });
        bound.as_ref().map_err(|message| PdfError::PdfiumMissing(message.clone()))
    }

    /// Run `work` on the opened document, holding the renderer's lock.
    fn with_document<T>(&self, pdf: &[u8], work: impl FnOnce(&PdfDocument<'_>) -> Result<T>) -> Result<T> {
        let _guard = self.lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let document = self.pdfium.load_pdf_from_byte_slice(pdf, None).map_err(open_error)?;
        work(&document)
    }

    /// How many pages the document has.
    pub fn page_count(&self, pdf: &[u8]) -> Result<u32> {
        self.with_document(pdf, |document| Ok(u32::try_from(document.pages().len()).unwrap_or(0)))
    }

    /// Page `page` (from 1) drawn `width_px` pixels wide (height to scale), as PNG bytes.
    pub fn render_png(&self, pdf: &[u8], page: u32, width_px: u32) -> Result<Vec<u8>> {
        let image = self.render_rgb(pdf, page, width_px)?;
        let mut png = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(|e| PdfError::Render(e.to_string()))?;
        Ok(png)
    }

    /// Page `page` (from 1) drawn `width_px` pixels wide (height to scale) on white, as it is
    /// displayed (after `/Rotate`), with annotations and form fields.
    pub fn render_rgb(&self, pdf: &[u8], page: u32, width_px: u32) -> Result<image::RgbImage> {
        if width_px == 0 || width_px > MAX_WIDTH_PX {
            return Err(PdfError::Render(format!("chiều rộng ảnh không hợp lệ: {width_px} điểm ảnh")));
        }
        self.with_document(pdf, |document| {
            let page = open_page(document, page)?;
            let (w, h) = (page.width().value, page.height().value);
            if !(w > 0.0 && h > 0.0) {
                return Err(PdfError::Render("trang có kích thước bằng 0".into()));
            }
            let height_px = (f64::from(width_px) * f64::from(h) / f64::from(w)).ceil();
            if height_px * f64::from(width_px) > MAX_PIXELS as f64 {
                return Err(PdfError::Render("trang quá dài để hiển thị ở độ rộng này".into()));
            }
            let config = PdfRenderConfig::new()
                .set_target_width(width_px as Pixels)
                .set_maximum_height(height_px as Pixels + 1)
                .render_form_data(true)
                .render_annotations(true);
            let bitmap = page.render_with_config(&config).map_err(|e| PdfError::Render(format!("{e:?}")))?;
            let image = bitmap.as_image().map_err(|e| PdfError::Render(format!("{e:?}")))?;
            Ok(image.to_rgb8())
        })
    }

    /// The text of page `page` (from 1), in the order pdfium reads it, lines separated by
    /// `"\r\n"`.
    pub fn page_text(&self, pdf: &[u8], page: u32) -> Result<String> {
        self.with_document(pdf, |document| {
            let page = open_page(document, page)?;
            let text = page.text().map_err(|e| PdfError::Render(format!("{e:?}")))?;
            // Not `text.all()`: it bounds the text by the page's *displayed* size at 0,0 in user
            // space, which loses everything on a rotated page or one whose box is not at 0,0.
            Ok(text.inside_rect(PdfRect::new_from_values(-1.0e7, -1.0e7, 1.0e7, 1.0e7)))
        })
    }

    /// Width and height of page `page` (from 1) in millimetres, as displayed (after `/Rotate`).
    pub fn page_size_mm(&self, pdf: &[u8], page: u32) -> Result<(f32, f32)> {
        self.with_document(pdf, |document| {
            let page = open_page(document, page)?;
            Ok((page.width().to_mm(), page.height().to_mm()))
        })
    }
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer").finish_non_exhaustive()
    }
}

/// Page `number` (from 1) of an open document.
fn open_page<'a>(document: &'a PdfDocument<'_>, number: u32) -> Result<PdfPage<'a>> {
    let count = u32::try_from(document.pages().len()).unwrap_or(0);
    if number == 0 || number > count {
        return Err(PdfError::NoSuchPage { page: number, count });
    }
    let index = PdfPageIndex::try_from(number - 1).map_err(|_| PdfError::NoSuchPage { page: number, count })?;
    document.pages().get(index).map_err(|e| PdfError::Render(format!("{e:?}")))
}

/// What opening a document failed on, in the crate's terms.
fn open_error(error: PdfiumError) -> PdfError {
    match error {
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::PasswordError)
        | PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::SecurityError) => PdfError::Encrypted,
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::FormatError) => {
            PdfError::Malformed("pdfium không đọc được cấu trúc tệp".into())
        }
        other => PdfError::Render(format!("{other:?}")),
    }
}
