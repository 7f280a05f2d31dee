//! Wire encodings shared by the writer and the parser: dates, timestamps and flags.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Date, PrimitiveDateTime};

const DATE: &[BorrowedFormatItem<'static>] = format_description!("[year]/[month]/[day]");
const TIMESTAMP: &[BorrowedFormatItem<'static>] = format_description!("[year]/[month]/[day] [hour]:[minute]:[second]");

/// `yyyy/MM/dd`.
pub(crate) fn format_date(date: Date) -> String {
    date.format(DATE).unwrap_or_default()
}

/// `yyyy/MM/dd HH:mm:ss`.
pub(crate) fn format_timestamp(at: PrimitiveDateTime) -> String {
    at.format(TIMESTAMP).unwrap_or_default()
}

pub(crate) fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text, DATE).ok()
}

pub(crate) fn parse_timestamp(text: &str) -> Option<PrimitiveDateTime> {
    PrimitiveDateTime::parse(text, TIMESTAMP).ok()
}

/// `0`/`1` for `Paper`.
pub(crate) fn flag01(value: bool) -> &'static str {
    if value { "1" } else { "0" }
}

/// `Paper` (`0`/`1`) and `Direction` (`true`/`false`) both accept either spelling.
pub(crate) fn parse_flag(text: &str) -> Option<bool> {
    match text {
        "1" | "true" => Some(true),
        "0" | "false" => Some(false),
        _ => None,
    }
}
