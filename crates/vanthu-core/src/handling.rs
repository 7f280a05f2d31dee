//! Handling of incoming documents (giải quyết văn bản đến) and case files (hồ sơ): the states and the
//! date rules, no storage.
//!
//! The leader records a lead (chủ trì), co-handlers (phối hợp) and a deadline (Decree 30 art. 23); the
//! handler reports progress until it is done. A case file is handed to the agency's archive within one
//! year of the end of the matter (Law on Archives art. 11), and the desk warns 30 days before.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

use crate::VIETNAM_OFFSET;

/// Where the handling of an incoming document stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlingStatus {
    /// Assigned, not started.
    Assigned,
    /// Being handled.
    InProgress,
    /// Handled.
    Done,
}

impl HandlingStatus {
    /// Stored form.
    pub fn code(self) -> &'static str {
        match self {
            HandlingStatus::Assigned => "assigned",
            HandlingStatus::InProgress => "in_progress",
            HandlingStatus::Done => "done",
        }
    }

    /// Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            HandlingStatus::Assigned => "Đã phân công",
            HandlingStatus::InProgress => "Đang giải quyết",
            HandlingStatus::Done => "Đã giải quyết",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<HandlingStatus> {
        [HandlingStatus::Assigned, HandlingStatus::InProgress, HandlingStatus::Done].into_iter().find(|x| x.code() == s)
    }
}

/// How a deadline stands at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    /// Later than today.
    Later,
    /// Today (Vietnam date), not yet passed.
    DueToday,
    /// Passed.
    Overdue,
}

/// Where `deadline` stands at `now`.
pub fn deadline_state(deadline: OffsetDateTime, now: OffsetDateTime) -> DeadlineState {
    if deadline < now {
        DeadlineState::Overdue
    } else if deadline.to_offset(VIETNAM_OFFSET).date() == now.to_offset(VIETNAM_OFFSET).date() {
        DeadlineState::DueToday
    } else {
        DeadlineState::Later
    }
}

/// The date a case file closed on `closed` is due at the agency's archive: one year later.
pub fn archive_due(closed: Date) -> Date {
    closed.replace_year(closed.year() + 1).unwrap_or_else(|_| closed + Duration::days(365))
}

/// How many days before [`archive_due`] the desk starts warning.
pub const ARCHIVE_WARNING_DAYS: i64 = 30;

/// Whether a case file due at the archive on `due` should be flagged on `today`.
pub fn archive_warning(due: Date, today: Date) -> bool {
    due - today <= Duration::days(ARCHIVE_WARNING_DAYS)
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn deadline_states() {
        let now = datetime!(2026-11-20 10:00 +7);
        let cases = [
            (datetime!(2026-11-20 16:30 +7), DeadlineState::DueToday),
            (datetime!(2026-11-20 09:59 +7), DeadlineState::Overdue),
            (datetime!(2026-11-21 08:00 +7), DeadlineState::Later),
            // 23:30 UTC on the 19th is 06:30 on the 20th in Vietnam: passed already.
            (datetime!(2026-11-19 23:30 UTC), DeadlineState::Overdue),
            // 16:59 UTC on the 20th is 23:59 the same Vietnam day.
            (datetime!(2026-11-20 16:59 UTC), DeadlineState::DueToday),
        ];
        for (deadline, expect) in cases {
            assert_eq!(deadline_state(deadline, now), expect, "{deadline}");
        }
    }

    #[test]
    fn archive_dates() {
        assert_eq!(archive_due(date!(2026 - 03 - 15)), date!(2027 - 03 - 15));
        assert_eq!(archive_due(date!(2028 - 02 - 29)), date!(2029 - 02 - 28));
        assert!(archive_warning(date!(2027 - 03 - 15), date!(2027 - 02 - 13)));
        assert!(!archive_warning(date!(2027 - 03 - 15), date!(2027 - 02 - 12)));
        assert!(archive_warning(date!(2027 - 03 - 15), date!(2027 - 04 - 01)));
        for s in ["assigned", "in_progress", "done"] {
            assert_eq!(HandlingStatus::parse(s).map(HandlingStatus::code), Some(s));
        }
    }
}
