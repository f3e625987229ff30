//! What a PDF must pass before the PDF reader sees it.
//!
//! `pdf-extract` decodes every stream it touches in full and follows `/Parent` links and
//! Form XObjects (`/Name Do`) by recursion, with no bound: a deflate bomb takes gigabytes,
//! a page that is its own `/Parent` or a form that draws itself overflows the stack (which
//! no `catch_unwind` can catch). So, before it runs:
//!
//! - while the file is parsed, an object stream (`/Type /ObjStm`, decoded during loading)
//!   that decodes to more than [`MAX_STREAM`] bytes stops the load;
//! - every stream of the loaded document must decode to at most [`MAX_STREAM`] bytes, all
//!   of them together to at most [`MAX_TOTAL`] (decoding stops at the limit);
//! - the page tree (`/Kids` from the catalog, `/Parent` from each page) must be free of
//!   loops and at most [`MAX_DEPTH`] deep;
//! - the forms a page draws, and the forms they draw, must not draw themselves, nest more
//!   than [`MAX_DEPTH`] deep or be drawn more than [`MAX_DRAWS`] times in all.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::rc::Rc;

use pdf_extract::{Dictionary, Document, Object, ObjectId, Stream};

use crate::error::{Error, Result};

/// Largest decoded size of one stream: 32 MiB (a page's text takes kilobytes).
pub const MAX_STREAM: u64 = 32 << 20;
/// Largest decoded size of all streams together: 256 MiB.
pub const MAX_TOTAL: u64 = 256 << 20;
/// Deepest page tree and deepest nesting of forms.
pub const MAX_DEPTH: usize = 64;
/// Most form drawings (`Do`) in a document, counting repeats.
pub const MAX_DRAWS: usize = 100_000;

thread_local! {
    /// Set by [`load_filter`] when an object stream was too large to decode.
    static OVERSIZE: Cell<bool> = const { Cell::new(false) };
}

fn too_large(what: &str, limit: u64) -> Error {
    Error::TooLarge {
        what: format!("a PDF {what}"),
        limit,
    }
}

/// Load a PDF, refusing object streams that decode past [`MAX_STREAM`].
pub fn load(bytes: &[u8]) -> Result<Document> {
    OVERSIZE.with(|o| o.set(false));
    let options = pdf_extract::LoadOptions {
        filter: Some(load_filter),
        ..Default::default()
    };
    let doc = Document::load_mem_with_options(bytes, options);
    if OVERSIZE.with(|o| o.replace(false)) {
        return Err(too_large("object stream", MAX_STREAM));
    }
    doc.map_err(|e| Error::Pdf(e.to_string()))
}

/// lopdf calls this on every object it parses, before it decodes object streams.
fn load_filter(id: ObjectId, obj: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(s) = obj {
        if s.dict.has_type(b"ObjStm") && decoded_size(s, MAX_STREAM).is_none() {
            OVERSIZE.with(|o| o.set(true));
            return None;
        }
    }
    Some((id, obj.clone()))
}

/// The decoded size of a stream, or `None` when it exceeds `limit` (decoding stops there).
pub fn decoded_size(s: &Stream, limit: u64) -> Option<u64> {
    decode(s, limit).map(|d| d.len() as u64)
}

/// A stream's data decoded as lopdf decodes it, or `None` past `limit` bytes (decoding
/// stops there). Filters lopdf cannot decode end the chain, leaving the data as it is.
pub fn decode(s: &Stream, limit: u64) -> Option<Cow<'_, [u8]>> {
    let Ok(filters) = s.filters() else {
        return Some(Cow::Borrowed(&s.content));
    };
    let mut cur: Cow<'_, [u8]> = Cow::Borrowed(&s.content);
    for f in filters {
        let input: &[u8] = &cur;
        let out = match f {
            b"FlateDecode" => {
                let mut out = capped(flate2::read::ZlibDecoder::new(input), limit)?;
                if out.is_empty() && input.len() > 2 {
                    out = capped(flate2::read::DeflateDecoder::new(&input[2..]), limit)?;
                }
                out
            }
            b"LZWDecode" => {
                let mut out = Vec::new();
                let mut dec =
                    weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
                let mut sink = Capped {
                    out: &mut out,
                    limit,
                };
                let r = dec.into_stream(&mut sink).decode_all(input);
                if matches!(r.status, Err(ref e) if e.kind() == std::io::ErrorKind::OutOfMemory) {
                    return None;
                }
                out
            }
            b"ASCII85Decode" => {
                // At most 4 bytes out per byte in: bounded by the file itself.
                let mut dict = Dictionary::new();
                dict.set("Filter", Object::Name(f.to_vec()));
                Stream::new(dict, input.to_vec())
                    .decompressed_content()
                    .unwrap_or_else(|_| input.to_vec())
            }
            _ => break,
        };
        if out.len() as u64 > limit {
            return None;
        }
        cur = Cow::Owned(out);
    }
    Some(cur)
}

