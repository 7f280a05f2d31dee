//! Register series and the numbers they give (domain §3).
//!
//! The unit of numbering is a **series in a year**: a register book. Every number is drawn from exactly
//! one [`SeriesKey`] and one year, starts at 1 on 1 January (Vietnam time), and is never reused. This
//! module decides *which* series a document draws from and *how* its number and notation are written;
//! drawing the next number is the store's job, inside the transaction that writes the record.
//!
//! Series (Decree 30 art. 15, 22):
//! - incoming: one series a year, paper and electronic together;
//! - outgoing administrative documents: one series a year, công văn included;
//! - each type of legal normative document: its own series, the year written in the notation;
//! - secret documents: their own series;
//! - copies (SY, SL, TrS): one shared series;
//! - each advisory body issuing under the agency's seal: its own series.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::document::DocumentError;
use crate::text::{clean, fold};

/// A document type of Decree 30 App. III with its abbreviation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentType {
    /// Tên loại, as written: "Quyết định".
    pub name: &'static str,
    /// Viết tắt: "QĐ". Empty for công văn, which has none.
    pub abbreviation: &'static str,
    /// What numbering rule the type follows.
    pub class: TypeClass,
}

/// How a type is numbered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeClass {
    /// An administrative document with a type abbreviation.
    Administrative,
    /// Công văn: no type abbreviation; the notation is agency + drafting unit.
    OfficialLetter,
    /// A copy (bản sao): SY, SL, TrS; one shared series.
    Copy,
}

const fn t(name: &'static str, abbreviation: &'static str) -> DocumentType {
    DocumentType { name, abbreviation, class: TypeClass::Administrative }
}

/// The types of Decree 30/2020/NĐ-CP App. III, and the three copy forms. There is no "CV".
pub const DOCUMENT_TYPES: &[DocumentType] = &[
    t("Nghị quyết", "NQ"),
    t("Quyết định", "QĐ"),
    t("Chỉ thị", "CT"),
    t("Quy chế", "QC"),
    t("Quy định", "QyĐ"),
    t("Thông cáo", "TC"),
    t("Thông báo", "TB"),
    t("Hướng dẫn", "HD"),
    t("Chương trình", "CTr"),
    t("Kế hoạch", "KH"),
    t("Phương án", "PA"),
    t("Đề án", "ĐA"),
    t("Dự án", "DA"),
    t("Báo cáo", "BC"),
    t("Biên bản", "BB"),
    t("Tờ trình", "TTr"),
    t("Hợp đồng", "HĐ"),
    t("Công điện", "CĐ"),
    t("Bản ghi nhớ", "BGN"),
    t("Bản thỏa thuận", "BTT"),
    t("Giấy ủy quyền", "GUQ"),
    t("Giấy mời", "GM"),
    t("Giấy giới thiệu", "GGT"),
    t("Giấy nghỉ phép", "GNP"),
    t("Phiếu gửi", "PG"),
    t("Phiếu chuyển", "PC"),
    t("Phiếu báo", "PB"),
    DocumentType { name: "Công văn", abbreviation: "", class: TypeClass::OfficialLetter },
    DocumentType { name: "Bản sao y", abbreviation: "SY", class: TypeClass::Copy },
    DocumentType { name: "Bản trích sao", abbreviation: "TrS", class: TypeClass::Copy },
    DocumentType { name: "Bản sao lục", abbreviation: "SL", class: TypeClass::Copy },
];

/// Finds a type by its name or abbreviation. Names match without regard to case or diacritics
/// ("quyet dinh"); abbreviations match exactly first ("DA" is Dự án, "ĐA" Đề án), then folded when
/// that is unambiguous.
pub fn find_type(input: &str) -> Option<&'static DocumentType> {
    let input = clean(input);
    if input.is_empty() {
        return None;
    }
    if let Some(t) = DOCUMENT_TYPES.iter().find(|t| !t.abbreviation.is_empty() && t.abbreviation == input) {
        return Some(t);
    }
    let folded = fold(&input);
    if let Some(t) = DOCUMENT_TYPES.iter().find(|t| fold(t.name) == folded) {
        return Some(t);
    }
    let mut by_abbr = DOCUMENT_TYPES.iter().filter(|t| !t.abbreviation.is_empty() && fold(t.abbreviation) == folded);
    match (by_abbr.next(), by_abbr.next()) {
        (Some(t), None) => Some(t),
        _ => None,
    }
}

