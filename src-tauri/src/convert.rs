//! Mapping between the façade's types and the DTOs, field by field.
//!
//! Exhaustive destructuring is avoided on purpose for `RegisterRow` (the façade's row carries more than
//! the window shows), but every DTO field is filled explicitly: a renamed façade field is a compile error.
//!
//! Dates typed by the clerk arrive as text (`dd/mm/yyyy` or `yyyy-mm-dd`; deadlines also with a time);
//! a malformed one is refused here with a Vietnamese message naming the field, before the façade runs.

use std::path::PathBuf;

use time::format_description::well_known::Rfc3339;
use time::macros::{format_description, offset};
use time::{Date, OffsetDateTime, PrimitiveDateTime};
use vanthu_app as app;

use crate::dto::*;

/// Vietnam time, in which clerks type dates and deadlines.
const VIETNAM: time::UtcOffset = offset!(+7);

impl From<app::ApiError> for CommandError {
    fn from(e: app::ApiError) -> CommandError {
        // ErrorCode serialises as its snake_case name; that name is the contract with the UI.
        let code = match serde_json::to_value(e.code) {
            Ok(serde_json::Value::String(code)) => code,
            _ => "internal".to_owned(),
        };
        // The only details the UI reads: the earlier registration of a duplicate.
        let details = e.details.and_then(|d| serde_json::from_value::<app::DuplicateOf>(d).ok()).map(|d| DuplicateOf {
            reason: match serde_json::to_value(d.reason) {
                Ok(serde_json::Value::String(r)) => r,
                _ => String::new(),
            },
            earlier: d.earlier.into(),
        });
        CommandError { code, message: e.message, details: details.map(Box::new) }
    }
}

impl From<Direction> for app::Direction {
    fn from(d: Direction) -> app::Direction {
        match d {
            Direction::Incoming => app::Direction::Incoming,
            Direction::Outgoing => app::Direction::Outgoing,
        }
    }
}

impl From<app::Direction> for Direction {
    fn from(d: app::Direction) -> Direction {
        match d {
            app::Direction::Incoming => Direction::Incoming,
            app::Direction::Outgoing => Direction::Outgoing,
        }
    }
}

impl From<Urgency> for app::Urgency {
    fn from(u: Urgency) -> app::Urgency {
        match u {
            Urgency::Khan => app::Urgency::Khan,
            Urgency::ThuongKhan => app::Urgency::ThuongKhan,
            Urgency::HoaToc => app::Urgency::HoaToc,
        }
    }
}

impl From<Secrecy> for app::Secrecy {
    fn from(s: Secrecy) -> app::Secrecy {
        match s {
            Secrecy::Mat => app::Secrecy::Mat,
            Secrecy::ToiMat => app::Secrecy::ToiMat,
            Secrecy::TuyetMat => app::Secrecy::TuyetMat,
        }
    }
}

impl From<app::Urgency> for Urgency {
    fn from(u: app::Urgency) -> Urgency {
        match u {
            app::Urgency::Khan => Urgency::Khan,
            app::Urgency::ThuongKhan => Urgency::ThuongKhan,
            app::Urgency::HoaToc => Urgency::HoaToc,
        }
    }
}

impl From<app::Secrecy> for Secrecy {
    fn from(s: app::Secrecy) -> Secrecy {
        match s {
            app::Secrecy::Mat => Secrecy::Mat,
            app::Secrecy::ToiMat => Secrecy::ToiMat,
            app::Secrecy::TuyetMat => Secrecy::TuyetMat,
        }
    }
}

impl From<app::Organisation> for Organisation {
    fn from(o: app::Organisation) -> Organisation {
        Organisation { org_id: o.org_id, name: o.name, abbreviation: o.abbreviation }
    }
}

impl From<InitOrganisation> for app::NewOrganisation {
    fn from(i: InitOrganisation) -> app::NewOrganisation {
        app::NewOrganisation { org_id: i.org_id, name: i.name, abbreviation: i.abbreviation }
    }
}