/// Read `r` to its end, or `None` past `limit` bytes.
fn capped(r: impl Read, limit: u64) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    // A decoding error keeps what was decoded so far, as lopdf does.
    let _ = r.take(limit + 1).read_to_end(&mut out);
    (out.len() as u64 <= limit).then_some(out)
}

/// A writer that refuses to grow past its limit.
struct Capped<'a> {
    out: &'a mut Vec<u8>,
    limit: u64,
}

impl std::io::Write for Capped<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if (self.out.len() + buf.len()) as u64 > self.limit {
            return Err(std::io::ErrorKind::OutOfMemory.into());
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Check a loaded (and decrypted) document against the limits of this module.
pub fn check(doc: &Document) -> Result<()> {
    for obj in doc.objects.values() {
        if let Object::Stream(s) = obj {
            // Images are checked when a page draws them (with their own limit).
            if !is_image(s) && decoded_size(s, MAX_STREAM).is_none() {
                return Err(too_large("stream", MAX_STREAM));
            }
        }
    }
    let pages = page_tree(doc)?;
    let mut walk = Walk {
        doc,
        scanned: BTreeMap::new(),
        path: Vec::new(),
        draws: 0,
        total: 0,
    };
    for page in pages {
        walk.page(page)?;
    }
    Ok(())
}

/// Largest decoded image a page may draw: 128 MiB.
pub const MAX_IMAGE: u64 = 128 << 20;

fn is_image(s: &Stream) -> bool {
    s.dict
        .get(b"Subtype")
        .and_then(Object::as_name)
        .is_ok_and(|n| n == b"Image")
}

fn loop_error(what: &str) -> Error {
    Error::Pdf(format!("{what} has a reference loop"))
}

fn deep_error(what: &str) -> Error {
    Error::Pdf(format!(
        "{what} is nested more than {MAX_DEPTH} levels deep"
    ))
}

/// The leaves (pages) of the page tree, in order; refuses loops in `/Kids` and `/Parent`
/// and trees deeper than [`MAX_DEPTH`].
fn page_tree(doc: &Document) -> Result<Vec<ObjectId>> {
    let root = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Pages").ok())
        .and_then(|o| o.as_reference().ok());
    let mut pages = Vec::new();
    let mut done = BTreeSet::new();
    if let Some(root) = root {
        let mut path = Vec::new();
        kids(doc, root, &mut path, &mut done, &mut pages)?;
    }
    for &page in &pages {
        let mut seen = vec![page];
        let mut cur = page;
        while let Some(parent) = doc
            .get_dictionary(cur)
            .ok()
            .and_then(|d| d.get(b"Parent").ok())
            .and_then(|p| p.as_reference().ok())
        {
            if seen.contains(&parent) {
                return Err(loop_error("the page tree (/Parent)"));
            }
            if seen.len() > MAX_DEPTH {
                return Err(deep_error("the page tree"));
            }
            seen.push(parent);
            cur = parent;
        }
    }
    Ok(pages)
}

fn kids(
    doc: &Document,
    id: ObjectId,
    path: &mut Vec<ObjectId>,
    done: &mut BTreeSet<ObjectId>,
    pages: &mut Vec<ObjectId>,
) -> Result<()> {
    if path.contains(&id) {
        return Err(loop_error("the page tree (/Kids)"));
    }
    if path.len() >= MAX_DEPTH {
        return Err(deep_error("the page tree"));
    }
    if !done.insert(id) {
        return Ok(());
    }
    let Ok(dict) = doc.get_dictionary(id) else {
        return Ok(());
    };
    match dict.get(b"Kids").and_then(Object::as_array) {
        Ok(children) => {
            path.push(id);
            for k in children {
                if let Ok(k) = k.as_reference() {
                    kids(doc, k, path, done, pages)?;
                }
            }
            path.pop();
        }
        Err(_) => pages.push(id),
    }
    Ok(())
}

/// A scanned stream: its decoded size and the names it draws.
type Scan = Rc<(u64, Vec<Vec<u8>>)>;

/// The forms and images pages draw, walked as the reader will walk them.
struct Walk<'a> {
    doc: &'a Document,
    /// Decoded size and drawn names of each stream scanned so far.
    scanned: BTreeMap<ObjectId, Scan>,
    /// Streams being drawn (innermost last).
    path: Vec<ObjectId>,
    draws: usize,
    total: u64,
}

impl<'a> Walk<'a> {
    fn page(&mut self, page: ObjectId) -> Result<()> {
        let resources = inherited_resources(self.doc, page);
        for id in self.doc.get_page_contents(page) {
            let scan = self.scan(id, MAX_STREAM)?;
            for name in &scan.1 {
                self.draw(name, resources, 1)?;
            }
        }
        Ok(())
    }

