//! Handling incoming documents: the leader assigns (lead, co-handlers, deadline computed from the
//! working calendar and editable), handlers report progress, and the home screen shows what arrived,
//! what is urgent, what is due and what is overdue.
//!
//! Who may report: the leader, or one of the document's handlers (the person, or anyone of the unit
//! named). The check is here, not in the UI.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use vanthu_core::access::{Permission, Role};
use vanthu_core::handling::HandlingStatus;
use vanthu_core::numbering::numbering_year;
use vanthu_core::text::clean;
use vanthu_store::handling::{self, Assignment, HandlerRef, Handling};
use vanthu_store::query::{self, Dashboard, ReplyAwaited};
use vanthu_store::register::{self, RegisterRow};

use crate::{ApiError, ApiResult, Desk, ErrorCode};

/// An assignment as typed by the leader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignInput {
    /// The lead unit or person.
    pub lead: HandlerRef,
    /// Co-handlers.
    #[serde(default)]
    pub co: Vec<HandlerRef>,
    /// Hạn giải quyết; `None` = no deadline.
    pub deadline: Option<OffsetDateTime>,
    /// Ý kiến chỉ đạo.
    pub directions: Option<String>,
}

impl Desk {
    /// Assigns (or re-assigns) the handling of an incoming document (leaders).
    pub fn assign(&self, id: &str, input: &AssignInput) -> ApiResult<Handling> {
        let actor = self.authorise(Permission::Assign)?;
        let now = self.now();
        if let Some(deadline) = input.deadline
            && deadline < now
        {
            return Err(ApiError::invalid("Hạn giải quyết đã qua; hãy chọn một ngày sau hôm nay."));
        }
        let directions = input.directions.as_deref().map(clean).filter(|d| !d.is_empty());
        if directions.as_ref().is_some_and(|d| d.chars().count() > 2000) {
            return Err(ApiError::invalid("Ý kiến chỉ đạo dài quá 2.000 ký tự."));
        }
        let a =
            Assignment { lead: input.lead, co: &input.co, deadline: input.deadline, directions: directions.as_deref() };
        // The sender of a document that came through the hub is told it was assigned (04).
        let told = self.handling_status(id, vanthu_edxml::StatusCode::Assigned, &actor.name)?;
        Ok(self.store.write(|tx| {
            let handling = handling::assign(tx, id.trim(), &a, now, &actor.name)?;
            if let Some(status) = &told {
                crate::exchange::queue(tx, status, id.trim(), &actor.name, now)?;
            }
            Ok(handling)
        })?)
    }

    /// Records progress on an assigned document (its handlers, or a leader).
    pub fn report_progress(&self, id: &str, status: HandlingStatus, note: Option<&str>) -> ApiResult<Handling> {
        let actor = self.authorise(Permission::ReportProgress)?;
        let id = id.trim();
        if let Some(account) = &actor.account
            && account.role != Role::Leader
            && !self.store.read(|c| handling::is_handler(c, id, account.id, account.unit_id))?
        {
            return Err(ApiError::new(ErrorCode::Forbidden, "Bạn không được giao giải quyết văn bản này."));
        }
        let note = note.map(clean).filter(|n| !n.is_empty());
        if status == HandlingStatus::Assigned {
            return Err(ApiError::invalid("Tiến độ chỉ có thể là \"đang giải quyết\" hoặc \"đã giải quyết\"."));
        }
        let now = self.now();
        let code = match status {
            HandlingStatus::Done => vanthu_edxml::StatusCode::Done,
            _ => vanthu_edxml::StatusCode::InProgress,
        };
        let told = self.handling_status(id, code, &actor.name)?;
        Ok(self.store.write(|tx| {
            let handling = handling::report(tx, id, status, note.as_deref(), now, &actor.name)?;
            if let Some(status) = &told {
                crate::exchange::queue(tx, status, id, &actor.name, now)?;
            }
            Ok(handling)
        })?)
    }

    /// The deadline `working_days` working days after today, at the end of office hours: what the
    /// assignment form proposes (the leader may change it).
    pub fn suggest_deadline(&self, working_days: u32) -> ApiResult<OffsetDateTime> {
        let now = self.now();
        let calendar = self.working_calendar(numbering_year(now))?;
        let today = now.to_offset(vanthu_core::VIETNAM_OFFSET).date();
        let day = calendar
            .add_working_days(today, working_days)
            .map_err(|e| ApiError::invalid(format!("Không tính được hạn: {e}.")))?;
        let end = calendar.office_hours().last().map(|s| s.1).unwrap_or(time::Time::MIDNIGHT);
        Ok(day.with_time(end).assume_offset(vanthu_core::VIETNAM_OFFSET))
    }

    /// The home screen: everything for the office (clerks, leaders, administrators), or what the
    /// signed-in specialist or their unit leads.
    pub fn dashboard(&self) -> ApiResult<Dashboard> {
        let actor = self.authorise_passive(Permission::ReadRegister)?;
        let mine = actor.account.as_ref().filter(|a| a.role == Role::Specialist).map(|a| (a.id, a.unit_id));
        let now = self.now();
        let mut d = self.store.read(|c| query::dashboard(c, now, mine))?;
        let rows = d
            .arrived_today
            .iter_mut()
            .chain(d.urgent_open.iter_mut())
            .chain(d.due_today.iter_mut().map(|i| &mut i.document))
            .chain(d.overdue.iter_mut().map(|i| &mut i.document));
        self.hide_unreadable(&actor, rows)?;
        Ok(d)
    }

    /// Records that an incoming document is the report one of our outgoing documents asked for
    /// (clerks). The outgoing document then leaves the list of replies awaited.
    pub fn record_reply(&self, incoming: &str, outgoing: &str) -> ApiResult<RegisterRow> {
        let actor = self.authorise(Permission::Register)?;
        let now = self.now();
        Ok(self.store.write(|tx| register::link_reply(tx, incoming.trim(), outgoing.trim(), now, &actor.name))?)
    }

    /// Outgoing documents whose requested report is due within `days` days (or overdue) and not
    /// answered yet: what the sender tracks (domain.md §2).
    pub fn replies_awaited(&self, days: u32) -> ApiResult<Vec<ReplyAwaited>> {
        let actor = self.authorise_passive(Permission::ReadRegister)?;
        let today = self.now().to_offset(vanthu_core::VIETNAM_OFFSET).date();
        let until = today + time::Duration::days(i64::from(days.min(3650)));
        let mut awaited = self.store.read(|c| query::replies_awaited(c, today, until))?;
        self.hide_unreadable(&actor, awaited.iter_mut().map(|a| &mut a.document))?;
        Ok(awaited)
    }
}