impl From<ListRegister> for app::ListQuery {
    fn from(l: ListRegister) -> app::ListQuery {
        app::ListQuery { direction: l.direction.into(), year: l.year, page: l.page, page_size: l.page_size }
    }
}

impl From<SearchRegister> for app::SearchQuery {
    fn from(s: SearchRegister) -> app::SearchQuery {
        app::SearchQuery { text: s.text, direction: s.direction.map(Into::into), page: s.page, page_size: s.page_size }
    }
}

impl From<app::Page<app::RegisterRow>> for RegisterPage {
    fn from(p: app::Page<app::RegisterRow>) -> RegisterPage {
        RegisterPage {
            items: p.items.into_iter().map(RegisterRow::from).collect(),
            page: p.page,
            page_size: p.page_size,
            total: p.total,
            has_more: p.has_more,
        }
    }
}

impl From<app::RegisterRow> for RegisterRow {
    fn from(r: app::RegisterRow) -> RegisterRow {
        RegisterRow {
            id: r.id,
            direction: r.direction.into(),
            year: r.year,
            number: r.number,
            number_text: r.number_text,
            code: r.code,
            registered_at: r.registered_at,
            arrival_date: r.arrival_date,
            document_date: r.document_date,
            organ_name: r.organ_name,
            type_name: r.type_name,
            subject: r.subject,
            signer: r.signer,
            recipients: r.recipients,
            handler: r.handler,
            archive_holder: r.archive_holder,
            copies: r.copies,
            urgency: r.urgency.map(Into::into),
            secrecy: r.secrecy.map(Into::into),
            due_date: r.due_date,
            cancelled: r.cancelled,
            cancel_reason: r.cancel_reason,
            note: r.note,
            series: r.series,
            code_number: r.code_number,
            code_notation: r.code_notation,
            organ_id: r.organ_id,
            channel: r.channel.map(Into::into),
            register_deadline: r.register_deadline,
            cancelled_at: r.cancelled_at,
            exchange_id: r.exchange_id,
            response_for: r.response_for,
            recalled: r.recalled,
            recalled_at: r.recalled_at,
            recall_reason: r.recall_reason,
            handling_status: r.handling_status.map(Into::into),
            handling_deadline: r.handling_deadline,
            lead: r.lead,
        }
    }
}

fn invalid(message: String) -> CommandError {
    CommandError::new("invalid_input", message)
}

/// Empty text means absent.
fn some_text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A date typed as `dd/mm/yyyy` or `yyyy-mm-dd`; empty is absent.
pub fn parse_date(field: &str, value: Option<&str>) -> Result<Option<Date>, CommandError> {
    let Some(text) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let iso = Date::parse(text, format_description!("[year]-[month]-[day]"));
    let vn = Date::parse(text, format_description!("[day padding:none]/[month padding:none]/[year]"));
    iso.or(vn)
        .map(Some)
        .map_err(|_| invalid(format!("{field} “{text}” không hợp lệ: hãy nhập dạng ngày/tháng/năm, ví dụ 07/10/2019.")))
}

fn date_text(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A deadline as RFC 3339, or `yyyy-mm-ddTHH:MM` / `dd/mm/yyyy HH:MM` / a bare date (end of day) in
/// Vietnam time.
fn parse_deadline(value: Option<&str>) -> Result<Option<OffsetDateTime>, CommandError> {
    let Some(text) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(Some(t));
    }
    let local = PrimitiveDateTime::parse(text, format_description!("[year]-[month]-[day]T[hour]:[minute]"))
        .or_else(|_| PrimitiveDateTime::parse(text, format_description!("[year]-[month]-[day] [hour]:[minute]")))
        .or_else(|_| {
            PrimitiveDateTime::parse(
                text,
                format_description!("[day padding:none]/[month padding:none]/[year] [hour padding:none]:[minute]"),
            )
        });
    if let Ok(t) = local {
        return Ok(Some(t.assume_offset(VIETNAM)));
    }
    match parse_date("Hạn giải quyết", Some(text)) {
        Ok(Some(d)) => Ok(Some(d.with_hms(17, 0, 0).map_err(|e| invalid(e.to_string()))?.assume_offset(VIETNAM))),
        Ok(None) => Ok(None),
        Err(_) => Err(invalid(format!(
            "Hạn giải quyết “{text}” không hợp lệ: hãy nhập dạng ngày/tháng/năm giờ:phút, ví dụ 09/03/2026 17:00."
        ))),
    }
}

