//! Working time: which days and which hours count when the law says "at the latest the next working
//! day" or "within 2 working hours".
//!
//! The deadlines of a records office (domain.md §6) are counted in *working* time, not wall-clock time:
//! a document that arrives on Friday at 16:30 and must be handled within two working hours is due on
//! Monday morning, and Tết or a make-up Saturday ("làm bù") moves every deadline around it. This module
//! is the single place that knows the office's working weekdays, its office hours, its public holidays
//! and its extra working days, and it turns arrivals into deadlines with pure functions.
//!
//! It must not read the clock or any file: the caller passes the moment (any offset; it is read in
//! Vietnam time, UTC+07:00) and the calendar (usually [`WorkingCalendar::vietnam`] plus the agency's
//! own announced swaps). A calendar with no working time at all is a configuration error reported as
//! [`CalendarError::NoWorkingTime`], never an endless loop.

use std::collections::BTreeSet;
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};
use time::macros::{date, format_description, time};
use time::{Date, Duration, Month, OffsetDateTime, Time, Weekday};

use crate::VIETNAM_OFFSET;

/// Why a working-time question has no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The calendar has no working day (or no office hours) on or after the moment asked about: no
    /// working weekday and no extra working day left, or an empty list of office hours.
    #[error("the working calendar has no working time on or after this moment")]
    NoWorkingTime,
    /// The answer would fall outside the dates `time` can represent (years −9999 to 9999).
    #[error("the date is outside the supported range")]
    OutOfRange,
    /// A negative duration was given where working time is counted forward.
    #[error("a working-time duration must not be negative")]
    NegativeDuration,
    /// The office hours are not a list of sessions that each start before they end and do not overlap.
    #[error("invalid office hours: {0}")]
    InvalidOfficeHours(String),
    /// A stored calendar could not be read back (a date, time or weekday that does not parse).
    #[error("invalid working calendar: {0}")]
    InvalidCalendar(String),
}

/// How fast an incoming document must be registered and presented (domain.md §6, Decree 30/2020).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegistrationRule {
    /// Ordinary documents: "on the day of arrival, at the latest the next working day" (Decree 30,
    /// art. 4 and 23). The deadline is the end of office hours of that next working day.
    SameOrNextWorkingDay,
    /// Within this many working hours of arrival (e.g. 2 for an electronic arrival under Thanh Hóa's
    /// rules, art. 6.4).
    WithinWorkingHours(u32),
    /// Urgent documents (Khẩn, Thượng khẩn, Hỏa tốc): "immediately".
    Immediately,
}

/// An office's working time: working weekdays, office hours, public holidays (ngày nghỉ lễ, Tết) and
/// extra working days (make-up days, "làm bù").
///
/// A date is a working day if it is a holiday → no; else if it is an extra working day → yes; else
/// if its weekday is a working weekday → yes. The builders keep holidays and extra working days
/// disjoint (the later call wins); if a stored calendar lists a date in both, the holiday wins.
///
/// Office hours are half-open sessions `[start, end)` within one day, in Vietnam time, sorted and not
/// overlapping (they may touch). All dates are Vietnam dates.
///
/// Serialised as a readable document: weekdays as English names, times as `"HH:MM"` (or
/// `"HH:MM:SS"`), dates as `"YYYY-MM-DD"`; reading one back checks the office hours again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CalendarRepr", into = "CalendarRepr")]
pub struct WorkingCalendar {
    /// Indexed by `Weekday::number_days_from_monday`.
    working_weekdays: [bool; 7],
    office_hours: Vec<(Time, Time)>,
    holidays: BTreeSet<Date>,
    extra_working_days: BTreeSet<Date>,
}

impl Default for WorkingCalendar {
    /// Monday to Friday, [`WorkingCalendar::DEFAULT_OFFICE_HOURS`], no holidays.
    fn default() -> Self {
        Self {
            working_weekdays: [true, true, true, true, true, false, false],
            office_hours: Self::DEFAULT_OFFICE_HOURS.to_vec(),
            holidays: BTreeSet::new(),
            extra_working_days: BTreeSet::new(),
        }
    }
}

/// Solar dates (UTC+07:00) of the two lunar public holidays, per year: (year, Tết Nguyên Đán = day 1
/// of month 1, Giỗ Tổ Hùng Vương = day 10 of month 3).
///
/// Source: Hồ Ngọc Đức's astronomical algorithm for the Vietnamese lunar calendar ("Lịch Việt Nam",
/// computed for the meridian of UTC+07:00), cross-checked against the dates published for 2024–2026.
/// Two years differ from tables made for China (UTC+08:00) or from a naive reading:
/// - 2030: the new moon falls at 23:08 Vietnam time on 2 February, so Tết is **2 February** in Vietnam
///   (3 February in China);
/// - 2031 has a leap third month (tháng 3 nhuận); Giỗ Tổ is kept in the regular third month, so it is
///   **1 April** (10/3 of the leap month would be 1 May). Check it against the 2031 announcement.
const LUNAR_HOLIDAYS: [(i32, Date, Date); 12] = [
    (2024, date!(2024 - 02 - 10), date!(2024 - 04 - 18)),
    (2025, date!(2025 - 01 - 29), date!(2025 - 04 - 07)),
    (2026, date!(2026 - 02 - 17), date!(2026 - 04 - 26)),
    (2027, date!(2027 - 02 - 06), date!(2027 - 04 - 16)),
    (2028, date!(2028 - 01 - 26), date!(2028 - 04 - 04)),
    (2029, date!(2029 - 02 - 13), date!(2029 - 04 - 23)),
    (2030, date!(2030 - 02 - 02), date!(2030 - 04 - 12)),
    (2031, date!(2031 - 01 - 23), date!(2031 - 04 - 01)),
    (2032, date!(2032 - 02 - 11), date!(2032 - 04 - 19)),
    (2033, date!(2033 - 01 - 31), date!(2033 - 04 - 09)),
    (2034, date!(2034 - 02 - 19), date!(2034 - 04 - 28)),
    (2035, date!(2035 - 02 - 08), date!(2035 - 04 - 17)),
];