/// A register series: which book a number is drawn from (within a year).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum SeriesKey {
    /// Sổ văn bản đến: every incoming document.
    Incoming,
    /// Outgoing administrative documents (công văn included).
    Administrative,
    /// One type of legal normative document, by its abbreviation.
    Legal(String),
    /// Outgoing secret documents.
    Secret,
    /// Copies: SY, SL and TrS together.
    Copies,
    /// An advisory body issuing under the agency's seal, by its abbreviation.
    Advisory(String),
}

impl SeriesKey {
    /// The stable key stored in the database: `den`, `di`, `di/qppl/QĐ`, `di/mat`, `di/sao`,
    /// `di/tu-van/HĐTĐ`.
    pub fn key(&self) -> String {
        match self {
            SeriesKey::Incoming => "den".to_owned(),
            SeriesKey::Administrative => "di".to_owned(),
            SeriesKey::Legal(t) => format!("di/qppl/{t}"),
            SeriesKey::Secret => "di/mat".to_owned(),
            SeriesKey::Copies => "di/sao".to_owned(),
            SeriesKey::Advisory(b) => format!("di/tu-van/{b}"),
        }
    }

    /// Parses [`SeriesKey::key`]'s output.
    pub fn parse(key: &str) -> Option<SeriesKey> {
        Some(match key {
            "den" => SeriesKey::Incoming,
            "di" => SeriesKey::Administrative,
            "di/mat" => SeriesKey::Secret,
            "di/sao" => SeriesKey::Copies,
            _ => {
                if let Some(t) = key.strip_prefix("di/qppl/") {
                    SeriesKey::Legal(t.to_owned())
                } else if let Some(b) = key.strip_prefix("di/tu-van/") {
                    SeriesKey::Advisory(b.to_owned())
                } else {
                    return None;
                }
            }
        })
    }

    /// The Vietnamese name of the register book.
    pub fn title(&self) -> String {
        match self {
            SeriesKey::Incoming => "Sổ đăng ký văn bản đến".to_owned(),
            SeriesKey::Administrative => "Sổ đăng ký văn bản đi".to_owned(),
            SeriesKey::Legal(t) => format!("Sổ đăng ký văn bản quy phạm pháp luật ({t})"),
            SeriesKey::Secret => "Sổ đăng ký văn bản mật đi".to_owned(),
            SeriesKey::Copies => "Sổ đăng ký bản sao".to_owned(),
            SeriesKey::Advisory(b) => format!("Sổ đăng ký văn bản đi của {b}"),
        }
    }
}

impl From<SeriesKey> for String {
    fn from(k: SeriesKey) -> String {
        k.key()
    }
}

impl TryFrom<String> for SeriesKey {
    type Error = String;
    fn try_from(s: String) -> Result<SeriesKey, String> {
        SeriesKey::parse(&s).ok_or(s)
    }
}

/// An outgoing document's type resolved against App. III, with what its notation needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingKind {
    /// Tên loại: "Quyết định", "Công văn"…
    pub type_name: String,
    /// App. III abbreviation; empty for công văn.
    pub abbreviation: String,
    /// Legal normative document.
    pub legal: bool,
    /// Drafting unit's abbreviation.
    pub drafting_unit: Option<String>,
    /// Advisory body's abbreviation, when it issues under the agency's seal.
    pub advisory_body: Option<String>,
    /// The series the number is drawn from.
    pub series: SeriesKey,
}

impl OutgoingKind {
    /// Resolves a typed type name (or abbreviation) with the flags that decide its series.
    pub fn resolve(
        type_input: &str,
        legal: bool,
        drafting_unit: Option<&str>,
        advisory_body: Option<&str>,
        secret: bool,
    ) -> Result<OutgoingKind, DocumentError> {
        let ty = find_type(type_input).ok_or_else(|| DocumentError::UnknownType(clean(type_input)))?;
        if legal && ty.class != TypeClass::Administrative {
            return Err(DocumentError::NotLegal(ty.name.to_owned()));
        }
        let abbreviation_part = |s: Option<&str>| -> Result<Option<String>, DocumentError> {
            match s.map(clean) {
                Some(s) if s.is_empty() => Ok(None),
                Some(s) if s.chars().count() > 20 || s.contains(['/', ' ']) => Err(DocumentError::BadCode(s)),
                other => Ok(other),
            }
        };
        let drafting_unit = abbreviation_part(drafting_unit)?;
        let advisory_body = abbreviation_part(advisory_body)?;
        let series = if secret {
            SeriesKey::Secret
        } else if ty.class == TypeClass::Copy {
            SeriesKey::Copies
        } else if legal {
            SeriesKey::Legal(ty.abbreviation.to_owned())
        } else if let Some(body) = &advisory_body {
            SeriesKey::Advisory(body.clone())
        } else {
            SeriesKey::Administrative
        };
        Ok(OutgoingKind {
            type_name: ty.name.to_owned(),
            abbreviation: ty.abbreviation.to_owned(),
            legal,
            drafting_unit,
            advisory_body,
            series,
        })
    }