/// RFC 3339 in Vietnam time.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(VIETNAM).format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

impl From<app::Channel> for Channel {
    fn from(c: app::Channel) -> Channel {
        match c {
            app::Channel::Paper => Channel::Paper,
            app::Channel::Electronic => Channel::Electronic,
        }
    }
}

impl From<Channel> for app::Channel {
    fn from(c: Channel) -> app::Channel {
        match c {
            Channel::Paper => app::Channel::Paper,
            Channel::Electronic => app::Channel::Electronic,
        }
    }
}

impl From<app::Role> for Role {
    fn from(r: app::Role) -> Role {
        match r {
            app::Role::Clerk => Role::Clerk,
            app::Role::Leader => Role::Leader,
            app::Role::Specialist => Role::Specialist,
            app::Role::Admin => Role::Admin,
        }
    }
}

impl From<Role> for app::Role {
    fn from(r: Role) -> app::Role {
        match r {
            Role::Clerk => app::Role::Clerk,
            Role::Leader => app::Role::Leader,
            Role::Specialist => app::Role::Specialist,
            Role::Admin => app::Role::Admin,
        }
    }
}

impl From<app::HandlingStatus> for HandlingStatus {
    fn from(s: app::HandlingStatus) -> HandlingStatus {
        match s {
            app::HandlingStatus::Assigned => HandlingStatus::Assigned,
            app::HandlingStatus::InProgress => HandlingStatus::InProgress,
            app::HandlingStatus::Done => HandlingStatus::Done,
        }
    }
}

impl From<HandlingStatus> for app::HandlingStatus {
    fn from(s: HandlingStatus) -> app::HandlingStatus {
        match s {
            HandlingStatus::Assigned => app::HandlingStatus::Assigned,
            HandlingStatus::InProgress => app::HandlingStatus::InProgress,
            HandlingStatus::Done => app::HandlingStatus::Done,
        }
    }
}

impl From<app::Account> for Account {
    fn from(a: app::Account) -> Account {
        Account {
            id: a.id,
            username: a.username,
            full_name: a.full_name,
            position: a.position,
            role: a.role.into(),
            unit_id: a.unit_id,
            must_change_password: a.must_change_password,
            failed_attempts: a.failed_attempts,
            locked_until: a.locked_until,
            active: a.active,
        }
    }
}

impl From<app::SessionInfo> for SessionInfo {
    fn from(s: app::SessionInfo) -> SessionInfo {
        SessionInfo { account: s.account.into(), idle_minutes: s.idle_minutes }
    }
}

impl From<NewUnit> for app::NewUnit {
    fn from(u: NewUnit) -> app::NewUnit {
        app::NewUnit { abbreviation: u.abbreviation, name: u.name }
    }
}

impl From<app::Unit> for Unit {
    fn from(u: app::Unit) -> Unit {
        Unit { id: u.id, abbreviation: u.abbreviation, name: u.name, active: u.active }
    }
}

impl From<app::SeriesState> for SeriesState {
    fn from(s: app::SeriesState) -> SeriesState {
        SeriesState { key: s.key, title: s.title, year: s.year, last_number: s.last_number }
    }
}