/// The day the government added to National Day (2 September) in years already announced: 3 September
/// 2024 (31/8–3/9) and 1 September 2025 (30/8–2/9). Other years default to 3 September.
const NATIONAL_DAY_SECOND_DAY: [Date; 2] = [date!(2024 - 09 - 03), date!(2025 - 09 - 01)];

/// Solar date of Tết Nguyên Đán (the lunar new year, mùng 1 Tết) in Vietnam, for the years of the
/// built-in table (2024–2035); `None` outside it.
pub fn lunar_new_year(year: i32) -> Option<Date> {
    LUNAR_HOLIDAYS.iter().find(|(y, _, _)| *y == year).map(|&(_, tet, _)| tet)
}

/// Solar date of Giỗ Tổ Hùng Vương (10th day of the 3rd lunar month) in Vietnam, for the years of the
/// built-in table (2024–2035); `None` outside it.
pub fn hung_kings_commemoration(year: i32) -> Option<Date> {
    LUNAR_HOLIDAYS.iter().find(|(y, _, _)| *y == year).map(|&(_, _, hung_kings)| hung_kings)
}

/// The statutory public holidays of one year (Labour Code 2019, art. 112), before compensation.
fn statutory_holidays(year: i32) -> Vec<Date> {
    let solar = |month, day| Date::from_calendar_date(year, month, day).ok();
    let national_day_second =
        NATIONAL_DAY_SECOND_DAY.iter().copied().find(|d| d.year() == year).or_else(|| solar(Month::September, 3));
    let mut days: Vec<Date> = [
        solar(Month::January, 1),
        solar(Month::April, 30),
        solar(Month::May, 1),
        solar(Month::September, 2),
        national_day_second,
        hung_kings_commemoration(year),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(tet) = lunar_new_year(year) {
        // The day before the lunar new year through mùng 4: five days.
        days.extend((-1..=3).filter_map(|k| tet.checked_add(Duration::days(k))));
    }
    days.sort_unstable();
    days
}

impl WorkingCalendar {
    /// The usual office hours of Vietnamese state agencies: 07:30–11:30 and 13:00–17:00.
    pub const DEFAULT_OFFICE_HOURS: [(Time, Time); 2] = [(time!(7:30), time!(11:30)), (time!(13:00), time!(17:00))];

    /// The default calendar (Monday–Friday, [`Self::DEFAULT_OFFICE_HOURS`]) with Vietnam's public
    /// holidays for `years` (Labour Code 2019, art. 112):
    ///
    /// - 1 January; 30 April; 1 May;
    /// - National Day: 2 September and one adjacent day — the announced one for 2024 (3 Sep) and 2025
    ///   (1 Sep), otherwise 3 September;
    /// - Tết Nguyên Đán: five days, from the day before the lunar new year through mùng 4 (the common
    ///   pattern; the Prime Minister fixes the actual days each year);
    /// - Giỗ Tổ Hùng Vương (10/3 lunar);
    /// - compensatory days (nghỉ bù, art. 111(3)): a holiday that falls on a Saturday or Sunday gives
    ///   the next Monday–Friday that is not already a holiday.
    ///
    /// The lunar holidays come from a built-in table for 2024–2035 ([`lunar_new_year`],
    /// [`hung_kings_commemoration`]); other years get only the solar holidays. Yearly swaps announced
    /// by the government (a weekday off against a make-up Saturday) are not predictable: add them with
    /// [`Self::add_holiday`] / [`Self::add_extra_working_day`], and move any day with
    /// [`Self::remove_holiday`].
    pub fn vietnam(years: RangeInclusive<i32>) -> Self {
        let mut calendar = Self::default();
        let first = (*years.start()).max(Date::MIN.year());
        let last = (*years.end()).min(Date::MAX.year());
        for year in first..=last {
            let days = statutory_holidays(year);
            for &day in &days {
                calendar.add_holiday(day);
            }
            for day in days {
                if calendar.weekday_is_working(day.weekday()) {
                    continue;
                }
                let mut candidate = day.next_day();
                while let Some(d) = candidate {
                    if calendar.weekday_is_working(d.weekday()) && !calendar.holidays.contains(&d) {
                        calendar.add_holiday(d);
                        break;
                    }
                    candidate = d.next_day();
                }
            }
        }
        calendar
    }

    /// This calendar with exactly these working weekdays (Monday–Friday by default).
    #[must_use]
    pub fn with_working_weekdays(mut self, weekdays: impl IntoIterator<Item = Weekday>) -> Self {
        self.set_working_weekdays(weekdays);
        self
    }

    /// Replaces the working weekdays.
    pub fn set_working_weekdays(&mut self, weekdays: impl IntoIterator<Item = Weekday>) {
        self.working_weekdays = [false; 7];
        for weekday in weekdays {
            self.working_weekdays[weekday_index(weekday)] = true;
        }
    }

    /// This calendar with these office hours: sessions `(start, end)` in Vietnam time, in any order.
    ///
    /// # Errors
    /// [`CalendarError::InvalidOfficeHours`] if a session does not start before it ends or two
    /// sessions overlap. An empty list is accepted (the time queries then answer
    /// [`CalendarError::NoWorkingTime`]).
    pub fn with_office_hours(
        mut self,
        sessions: impl IntoIterator<Item = (Time, Time)>,
    ) -> Result<Self, CalendarError> {
        self.set_office_hours(sessions)?;
        Ok(self)
    }

    /// Replaces the office hours; on error the calendar is unchanged. See [`Self::with_office_hours`].
    ///
    /// # Errors
    /// [`CalendarError::InvalidOfficeHours`], as for [`Self::with_office_hours`].
    pub fn set_office_hours(&mut self, sessions: impl IntoIterator<Item = (Time, Time)>) -> Result<(), CalendarError> {
        let mut sessions: Vec<(Time, Time)> = sessions.into_iter().collect();
        sessions.sort_unstable();
        for &(start, end) in &sessions {
            if start >= end {
                return Err(CalendarError::InvalidOfficeHours(format!(
                    "session {} does not end after it starts",
                    format_session(start, end)
                )));
            }
        }
        for pair in sessions.windows(2) {
            if let [(s1, e1), (s2, e2)] = *pair
                && s2 < e1
            {
                return Err(CalendarError::InvalidOfficeHours(format!(
                    "sessions {} and {} overlap",
                    format_session(s1, e1),
                    format_session(s2, e2)
                )));
            }
        }
        self.office_hours = sessions;
        Ok(())
    }

    /// This calendar with `date` as a public holiday.
    #[must_use]
    pub fn with_holiday(mut self, date: Date) -> Self {
        self.add_holiday(date);
        self
    }

    /// This calendar with all of `dates` as public holidays.
    #[must_use]
    pub fn with_holidays(mut self, dates: impl IntoIterator<Item = Date>) -> Self {
        for date in dates {
            self.add_holiday(date);
        }
        self
    }

    /// Makes `date` a holiday (and no longer an extra working day). Returns whether it was new.
    pub fn add_holiday(&mut self, date: Date) -> bool {
        self.extra_working_days.remove(&date);
        self.holidays.insert(date)
    }

    /// Makes `date` no longer a holiday. Returns whether it was one.
    pub fn remove_holiday(&mut self, date: Date) -> bool {
        self.holidays.remove(&date)
    }

    /// This calendar with `date` as an extra working day (a make-up day, "làm bù").
    #[must_use]
    pub fn with_extra_working_day(mut self, date: Date) -> Self {
        self.add_extra_working_day(date);
        self
    }

    /// This calendar with all of `dates` as extra working days.
    #[must_use]
    pub fn with_extra_working_days(mut self, dates: impl IntoIterator<Item = Date>) -> Self {
        for date in dates {
            self.add_extra_working_day(date);
        }
        self
    }

    /// Makes `date` a working day whatever its weekday (and no longer a holiday). Returns whether it
    /// was new.
    pub fn add_extra_working_day(&mut self, date: Date) -> bool {
        self.holidays.remove(&date);
        self.extra_working_days.insert(date)
    }

    /// Makes `date` no longer an extra working day. Returns whether it was one.
    pub fn remove_extra_working_day(&mut self, date: Date) -> bool {
        self.extra_working_days.remove(&date)
    }

    /// The working weekdays, Monday first.
    pub fn working_weekdays(&self) -> impl Iterator<Item = Weekday> + '_ {
        WEEKDAYS.into_iter().filter(|&weekday| self.weekday_is_working(weekday))
    }

    /// The office hours: sorted, non-overlapping sessions `[start, end)`.
    pub fn office_hours(&self) -> &[(Time, Time)] {
        &self.office_hours
    }

    /// The public holidays.
    pub fn holidays(&self) -> &BTreeSet<Date> {
        &self.holidays
    }

    /// The extra working days.
    pub fn extra_working_days(&self) -> &BTreeSet<Date> {
        &self.extra_working_days
    }

    fn weekday_is_working(&self, weekday: Weekday) -> bool {
        self.working_weekdays[weekday_index(weekday)]
    }

    /// Whether `date` (a Vietnam date) is a working day. Office hours play no part here.
    pub fn is_working_day(&self, date: Date) -> bool {
        !self.holidays.contains(&date)
            && (self.extra_working_days.contains(&date) || self.weekday_is_working(date.weekday()))
    }

    /// `date` itself if it is a working day, else the first working day after it.
    ///
    /// # Errors
    /// [`CalendarError::NoWorkingTime`] if no working day follows (no working weekday and no later
    /// extra working day); [`CalendarError::OutOfRange`] past year 9999.
    pub fn working_day_on_or_after(&self, date: Date) -> Result<Date, CalendarError> {
        if !self.working_weekdays.contains(&true) {
            // Only extra working days can be working days, and there are finitely many.
            return self
                .extra_working_days
                .range(date..)
                .find(|d| !self.holidays.contains(d))
                .copied()
                .ok_or(CalendarError::NoWorkingTime);
        }
        // Some weekday works, and holidays are finitely many: this ends within a week of the last one.
        let mut day = date;
        while !self.is_working_day(day) {
            day = day.next_day().ok_or(CalendarError::OutOfRange)?;
        }
        Ok(day)
    }

    /// The first working day strictly after `date`.
    ///
    /// # Errors
    /// As for [`Self::working_day_on_or_after`].
    pub fn next_working_day(&self, date: Date) -> Result<Date, CalendarError> {
        let next = date.next_day().ok_or(CalendarError::OutOfRange)?;
        self.working_day_on_or_after(next)
    }

    /// The working day `days` working days after `date` (taking [`Self::next_working_day`] `days`
    /// times); `date` itself, working day or not, when `days` is 0.
    ///
    /// # Errors
    /// As for [`Self::working_day_on_or_after`].
    pub fn add_working_days(&self, date: Date, days: u32) -> Result<Date, CalendarError> {
        // Each working day takes at least one calendar day: refuse at once what cannot end by 9999.
        let days_left = Date::MAX.to_julian_day() - date.to_julian_day();
        if i64::from(days) > i64::from(days_left) {
            self.next_working_day(date)?;
            return Err(CalendarError::OutOfRange);
        }
        let mut day = date;
        for _ in 0..days {
            day = self.next_working_day(day)?;
        }
        Ok(day)
    }

    /// Whether `moment` (any offset, read in Vietnam time) falls on a working day within a session.
    pub fn is_working_time(&self, moment: OffsetDateTime) -> bool {
        let Some(moment) = moment.checked_to_offset(VIETNAM_OFFSET) else {
            return false;
        };
        self.is_working_day(moment.date())
            && self.office_hours.iter().any(|&(start, end)| start <= moment.time() && moment.time() < end)
    }

    /// The moment `duration` of office time after `start`, in Vietnam time (+07:00).
    ///
    /// Only time inside sessions of working days counts. A start outside office hours counts from the
    /// next session start, so a zero duration gives `start` itself inside office hours and the next
    /// session start outside them. A duration that uses a session up exactly ends at that session's
    /// end (Friday 16:30 + 30 min = Friday 17:00), not at the next session's start.
    ///
    /// # Errors
    /// [`CalendarError::NegativeDuration`] for a negative `duration`; [`CalendarError::NoWorkingTime`]
    /// if the calendar runs out of working time; [`CalendarError::OutOfRange`] past year 9999.
    pub fn add_working_time(&self, start: OffsetDateTime, duration: Duration) -> Result<OffsetDateTime, CalendarError> {
        if duration.is_negative() {
            return Err(CalendarError::NegativeDuration);
        }
        let now = to_vietnam(start)?;
        let mut remaining = duration;
        let mut session = self.current_or_next_session(now)?;
        // A day holds at most one day of office hours: refuse at once what cannot end by 9999.
        let days_left = Date::MAX.to_julian_day() - now.date().to_julian_day() + 1;
        let daily: Duration = self.office_hours.iter().map(|&(s, e)| e - s).sum();
        if daily.checked_mul(days_left).is_some_and(|most| remaining > most) {
            return Err(CalendarError::OutOfRange);
        }
        let mut from = now.max(session.0);
        loop {
            let (_, session_end) = session;
            let available = session_end - from;
            if remaining <= available {
                return Ok(from + remaining);
            }
            remaining -= available;
            session = self.current_or_next_session(session_end)?;
            from = session.0;
        }
    }

    /// The office time between `from` and `to`: the length of working sessions within `[from, to)`.
    /// Negative, like `to - from`, when `to` is before `from`. Never fails: a calendar without working
    /// time gives zero.
    pub fn working_time_between(&self, from: OffsetDateTime, to: OffsetDateTime) -> Duration {
        if to < from {
            return -self.working_time_between(to, from);
        }
        let (from, to) = (to_vietnam_saturating(from), to_vietnam_saturating(to));
        let mut total = Duration::ZERO;
        let mut day = from.date();
        loop {
            if self.is_working_day(day) {
                for &(start, end) in &self.office_hours {
                    let overlap = at(day, end).min(to) - at(day, start).max(from);
                    if overlap.is_positive() {
                        total += overlap;
                    }
                }
            }
            match day.next_day() {
                Some(next) if next <= to.date() => day = next,
                _ => return total,
            }
        }
    }

    /// The deadline for registering and presenting a document that arrived at `arrival` (any offset,
    /// read in Vietnam time), expressed in +07:00.
    ///
    /// - [`RegistrationRule::SameOrNextWorkingDay`]: the end of the last session of the working day
    ///   after the arrival day. The arrival day is the arrival's date if it is a working day — even
    ///   after hours, since the law counts days, not hours: Friday 17:30 is due Monday 17:00 — and
    ///   otherwise the first working day after it, when the office first could see the document:
    ///   Saturday is due Tuesday 17:00.
    /// - [`RegistrationRule::WithinWorkingHours`]: [`Self::add_working_time`] of that many hours.
    /// - [`RegistrationRule::Immediately`]: the arrival itself if it is working time, else the start
    ///   of the next session (nobody is there to act before).
    ///
    /// # Errors
    /// As for [`Self::add_working_time`] and [`Self::working_day_on_or_after`].
    pub fn registration_deadline(
        &self,
        arrival: OffsetDateTime,
        rule: RegistrationRule,
    ) -> Result<OffsetDateTime, CalendarError> {
        match rule {
            RegistrationRule::Immediately => self.add_working_time(arrival, Duration::ZERO),
            RegistrationRule::WithinWorkingHours(hours) => {
                self.add_working_time(arrival, Duration::hours(i64::from(hours)))
            }
            RegistrationRule::SameOrNextWorkingDay => {
                let &(_, closing) = self.office_hours.last().ok_or(CalendarError::NoWorkingTime)?;
                let arrival_day = self.working_day_on_or_after(to_vietnam(arrival)?.date())?;
                Ok(at(self.next_working_day(arrival_day)?, closing))
            }
        }
    }

    /// The session in progress at `now` (a Vietnam moment) or else the next one, as instants.
    fn current_or_next_session(&self, now: OffsetDateTime) -> Result<(OffsetDateTime, OffsetDateTime), CalendarError> {
        if self.office_hours.is_empty() {
            return Err(CalendarError::NoWorkingTime);
        }
        let mut day = self.working_day_on_or_after(now.date())?;
        // At most two rounds: every session of a day after `now`'s date ends after `now`.
        loop {
            for &(start, end) in &self.office_hours {
                if at(day, end) > now {
                    return Ok((at(day, start), at(day, end)));
                }
            }
            day = self.next_working_day(day)?;
        }
    }
}

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