    /// The code notation (ký hiệu) for a number of `year`, issued by the agency abbreviated `agency`:
    /// `QĐ-UBND`; a công văn `UBND-VP`; a legal normative document `2019/QĐ-UBND`; a copy `SY-VP`;
    /// an advisory body's document `QĐ-HĐTĐ`.
    pub fn notation(&self, agency: &str, year: i32) -> String {
        let issuer = self.advisory_body.as_deref().unwrap_or(agency);
        let base = match (self.abbreviation.is_empty(), &self.drafting_unit) {
            // Công văn: agency, then the drafting unit.
            (true, Some(unit)) => format!("{issuer}-{unit}"),
            (true, None) => issuer.to_owned(),
            // A copy names the unit that made it, or the agency.
            (false, Some(unit)) if self.series == SeriesKey::Copies => {
                format!("{}-{unit}", self.abbreviation)
            }
            (false, _) => format!("{}-{issuer}", self.abbreviation),
        };
        if self.legal { format!("{year}/{base}") } else { base }
    }
}

/// The year a registration at `at` is numbered in: the calendar year in Vietnam time (+07:00).
pub fn numbering_year(at: OffsetDateTime) -> i32 {
    at.to_offset(crate::VIETNAM_OFFSET).year()
}

/// A number as written on a document: numbers below 10 with a leading zero (`01` … `09`, `10`, `123`).
pub fn format_number(n: u32) -> String {
    format!("{n:02}")
}

/// Where a run of numbers in one series and year departs from 1, 2, 3 …: what `vanthu check` reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NumberingFault {
    /// A number that should be there is missing.
    Gap {
        /// The missing number.
        missing: u32,
    },
    /// A number given twice.
    Duplicate {
        /// The repeated number.
        number: u32,
    },
    /// The series counter is behind the highest number given (the next number would collide).
    CounterBehind {
        /// The stored counter.
        counter: u32,
        /// The highest number in use.
        highest: u32,
    },
}

