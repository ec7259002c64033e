//! A small writer of tagged PDF/A-2a documents: headings and paragraphs of text, broken into
//! lines and pages, every line marked in the structure tree under its heading or paragraph, so a
//! screen reader reads the document in order. The fonts (DejaVu Sans, which has every Norwegian
//! letter) are embedded and subset by krilla, which also refuses to write a document that breaks
//! a rule of PDF/A-2a. Text is set a glyph per character, without a shaper (no kerning).

use std::io::Read;
use std::num::NonZeroU16;
use std::sync::{Arc, OnceLock};

use krilla::Document;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::geom::Point;
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::surface::Surface;
use krilla::tagging::{ContentTag, Identifier, SpanTag, Tag, TagGroup, TagTree};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use folgesvenn_domain::Moment;

use crate::error::ExportError;

/// Where a document being made tells how far it has come: called with the pages drawn so far and
/// the pages in all (`0, n` before the first, `n, n` when only saving remains). Returning `false`
/// stops it with [`ExportError::Cancelled`].
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize) -> bool;

/// The fonts as `build.rs` deflated them, and each inflated once, on the first export that
/// needs it.
static REGULAR: Embedded = Embedded {
    deflated: include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSans.ttf.deflate")),
    inflated: OnceLock::new(),
};
static BOLD: Embedded = Embedded {
    deflated: include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSans-Bold.ttf.deflate")),
    inflated: OnceLock::new(),
};

struct Embedded {
    deflated: &'static [u8],
    inflated: OnceLock<Arc<Vec<u8>>>,
}

impl Embedded {
    fn bytes(&self) -> Result<Arc<Vec<u8>>, ExportError> {
        if let Some(font) = self.inflated.get() {
            return Ok(font.clone());
        }
        let mut font = Vec::new();
        flate2::read::DeflateDecoder::new(self.deflated)
            .read_to_end(&mut font)
            .map_err(|_| ExportError::Font("inflate"))?;
        Ok(self.inflated.get_or_init(|| Arc::new(font)).clone())
    }
}

/// A4 in points, and the margins around the text.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
const BODY: f32 = 10.5;
const LEADING: f32 = 1.4;

/// One block of the document, in reading order.
pub enum Block {
    /// A heading of level 1 (the title) or 2 (a section).
    Heading(u16, String),
    /// A paragraph; a line break in the text starts a new line.
    Para(String),
}

struct Face {
    font: Font,
    /// Each character's glyph and advance width at size 1, by character: what lines are
    /// broken by, and what they are drawn with.
    glyphs: Vec<(char, u32, f32)>,
    fallback: f32,
}

impl Face {
    fn load(embedded: &Embedded) -> Result<Face, ExportError> {
        let data = embedded.bytes()?;
        let font = Font::new(data.clone().into(), 0).ok_or(ExportError::Font("krilla"))?;
        let reader = FontRef::new(&data).map_err(|_| ExportError::Font("skrifa"))?;
        let charmap = reader.charmap();
        let metrics = reader.glyph_metrics(Size::new(1.0), LocationRef::default());
        let fallback = charmap
            .map('M')
            .and_then(|g| metrics.advance_width(g))
            .unwrap_or(0.6);
        let mut glyphs = charmap
            .mappings()
            .filter_map(|(c, g)| Some((char::from_u32(c)?, g.to_u32(), metrics.advance_width(g)?)))
            .collect::<Vec<_>>();
        glyphs.sort_by_key(|(c, _, _)| *c);
        Ok(Face {
            font,
            glyphs,
            fallback,
        })
    }

    /// The glyph of `c` and its advance at size 1; a character the font lacks is its missing
    /// glyph (id 0).
    fn glyph(&self, c: char) -> (u32, f32) {
        self.glyphs
            .binary_search_by_key(&c, |(k, _, _)| *k)
            .map_or((0, self.fallback), |i| (self.glyphs[i].1, self.glyphs[i].2))
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }

    /// `text` as glyphs, one per character, left to right, spaced as `width` measures them.
    /// No shaper: Norwegian and the other scripts of the font's Latin, Greek and Cyrillic
    /// letters need none, and it keeps rustybuzz (half a megabyte) out of the app.
    fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(at, c)| {
                let (id, advance) = self.glyph(c);
                let range = at..at + c.len_utf8();
                KrillaGlyph::new(GlyphId::new(id), advance, 0.0, 0.0, 0.0, range, None)
            })
            .collect()
    }
}

