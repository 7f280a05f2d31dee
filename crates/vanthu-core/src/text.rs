//! Vietnamese text: storage normalisation and search folding.
//!
//! Two different jobs, kept apart on purpose:
//! - [`clean`] is what we **store**: Unicode NFC (TCVN 6909:2001 asks for precomposed Unicode), trimmed,
//!   inner whitespace runs collapsed to one space, control characters removed. Text typed on a Mac or
//!   pasted from a PDF often arrives NFD ("e" + U+0302 + U+0301); stored as-is it would look right and
//!   never match.
//! - [`fold`] is what we **search on**: diacritics removed, đ/Đ mapped to d, lower case, punctuation to
//!   spaces. "quyet dinh" then finds "Quyết định" and "da nang" finds "Đà Nẵng", whatever form the stored
//!   text arrived in. Folded text is never shown to the user.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalises `s` to NFC without any other change.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// The form in which every user-supplied string is stored: NFC, no control characters, whitespace
/// runs collapsed to a single space, trimmed.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfc() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else if c.is_control() {
            continue;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// The search form of `s`: no diacritics, đ → d, lower case, every run of characters that are not
/// letters or digits turned into one space, trimmed.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' | 'ð' | 'Ð' => 'd',
            _ => c,
        };
        if c.is_alphanumeric() {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.extend(c.to_lowercase());
        } else {
            pending_space = !out.is_empty();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_fold(input: &str, expected: &str) {
        assert_eq!(fold(input), expected, "fold({input:?})");
    }

    #[test]
    fn folding_cases() {
        let nfd_quyet_dinh: String = "Quyết định".nfd().collect();
        assert_ne!(nfd_quyet_dinh, "Quyết định", "the test input really is NFD");
        for (input, expected) in [
            ("Quyết định", "quyet dinh"),
            (nfd_quyet_dinh.as_str(), "quyet dinh"),
            ("Đà Nẵng", "da nang"),
            ("ĐÀ NẴNG", "da nang"),
            ("đường", "duong"),
            ("Ủy ban nhân dân tỉnh Lào Cai", "uy ban nhan dan tinh lao cai"),
            ("Sở Thông tin và Truyền thông", "so thong tin va truyen thong"),
            ("136/TTr-STTTT", "136 ttr stttt"),
            ("Hỏa tốc", "hoa toc"),
            ("Thượng khẩn", "thuong khan"),
            ("  nhiều   khoảng\ttrắng \n", "nhieu khoang trang"),
            ("ưu tiên ơn", "uu tien on"),
            ("", ""),
        ] {
            check_fold(input, expected);
        }
    }

    #[test]
    fn clean_gives_nfc_and_tidy_whitespace() {
        let nfd: String = "Tờ trình".nfd().collect();
        let cleaned = clean(&format!("  {nfd} \u{0007}số   136 "));
        assert_eq!(cleaned, "Tờ trình số 136");
        assert_eq!(cleaned, nfc(&cleaned));
    }
}
