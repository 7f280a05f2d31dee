//! Mapping between the façade's types and the DTOs, field by field.
//!
//! Exhaustive destructuring is avoided on purpose for `RegisterRow` (the façade's row carries more than
//! the window shows), but every DTO field is filled explicitly: a renamed façade field is a compile error.

use vanthu_app as app;

use crate::dto::{
    CommandError, Direction, InitOrganisation, ListRegister, Organisation, RegisterPage, RegisterRow, SearchRegister,
    Secrecy, Urgency,
};

impl From<app::ApiError> for CommandError {
    fn from(e: app::ApiError) -> CommandError {
        // ErrorCode serialises as its snake_case name; that name is the contract with the UI.
        let code = match serde_json::to_value(e.code) {
            Ok(serde_json::Value::String(code)) => code,
            _ => "internal".to_owned(),
        };
        CommandError { code, message: e.message }
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
        }
    }
}
