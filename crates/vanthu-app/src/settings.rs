//! The desk's settings: the first-run setup (organisation, units, first administrator, in one
//! transaction), the units, the working calendar (office hours, working weekdays, holidays and make-up
//! days on top of the built-in Vietnamese calendar), the security policy and the backup schedule.
//!
//! Settings live in the register (`setting` table, JSON) so that a backup carries them and every
//! change is audited.

use serde::{Deserialize, Serialize};
use time::{Date, Time, Weekday};
use vanthu_core::access::{Permission, Role, SecurityPolicy};
use vanthu_core::calendar::WorkingCalendar;
use vanthu_core::document::validate_organ_id;
use vanthu_core::text::clean;
use vanthu_store::accounts::{self, Unit};
use vanthu_store::register::{self, Organisation};

use crate::session::{CheckedAccount, NewAccountInput};
use crate::{ApiError, ApiResult, Desk, NewOrganisation};

const SECURITY: &str = "security";
const CALENDAR: &str = "calendar";
const BACKUP: &str = "backup";

/// A unit typed at setup or later.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUnit {
    /// Abbreviation (`VP`, `TC-KH`).
    pub abbreviation: String,
    /// Name (`Văn phòng`).
    pub name: String,
}

/// Everything the first start asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstRun {
    /// The organisation.
    pub organisation: NewOrganisation,
    /// Its units.
    pub units: Vec<NewUnit>,
    /// The first administrator.
    pub admin: NewAccountInput,
}

/// Adjustments of the working calendar over the built-in Vietnamese one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CalendarSettings {
    /// Working weekdays, 1 = Monday … 7 = Sunday.
    pub working_weekdays: Vec<u8>,
    /// Office sessions, `["07:30", "11:30"]`, in order.
    pub office_hours: Vec<(String, String)>,
    /// Extra days off (yyyy-mm-dd), e.g. the government's yearly announcement.
    pub added_holidays: Vec<String>,
    /// Built-in holidays that are not days off this time (yyyy-mm-dd).
    pub removed_holidays: Vec<String>,
    /// Make-up working days, usually Saturdays (yyyy-mm-dd).
    pub extra_working_days: Vec<String>,
}

impl Default for CalendarSettings {
    fn default() -> Self {
        let base = WorkingCalendar::default();
        CalendarSettings {
            working_weekdays: base.working_weekdays().map(|w| w.number_from_monday()).collect(),
            office_hours: base.office_hours().iter().map(|(a, b)| (hhmm(*a), hhmm(*b))).collect(),
            added_holidays: Vec::new(),
            removed_holidays: Vec::new(),
            extra_working_days: Vec::new(),
        }
    }
}

fn hhmm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

fn parse_hhmm(s: &str) -> ApiResult<Time> {
    let bad = || ApiError::invalid(format!("Giờ \"{s}\" không đúng dạng HH:MM."));
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    Time::from_hms(h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?, 0).map_err(|_| bad())
}

pub(crate) fn parse_date(s: &str) -> ApiResult<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), format).map_err(|_| ApiError::invalid(format!("Ngày \"{s}\" không đúng dạng yyyy-mm-dd.")))
}

impl CalendarSettings {
    /// The working calendar for `years`: the built-in Vietnamese one with these adjustments.
    pub fn build(&self, years: std::ops::RangeInclusive<i32>) -> ApiResult<WorkingCalendar> {
        let mut cal = WorkingCalendar::vietnam(years);
        let weekdays = self
            .working_weekdays
            .iter()
            .map(|n| match n {
                1 => Ok(Weekday::Monday),
                2 => Ok(Weekday::Tuesday),
                3 => Ok(Weekday::Wednesday),
                4 => Ok(Weekday::Thursday),
                5 => Ok(Weekday::Friday),
                6 => Ok(Weekday::Saturday),
                7 => Ok(Weekday::Sunday),
                _ => Err(ApiError::invalid(format!("Thứ {n} không hợp lệ (1 = thứ Hai … 7 = Chủ nhật)."))),
            })
            .collect::<ApiResult<Vec<_>>>()?;
        if weekdays.is_empty() {
            return Err(ApiError::invalid("Phải có ít nhất một ngày làm việc trong tuần."));
        }
        cal.set_working_weekdays(weekdays);
        let sessions = self
            .office_hours
            .iter()
            .map(|(a, b)| Ok((parse_hhmm(a)?, parse_hhmm(b)?)))
            .collect::<ApiResult<Vec<_>>>()?;
        cal.set_office_hours(sessions).map_err(|e| ApiError::invalid(format!("Giờ làm việc không hợp lệ: {e}.")))?;
        for d in &self.removed_holidays {
            cal.remove_holiday(parse_date(d)?);
        }
        for d in &self.added_holidays {
            cal.add_holiday(parse_date(d)?);
        }
        for d in &self.extra_working_days {
            cal.add_extra_working_day(parse_date(d)?);
        }
        Ok(cal)
    }
}

/// When and where scheduled backups go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BackupSchedule {
    /// The folder that receives one sub-folder per backup; `None` = no scheduled backup.
    pub folder: Option<String>,
    /// Hours between scheduled backups (0 = off).
    pub every_hours: u32,
}

impl Default for BackupSchedule {
    fn default() -> Self {
        BackupSchedule { folder: None, every_hours: 24 }
    }
}

fn read_setting<T: serde::de::DeserializeOwned + Default>(desk: &Desk, key: &str) -> ApiResult<T> {
    match desk.store.read(|c| accounts::setting(c, key))? {
        Some(v) => serde_json::from_value(v)
            .map_err(|e| ApiError::new(crate::ErrorCode::Internal, format!("Thiết lập {key} không đọc được: {e}."))),
        None => Ok(T::default()),
    }
}