/// Checks that `sorted` (ascending numbers of one series and year) is exactly 1..=n and that the
/// series counter equals n.
pub fn check_continuity(sorted: &[u32], counter: u32) -> Vec<NumberingFault> {
    let mut faults = Vec::new();
    let mut expected = 1u32;
    for (i, &n) in sorted.iter().enumerate() {
        if i > 0 && sorted[i - 1] == n {
            faults.push(NumberingFault::Duplicate { number: n });
            continue;
        }
        while expected < n {
            faults.push(NumberingFault::Gap { missing: expected });
            expected += 1;
        }
        expected = n.saturating_add(1);
    }
    let highest = sorted.last().copied().unwrap_or(0);
    if counter < highest {
        faults.push(NumberingFault::CounterBehind { counter, highest });
    }
    // A counter ahead of the highest number means numbers were given and then lost.
    while expected <= counter {
        faults.push(NumberingFault::Gap { missing: expected });
        expected += 1;
    }
    faults
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn kind(ty: &str, legal: bool, unit: Option<&str>, secret: bool) -> OutgoingKind {
        OutgoingKind::resolve(ty, legal, unit, None, secret).unwrap()
    }

    #[test]
    fn notation_forms() {
        // (type typed, legal, unit, secret, number, year) → the full code and its series
        type Case<'a> = (&'a str, bool, Option<&'a str>, bool, u32, i32, &'a str, &'a str);
        let cases: &[Case] = &[
            ("QĐ", false, None, false, 15, 2026, "15/QĐ-UBND", "di"),
            ("Quyết định", false, None, false, 1, 2026, "01/QĐ-UBND", "di"),
            ("quyet dinh", false, Some("VP"), false, 9, 2026, "09/QĐ-UBND", "di"),
            ("Công văn", false, Some("VP"), false, 5, 2026, "05/UBND-VP", "di"),
            ("cong van", false, None, false, 10, 2026, "10/UBND", "di"),
            ("QĐ", true, None, false, 52, 2019, "52/2019/QĐ-UBND", "di/qppl/QĐ"),
            ("NQ", true, None, false, 3, 2026, "03/2026/NQ-UBND", "di/qppl/NQ"),
            ("SY", false, Some("VP"), false, 5, 2026, "05/SY-VP", "di/sao"),
            ("SL", false, Some("VP"), false, 6, 2026, "06/SL-VP", "di/sao"),
            ("TrS", false, None, false, 7, 2026, "07/TrS-UBND", "di/sao"),
            ("TB", false, None, true, 2, 2026, "02/TB-UBND", "di/mat"),
            ("ĐA", false, None, false, 100, 2026, "100/ĐA-UBND", "di"),
            ("DA", false, None, false, 11, 2026, "11/DA-UBND", "di"),
            ("Tờ trình", false, None, false, 136, 2026, "136/TTr-UBND", "di"),
            ("QyĐ", false, None, false, 4, 2026, "04/QyĐ-UBND", "di"),
        ];
        for &(ty, legal, unit, secret, n, year, code, series) in cases {
            let k = kind(ty, legal, unit, secret);
            let got = format!("{}/{}", format_number(n), k.notation("UBND", year));
            assert_eq!(got, code, "{ty} legal={legal} unit={unit:?}");
            assert_eq!(k.series.key(), series, "{ty}");
            assert_eq!(SeriesKey::parse(&k.series.key()), Some(k.series.clone()));
        }
    }

    #[test]
    fn advisory_body_has_its_own_series() {
        let k = OutgoingKind::resolve("TB", false, None, Some("HĐTĐ"), false).unwrap();
        assert_eq!(k.series.key(), "di/tu-van/HĐTĐ");
        assert_eq!(k.notation("UBND", 2026), "TB-HĐTĐ");
    }

    #[test]
    fn types_that_do_not_exist_or_cannot_be_legal() {
        assert_eq!(OutgoingKind::resolve("CV", false, None, None, false), Err(DocumentError::UnknownType("CV".into())));
        assert!(matches!(OutgoingKind::resolve("Công văn", true, None, None, false), Err(DocumentError::NotLegal(_))));
        assert!(matches!(OutgoingKind::resolve("SY", true, None, None, false), Err(DocumentError::NotLegal(_))));
        assert!(OutgoingKind::resolve("QĐ", false, Some("V P"), None, false).is_err());
    }

    #[test]
    fn leading_zeros() {
        for (n, s) in [(1, "01"), (9, "09"), (10, "10"), (99, "99"), (100, "100"), (12345, "12345")] {
            assert_eq!(format_number(n), s);
        }
    }

    #[test]
    fn year_boundaries_in_vietnam_time() {
        for (at, year) in [
            (datetime!(2025-12-31 23:59:59 +7), 2025),
            (datetime!(2026-01-01 00:00:00 +7), 2026),
            // 16:59:59 UTC on 31 December is 23:59:59 in Vietnam; 17:00 UTC is already 1 January.
            (datetime!(2025-12-31 16:59:59 UTC), 2025),
            (datetime!(2025-12-31 17:00:00 UTC), 2026),
            (datetime!(2026-01-01 00:30:00 +9), 2025),
        ] {
            assert_eq!(numbering_year(at), year, "{at}");
        }
    }

    #[test]
    fn continuity() {
        assert_eq!(check_continuity(&[1, 2, 3], 3), vec![]);
        assert_eq!(check_continuity(&[], 0), vec![]);
        assert_eq!(check_continuity(&[1, 3], 3), vec![NumberingFault::Gap { missing: 2 }]);
        assert_eq!(check_continuity(&[1, 2, 2, 3], 3), vec![NumberingFault::Duplicate { number: 2 }]);
        assert_eq!(check_continuity(&[1, 2, 3], 2), vec![NumberingFault::CounterBehind { counter: 2, highest: 3 }]);
        assert_eq!(check_continuity(&[1, 2], 3), vec![NumberingFault::Gap { missing: 3 }]);
        assert_eq!(check_continuity(&[2], 2), vec![NumberingFault::Gap { missing: 1 }]);
    }
}
