//! Pages as lists of drawing operations, laid out first and written to PDF second.
//!
//! Every printout carries "Trang N/M" and the system mark on every page, and M is known only when
//! the last page has been laid out. So layout and writing are two steps: the forms build
//! [`Page`]s of plain [`Op`]s with a [`Flow`] (a cursor that moves down the page and starts a new
//! one when the next line would cross the bottom margin), and [`write_pdf`] turns the finished
//! list into a PDF, adding the footer to each page. Keeping the operations as data also makes the
//! layout cheap to redo (the case file lays out its catalogue twice to learn where documents
//! start).
//!
//! Coordinates are PDF points (1/72 inch), origin at the top-left corner, y growing downwards,
//! text positioned by its baseline. Nothing here knows about registers or case files.

use krilla::Document;
use krilla::configure::{ConfigurationBuilder, PdfVersion};
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke, StrokeDash};
use krilla::pdf::PdfDocument;

use crate::ReportError;
use crate::font::{Fonts, Style};

/// Millimetres to points.
pub(crate) const MM: f32 = 72.0 / 25.4;

/// Height kept free at the foot of an attached page for the footer.
const ATTACHED_STRIP: f32 = 16.0 * MM;

/// Page size and margins.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Geometry {
    pub width: f32,
    pub height: f32,
    pub margin: f32,
}

impl Geometry {
    pub(crate) const A4_PORTRAIT: Geometry = Geometry { width: 210.0 * MM, height: 297.0 * MM, margin: 20.0 * MM };
    pub(crate) const A4_LANDSCAPE: Geometry = Geometry { width: 297.0 * MM, height: 210.0 * MM, margin: 20.0 * MM };

    pub(crate) fn left(&self) -> f32 {
        self.margin
    }
    pub(crate) fn right(&self) -> f32 {
        self.width - self.margin
    }
    pub(crate) fn top(&self) -> f32 {
        self.margin
    }
    pub(crate) fn bottom(&self) -> f32 {
        self.height - self.margin
    }
    pub(crate) fn content_width(&self) -> f32 {
        self.right() - self.left()
    }
}

/// One drawing operation.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// A single line of text (no wrapping here), baseline at `y`.
    Text { x: f32, y: f32, size: f32, style: Style, text: String },
    /// A straight line; `dotted` for the blanks a person fills in by hand.
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32, dotted: bool },
    /// Page `page` of attachment `attachment`, drawn over the whole page.
    Attached { attachment: usize, page: usize },
}

/// One laid-out page.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub width: f32,
    pub height: f32,
    pub ops: Vec<Op>,
}

/// Horizontal alignment of a line of text in its box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
}

/// A cursor that flows content down pages of one geometry.
pub(crate) struct Flow<'f> {
    pub fonts: &'f Fonts,
    pub geometry: Geometry,
    pub pages: Vec<Page>,
    /// Baseline-independent vertical position: the top of the next thing to place.
    pub y: f32,
    /// A short italic line printed above the top margin of every page this flow starts.
    running_head: Option<String>,
}