impl From<NewAccount> for app::NewAccountInput {
    fn from(a: NewAccount) -> app::NewAccountInput {
        app::NewAccountInput {
            username: a.username,
            full_name: a.full_name,
            position: some_text(a.position),
            role: a.role.map(Into::into),
            unit_id: a.unit_id,
            password: a.password,
        }
    }
}

impl From<Setup> for app::FirstRun {
    fn from(s: Setup) -> app::FirstRun {
        app::FirstRun {
            organisation: s.organisation.into(),
            units: s.units.into_iter().map(Into::into).collect(),
            admin: s.admin.into(),
        }
    }
}

impl From<UpdateAccount> for app::AccountChange {
    fn from(u: UpdateAccount) -> app::AccountChange {
        app::AccountChange {
            full_name: u.full_name,
            position: some_text(u.position),
            role: u.role.into(),
            unit_id: u.unit_id,
            active: u.active,
        }
    }
}

impl From<app::SecurityPolicy> for SecurityPolicy {
    fn from(p: app::SecurityPolicy) -> SecurityPolicy {
        SecurityPolicy {
            max_failed_attempts: p.max_failed_attempts,
            lockout_minutes: p.lockout_minutes,
            idle_minutes: p.idle_minutes,
        }
    }
}

impl From<SecurityPolicy> for app::SecurityPolicy {
    fn from(p: SecurityPolicy) -> app::SecurityPolicy {
        app::SecurityPolicy {
            max_failed_attempts: p.max_failed_attempts,
            lockout_minutes: p.lockout_minutes,
            idle_minutes: p.idle_minutes,
        }
    }
}

impl From<app::CalendarSettings> for CalendarSettings {
    fn from(c: app::CalendarSettings) -> CalendarSettings {
        CalendarSettings {
            working_weekdays: c.working_weekdays,
            office_hours: c.office_hours,
            added_holidays: c.added_holidays,
            removed_holidays: c.removed_holidays,
            extra_working_days: c.extra_working_days,
        }
    }
}

impl From<CalendarSettings> for app::CalendarSettings {
    fn from(c: CalendarSettings) -> app::CalendarSettings {
        app::CalendarSettings {
            working_weekdays: c.working_weekdays,
            office_hours: c.office_hours,
            added_holidays: c.added_holidays,
            removed_holidays: c.removed_holidays,
            extra_working_days: c.extra_working_days,
        }
    }
}

impl TryFrom<IncomingForm> for app::IncomingInput {
    type Error = CommandError;

    fn try_from(f: IncomingForm) -> Result<app::IncomingInput, CommandError> {
        Ok(app::IncomingInput {
            draft: app::IncomingDraft {
                organ_name: f.organ_name,
                organ_id: some_text(f.organ_id),
                code: some_text(f.code),
                issued_date: parse_date("Ngày văn bản", f.issued_date.as_deref())?,
                type_name: f.type_name,
                subject: f.subject,
                signer: some_text(f.signer),
                urgency: f.urgency.map(Into::into),
                secrecy: f.secrecy.map(Into::into),
                due_date: parse_date("Hạn xử lý", f.due_date.as_deref())?,
                channel: f.channel.map(Into::into),
                page_amount: f.page_amount,
                handler: some_text(f.handler),
                note: some_text(f.note),
            },
            files: f.files.into_iter().filter(|p| !p.trim().is_empty()).map(PathBuf::from).collect(),
            allow_duplicate: f.allow_duplicate,
            from_capture: f.from_capture,
            signature_override: f.signature_override.filter(|r| !r.trim().is_empty()),
        })
    }
}

impl From<app::IncomingRegistered> for IncomingRegistered {
    fn from(r: app::IncomingRegistered) -> IncomingRegistered {
        IncomingRegistered {
            id: r.id,
            arrival_number: r.arrival_number,
            arrival_date: r.arrival_date,
            year: r.year,
            register_deadline: r.register_deadline,
            document: r.document.into(),
        }
    }
}