fn weekday_index(weekday: Weekday) -> usize {
    usize::from(weekday.number_days_from_monday())
}

/// `date` at `time`, Vietnam time.
fn at(date: Date, time: Time) -> OffsetDateTime {
    date.with_time(time).assume_offset(VIETNAM_OFFSET)
}

fn to_vietnam(moment: OffsetDateTime) -> Result<OffsetDateTime, CalendarError> {
    moment.checked_to_offset(VIETNAM_OFFSET).ok_or(CalendarError::OutOfRange)
}

/// `moment` in Vietnam time, clamped to the representable range (only the ends of year ±9999 move).
fn to_vietnam_saturating(moment: OffsetDateTime) -> OffsetDateTime {
    moment
        .checked_to_offset(VIETNAM_OFFSET)
        .unwrap_or_else(|| if moment.year() > 0 { at(Date::MAX, Time::MAX) } else { at(Date::MIN, Time::MIDNIGHT) })
}

fn format_time(time: Time) -> String {
    let (hour, minute, second, nanosecond) = time.as_hms_nano();
    match (second, nanosecond) {
        (0, 0) => format!("{hour:02}:{minute:02}"),
        (_, 0) => format!("{hour:02}:{minute:02}:{second:02}"),
        _ => format!("{hour:02}:{minute:02}:{second:02}.{nanosecond:09}"),
    }
}