impl<'f> Flow<'f> {
    /// A flow whose first page is started right away.
    pub(crate) fn new(fonts: &'f Fonts, geometry: Geometry) -> Flow<'f> {
        let mut flow = Flow { fonts, geometry, pages: Vec::new(), y: 0.0, running_head: None };
        flow.new_page();
        flow
    }

    /// Set the running head for pages started from now on.
    pub(crate) fn set_running_head(&mut self, head: Option<String>) {
        self.running_head = head;
    }

    /// Start a new page and put the cursor at its top margin.
    pub(crate) fn new_page(&mut self) {
        let g = self.geometry;
        self.pages.push(Page { width: g.width, height: g.height, ops: Vec::new() });
        self.y = g.top();
        if let Some(head) = self.running_head.clone() {
            let size = 9.0;
            let line = self.fit(&head, Style::Italic, size, g.content_width());
            self.text_in(g.left(), g.top() - 8.0, g.content_width(), size, Style::Italic, Align::Center, line);
        }
    }

    /// Space left above the bottom margin.
    pub(crate) fn remaining(&self) -> f32 {
        self.geometry.bottom() - self.y
    }

    /// True when nothing has been placed below the top margin of the current page yet.
    pub(crate) fn at_page_top(&self) -> bool {
        self.y <= self.geometry.top() + 0.01
    }

    /// Start a new page unless `height` still fits (or we are at the top of a page already).
    pub(crate) fn ensure(&mut self, height: f32) {
        if self.remaining() < height && !self.at_page_top() {
            self.new_page();
        }
    }

    /// Add an operation to the current page.
    pub(crate) fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.ops.push(op);
        }
    }

    /// Draw one line of text aligned in the box `[x, x + width]`, baseline `baseline`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text_in(
        &mut self,
        x: f32,
        baseline: f32,
        width: f32,
        size: f32,
        style: Style,
        align: Align,
        text: String,
    ) {
        if text.is_empty() {
            return;
        }
        let w = self.fonts.face(style).width(&text, size);
        let x = match align {
            Align::Left => x,
            Align::Center => x + (width - w) / 2.0,
        };
        self.push(Op::Text { x, y: baseline, size, style, text });
    }

    /// A horizontal rule.
    pub(crate) fn rule(&mut self, x1: f32, x2: f32, y: f32, width: f32) {
        self.push(Op::Line { x1, y1: y, x2, y2: y, width, dotted: false });
    }

    /// Shorten `text` with an ellipsis until it fits `width` (for one-line places like footers).
    pub(crate) fn fit(&self, text: &str, style: Style, size: f32, width: f32) -> String {
        fit(self.fonts, text, style, size, width)
    }

    /// A wrapped paragraph in the box `[x, x + width]`, flowing onto new pages as needed.
    /// `leading` is the distance between baselines. Moves the cursor below the paragraph.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn paragraph(
        &mut self,
        x: f32,
        width: f32,
        text: &str,
        size: f32,
        style: Style,
        align: Align,
        leading: f32,
    ) {
        for line in self.fonts.face(style).wrap(text, size, width) {
            self.ensure(leading);
            let baseline = self.y + size;
            self.text_in(x, baseline, width, size, style, align, line);
            self.y += leading;
        }
    }

    /// "Label: value" with the value wrapped in a hanging indent after the label.
    /// An empty value leaves a dotted line to be filled in by hand.
    pub(crate) fn label_value(&mut self, label: &str, value: &str, size: f32, leading: f32) {
        let g = self.geometry;
        let label_width = self.fonts.face(Style::Bold).width(label, size) + size * 0.3;
        let indent = label_width.min(g.content_width() * 0.45);
        let value_width = g.content_width() - indent;
        let lines = self.fonts.face(Style::Regular).wrap(value, size, value_width);
        self.ensure(leading);
        let baseline = self.y + size;
        let label_line = self.fit(label, Style::Bold, size, g.content_width() * 0.45);
        self.text_in(g.left(), baseline, indent, size, Style::Bold, Align::Left, label_line);
        if lines.is_empty() {
            self.dotted_line(g.left() + indent, g.right(), baseline + 1.5);
            self.y += leading;
            return;
        }
        for (i, line) in lines.into_iter().enumerate() {
            if i > 0 {
                self.ensure(leading);
            }
            let baseline = self.y + size;
            self.text_in(g.left() + indent, baseline, value_width, size, Style::Regular, Align::Left, line);
            self.y += leading;
        }
    }

    /// A dotted line (a blank to write on).
    pub(crate) fn dotted_line(&mut self, x1: f32, x2: f32, y: f32) {
        self.push(Op::Line { x1, y1: y, x2, y2: y, width: 0.5, dotted: true });
    }

    /// Move the cursor down.
    pub(crate) fn gap(&mut self, height: f32) {
        self.y += height;
    }

    /// The organisation block of a form header: the parent organisation in capitals, the
    /// organisation in bold capitals, a short rule under them; centred in `[x, x + width]`.
    pub(crate) fn organisation_header(
        &mut self,
        parent: Option<&str>,
        organisation: &str,
        x: f32,
        width: f32,
        size: f32,
    ) {
        let leading = size * 1.25;
        if let Some(parent) = parent.filter(|p| !p.trim().is_empty()) {
            self.paragraph(x, width, &parent.to_uppercase(), size, Style::Regular, Align::Center, leading);
        }
        self.paragraph(x, width, &organisation.to_uppercase(), size, Style::Bold, Align::Center, leading);
        let rule = width / 3.0;
        let y = self.y + 4.0;
        self.rule(x + (width - rule) / 2.0, x + (width + rule) / 2.0, y, 0.6);
        self.y = y + 4.0;
    }
}