impl From<app::Recipient> for Recipient {
    fn from(r: app::Recipient) -> Recipient {
        Recipient { internal: r.internal, organ_id: r.organ_id, name: r.name, channel: r.channel.into() }
    }
}

impl From<Recipient> for app::Recipient {
    fn from(r: Recipient) -> app::Recipient {
        app::Recipient {
            internal: r.internal,
            organ_id: some_text(r.organ_id),
            name: r.name,
            channel: r.channel.into(),
        }
    }
}

impl TryFrom<OutgoingForm> for app::OutgoingInput {
    type Error = CommandError;

    fn try_from(f: OutgoingForm) -> Result<app::OutgoingInput, CommandError> {
        let delivery: Vec<app::Recipient> = f.recipients.into_iter().map(Into::into).collect();
        Ok(app::OutgoingInput {
            draft: app::OutgoingDraft {
                type_name: f.type_name,
                drafting_unit: some_text(f.drafting_unit),
                legal: f.legal,
                advisory_body: None,
                subject: f.subject,
                signer: f.signer,
                signer_position: some_text(f.signer_position),
                recipients: delivery.iter().map(|r| r.name.clone()).collect(),
                copies: f.copies,
                archive_holder: some_text(f.archive_holder),
                urgency: f.urgency.map(Into::into),
                secrecy: f.secrecy.map(Into::into),
                due_date: parse_date("Hạn trả lời", f.due_date.as_deref())?,
                page_amount: f.page_amount,
                note: some_text(f.note),
            },
            files: f.files.into_iter().filter(|p| !p.trim().is_empty()).map(PathBuf::from).collect(),
            delivery,
            response_for: some_text(f.response_for),
        })
    }
}

impl From<app::OutgoingPreview> for OutgoingPreview {
    fn from(p: app::OutgoingPreview) -> OutgoingPreview {
        OutgoingPreview { code: p.code, number: p.number, notation: p.notation, series: p.series }
    }
}

impl From<app::OutgoingRegistered> for OutgoingRegistered {
    fn from(r: app::OutgoingRegistered) -> OutgoingRegistered {
        OutgoingRegistered {
            id: r.id,
            code_number: r.code_number,
            code_notation: r.code_notation,
            code: r.code,
            issued_date: r.issued_date,
            year: r.year,
            series: r.series,
            document: r.document.into(),
        }
    }
}

impl From<app::DocumentFile> for DocumentFile {
    fn from(f: app::DocumentFile) -> DocumentFile {
        DocumentFile { sha256: f.sha256, size: f.size, name: f.name, media_type: f.media_type, role: f.role }
    }
}

impl From<app::AuditEntry> for HistoryEntry {
    fn from(e: app::AuditEntry) -> HistoryEntry {
        HistoryEntry { seq: e.seq, at: e.at, actor: e.actor, action: e.action, new_json: e.new_json }
    }
}

impl From<app::HandlerRef> for HandlerRef {
    fn from(h: app::HandlerRef) -> HandlerRef {
        match h {
            app::HandlerRef::Unit(id) => HandlerRef { kind: HandlerKind::Unit, id },
            app::HandlerRef::Account(id) => HandlerRef { kind: HandlerKind::Account, id },
        }
    }
}

impl From<HandlerRef> for app::HandlerRef {
    fn from(h: HandlerRef) -> app::HandlerRef {
        match h.kind {
            HandlerKind::Unit => app::HandlerRef::Unit(h.id),
            HandlerKind::Account => app::HandlerRef::Account(h.id),
        }
    }
}

impl From<app::Handler> for Handler {
    fn from(h: app::Handler) -> Handler {
        Handler { lead: h.lead, who: h.who.into(), name: h.name }
    }
}

impl From<app::ProgressEntry> for ProgressEntry {
    fn from(p: app::ProgressEntry) -> ProgressEntry {
        ProgressEntry { at: p.at, actor: p.actor, status: p.status.into(), note: p.note }
    }
}