    fn draw(&mut self, name: &[u8], resources: Option<&'a Dictionary>, depth: usize) -> Result<()> {
        self.draws += 1;
        if self.draws > MAX_DRAWS {
            return Err(Error::Pdf(format!(
                "draws forms more than {MAX_DRAWS} times"
            )));
        }
        let doc = self.doc;
        let Some(id) = resources
            .and_then(|r| deref_dict(doc, r.get(b"XObject").ok()))
            .and_then(|x| x.get(name).ok())
            .and_then(|o| o.as_reference().ok())
        else {
            return Ok(());
        };
        if self.path.contains(&id) {
            return Err(loop_error("a form (it draws itself)"));
        }
        if depth > MAX_DEPTH {
            return Err(deep_error("a form"));
        }
        let Ok(stream) = doc.get_object(id).and_then(Object::as_stream) else {
            return Ok(());
        };
        let own = deref_dict(doc, stream.dict.get(b"Resources").ok()).or(resources);
        let limit = if is_image(stream) {
            MAX_IMAGE
        } else {
            MAX_STREAM
        };
        let scan = self.scan(id, limit)?;
        self.path.push(id);
        for n in &scan.1 {
            self.draw(n, own, depth + 1)?;
        }
        self.path.pop();
        Ok(())
    }

    /// Decode a stream (once) and list the names it draws; count its size (every time).
    fn scan(&mut self, id: ObjectId, limit: u64) -> Result<Scan> {
        let scan = match self.scanned.get(&id) {
            Some(s) => s.clone(),
            None => {
                let s = match self.doc.get_object(id).and_then(Object::as_stream) {
                    Ok(stream) => {
                        let data =
                            decode(stream, limit).ok_or_else(|| too_large("stream", limit))?;
                        (data.len() as u64, drawn_names(&data))
                    }
                    Err(_) => (0, Vec::new()),
                };
                let s = Rc::new(s);
                self.scanned.insert(id, s.clone());
                s
            }
        };
        self.total += scan.0;
        if self.total > MAX_TOTAL {
            return Err(too_large("document's drawn content", MAX_TOTAL));
        }
        Ok(scan)
    }
}

fn deref_dict<'a>(doc: &'a Document, o: Option<&'a Object>) -> Option<&'a Dictionary> {
    let (_, o) = doc.dereference(o?).ok()?;
    o.as_dict().ok()
}

/// A page's `/Resources`, looked up through its ancestors as the reader does (the tree
/// was checked for loops already).
fn inherited_resources(doc: &Document, page: ObjectId) -> Option<&Dictionary> {
    let mut dict = doc.get_dictionary(page).ok()?;
    for _ in 0..=MAX_DEPTH {
        if let Some(r) = deref_dict(doc, dict.get(b"Resources").ok()) {
            return Some(r);
        }
        let parent = dict.get(b"Parent").ok()?.as_reference().ok()?;
        dict = doc.get_dictionary(parent).ok()?;
    }
    None
}

/// The operands of the `Do` operators of a content stream (`/Fm0 Do` → `Fm0`), skipping
/// strings, comments and inline image data.
fn drawn_names(data: &[u8]) -> Vec<Vec<u8>> {
    let mut names = Vec::new();
    let mut last_name: Option<(usize, usize)> = None;
    let mut i = 0;
    let n = data.len();
    let delim = |b: u8| b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b);
    while i < n {
        let b = data[i];
        match b {
            b'%' => {
                while i < n && data[i] != b'\n' && data[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => {
                let mut depth = 0usize;
                while i < n {
                    match data[i] {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
                last_name = None;
            }
            b'/' => {
                let start = i + 1;
                i += 1;
                while i < n && !delim(data[i]) {
                    i += 1;
                }
                last_name = Some((start, i));
            }
            _ if delim(b) => i += 1,
            _ => {
                let start = i;
                while i < n && !delim(data[i]) {
                    i += 1;
                }
                let word = &data[start..i];
                if word == b"Do" {
                    if let Some((a, z)) = last_name {
                        names.push(data[a..z].to_vec());
                    }
                } else if word == b"ID" {
                    // Inline image data runs to `EI`.
                    match data[i..]
                        .windows(3)
                        .position(|w| delim(w[0]) && w[1] == b'E' && w[2] == b'I')
                    {
                        Some(p) => i += p + 3,
                        None => i = n,
                    }
                }
                last_name = None;
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn do_operands_are_found_outside_strings() {
        let names =
            drawn_names(b"q /Fm0 Do Q (/X Do) Tj % /Y Do\n/Im1  Do BI /W 1 ID /Z Do EI /Fm2 Do");
        assert_eq!(names, [b"Fm0".to_vec(), b"Im1".to_vec(), b"Fm2".to_vec()]);
    }

    #[test]
    fn bombs_stop_at_the_limit() {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&vec![b' '; 4 << 20]).unwrap();
        let mut dict = Dictionary::new();
        dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        let s = Stream::new(dict, z.finish().unwrap());
        assert_eq!(decoded_size(&s, 8 << 20), Some(4 << 20));
        assert_eq!(decoded_size(&s, 1 << 20), None);
    }
}