fn format_session(start: Time, end: Time) -> String {
    format!("{}–{}", format_time(start), format_time(end))
}

fn parse_time(text: &str) -> Result<Time, CalendarError> {
    let formats = [
        format_description!("[hour]:[minute]"),
        format_description!("[hour]:[minute]:[second]"),
        format_description!("[hour]:[minute]:[second].[subsecond]"),
    ];
    formats
        .iter()
        .find_map(|format| Time::parse(text, format).ok())
        .ok_or_else(|| CalendarError::InvalidCalendar(format!("not a time of day: {text:?}")))
}

fn parse_date(text: &str) -> Result<Date, CalendarError> {
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map_err(|_| CalendarError::InvalidCalendar(format!("not a date: {text:?}")))
}

/// The stored form of a [`WorkingCalendar`]: readable strings, checked on the way back in.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarRepr {
    working_weekdays: Vec<String>,
    office_hours: Vec<(String, String)>,
    holidays: Vec<String>,
    extra_working_days: Vec<String>,
}

impl From<WorkingCalendar> for CalendarRepr {
    fn from(calendar: WorkingCalendar) -> Self {
        Self {
            working_weekdays: calendar.working_weekdays().map(|w| w.to_string()).collect(),
            office_hours: calendar
                .office_hours
                .iter()
                .map(|&(start, end)| (format_time(start), format_time(end)))
                .collect(),
            holidays: calendar.holidays.iter().map(Date::to_string).collect(),
            extra_working_days: calendar.extra_working_days.iter().map(Date::to_string).collect(),
        }
    }
}