impl From<app::Handling> for Handling {
    fn from(h: app::Handling) -> Handling {
        Handling {
            status: h.status.into(),
            directions: h.directions,
            deadline: h.deadline,
            assigned_by: h.assigned_by,
            assigned_at: h.assigned_at,
            updated_at: h.updated_at,
            done_at: h.done_at,
            handlers: h.handlers.into_iter().map(Into::into).collect(),
            progress: h.progress.into_iter().map(Into::into).collect(),
            replies: h.replies.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<app::CaseFile> for CaseFile {
    fn from(c: app::CaseFile) -> CaseFile {
        CaseFile {
            id: c.id,
            year: c.year,
            notation: c.notation,
            title: c.title,
            maintenance: c.maintenance,
            rights: c.rights,
            creator: c.creator,
            unit_id: c.unit_id,
            language: c.language,
            description: c.description,
            opened_at: c.opened_at,
            closed_at: c.closed_at,
            archive_due: c.archive_due,
            documents: c.documents,
        }
    }
}

impl From<app::DocumentDetail> for DocumentDetail {
    fn from(d: app::DocumentDetail) -> DocumentDetail {
        DocumentDetail {
            document: d.document.into(),
            files: d.files.into_iter().map(Into::into).collect(),
            history: d.history.into_iter().map(Into::into).collect(),
            handling: d.handling.map(Into::into),
            delivery: d.delivery.into_iter().map(Into::into).collect(),
            case_files: d.case_files.into_iter().map(Into::into).collect(),
            answers: d.answers.map(Into::into),
        }
    }
}

impl TryFrom<AssignHandling> for app::AssignInput {
    type Error = CommandError;

    fn try_from(a: AssignHandling) -> Result<app::AssignInput, CommandError> {
        Ok(app::AssignInput {
            lead: a.lead.into(),
            co: a.co.into_iter().map(Into::into).collect(),
            deadline: parse_deadline(a.deadline.as_deref())?,
            directions: some_text(a.directions),
        })
    }
}

impl From<app::Organ> for Organ {
    fn from(o: app::Organ) -> Organ {
        Organ { id: o.id, organ_id: o.organ_id, name: o.name, uses: o.uses }
    }
}

impl From<app::DeadlineItem> for DeadlineItem {
    fn from(d: app::DeadlineItem) -> DeadlineItem {
        DeadlineItem {
            document: d.document.into(),
            deadline: d.deadline,
            kind: match d.kind {
                app::DeadlineKind::Presentation => DeadlineKind::Presentation,
                app::DeadlineKind::Handling => DeadlineKind::Handling,
            },
        }
    }
}

impl From<app::HandlerLoad> for HandlerLoad {
    fn from(h: app::HandlerLoad) -> HandlerLoad {
        HandlerLoad { name: h.name, open: h.open, due_today: h.due_today, overdue: h.overdue }
    }
}

impl From<app::Dashboard> for Dashboard {
    fn from(d: app::Dashboard) -> Dashboard {
        Dashboard {
            arrived_today: d.arrived_today.into_iter().map(Into::into).collect(),
            urgent_open: d.urgent_open.into_iter().map(Into::into).collect(),
            due_today: d.due_today.into_iter().map(Into::into).collect(),
            overdue: d.overdue.into_iter().map(Into::into).collect(),
            per_handler: d.per_handler.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<app::StatusFilter> for StatusFilter {
    fn from(s: app::StatusFilter) -> StatusFilter {
        match s {
            app::StatusFilter::Unassigned => StatusFilter::Unassigned,
            app::StatusFilter::Assigned => StatusFilter::Assigned,
            app::StatusFilter::InProgress => StatusFilter::InProgress,
            app::StatusFilter::Done => StatusFilter::Done,
            app::StatusFilter::Overdue => StatusFilter::Overdue,
            app::StatusFilter::Cancelled => StatusFilter::Cancelled,
            app::StatusFilter::Recalled => StatusFilter::Recalled,
        }
    }
}

impl From<StatusFilter> for app::StatusFilter {
    fn from(s: StatusFilter) -> app::StatusFilter {
        match s {
            StatusFilter::Unassigned => app::StatusFilter::Unassigned,
            StatusFilter::Assigned => app::StatusFilter::Assigned,
            StatusFilter::InProgress => app::StatusFilter::InProgress,
            StatusFilter::Done => app::StatusFilter::Done,
            StatusFilter::Overdue => app::StatusFilter::Overdue,
            StatusFilter::Cancelled => app::StatusFilter::Cancelled,
            StatusFilter::Recalled => app::StatusFilter::Recalled,
        }
    }
}

impl TryFrom<Filter> for app::Filter {
    type Error = CommandError;

    fn try_from(f: Filter) -> Result<app::Filter, CommandError> {
        Ok(app::Filter {
            text: some_text(f.text),
            direction: f.direction.map(Into::into),
            year: f.year,
            type_name: some_text(f.type_name),
            organ: some_text(f.organ),
            urgency: f.urgency.map(Into::into),
            any_urgent: f.any_urgent,
            status: f.status.map(Into::into),
            date_from: parse_date("Từ ngày", f.date_from.as_deref())?,
            date_to: parse_date("Đến ngày", f.date_to.as_deref())?,
        })
    }
}

impl From<app::Filter> for Filter {
    fn from(f: app::Filter) -> Filter {
        Filter {
            text: f.text,
            direction: f.direction.map(Into::into),
            year: f.year,
            type_name: f.type_name,
            organ: f.organ,
            urgency: f.urgency.map(Into::into),
            any_urgent: f.any_urgent,
            status: f.status.map(Into::into),
            date_from: f.date_from.map(date_text),
            date_to: f.date_to.map(date_text),
        }
    }
}

impl From<app::SavedSearch> for SavedSearch {
    fn from(s: app::SavedSearch) -> SavedSearch {
        SavedSearch { id: s.id, name: s.name, filter: s.filter.into(), columns: s.columns }
    }
}

impl TryFrom<SaveSearch> for app::SavedSearchInput {
    type Error = CommandError;

    fn try_from(s: SaveSearch) -> Result<app::SavedSearchInput, CommandError> {
        Ok(app::SavedSearchInput { name: s.name, filter: s.filter.try_into()?, columns: s.columns })
    }
}

impl From<CaseFileInput> for app::CaseFileInput {
    fn from(c: CaseFileInput) -> app::CaseFileInput {
        app::CaseFileInput {
            year: c.year,
            notation: c.notation,
            title: c.title,
            maintenance: c.maintenance,
            unit_id: c.unit_id,
            description: some_text(c.description),
        }
    }
}

impl From<app::CaseFileDetail> for CaseFileDetail {
    fn from(c: app::CaseFileDetail) -> CaseFileDetail {
        CaseFileDetail { file: c.file.into(), documents: c.documents.into_iter().map(Into::into).collect() }
    }
}

impl From<app::BackupSchedule> for BackupSchedule {
    fn from(s: app::BackupSchedule) -> BackupSchedule {
        BackupSchedule { folder: s.folder, every_hours: s.every_hours }
    }
}

impl From<BackupSchedule> for app::BackupSchedule {
    fn from(s: BackupSchedule) -> app::BackupSchedule {
        app::BackupSchedule { folder: some_text(s.folder), every_hours: s.every_hours }
    }
}

impl From<app::BackupRun> for BackupRun {
    fn from(r: app::BackupRun) -> BackupRun {
        BackupRun { at: r.at, folder: r.folder, scheduled: r.scheduled, ok: r.ok, message: r.message }
    }
}

impl From<app::BackupStatus> for BackupStatus {
    fn from(s: app::BackupStatus) -> BackupStatus {
        BackupStatus {
            schedule: s.schedule.into(),
            last: s.last.map(Into::into),
            last_ok: s.last_ok.map(Into::into),
            next_due: s.next_due,
        }
    }
}

impl BackupMade {
    /// What a manifest says, and where it was written.
    pub fn new(folder: &std::path::Path, m: &app::Manifest) -> BackupMade {
        BackupMade {
            folder: folder.display().to_string(),
            created_at: m.created_at.clone(),
            documents: m.documents,
            files: m.files.len() as u64,
        }
    }
}

impl Restored {
    /// What a restore did.
    pub fn new(folder: &std::path::Path, r: &app::Restored) -> Restored {
        Restored {
            backup: BackupMade::new(folder, &r.manifest),
            previous_moved_to: r.previous_moved_to.as_ref().map(|p| p.display().to_string()),
        }
    }
}

impl From<Book> for app::Book {
    fn from(b: Book) -> app::Book {
        match b {
            Book::Incoming => app::Book::Incoming,
            Book::Outgoing => app::Book::Outgoing,
            Book::Handling => app::Book::Handling,
        }
    }
}

impl From<ExportFormat> for app::ExportFormat {
    fn from(f: ExportFormat) -> app::ExportFormat {
        match f {
            ExportFormat::Pdf => app::ExportFormat::Pdf,
            ExportFormat::Xlsx => app::ExportFormat::Xlsx,
            ExportFormat::Xml => app::ExportFormat::Xml,
        }
    }
}

impl TryFrom<PrintRegister> for app::RegisterPrint {
    type Error = CommandError;

    fn try_from(p: PrintRegister) -> Result<app::RegisterPrint, CommandError> {
        let from = parse_date("Từ ngày", Some(&p.from))?.ok_or_else(|| invalid("Thiếu “từ ngày”.".to_owned()))?;
        let to = parse_date("Đến ngày", Some(&p.to))?.ok_or_else(|| invalid("Thiếu “đến ngày”.".to_owned()))?;
        Ok(app::RegisterPrint { book: p.book.into(), from, to, volume: p.volume })
    }
}

impl From<app::Exported> for Exported {
    fn from(e: app::Exported) -> Exported {
        Exported { path: e.path.display().to_string(), media_type: e.media_type, rows: e.rows }
    }
}

impl From<app::Person> for Person {
    fn from(p: app::Person) -> Person {
        Person {
            id: p.id,
            username: p.username,
            full_name: p.full_name,
            position: p.position,
            role: p.role.into(),
            unit_id: p.unit_id,
        }
    }
}

impl From<app::ReplyAwaited> for ReplyAwaited {
    fn from(r: app::ReplyAwaited) -> ReplyAwaited {
        ReplyAwaited { document: r.document.into(), due_date: r.due_date, overdue: r.overdue }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_both_forms() {
        let d = |s: &str| parse_date("Ngày", Some(s)).map(|d| d.map(date_text));
        assert_eq!(d("2019-10-07"), Ok(Some("2019-10-07".to_owned())));
        assert_eq!(d("07/10/2019"), Ok(Some("2019-10-07".to_owned())));
        assert_eq!(d("7/10/2019"), Ok(Some("2019-10-07".to_owned())));
        assert_eq!(d(" "), Ok(None));
        assert!(d("32/13/2019").is_err());
        let t = |s: &str| parse_deadline(Some(s)).map(|t| t.map(rfc3339));
        assert_eq!(t("2026-03-09T17:00"), Ok(Some("2026-03-09T17:00:00+07:00".to_owned())));
        assert_eq!(t("09/03/2026 16:30"), Ok(Some("2026-03-09T16:30:00+07:00".to_owned())));
        assert_eq!(t("09/03/2026"), Ok(Some("2026-03-09T17:00:00+07:00".to_owned())));
        assert_eq!(t("2026-03-09T17:00:00+07:00"), Ok(Some("2026-03-09T17:00:00+07:00".to_owned())));
        assert!(t("mai").is_err());
    }
}
