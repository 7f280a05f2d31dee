//! The three faces of Liberation Serif, measured and turned into glyphs.
//!
//! Decree 30 wants documents in Times New Roman; Liberation Serif has the same metrics, a free
//! licence (SIL OFL) and every precomposed Vietnamese letter, so it is bundled in
//! `assets/fonts/` and compiled into the binary: a printout never depends on the fonts a clerk's
//! machine happens to have.
//!
//! This module is the single source of text widths. Wrapping measures a string with the same
//! advance widths that [`Face::glyphs`] later hands to the PDF writer, so a line that was measured
//! to fit a cell is exactly the line that is drawn: nothing can overflow a cell by a kerning pair.
//! Text is drawn one glyph per character from the font's character map, without shaping. That is
//! right for Vietnamese in NFC (every letter with its marks is one precomposed glyph) and it keeps
//! the PDF's ToUnicode map a plain one-to-one copy of the text we were given: `pdftotext` gives
//! back the same characters, byte for byte.
//!
//! It must not change the text it is given: no normalisation, no case mapping (callers decide).

use std::ops::Range;

use krilla::Data;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider, charmap::Charmap};

use crate::ReportError;

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/LiberationSerif-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/LiberationSerif-Bold.ttf");
static ITALIC: &[u8] = include_bytes!("../../../assets/fonts/LiberationSerif-Italic.ttf");

/// Which face of the family a run of text uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Regular,
    Bold,
    Italic,
}

/// One face: the font for the PDF writer plus what we need to measure with it.
pub(crate) struct Face {
    pdf: Font,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
}

impl Face {
    fn load(data: &'static [u8], name: &'static str) -> Result<Face, ReportError> {
        let font_ref = FontRef::new(data).map_err(|_| ReportError::Font(name))?;
        let units_per_em = font_ref.head().map_err(|_| ReportError::Font(name))?.units_per_em();
        if units_per_em == 0 {
            return Err(ReportError::Font(name));
        }
        let pdf = Font::new(Data::from(data), 0).ok_or(ReportError::Font(name))?;
        Ok(Face {
            pdf,
            charmap: font_ref.charmap(),
            metrics: font_ref.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em: f32::from(units_per_em),
        })
    }

    /// The font handle for the PDF writer.
    pub(crate) fn pdf(&self) -> Font {
        self.pdf.clone()
    }

    /// Glyph id and advance (in em) of one character; unknown characters get `.notdef`.
    fn glyph(&self, c: char) -> (u32, f32) {
        let id = self.charmap.map(c).unwrap_or_default();
        let advance = self.metrics.advance_width(id).unwrap_or(0.0) / self.units_per_em;
        (id.to_u32(), advance)
    }

    /// Width of `text` in points at `size`.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().filter(|c| !c.is_control()).map(|c| self.glyph(c).1).sum::<f32>() * size
    }

    /// One glyph per character, each pointing back at its bytes in `text` (the ToUnicode map).
    /// Control characters are skipped: they have no glyph and no place on paper.
    pub(crate) fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .filter(|(_, c)| !c.is_control())
            .map(|(at, c)| {
                let (id, advance) = self.glyph(c);
                let range: Range<usize> = at..at + c.len_utf8();
                KrillaGlyph::new(GlyphId::new(id), advance, 0.0, 0.0, 0.0, range, None)
            })
            .collect()
    }

    /// Break `text` into lines no wider than `max` points at `size`.
    ///
    /// Lines break at white space; `\n` starts a new line; runs of white space become one space;
    /// a word wider than a whole line is broken between characters. Empty or blank text gives no
    /// lines. Always terminates, whatever `max` is (at worst one character per line).
    pub(crate) fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        if text.trim().is_empty() {
            return lines;
        }
        let space = self.width(" ", size);
        for paragraph in text.trim_end().split('\n') {
            let mut line = String::new();
            let mut line_width = 0.0;
            for word in paragraph.split(char::is_whitespace).filter(|w| !w.is_empty()) {
                let word_width = self.width(word, size);
                let gap = if line.is_empty() { 0.0 } else { space };
                if line_width + gap + word_width <= max {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(word);
                    line_width += gap + word_width;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0.0;
                }
                if word_width <= max {
                    line.push_str(word);
                    line_width = word_width;
                    continue;
                }
                for c in word.chars().filter(|c| !c.is_control()) {
                    let w = self.glyph(c).1 * size;
                    if line_width + w > max && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line_width = 0.0;
                    }
                    line.push(c);
                    line_width += w;
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// The family: regular, bold and italic.
pub(crate) struct Fonts {
    regular: Face,
    bold: Face,
    italic: Face,
}

impl Fonts {
    /// Parse the bundled fonts. Cheap (no copies: the bytes are `'static`).
    pub(crate) fn load() -> Result<Fonts, ReportError> {
        Ok(Fonts {
            regular: Face::load(REGULAR, "LiberationSerif-Regular")?,
            bold: Face::load(BOLD, "LiberationSerif-Bold")?,
            italic: Face::load(ITALIC, "LiberationSerif-Italic")?,
        })
    }

    pub(crate) fn face(&self, style: Style) -> &Face {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
            Style::Italic => &self.italic,
        }
    }
}