fn write_setting<T: Serialize>(desk: &Desk, key: &str, value: &T) -> ApiResult<()> {
    let actor = desk.authorise(Permission::Settings)?;
    let value = serde_json::to_value(value).map_err(|e| ApiError::new(crate::ErrorCode::Internal, e.to_string()))?;
    let now = desk.now();
    Ok(desk.store.write(|tx| accounts::put_setting(tx, key, &value, now, &actor.name))?)
}

pub(crate) fn security(desk: &Desk) -> ApiResult<SecurityPolicy> {
    read_setting(desk, SECURITY)
}

fn check_unit(u: &NewUnit) -> ApiResult<NewUnit> {
    let abbreviation = clean(&u.abbreviation);
    let name = clean(&u.name);
    if name.is_empty() {
        return Err(ApiError::invalid("Thiếu tên đơn vị."));
    }
    if abbreviation.is_empty() || abbreviation.chars().count() > 20 || abbreviation.contains(['/', ' ']) {
        return Err(ApiError::invalid(format!(
            "Tên viết tắt của đơn vị \"{name}\" phải có 1–20 ký tự, không có dấu cách hay \"/\" (ví dụ VP)."
        )));
    }
    Ok(NewUnit { abbreviation, name })
}

pub(crate) fn check_organisation(input: &NewOrganisation) -> ApiResult<Organisation> {
    let org = Organisation {
        org_id: validate_organ_id(&input.org_id)?,
        name: clean(&input.name),
        abbreviation: clean(&input.abbreviation),
    };
    if org.name.is_empty() {
        return Err(ApiError::invalid("Thiếu tên cơ quan."));
    }
    if org.abbreviation.is_empty()
        || org.abbreviation.chars().count() > 20
        || org.abbreviation.contains(['/', ' ', '-'])
    {
        return Err(ApiError::invalid(
            "Tên viết tắt của cơ quan phải có từ 1 đến 20 ký tự, không có dấu cách, \"/\" hay \"-\" (ví dụ UBND).",
        ));
    }
    Ok(org)
}

impl Desk {
    /// First-run setup: the organisation, its units and the first administrator, all or nothing. The
    /// administrator is signed in afterwards.
    pub fn setup(&self, input: &FirstRun) -> ApiResult<Organisation> {
        if self.organisation()?.is_some() {
            return Err(ApiError::new(crate::ErrorCode::AlreadyInitialised, "Cơ quan đã được thiết lập trước đó."));
        }
        let org = check_organisation(&input.organisation)?;
        let units = input.units.iter().map(check_unit).collect::<ApiResult<Vec<_>>>()?;
        for (i, u) in units.iter().enumerate() {
            if units[..i].iter().any(|v| v.abbreviation == u.abbreviation) {
                return Err(ApiError::invalid(format!("Hai đơn vị cùng tên viết tắt {}.", u.abbreviation)));
            }
        }
        let admin = CheckedAccount::from_input(&input.admin)?;
        let now = self.now();
        let actor = self.os_actor.clone();
        self.store.write(|tx| {
            register::init_organisation(tx, &org, now, &actor)?;
            for u in &units {
                accounts::add_unit(tx, &u.abbreviation, &u.name, now, &actor)?;
            }
            accounts::create_account(tx, &admin.new_account(Role::Admin, None, false), now, &actor)
        })?;
        self.sign_in(admin.username(), &input.admin.password)?;
        Ok(org)
    }

    /// The units.
    pub fn units(&self) -> ApiResult<Vec<Unit>> {
        self.authorise(Permission::ReadRegister)?;
        Ok(self.store.read(accounts::list_units)?)
    }

    /// Adds a unit (administrators).
    pub fn add_unit(&self, unit: &NewUnit) -> ApiResult<Unit> {
        let actor = self.authorise(Permission::Settings)?;
        let u = check_unit(unit)?;
        let now = self.now();
        Ok(self.store.write(|tx| accounts::add_unit(tx, &u.abbreviation, &u.name, now, &actor.name))?)
    }

    /// The calendar adjustments.
    pub fn calendar_settings(&self) -> ApiResult<CalendarSettings> {
        read_setting(self, CALENDAR)
    }

    /// Changes the calendar adjustments (administrators); they are checked by building the calendar.
    pub fn set_calendar_settings(&self, settings: &CalendarSettings) -> ApiResult<()> {
        settings.build(2024..=2025)?;
        write_setting(self, CALENDAR, settings)
    }

    /// The working calendar around `year` (the year before and after too, for deadlines across New Year).
    pub fn working_calendar(&self, year: i32) -> ApiResult<WorkingCalendar> {
        self.calendar_settings()?.build(year - 1..=year + 1)
    }

    /// Changes the security policy (administrators).
    pub fn set_security_policy(&self, policy: &SecurityPolicy) -> ApiResult<()> {
        if policy.max_failed_attempts == 0 || policy.idle_minutes == 0 || policy.lockout_minutes == 0 {
            return Err(ApiError::invalid("Các giá trị bảo mật phải lớn hơn 0."));
        }
        write_setting(self, SECURITY, policy)
    }

    /// The backup schedule.
    pub fn backup_schedule(&self) -> ApiResult<BackupSchedule> {
        read_setting(self, BACKUP)
    }

    /// Changes the backup schedule (administrators).
    pub fn set_backup_schedule(&self, schedule: &BackupSchedule) -> ApiResult<()> {
        if schedule.folder.as_deref().is_some_and(|f| !std::path::Path::new(f).is_absolute()) {
            return Err(ApiError::invalid("Thư mục sao lưu phải là đường dẫn đầy đủ."));
        }
        write_setting(self, BACKUP, schedule)
    }
}