impl TryFrom<CalendarRepr> for WorkingCalendar {
    type Error = CalendarError;

    fn try_from(repr: CalendarRepr) -> Result<Self, CalendarError> {
        let weekdays = repr
            .working_weekdays
            .iter()
            .map(|name| {
                name.parse::<Weekday>().map_err(|_| CalendarError::InvalidCalendar(format!("not a weekday: {name:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let sessions = repr
            .office_hours
            .iter()
            .map(|(start, end)| Ok((parse_time(start)?, parse_time(end)?)))
            .collect::<Result<Vec<_>, CalendarError>>()?;
        let holidays = repr.holidays.iter().map(|d| parse_date(d)).collect::<Result<BTreeSet<_>, _>>()?;
        let extra_working_days =
            repr.extra_working_days.iter().map(|d| parse_date(d)).collect::<Result<BTreeSet<_>, _>>()?;
        let mut calendar =
            Self { working_weekdays: [false; 7], office_hours: Vec::new(), holidays, extra_working_days };
        calendar.set_working_weekdays(weekdays);
        calendar.set_office_hours(sessions)?;
        Ok(calendar)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{datetime, time};

    use super::*;

    /// Vietnam's calendar for the years the tests use.
    fn vn() -> WorkingCalendar {
        WorkingCalendar::vietnam(2024..=2035)
    }

    /// A calendar with no working time at all.
    fn never() -> WorkingCalendar {
        WorkingCalendar::default().with_working_weekdays([])
    }

    type Moment = Result<OffsetDateTime, CalendarError>;

    /// Compares results, and for moments also the offset (`==` on `OffsetDateTime` ignores it).
    #[track_caller]
    fn check(case: &str, actual: Moment, expected: Moment) {
        assert_eq!(actual, expected, "{case}");
        if let Ok(moment) = actual {
            assert_eq!(moment.offset(), VIETNAM_OFFSET, "{case}: not in +07:00");
        }
    }

    #[test]
    fn add_working_time() {
        let make_up_saturday = vn().with_extra_working_day(date!(2026 - 03 - 14));
        let no_lunch =
            vn().with_office_hours([(time!(8:00), time!(12:00)), (time!(12:00), time!(16:00))]).expect("valid hours");
        type Case<'a> = (&'a str, &'a WorkingCalendar, OffsetDateTime, Duration, Moment);
        #[rustfmt::skip]
        let cases: &[Case<'_>] = &[
            // 30 min on Friday, 1 h 30 from Monday 07:30.
            ("Friday 16:30 + 2 h", &vn(), datetime!(2026-03-13 16:30 +7), Duration::hours(2), Ok(datetime!(2026-03-16 09:00 +7))),
            ("Friday 17:30 + 2 h", &vn(), datetime!(2026-03-13 17:30 +7), Duration::hours(2), Ok(datetime!(2026-03-16 09:30 +7))),
            ("a session used up ends at its end", &vn(), datetime!(2026-03-13 16:30 +7), Duration::minutes(30), Ok(datetime!(2026-03-13 17:00 +7))),
            ("zero at 17:00 is the next session", &vn(), datetime!(2026-03-13 17:00 +7), Duration::ZERO, Ok(datetime!(2026-03-16 07:30 +7))),
            ("zero inside hours is the start", &vn(), datetime!(2026-03-12 10:00 +7), Duration::ZERO, Ok(datetime!(2026-03-12 10:00 +7))),
            ("lunch break skipped", &vn(), datetime!(2026-03-12 11:00 +7), Duration::hours(1), Ok(datetime!(2026-03-12 13:30 +7))),
            ("start during lunch", &vn(), datetime!(2026-03-12 12:15 +7), Duration::minutes(90), Ok(datetime!(2026-03-12 14:30 +7))),
            ("touching sessions", &no_lunch, datetime!(2026-03-12 11:00 +7), Duration::hours(2), Ok(datetime!(2026-03-12 13:00 +7))),
            ("before opening", &vn(), datetime!(2026-03-12 06:00 +7), Duration::hours(1), Ok(datetime!(2026-03-12 08:30 +7))),
            // Thursday 30/4 and Friday 1/5 are holidays.
            ("holiday midweek 30/4", &vn(), datetime!(2026-04-29 16:00 +7), Duration::hours(2), Ok(datetime!(2026-05-04 08:30 +7))),
            // Wednesday 2/9 and Thursday 3/9 are holidays.
            ("holiday midweek 2/9", &vn(), datetime!(2026-09-01 16:00 +7), Duration::hours(2), Ok(datetime!(2026-09-04 08:30 +7))),
            ("Tết 2026 and both weekends", &vn(), datetime!(2026-02-13 16:00 +7), Duration::hours(2), Ok(datetime!(2026-02-23 08:30 +7))),
            ("make-up Saturday", &make_up_saturday, datetime!(2026-03-13 16:30 +7), Duration::hours(2), Ok(datetime!(2026-03-14 09:00 +7))),
            // 20:00 UTC Thursday is 03:00 Friday in Vietnam.
            ("UTC input already Friday in Vietnam", &vn(), datetime!(2026-03-12 20:00 UTC), Duration::hours(1), Ok(datetime!(2026-03-13 08:30 +7))),
            ("other offset", &vn(), datetime!(2026-03-12 03:00 -5), Duration::hours(1), Ok(datetime!(2026-03-12 16:00 +7))),
            ("a week of office time", &vn(), datetime!(2026-03-09 07:30 +7), Duration::hours(40), Ok(datetime!(2026-03-13 17:00 +7))),
            ("New Year's Eve 23:59:59", &vn(), datetime!(2026-12-31 23:59:59 +7), Duration::hours(1), Ok(datetime!(2027-01-04 08:30 +7))),
            ("negative", &vn(), datetime!(2026-03-12 10:00 +7), Duration::minutes(-1), Err(CalendarError::NegativeDuration)),
            ("no working time", &never(), datetime!(2026-03-12 10:00 +7), Duration::hours(1), Err(CalendarError::NoWorkingTime)),
            ("no office hours", &vn().with_office_hours([]).expect("empty is valid"), datetime!(2026-03-12 10:00 +7), Duration::ZERO, Err(CalendarError::NoWorkingTime)),
            ("past year 9999", &vn(), datetime!(9999-12-31 16:00 +7), Duration::hours(2), Err(CalendarError::OutOfRange)),
            ("Duration::MAX", &vn(), datetime!(2026-03-12 10:00 +7), Duration::MAX, Err(CalendarError::OutOfRange)),
            ("Duration::MAX, no working time", &never(), datetime!(2026-03-12 10:00 +7), Duration::MAX, Err(CalendarError::NoWorkingTime)),
        ];
        for (case, calendar, start, duration, expected) in cases {
            check(case, calendar.add_working_time(*start, *duration), expected.clone());
        }
    }

    #[test]
    fn registration_deadline() {
        use RegistrationRule::{Immediately, SameOrNextWorkingDay, WithinWorkingHours};
        let make_up_saturday = vn().with_extra_working_day(date!(2026 - 03 - 14));
        type Case<'a> = (&'a str, &'a WorkingCalendar, OffsetDateTime, RegistrationRule, Moment);
        #[rustfmt::skip]
        let cases: &[Case<'_>] = &[
            ("Thursday morning", &vn(), datetime!(2026-03-12 09:00 +7), SameOrNextWorkingDay, Ok(datetime!(2026-03-13 17:00 +7))),
            ("Friday 16:30", &vn(), datetime!(2026-03-13 16:30 +7), SameOrNextWorkingDay, Ok(datetime!(2026-03-16 17:00 +7))),
            ("Friday 17:30 still arrived on Friday", &vn(), datetime!(2026-03-13 17:30 +7), SameOrNextWorkingDay, Ok(datetime!(2026-03-16 17:00 +7))),
            ("Saturday counts from Monday", &vn(), datetime!(2026-03-14 10:00 +7), SameOrNextWorkingDay, Ok(datetime!(2026-03-17 17:00 +7))),
            ("make-up Saturday is a working day", &make_up_saturday, datetime!(2026-03-13 10:00 +7), SameOrNextWorkingDay, Ok(datetime!(2026-03-14 17:00 +7))),
            // 31/12 is a Thursday; 1/1 a holiday, then a weekend.
            ("31 Dec 23:59:59", &vn(), datetime!(2026-12-31 23:59:59 +7), SameOrNextWorkingDay, Ok(datetime!(2027-01-04 17:00 +7))),
            ("1 Jan 00:00:00", &vn(), datetime!(2027-01-01 00:00:00 +7), SameOrNextWorkingDay, Ok(datetime!(2027-01-05 17:00 +7))),
            ("1 Jan 00:00:00 given in UTC", &vn(), datetime!(2026-12-31 17:00 UTC), SameOrNextWorkingDay, Ok(datetime!(2027-01-05 17:00 +7))),
            ("31 Dec given in UTC", &vn(), datetime!(2026-12-31 16:59:59 UTC), SameOrNextWorkingDay, Ok(datetime!(2027-01-04 17:00 +7))),
            ("Tết 2026", &vn(), datetime!(2026-02-13 10:00 +7), SameOrNextWorkingDay, Ok(datetime!(2026-02-23 17:00 +7))),
            ("2 h from Friday 16:30", &vn(), datetime!(2026-03-13 16:30 +7), WithinWorkingHours(2), Ok(datetime!(2026-03-16 09:00 +7))),
            ("2 h from Friday 17:30", &vn(), datetime!(2026-03-13 17:30 +7), WithinWorkingHours(2), Ok(datetime!(2026-03-16 09:30 +7))),
            ("immediately, in hours", &vn(), datetime!(2026-03-13 10:15 +7), Immediately, Ok(datetime!(2026-03-13 10:15 +7))),
            ("immediately, at lunch", &vn(), datetime!(2026-03-13 12:00 +7), Immediately, Ok(datetime!(2026-03-13 13:00 +7))),
            ("immediately, Friday 17:30", &vn(), datetime!(2026-03-13 17:30 +7), Immediately, Ok(datetime!(2026-03-16 07:30 +7))),
            ("immediately, in UTC", &vn(), datetime!(2026-03-13 03:15 UTC), Immediately, Ok(datetime!(2026-03-13 10:15 +7))),
            ("no working time, next day", &never(), datetime!(2026-03-13 10:00 +7), SameOrNextWorkingDay, Err(CalendarError::NoWorkingTime)),
            ("no working time, immediately", &never(), datetime!(2026-03-13 10:00 +7), Immediately, Err(CalendarError::NoWorkingTime)),
            ("no working time, 2 h", &never(), datetime!(2026-03-13 10:00 +7), WithinWorkingHours(2), Err(CalendarError::NoWorkingTime)),
        ];
        for (case, calendar, arrival, rule, expected) in cases {
            check(case, calendar.registration_deadline(*arrival, *rule), expected.clone());
        }
    }

    #[test]
    fn working_days() {
        let make_up_saturday = vn().with_extra_working_day(date!(2026 - 03 - 14));
        let only_one_day = never().with_extra_working_day(date!(2026 - 03 - 14));
        // (case, calendar, date, next_working_day, add_working_days(date, 3))
        type Case<'a> = (&'a str, &'a WorkingCalendar, Date, Result<Date, CalendarError>, Result<Date, CalendarError>);
        #[rustfmt::skip]
        let cases: &[Case<'_>] = &[
            ("Friday", &vn(), date!(2026 - 03 - 13), Ok(date!(2026 - 03 - 16)), Ok(date!(2026 - 03 - 18))),
            ("make-up Saturday", &make_up_saturday, date!(2026 - 03 - 13), Ok(date!(2026 - 03 - 14)), Ok(date!(2026 - 03 - 17))),
            ("Tết 2026: 16–20 Feb between two weekends", &vn(), date!(2026 - 02 - 13), Ok(date!(2026 - 02 - 23)), Ok(date!(2026 - 02 - 25))),
            // Giỗ Tổ is Sunday 26/4; Monday 27/4 is its compensatory day; 30/4–1/5 follow.
            ("Giỗ Tổ 2026 and nghỉ bù", &vn(), date!(2026 - 04 - 24), Ok(date!(2026 - 04 - 28)), Ok(date!(2026 - 05 - 04))),
            ("31 December", &vn(), date!(2026 - 12 - 31), Ok(date!(2027 - 01 - 04)), Ok(date!(2027 - 01 - 06))),
            // Tết 2030 is 2 Feb in Vietnam: 1–5 Feb off, and Saturday 2 / Sunday 3 give 6 and 7 Feb.
            ("Tết 2030", &vn(), date!(2030 - 01 - 31), Ok(date!(2030 - 02 - 08)), Ok(date!(2030 - 02 - 12))),
            ("only extra working days", &only_one_day, date!(2026 - 03 - 01), Ok(date!(2026 - 03 - 14)), Err(CalendarError::NoWorkingTime)),
            ("no working day at all", &never(), date!(2026 - 03 - 13), Err(CalendarError::NoWorkingTime), Err(CalendarError::NoWorkingTime)),
            ("past year 9999", &vn(), date!(9999 - 12 - 31), Err(CalendarError::OutOfRange), Err(CalendarError::OutOfRange)),
        ];
        for (case, calendar, date, next, plus_three) in cases {
            assert_eq!(calendar.next_working_day(*date), *next, "{case}: next");
            assert_eq!(calendar.add_working_days(*date, 3), *plus_three, "{case}: +3");
        }
        let far = date!(2026 - 03 - 14);
        assert_eq!(vn().add_working_days(far, u32::MAX), Err(CalendarError::OutOfRange));
        assert_eq!(never().add_working_days(far, u32::MAX), Err(CalendarError::NoWorkingTime));
        assert_eq!(vn().add_working_days(date!(2026 - 03 - 14), 0), Ok(date!(2026 - 03 - 14)));
        assert_eq!(vn().working_day_on_or_after(date!(2026 - 03 - 13)), Ok(date!(2026 - 03 - 13)));
        assert_eq!(vn().working_day_on_or_after(date!(2026 - 03 - 14)), Ok(date!(2026 - 03 - 16)));
    }

    #[test]
    fn vietnam_holidays() {
        let holidays = |year| {
            let calendar = WorkingCalendar::vietnam(year..=year);
            calendar.holidays().iter().map(Date::to_string).collect::<Vec<_>>().join(" ")
        };
        #[rustfmt::skip]
        let cases = [
            (2025, "2025-01-01 2025-01-28 2025-01-29 2025-01-30 2025-01-31 2025-02-01 2025-02-03 2025-04-07 2025-04-30 2025-05-01 2025-09-01 2025-09-02"),
            (2026, "2026-01-01 2026-02-16 2026-02-17 2026-02-18 2026-02-19 2026-02-20 2026-04-26 2026-04-27 2026-04-30 2026-05-01 2026-09-02 2026-09-03"),
            (2031, "2031-01-01 2031-01-22 2031-01-23 2031-01-24 2031-01-25 2031-01-26 2031-01-27 2031-01-28 2031-04-01 2031-04-30 2031-05-01 2031-09-02 2031-09-03"),
            // Outside the lunar table: solar holidays only. 1/1 and 2/9 are Sundays: 2/1 and 4/9 compensate.
            (2040, "2040-01-01 2040-01-02 2040-04-30 2040-05-01 2040-09-02 2040-09-03 2040-09-04"),
        ];
        for (year, expected) in cases {
            assert_eq!(holidays(year), expected, "{year}");
        }
        // Every Tết falls between 21 January and 20 February, and Giỗ Tổ 66–71 days later (no leap
        // month before the third in 2024–2035).
        for (year, tet, hung_kings) in LUNAR_HOLIDAYS {
            assert_eq!(tet.year(), year);
            assert!(
                (date!(2000 - 01 - 21).ordinal()..=date!(2000 - 02 - 20).ordinal()).contains(&tet.ordinal()),
                "{year}"
            );
            assert!((66..=71).contains(&(hung_kings - tet).whole_days()), "{year}");
        }
        assert_eq!(WorkingCalendar::vietnam(RangeInclusive::new(2026, 2025)), WorkingCalendar::default());
        assert_eq!(WorkingCalendar::vietnam(i32::MAX..=i32::MAX), WorkingCalendar::default());
    }

    #[test]
    fn working_time() {
        #[rustfmt::skip]
        let cases = [
            ("in a session", datetime!(2026-03-12 10:00 +7), true),
            ("session start", datetime!(2026-03-12 07:30 +7), true),
            ("session end is out", datetime!(2026-03-12 11:30 +7), false),
            ("lunch", datetime!(2026-03-12 12:00 +7), false),
            ("Saturday", datetime!(2026-03-14 10:00 +7), false),
            ("holiday", datetime!(2026-09-02 10:00 +7), false),
            ("UTC 03:00 is 10:00", datetime!(2026-03-12 03:00 UTC), true),
            ("UTC 10:00 is 17:00", datetime!(2026-03-12 10:00 UTC), false),
        ];
        for (case, moment, expected) in cases {
            assert_eq!(vn().is_working_time(moment), expected, "{case}");
        }
        assert!(!never().is_working_time(datetime!(2026-03-12 10:00 +7)));
    }

    #[test]
    fn working_time_between() {
        #[rustfmt::skip]
        let cases = [
            ("same session", datetime!(2026-03-12 08:00 +7), datetime!(2026-03-12 09:00 +7), Duration::hours(1)),
            ("across lunch", datetime!(2026-03-12 11:00 +7), datetime!(2026-03-12 14:00 +7), Duration::hours(1) + Duration::minutes(30)),
            ("whole day", datetime!(2026-03-12 00:00 +7), datetime!(2026-03-13 00:00 +7), Duration::hours(8)),
            ("over a weekend", datetime!(2026-03-13 16:30 +7), datetime!(2026-03-16 09:00 +7), Duration::hours(2)),
            ("Tết 2026", datetime!(2026-02-13 16:00 +7), datetime!(2026-02-23 08:30 +7), Duration::hours(2)),
            ("reversed", datetime!(2026-03-12 09:00 +7), datetime!(2026-03-12 08:00 +7), Duration::hours(-1)),
            ("in UTC", datetime!(2026-03-12 01:00 UTC), datetime!(2026-03-12 02:00 UTC), Duration::hours(1)),
            ("nothing outside hours", datetime!(2026-03-12 17:00 +7), datetime!(2026-03-13 07:30 +7), Duration::ZERO),
        ];
        for (case, from, to, expected) in cases {
            assert_eq!(vn().working_time_between(from, to), expected, "{case}");
        }
        assert_eq!(
            never().working_time_between(datetime!(2026-01-01 00:00 +7), datetime!(2027-01-01 00:00 +7)),
            Duration::ZERO
        );
        // The ends of time neither panic nor loop for long.
        let end = datetime!(9999-12-31 23:59:59 UTC);
        assert_eq!(vn().working_time_between(end, end), Duration::ZERO);
        let start = datetime!(-9999-01-01 00:00 +14);
        assert_eq!(vn().working_time_between(start, start), Duration::ZERO);
        assert!(!vn().is_working_time(start));
        check("start of time", vn().add_working_time(start, Duration::ZERO), Err(CalendarError::OutOfRange));
    }

    #[test]
    fn add_working_time_and_between_agree() {
        let starts = [
            datetime!(2026-02-12 15:00 +7),
            datetime!(2026-03-13 16:30 +7),
            datetime!(2026-04-24 12:10 +7),
            datetime!(2026-12-31 23:59:59 +7),
            datetime!(2026-08-31 22:00 UTC),
        ];
        let durations = [0, 1, 29, 240, 481, 960, 5000].map(Duration::minutes);
        for start in starts {
            for duration in durations {
                let end = vn().add_working_time(start, duration).expect("working time exists");
                assert_eq!(vn().working_time_between(start, end), duration, "{start} + {duration}");
            }
        }
    }

    #[test]
    fn office_hours_are_checked() {
        type Case = (&'static str, Vec<(Time, Time)>, Result<Vec<(Time, Time)>, CalendarError>);
        let cases: [Case; 4] = [
            (
                "sorted",
                vec![(time!(13:00), time!(17:00)), (time!(7:30), time!(11:30))],
                Ok(WorkingCalendar::DEFAULT_OFFICE_HOURS.to_vec()),
            ),
            (
                "backwards",
                vec![(time!(17:00), time!(13:00))],
                Err(CalendarError::InvalidOfficeHours("session 17:00–13:00 does not end after it starts".into())),
            ),
            (
                "empty session",
                vec![(time!(13:00), time!(13:00))],
                Err(CalendarError::InvalidOfficeHours("session 13:00–13:00 does not end after it starts".into())),
            ),
            (
                "overlap",
                vec![(time!(7:30), time!(12:00)), (time!(11:30), time!(17:00))],
                Err(CalendarError::InvalidOfficeHours("sessions 07:30–12:00 and 11:30–17:00 overlap".into())),
            ),
        ];
        for (case, sessions, expected) in cases {
            let actual =
                WorkingCalendar::default().with_office_hours(sessions).map(|calendar| calendar.office_hours().to_vec());
            assert_eq!(actual, expected, "{case}");
        }
    }

    #[test]
    fn holidays_and_extra_days_stay_disjoint() {
        let day = date!(2026 - 03 - 14);
        let calendar = WorkingCalendar::default().with_holiday(day).with_extra_working_day(day);
        assert!(calendar.is_working_day(day));
        assert!(calendar.holidays().is_empty());
        let calendar = calendar.with_holiday(day);
        assert!(!calendar.is_working_day(day));
        assert!(calendar.extra_working_days().is_empty());
        let mut calendar = vn();
        assert!(calendar.remove_holiday(date!(2026 - 09 - 03)));
        assert!(calendar.is_working_day(date!(2026 - 09 - 03)));
        assert_eq!(
            calendar.working_weekdays().collect::<Vec<_>>(),
            [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday]
        );
    }

    #[test]
    fn serde_round_trip() {
        let calendar = WorkingCalendar::default()
            .with_working_weekdays([Weekday::Monday, Weekday::Saturday])
            .with_office_hours([(time!(8:00), time!(12:00:30))])
            .expect("valid hours")
            .with_holiday(date!(2026 - 02 - 17))
            .with_extra_working_day(date!(2026 - 02 - 21));
        let json = serde_json::to_string(&calendar).expect("serialises");
        assert_eq!(
            json,
            r#"{"working_weekdays":["Monday","Saturday"],"office_hours":[["08:00","12:00:30"]],"holidays":["2026-02-17"],"extra_working_days":["2026-02-21"]}"#
        );
        let back: WorkingCalendar = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, calendar);
        let vietnam = vn();
        let back: WorkingCalendar =
            serde_json::from_str(&serde_json::to_string(&vietnam).expect("serialises")).expect("deserialises");
        assert_eq!(back, vietnam);

        let invalid = [
            r#"{"working_weekdays":["Monday"],"office_hours":[["08:00","12:00"],["11:00","17:00"]],"holidays":[],"extra_working_days":[]}"#,
            r#"{"working_weekdays":["Mon"],"office_hours":[],"holidays":[],"extra_working_days":[]}"#,
            r#"{"working_weekdays":[],"office_hours":[["8h","12:00"]],"holidays":[],"extra_working_days":[]}"#,
            r#"{"working_weekdays":[],"office_hours":[],"holidays":["17/02/2026"],"extra_working_days":[]}"#,
        ];
        for json in invalid {
            assert!(serde_json::from_str::<WorkingCalendar>(json).is_err(), "{json}");
        }
    }
}
