//! Backups from the desk: on demand (administrators) and on a schedule (the desktop shell calls
//! [`Desk::run_scheduled_backup`] every few minutes; it does nothing until one is due), with the
//! outcome of the last attempt and the last success always readable.

use std::path::PathBuf;

use serde::Serialize;
use time::{Duration, OffsetDateTime};
use vanthu_core::access::Permission;
use vanthu_store::backup::Manifest;
use vanthu_store::query::{self, BackupRun};

use crate::{ApiResult, BackupSchedule, Desk};

/// What the backup screen and the status bar show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BackupStatus {
    /// The schedule.
    pub schedule: BackupSchedule,
    /// The last attempt, successful or not.
    pub last: Option<BackupRun>,
    /// The last successful backup.
    pub last_ok: Option<BackupRun>,
    /// When the next scheduled backup is due (RFC 3339), if a schedule is set.
    pub next_due: Option<String>,
}

impl Desk {
    /// The backup schedule and the last results (anyone signed in may see them).
    pub fn backup_status(&self) -> ApiResult<BackupStatus> {
        self.authorise_passive(Permission::ReadRegister)?;
        self.backup_status_unchecked()
    }

    fn backup_status_unchecked(&self) -> ApiResult<BackupStatus> {
        let schedule = self.backup_schedule()?;
        let (last, last_ok) = self.store.read(query::last_backups)?;
        let next_due = schedule_due(&schedule, last_ok.as_ref())?.map(crate::rfc3339);
        Ok(BackupStatus { schedule, last, last_ok, next_due })
    }

    /// Makes the scheduled backup if one is due: into a new folder `vanthu-YYYYMMDD-HHMMSS` under the
    /// schedule's folder. Runs without a signed-in user (it is the office's schedule, set by an
    /// administrator); the attempt is recorded either way.
    pub fn run_scheduled_backup(&self) -> ApiResult<Option<Manifest>> {
        let status = self.backup_status_unchecked()?;
        let (Some(folder), Some(due)) =
            (&status.schedule.folder, schedule_due(&status.schedule, status.last_ok.as_ref())?)
        else {
            return Ok(None);
        };
        let now = self.now();
        if now < due {
            return Ok(None);
        }
        let name = format!("vanthu-{}", crate::file_stamp(now));
        std::fs::create_dir_all(folder).map_err(|e| {
            crate::ApiError::new(crate::ErrorCode::Io, format!("Không tạo được thư mục sao lưu {folder}: {e}."))
        })?;
        self.backup_now(&PathBuf::from(folder).join(name), true).map(Some)
    }
}

/// When the next scheduled backup is due: at once if none succeeded yet, else `every_hours` after the
/// last success. `None` when no schedule is set.
fn schedule_due(schedule: &BackupSchedule, last_ok: Option<&BackupRun>) -> ApiResult<Option<OffsetDateTime>> {
    if schedule.folder.is_none() || schedule.every_hours == 0 {
        return Ok(None);
    }
    let Some(last) = last_ok else {
        return Ok(Some(OffsetDateTime::UNIX_EPOCH));
    };
    let at = OffsetDateTime::parse(&last.at, &time::format_description::well_known::Rfc3339).map_err(|e| {
        crate::ApiError::new(crate::ErrorCode::Internal, format!("Thời điểm sao lưu không đọc được: {e}."))
    })?;
    Ok(Some(at + Duration::hours(i64::from(schedule.every_hours))))
}
