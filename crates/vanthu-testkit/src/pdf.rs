//! Small hand-written PDFs for tests: exactly the objects given, a classic cross-reference table.

/// How [`classic_with`] writes a file.
#[derive(Clone, Copy, Debug)]
pub struct Classic<'a> {
    /// The header's version: `%PDF-{version}`.
    pub version: &'a str,
    /// Whether the trailer carries a fixed `/ID`.
    pub id: bool,
    /// Whether a newline follows `%%EOF`.
    pub final_newline: bool,
}

impl Default for Classic<'_> {
    fn default() -> Self {
        Classic { version: "1.7", id: true, final_newline: true }
    }
}

/// A PDF 1.7 file (with a fixed `/ID`) whose objects `1 0 obj`, `2 0 obj`… are `objects` in order (object 1 is the
/// catalog), with a correct classic xref table and trailer.
pub fn classic(objects: &[Vec<u8>]) -> Vec<u8> {
    classic_with(Classic::default(), objects)
}

/// [`classic`] with another version, without `/ID` or without the final newline: files "from
/// elsewhere", not made by our writer.
pub fn classic_with(how: Classic<'_>, objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("%PDF-{}\n", how.version).into_bytes();
    out.extend_from_slice(b"%\xe2\xe3\xcf\xd3\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    let id = if how.id { " /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>]" } else { "" };
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R{id} >>\nstartxref\n{xref}\n%%EOF", objects.len() + 1).as_bytes(),
    );
    if how.final_newline {
        out.push(b'\n');
    }
    out
}

/// A stream object's body: its dictionary entries (without `/Length`) and its data.
pub fn stream(entries: &str, data: &[u8]) -> Vec<u8> {
    [format!("<< {entries} /Length {} >>\nstream\n", data.len()).as_bytes(), data, b"\nendstream"].concat()
}