/// Shorten `text` with an ellipsis until it fits `width`.
pub(crate) fn fit(fonts: &Fonts, text: &str, style: Style, size: f32, width: f32) -> String {
    let face = fonts.face(style);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if face.width(&flat, size) <= width {
        return flat;
    }
    let ellipsis = "…";
    let room = width - face.width(ellipsis, size);
    let mut out = String::new();
    let mut used = 0.0;
    for c in flat.chars() {
        let w = face.width(c.encode_utf8(&mut [0; 4]), size);
        if used + w > room {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push_str(ellipsis);
    out
}

/// What goes into the PDF besides the pages.
pub(crate) struct PdfSettings<'a> {
    /// Document title (metadata).
    pub title: &'a str,
    /// The footer mark, e.g. "In từ hệ thống Vanthu bởi …, lúc …".
    pub mark: &'a str,
    /// Pages of other PDFs that `Op::Attached` refers to.
    pub attachments: &'a [PdfDocument],
}

/// Write laid-out pages to PDF, with the mark and "Trang N/M" at the foot of every page.
pub(crate) fn write_pdf(fonts: &Fonts, pages: &[Page], settings: &PdfSettings<'_>) -> Result<Vec<u8>, ReportError> {
    // Embedded PDFs may be of any version up to 2.0; krilla refuses to embed a newer one than the
    // document's own, so a case file with attachments is written as PDF 2.0.
    let version = if settings.attachments.is_empty() { PdfVersion::Pdf17 } else { PdfVersion::Pdf20 };
    let configuration =
        ConfigurationBuilder::new().with_version(version).finish().map_err(|e| ReportError::Pdf(format!("{e:?}")))?;
    let serialize = krilla::SerializeSettings { configuration, ..krilla::SerializeSettings::default() };
    let mut document = Document::new_with(serialize);
    document.set_metadata(
        Metadata::new()
            .title(settings.title.to_owned())
            .language("vi".to_owned())
            .creator("Vanthu".to_owned())
            .producer("Vanthu".to_owned()),
    );
    let total = pages.len().max(1);
    for (index, page) in pages.iter().enumerate() {
        let page_settings = PageSettings::from_wh(page.width, page.height)
            .ok_or_else(|| ReportError::Pdf("kích thước trang".into()))?;
        let mut pdf_page = document.start_page_with(page_settings);
        let mut surface = pdf_page.surface();
        for op in &page.ops {
            draw(&mut surface, fonts, op, settings.attachments, page);
        }
        let footer = footer_ops(fonts, page, settings.mark, index + 1, total);
        for op in &footer {
            draw(&mut surface, fonts, op, settings.attachments, page);
        }
        surface.finish();
        pdf_page.finish();
    }
    document.finish().map_err(|e| ReportError::Pdf(e.to_string()))
}

/// The footer: a thin rule, the mark on the left, "Trang N/M" on the right.
fn footer_ops(fonts: &Fonts, page: &Page, mark: &str, number: usize, total: usize) -> Vec<Op> {
    let size = 8.5;
    let margin = 20.0 * MM;
    let left = margin.min(page.width * 0.1);
    let right = page.width - left;
    let baseline = page.height - (11.0 * MM).min(page.height * 0.05);
    let numbering = format!("Trang {number}/{total}");
    let numbering_width = fonts.face(Style::Italic).width(&numbering, size);
    let mark_room = (right - left - numbering_width - 12.0).max(0.0);
    let mark_line = fit(fonts, mark, Style::Italic, size, mark_room);
    let rule = baseline - size - 2.0;
    let mut ops = vec![Op::Line { x1: left, y1: rule, x2: right, y2: rule, width: 0.4, dotted: false }];
    ops.push(Op::Text { x: left, y: baseline, size, style: Style::Italic, text: mark_line });
    ops.push(Op::Text { x: right - numbering_width, y: baseline, size, style: Style::Italic, text: numbering });
    ops
}

fn draw(surface: &mut krilla::surface::Surface<'_>, fonts: &Fonts, op: &Op, attachments: &[PdfDocument], page: &Page) {
    match op {
        Op::Text { x, y, size, style, text } => {
            if text.is_empty() {
                return;
            }
            let face = fonts.face(*style);
            let glyphs = face.glyphs(text);
            surface.set_stroke(None);
            surface.set_fill(Some(Fill::default()));
            surface.draw_glyphs(Point::from_xy(*x, *y), &glyphs, face.pdf(), text, *size, false);
        }
        Op::Line { x1, y1, x2, y2, width, dotted } => {
            let mut builder = PathBuilder::new();
            builder.move_to(*x1, *y1);
            builder.line_to(*x2, *y2);
            let Some(path) = builder.finish() else { return };
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                width: *width,
                dash: dotted.then(|| StrokeDash { array: vec![0.8, 1.6], offset: 0.0 }),
                ..Stroke::default()
            }));
            surface.draw_path(&path);
            surface.set_stroke(None);
        }
        Op::Attached { attachment, page: index } => {
            // Shrink the page a little, top-centred, so the footer strip below it is free for the
            // mark: the mark must never cover the document's own text.
            let scale = ((page.height - ATTACHED_STRIP) / page.height).clamp(0.5, 1.0);
            let (w, h) = (page.width * scale, page.height * scale);
            if let (Some(pdf), Some(size)) = (attachments.get(*attachment), Size::from_wh(w, h)) {
                surface.push_transform(&Transform::from_translate((page.width - w) / 2.0, 0.0));
                surface.draw_pdf_page(pdf, size, *index);
                surface.pop();
            }
        }
    }
}