/// Breaks `text` into lines no wider than `max` points; a word wider than a line is broken
/// between characters.
fn wrap(face: &Face, text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if face.width(&candidate, size) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if face.width(&piece, size) > max && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    lines
}

struct Line {
    text: String,
    size: f32,
    bold: bool,
    y: f32,
    /// The block (its index) the line belongs to.
    block: usize,
}

/// Writes `blocks` as a tagged PDF/A-2a document titled `title`, in Norwegian bokmål, made at
/// `created` (UTC), telling `progress` page by page.
pub fn write(
    title: &str,
    created: &Moment,
    blocks: &[Block],
    progress: Progress<'_>,
) -> Result<Vec<u8>, ExportError> {
    let regular = Face::load(&REGULAR)?;
    let bold = Face::load(&BOLD)?;
    let width = PAGE_W - 2.0 * MARGIN;

    // Lay out every line on its page first; then draw page by page.
    let mut pages: Vec<Vec<Line>> = vec![Vec::new()];
    let mut y = MARGIN;
    for (i, block) in blocks.iter().enumerate() {
        let (text, size, is_bold, before) = match block {
            Block::Heading(1, t) => (t.as_str(), 18.0, true, 0.0),
            Block::Heading(_, t) => (t.as_str(), 13.0, true, 14.0),
            Block::Para(t) => (t.as_str(), BODY, false, 4.0),
        };
        let face = if is_bold { &bold } else { &regular };
        y += before;
        for text in wrap(face, text, size, width) {
            let step = size * LEADING;
            if y + step > PAGE_H - MARGIN {
                pages.push(Vec::new());
                y = MARGIN;
            }
            y += step;
            if let Some(page) = pages.last_mut() {
                page.push(Line {
                    text,
                    size,
                    bold: is_bold,
                    y,
                    block: i,
                });
            }
        }
    }

    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_A)
        .finish()
        .map_err(|e| ExportError::Pdf(format!("{e:?}")))?;
    let mut document = Document::new_with(krilla::SerializeSettings {
        configuration,
        enable_tagging: true,
        ..Default::default()
    });
    document.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .language("nb-NO".to_owned())
            .creator("Følgesvenn".to_owned())
            .creation_date(date_time(created)),
    );
    let mut ids: Vec<Vec<Identifier>> = blocks.iter().map(|_| Vec::new()).collect();
    for (done, lines) in pages.iter().enumerate() {
        if !progress(done, pages.len()) {
            return Err(ExportError::Cancelled);
        }
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| ExportError::Pdf("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for line in lines {
            draw(
                &mut surface,
                line,
                if line.bold { &bold } else { &regular },
                &mut ids,
            );
        }
        surface.finish();
        page.finish();
    }
    let mut tree = TagTree::new().with_lang(Some("nb-NO".to_owned()));
    for (block, ids) in blocks.iter().zip(ids) {
        let tag: krilla::tagging::TagKind = match block {
            Block::Heading(level, _) => {
                Tag::Hn(NonZeroU16::new(*level).unwrap_or(NonZeroU16::MIN), None).into()
            }
            Block::Para(_) => Tag::P.into(),
        };
        let mut group = TagGroup::new(tag);
        for id in ids {
            group.push(id);
        }
        tree.push(group);
    }
    document.set_tag_tree(tree);
    if !progress(pages.len(), pages.len()) {
        return Err(ExportError::Cancelled);
    }
    document
        .finish()
        .map_err(|e| ExportError::Pdf(format!("{e:?}")))
}

/// `created` as the document's date: its RFC 3339 text read field by field (always UTC here).
fn date_time(created: &Moment) -> DateTime {
    let s = created.to_string();
    let n = |from: usize, to: usize| s.get(from..to).and_then(|v| v.parse::<u16>().ok());
    DateTime::new(n(0, 4).unwrap_or(1970))
        .month(n(5, 7).unwrap_or(1) as u8)
        .day(n(8, 10).unwrap_or(1) as u8)
        .hour(n(11, 13).unwrap_or(0) as u8)
        .minute(n(14, 16).unwrap_or(0) as u8)
        .second(n(17, 19).unwrap_or(0) as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

fn draw(surface: &mut Surface<'_>, line: &Line, face: &Face, ids: &mut [Vec<Identifier>]) {
    if line.text.is_empty() {
        return; // a blank line only takes room
    }
    let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
    surface.draw_glyphs(
        Point::from_xy(MARGIN, line.y),
        &face.glyphs(&line.text),
        face.font.clone(),
        &line.text,
        line.size,
        false,
    );
    surface.end_tagged();
    if let Some(block) = ids.get_mut(line.block) {
        block.push(id);
    }
}
