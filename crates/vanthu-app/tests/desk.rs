//! The façade as the desktop and the CLI use it: accounts and sessions, the permission of every role
//! for every use case, handling, case files, recall, filtered search, calendar settings.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use vanthu_app::{
    AccountChange, ApiError, AssignInput, CalendarSettings, CaseFileInput, Channel, Clock, Desk, Direction, ErrorCode,
    Filter, FirstRun, HandlerRef, HandlingStatus, IncomingDraft, IncomingInput, ListQuery, NewAccountInput,
    NewOrganisation, NewUnit, OutgoingDraft, OutgoingInput, Recipient, Role, SavedSearchInput, SearchQuery,
    StatusFilter, Urgency,
};

const START: OffsetDateTime = datetime!(2026-11-16 09:00 +7); // a Monday
const ADMIN_PW: &str = "quantri2026";

fn first_run() -> FirstRun {
    FirstRun {
        organisation: NewOrganisation {
            org_id: "000.00.12.H24".into(),
            name: "Ủy ban nhân dân xã Tả Phìn".into(),
            abbreviation: "UBND".into(),
        },
        units: vec![
            NewUnit { abbreviation: "VP".into(), name: "Văn phòng".into() },
            NewUnit { abbreviation: "TC".into(), name: "Ban Tài chính".into() },
        ],
        admin: NewAccountInput {
            username: "quantri".into(),
            full_name: "Nguyễn Văn Quản".into(),
            role: Some(Role::Admin),
            password: ADMIN_PW.into(),
            ..Default::default()
        },
    }
}

/// A register set up with an administrator (signed in) and one account per other role, each with a
/// changed password `<name>2026x`.
fn office(dir: &Path) -> Desk {
    let desk = Desk::open(dir.join("register.sqlite3"), Clock::Fixed(START)).unwrap();
    desk.setup(&first_run()).unwrap();
    let vp = desk.units().unwrap().into_iter().find(|u| u.abbreviation == "VP").unwrap().id;
    for (user, name, role) in [
        ("vanthu", "Trần Thị Thư", Role::Clerk),
        ("lanhdao", "Lê Văn Đạo", Role::Leader),
        ("chuyenvien", "Phạm Thị Viên", Role::Specialist),
        ("chuyenvien2", "Đỗ Văn Hai", Role::Specialist),
    ] {
        desk.create_account(&NewAccountInput {
            username: user.into(),
            full_name: name.into(),
            role: Some(role),
            unit_id: (user == "chuyenvien").then_some(vp),
            password: "tamthoi123".into(),
            ..Default::default()
        })
        .unwrap();
    }
    for user in ["vanthu", "lanhdao", "chuyenvien", "chuyenvien2"] {
        desk.sign_in(user, "tamthoi123").unwrap();
        let err = desk.list(&list_incoming()).unwrap_err();
        assert_eq!(err.code, ErrorCode::PasswordChangeRequired, "{user}");
        desk.change_password("tamthoi123", &format!("{user}2026x")).unwrap();
    }
    desk.sign_in("quantri", ADMIN_PW).unwrap();
    desk
}

fn as_user(desk: &Desk, user: &str) {
    let pw = if user == "quantri" { ADMIN_PW.to_owned() } else { format!("{user}2026x") };
    desk.sign_in(user, &pw).unwrap();
}

fn list_incoming() -> ListQuery {
    ListQuery { direction: Direction::Incoming, year: None, page: 0, page_size: 50 }
}

fn incoming_draft(subject: &str) -> IncomingDraft {
    IncomingDraft {
        organ_name: "Sở Tài nguyên và Môi trường tỉnh Lào Cai".into(),
        code: Some(format!("{}/STNMT-VP", NEXT_CODE.fetch_add(1, std::sync::atomic::Ordering::Relaxed))),
        type_name: "Công văn".into(),
        subject: subject.into(),
        ..Default::default()
    }
}

fn register_in(desk: &Desk, subject: &str) -> String {
    desk.register_incoming(&IncomingInput { draft: incoming_draft(subject), ..Default::default() }).unwrap().id
}

fn outgoing_input(subject: &str) -> OutgoingInput {
    OutgoingInput {
        draft: OutgoingDraft {
            type_name: "Công văn".into(),
            drafting_unit: Some("VP".into()),
            subject: subject.into(),
            signer: "Lê Văn Đạo".into(),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn account_id(desk: &Desk, user: &str) -> i64 {
    as_user(desk, "quantri");
    desk.accounts().unwrap().into_iter().find(|a| a.username == user).unwrap().id
}

fn code(r: Result<impl Sized, ApiError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) if e.code == ErrorCode::Forbidden => "forbidden",
        Err(e) => panic!("unexpected error {:?}: {}", e.code, e.message),
    }
}

/// Every use case, tried by every role: the rules hold in the façade, whatever the UI shows.
#[test]
fn every_role_can_do_exactly_its_part() {
    let dir = tempfile::tempdir().unwrap();
    let desk = office(dir.path());
    let specialist = account_id(&desk, "chuyenvien");
    as_user(&desk, "vanthu");
    let doc = register_in(&desk, "Văn bản dùng chung cho phép thử");
    as_user(&desk, "lanhdao");
    desk.assign(
        &doc,
        &AssignInput { lead: HandlerRef::Account(specialist), co: vec![], deadline: None, directions: None },
    )
    .unwrap();

    type Case<'a> = (&'a str, Box<dyn Fn(&Desk, usize) -> &'static str + 'a>);
    let cases: Vec<Case> = vec![
        ("list", Box::new(|d, _| code(d.list(&list_incoming())))),
        (
            "search",
            Box::new(|d, _| {
                code(d.search(&SearchQuery { text: "dung chung".into(), direction: None, page: 0, page_size: 10 }))
            }),
        ),
        ("show", Box::new(|d, _| code(d.show(&doc)))),
        ("dashboard", Box::new(|d, _| code(d.dashboard()))),
        (
            "register incoming",
            Box::new(|d, i| {
                code(d.register_incoming(&IncomingInput {
                    draft: incoming_draft(&format!("Thử {i}")),
                    ..Default::default()
                }))
            }),
        ),
        ("register outgoing", Box::new(|d, i| code(d.register_outgoing(&outgoing_input(&format!("Thử đi {i}")))))),
        (
            "cancel",
            Box::new(|d, i| {
                let id = {
                    as_user(d, "vanthu");
                    register_in(d, &format!("Để hủy {i}"))
                };
                as_user(d, ROLE_USERS[i]);
                code(d.cancel(&id, "Đăng ký nhầm"))
            }),
        ),
        (
            "recall",
            Box::new(|d, i| {
                let id = {
                    as_user(d, "vanthu");
                    d.register_outgoing(&outgoing_input(&format!("Để thu hồi {i}"))).unwrap().id
                };
                as_user(d, ROLE_USERS[i]);
                code(d.recall(&id, "Ban hành sai thể thức"))
            }),
        ),
        (
            "assign",
            Box::new(|d, _| {
                code(d.assign(
                    &doc,
                    &AssignInput {
                        lead: HandlerRef::Account(specialist),
                        co: vec![],
                        deadline: None,
                        directions: Some("Xử lý".into()),
                    },
                ))
            }),
        ),
        (
            "report progress",
            Box::new(|d, _| code(d.report_progress(&doc, HandlingStatus::InProgress, Some("Đang xem")))),
        ),
        (
            "open case file",
            Box::new(|d, i| {
                code(d.open_case_file(&CaseFileInput {
                    notation: format!("0{i}.TH"),
                    title: "Hồ sơ thử".into(),
                    maintenance: "10 năm".into(),
                    ..Default::default()
                }))
            }),
        ),
        (
            "save search",
            Box::new(|d, _| {
                code(d.save_search(&SavedSearchInput {
                    name: "Khẩn".into(),
                    filter: Filter { any_urgent: true, ..Default::default() },
                    columns: vec![],
                }))
            }),
        ),
        ("accounts", Box::new(|d, _| code(d.accounts()))),
        (
            "create account",
            Box::new(|d, i| {
                code(d.create_account(&NewAccountInput {
                    username: format!("moi{i}"),
                    full_name: "Người Mới".into(),
                    role: Some(Role::Clerk),
                    password: "matkhau123".into(),
                    ..Default::default()
                }))
            }),
        ),
        (
            "add unit",
            Box::new(|d, i| code(d.add_unit(&NewUnit { abbreviation: format!("P{i}"), name: format!("Phòng {i}") }))),
        ),
        ("calendar", Box::new(|d, _| code(d.set_calendar_settings(&CalendarSettings::default())))),
        ("backup", Box::new(|d, i| code(d.backup(&d.db_path().with_file_name(format!("backup-{i}")))))),
        ("check", Box::new(|d, _| code(d.check()))),
        ("audit verify", Box::new(|d, _| code(d.audit_verify()))),
    ];
    // Expected, written out per use case: clerk, leader, specialist, admin.
    let expected: &[(&str, [&str; 4])] = &[
        ("list", ["ok", "ok", "ok", "ok"]),
        ("search", ["ok", "ok", "ok", "ok"]),
        ("show", ["ok", "ok", "ok", "ok"]),
        ("dashboard", ["ok", "ok", "ok", "ok"]),
        ("register incoming", ["ok", "forbidden", "forbidden", "forbidden"]),
        ("register outgoing", ["ok", "forbidden", "forbidden", "forbidden"]),
        ("cancel", ["ok", "forbidden", "forbidden", "forbidden"]),
        ("recall", ["ok", "forbidden", "forbidden", "forbidden"]),
        ("assign", ["forbidden", "ok", "forbidden", "forbidden"]),
        ("report progress", ["forbidden", "ok", "ok", "forbidden"]),
        ("open case file", ["ok", "forbidden", "ok", "forbidden"]),
        ("save search", ["ok", "ok", "ok", "ok"]),
        ("accounts", ["forbidden", "forbidden", "forbidden", "ok"]),
        ("create account", ["forbidden", "forbidden", "forbidden", "ok"]),
        ("add unit", ["forbidden", "forbidden", "forbidden", "ok"]),
        ("calendar", ["forbidden", "forbidden", "forbidden", "ok"]),
        ("backup", ["forbidden", "forbidden", "forbidden", "ok"]),
        ("check", ["forbidden", "forbidden", "forbidden", "ok"]),
        ("audit verify", ["forbidden", "forbidden", "forbidden", "ok"]),
    ];
    for (name, expect) in expected {
        let (_, case) = cases.iter().find(|(n, _)| n == name).unwrap();
        for (i, user) in ROLE_USERS.iter().enumerate() {
            as_user(&desk, user);
            assert_eq!(case(&desk, i), expect[i], "{name} as {user}");
        }
    }
}

static NEXT_CODE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

const ROLE_USERS: [&str; 4] = ["vanthu", "lanhdao", "chuyenvien", "quantri"];

#[test]
fn sign_in_wrong_password_lockout_and_unlock() {
    let dir = tempfile::tempdir().unwrap();
    let desk = office(dir.path());
    desk.sign_out().unwrap();
    assert_eq!(desk.list(&list_incoming()).unwrap_err().code, ErrorCode::NotSignedIn);
    let unknown = desk.sign_in("khongco", "gi-do-123").unwrap_err();
    let wrong = desk.sign_in("vanthu", "sai-mat-khau-1").unwrap_err();
    assert_eq!(unknown.code, ErrorCode::BadCredentials);
    assert_eq!(wrong.code, ErrorCode::BadCredentials);
    assert!(wrong.message.contains("Còn 4 lần thử"), "{}", wrong.message);
    for _ in 0..3 {
        desk.sign_in("vanthu", "sai-mat-khau-1").unwrap_err();
    }
    let locked = desk.sign_in("vanthu", "sai-mat-khau-1").unwrap_err();
    assert_eq!(locked.code, ErrorCode::Locked, "{}", locked.message);
    assert!(locked.message.contains("09:15"), "locked until 09:15: {}", locked.message);
    // Locked: even the right password is refused.
    assert_eq!(desk.sign_in("vanthu", "vanthu2026x").unwrap_err().code, ErrorCode::Locked);
    // After the lockout period it works again.
    desk.set_clock(Clock::Fixed(START + Duration::minutes(16)));
    desk.sign_in("vanthu", "vanthu2026x").unwrap();
    // An administrator's reset unlocks at once and forces a change.
    for _ in 0..5 {
        desk.sign_in("lanhdao", "sai-mat-khau-1").unwrap_err();
    }
    let leader = account_id(&desk, "lanhdao");
    desk.reset_password(leader, "tamthoi456").unwrap();
    desk.sign_in("lanhdao", "tamthoi456").unwrap();
    assert_eq!(desk.dashboard().unwrap_err().code, ErrorCode::PasswordChangeRequired);
    assert_eq!(desk.change_password("tamthoi456", "ngan").unwrap_err().code, ErrorCode::InvalidInput);
    desk.change_password("tamthoi456", "lanhdao2027y").unwrap();
    desk.dashboard().unwrap();
    // Every step is in the audit log, without any password.
    as_user(&desk, "quantri");
    let history = desk.audit_verify().unwrap();
    assert!(history.error.is_none());
    let db = rusqlite_dump(desk.db_path());
    for action in ["account.sign_in_failed", "account.locked", "account.password_reset", "account.password_change"] {
        assert!(db.contains(action), "{action} audited");
    }
    for secret in ["sai-mat-khau-1", "tamthoi456", "lanhdao2027y", "$argon2id"] {
        assert!(!db.contains(secret), "{secret} must not be in the audit log");
    }
}

/// The audit log's actions and values as text (read with the sqlite3 shell, not our code).
fn rusqlite_dump(db: &Path) -> String {
    let out = std::process::Command::new("sqlite3")
        .arg(db)
        .arg("SELECT action, coalesce(old_json, ''), coalesce(new_json, '') FROM audit_log")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn an_idle_session_ends_and_an_administrator_cannot_demote_themself() {
    let dir = tempfile::tempdir().unwrap();
    let desk = office(dir.path());
    as_user(&desk, "vanthu");
    desk.set_clock(Clock::Fixed(START + Duration::minutes(14)));
    desk.list(&list_incoming()).unwrap();
    desk.set_clock(Clock::Fixed(START + Duration::minutes(28)));
    desk.list(&list_incoming()).unwrap(); // 14 minutes since the last action
    desk.set_clock(Clock::Fixed(START + Duration::minutes(44)));
    let e = desk.list(&list_incoming()).unwrap_err();
    assert_eq!(e.code, ErrorCode::SessionExpired, "{}", e.message);
    assert_eq!(desk.session_info().unwrap(), None);
    assert!(rusqlite_dump(desk.db_path()).contains("account.idle_sign_out"));
    // The window's own polls (home screen, backup status) are not activity.
    as_user(&desk, "vanthu");
    desk.set_clock(Clock::Fixed(START + Duration::minutes(54)));
    desk.dashboard().unwrap();
    desk.backup_status().unwrap();
    desk.set_clock(Clock::Fixed(START + Duration::minutes(60)));
    assert_eq!(desk.dashboard().unwrap_err().code, ErrorCode::SessionExpired);

    as_user(&desk, "quantri");
    let me = account_id(&desk, "quantri");
    let demote = AccountChange {
        full_name: "Nguyễn Văn Quản".into(),
        position: None,
        role: Role::Clerk,
        unit_id: None,
        active: true,
    };
    assert_eq!(desk.update_account(me, &demote).unwrap_err().code, ErrorCode::InvalidInput);
    // Disabling an account ends its sessions.
    let clerk = account_id(&desk, "vanthu");
    desk.update_account(
        clerk,
        &AccountChange {
            full_name: "Trần Thị Thư".into(),
            position: None,
            role: Role::Clerk,
            unit_id: None,
            active: false,
        },
    )
    .unwrap();
    assert_eq!(desk.sign_in("vanthu", "vanthu2026x").unwrap_err().code, ErrorCode::Locked);
}

#[test]
fn assignment_progress_reply_and_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let desk = office(dir.path());
    let specialist = account_id(&desk, "chuyenvien");
    let finance = desk.units().unwrap().into_iter().find(|u| u.abbreviation == "TC").unwrap().id;
    as_user(&desk, "vanthu");
    let doc = desk
        .register_incoming(&IncomingInput {
            draft: IncomingDraft {
                urgency: Some(Urgency::Khan),
                ..incoming_draft("Báo cáo tình hình thiệt hại do mưa lũ")
            },
            ..Default::default()
        })
        .unwrap()
        .id;
    let other = register_in(&desk, "Giấy mời họp giao ban");
    // The home screen: both arrived today, the urgent one stands out, both wait to be presented.
    let home = desk.dashboard().unwrap();
    assert_eq!(home.arrived_today.len(), 2);
    assert_eq!(home.urgent_open.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), [doc.as_str()]);

    as_user(&desk, "lanhdao");
    let deadline = desk.suggest_deadline(2).unwrap();
    assert_eq!(deadline, datetime!(2026-11-18 17:00 +7), "two working days after Monday");
    let h = desk
        .assign(
            &doc,
            &AssignInput {
                lead: HandlerRef::Account(specialist),
                co: vec![HandlerRef::Unit(finance)],
                deadline: Some(deadline),
                directions: Some("Giao chị Viên chủ trì, Ban Tài chính phối hợp".into()),
            },
        )
        .unwrap();
    assert_eq!(h.status, HandlingStatus::Assigned);
    assert_eq!(
        h.handlers.iter().map(|x| (x.lead, x.name.as_str())).collect::<Vec<_>>(),
        [(true, "Phạm Thị Viên"), (false, "Ban Tài chính")]
    );
    let past = desk.assign(
        &other,
        &AssignInput {
            lead: HandlerRef::Account(specialist),
            co: vec![],
            deadline: Some(START - Duration::hours(1)),
            directions: None,
        },
    );
    assert_eq!(past.unwrap_err().code, ErrorCode::InvalidInput);
    desk.assign(
        &other,
        &AssignInput {
            lead: HandlerRef::Unit(finance),
            co: vec![],
            deadline: Some(START + Duration::hours(3)),
            directions: None,
        },
    )
    .unwrap();

    // Another specialist is not a handler of it.
    as_user(&desk, "chuyenvien2");
    assert_eq!(desk.report_progress(&doc, HandlingStatus::InProgress, None).unwrap_err().code, ErrorCode::Forbidden);
    as_user(&desk, "chuyenvien");
    desk.report_progress(&doc, HandlingStatus::InProgress, Some("Đã liên hệ các thôn")).unwrap();
    // The specialist's home screen shows only what they lead.
    let mine = desk.dashboard().unwrap();
    assert_eq!(mine.per_handler.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["Phạm Thị Viên"]);

    // The office's home screen at 13:00: one deadline due today, none overdue; on Thursday, overdue.
    desk.set_clock(Clock::Fixed(START + Duration::hours(4)));
    as_user(&desk, "vanthu");
    let home = desk.dashboard().unwrap();
    assert_eq!(home.overdue.iter().map(|d| d.document.id.as_str()).collect::<Vec<_>>(), [other.as_str()]);
    desk.set_clock(Clock::Fixed(datetime!(2026-11-19 08:00 +7)));
    as_user(&desk, "vanthu");
    let home = desk.dashboard().unwrap();
    assert_eq!(home.overdue.len(), 2);
    assert_eq!(
        desk.find(&Filter { status: Some(StatusFilter::Overdue), ..Default::default() }, 0, 50).unwrap().items.len(),
        2
    );

    // The reply, registered as an answer, shows on the incoming document; then it is done.
    let reply = desk
        .register_outgoing(&OutgoingInput {
            response_for: Some(doc.clone()),
            delivery: vec![Recipient {
                internal: false,
                organ_id: Some("000.00.00.H24".into()),
                name: "Sở Tài nguyên và Môi trường tỉnh Lào Cai".into(),
                channel: Channel::Electronic,
            }],
            ..outgoing_input("Báo cáo thiệt hại do mưa lũ")
        })
        .unwrap();
    as_user(&desk, "chuyenvien");
    desk.report_progress(&doc, HandlingStatus::Done, Some("Đã báo cáo")).unwrap();
    let detail = desk.show(&doc).unwrap();
    let handling = detail.handling.unwrap();
    assert_eq!(handling.status, HandlingStatus::Done);
    assert_eq!(handling.replies.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), [reply.code.as_str()]);
    assert_eq!(
        handling.progress.iter().map(|p| p.status).collect::<Vec<_>>(),
        [HandlingStatus::Assigned, HandlingStatus::InProgress, HandlingStatus::Done]
    );
    let actions: Vec<&str> = detail.history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["incoming.register", "handling.assign", "handling.progress", "handling.progress"]);
    let out = desk.show(&reply.id).unwrap();
    assert_eq!(out.answers.unwrap().id, doc);
    assert_eq!(out.delivery.len(), 1);
    // The directory learned the issuer.
    assert_eq!(desk.suggest_organs("tai nguyen", 5).unwrap()[0].name, "Sở Tài nguyên và Môi trường tỉnh Lào Cai");

    // `check` holds the records to each other: a handling that lost its lead is found.
    as_user(&desk, "quantri");
    assert!(desk.check().unwrap().ok());
    let sql = std::process::Command::new("sqlite3")
        .arg(desk.db_path())
        .arg("PRAGMA foreign_keys = ON; DELETE FROM handler WHERE role = 'lead' AND unit_id IS NOT NULL;")
        .output()
        .unwrap();
    assert!(sql.status.success(), "{}", String::from_utf8_lossy(&sql.stderr));
    let report = desk.check().unwrap();
    assert!(!report.ok());
    assert_eq!(report.consistency, [format!("văn bản {other}: phân công không có đúng một người/đơn vị chủ trì")]);
}

#[test]
fn case_files_recall_and_filters() {
    let dir = tempfile::tempdir().unwrap();
    let desk = office(dir.path());
    as_user(&desk, "vanthu");
    let a = register_in(&desk, "Quyết định phê duyệt kế hoạch phòng chống thiên tai");
    let b = register_in(&desk, "Đề án đường giao thông nông thôn Đà Nẵng");
    let f1 = desk
        .open_case_file(&CaseFileInput {
            notation: "01.TH".into(),
            title: "Phòng chống thiên tai 2026".into(),
            maintenance: "Vĩnh viễn".into(),
            ..Default::default()
        })
        .unwrap();
    let f2 = desk
        .open_case_file(&CaseFileInput {
            notation: "02.GT".into(),
            title: "Giao thông nông thôn".into(),
            maintenance: "10 năm".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        desk.open_case_file(&CaseFileInput {
            notation: "01.TH".into(),
            title: "Trùng".into(),
            maintenance: "5 năm".into(),
            ..Default::default()
        })
        .unwrap_err()
        .code,
        ErrorCode::Conflict
    );
    desk.add_to_case_file(f1.id, &b).unwrap();
    desk.add_to_case_file(f1.id, &a).unwrap();
    desk.add_to_case_file(f2.id, &b).unwrap();
    let detail = desk.case_file(f1.id).unwrap();
    assert_eq!(
        detail.documents.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        [a.as_str(), b.as_str()],
        "chronological"
    );
    assert_eq!(desk.show(&b).unwrap().case_files.len(), 2, "one document, two case files, no copy");
    let closed = desk.close_case_file(f1.id).unwrap();
    assert_eq!(closed.archive_due.as_deref(), Some("2027-11-16"));
    assert_eq!(desk.add_to_case_file(f1.id, &a).unwrap_err().code, ErrorCode::Conflict);
    assert!(desk.case_files_due().unwrap().is_empty());
    desk.set_clock(Clock::Fixed(datetime!(2027-10-20 09:00 +7)));
    as_user(&desk, "vanthu");
    assert_eq!(desk.case_files_due().unwrap().iter().map(|f| f.id).collect::<Vec<_>>(), [f1.id]);

    let series = desk.series(2026).unwrap();
    assert_eq!(series.iter().map(|s| (s.key.as_str(), s.last_number)).collect::<Vec<_>>(), [("den", 2)]);
    assert_eq!(series[0].title, "Sổ đăng ký văn bản đến");

    // Recall freezes an outgoing record: no cancel, no change, even in SQL.
    let out = desk.register_outgoing(&outgoing_input("Công văn gửi nhầm")).unwrap();
    desk.recall(&out.id, "Gửi nhầm nơi nhận").unwrap();
    assert_eq!(desk.cancel(&out.id, "thử").unwrap_err().code, ErrorCode::Conflict);
    assert_eq!(desk.recall(&out.id, "lần hai").unwrap_err().code, ErrorCode::Conflict);
    let sql = std::process::Command::new("sqlite3")
        .arg(desk.db_path())
        .arg(format!("UPDATE document SET subject = 'x' WHERE id = '{}'", out.id))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&sql.stderr).contains("recalled and frozen"));
    assert!(
        desk.find(&Filter { status: Some(StatusFilter::Recalled), ..Default::default() }, 0, 10).unwrap().items[0]
            .recalled
    );

    // Filters: text without diacritics, register, date range.
    let found = |f: Filter| desk.find(&f, 0, 50).unwrap().items.into_iter().map(|r| r.id).collect::<Vec<_>>().join(" ");
    assert_eq!(found(Filter { text: Some("da nang".into()), ..Default::default() }), b);
    assert_eq!(
        found(Filter { text: Some("quyet dinh".into()), direction: Some(Direction::Incoming), ..Default::default() }),
        a
    );
    assert_eq!(
        found(Filter {
            organ: Some("tai nguyen moi truong".into()),
            type_name: Some("cong van".into()),
            ..Default::default()
        }),
        format!("{b} {a}")
    );
    assert!(
        found(Filter {
            date_from: Some(time::macros::date!(2026 - 11 - 17)),
            direction: Some(Direction::Incoming),
            ..Default::default()
        })
        .is_empty()
    );
    assert_eq!(
        desk.find(
            &Filter {
                date_from: Some(time::macros::date!(2026 - 11 - 17)),
                date_to: Some(time::macros::date!(2026 - 11 - 01)),
                ..Default::default()
            },
            0,
            5
        )
        .unwrap_err()
        .code,
        ErrorCode::InvalidInput
    );
    // Text and dates together (the date range narrows the full-text scan by row ids).
    let day = time::macros::date!(2026 - 11 - 16);
    let text_on = |from, to| {
        found(Filter { text: Some("da nang".into()), date_from: Some(from), date_to: Some(to), ..Default::default() })
    };
    assert_eq!(text_on(day, day), b);
    assert_eq!(text_on(day.previous_day().unwrap(), day.next_day().unwrap()), b);
    assert!(text_on(day.next_day().unwrap(), time::macros::date!(2026 - 12 - 31)).is_empty());
    assert!(text_on(time::macros::date!(2026 - 01 - 01), day.previous_day().unwrap()).is_empty());
    let saved = desk
        .save_search(&SavedSearchInput {
            name: "Đà Nẵng".into(),
            filter: Filter { text: Some("da nang".into()), ..Default::default() },
            columns: vec!["code".into(), "subject".into()],
        })
        .unwrap();
    assert_eq!(desk.saved_searches().unwrap(), [saved]);
    as_user(&desk, "lanhdao");
    assert!(desk.saved_searches().unwrap().is_empty(), "saved searches are per user");
}

#[test]
fn the_configured_calendar_moves_deadlines() {
    let dir = tempfile::tempdir().unwrap();
    let desk = office(dir.path());
    // Tuesday 17 November declared a day off: two working days after Monday is Thursday.
    desk.set_calendar_settings(&CalendarSettings { added_holidays: vec!["2026-11-17".into()], ..Default::default() })
        .unwrap();
    let bad = CalendarSettings { office_hours: vec![("14:00".into(), "11:00".into())], ..Default::default() };
    assert_eq!(desk.set_calendar_settings(&bad).unwrap_err().code, ErrorCode::InvalidInput);
    as_user(&desk, "lanhdao");
    assert_eq!(desk.suggest_deadline(2).unwrap(), datetime!(2026-11-19 17:00 +7));
    as_user(&desk, "vanthu");
    // Registered Monday 09:00 on paper: due to be presented by the end of the next working day.
    let r = desk
        .register_incoming(&IncomingInput { draft: incoming_draft("Thông báo lịch nghỉ"), ..Default::default() })
        .unwrap();
    assert_eq!(r.register_deadline.as_deref(), Some("2026-11-18T17:00:00+07:00"));
}

#[test]
fn a_register_without_accounts_stays_open_until_the_first_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path().join("r.sqlite3"), Clock::Fixed(START)).unwrap().with_actor("lan");
    desk.init(&first_run().organisation).unwrap();
    register_in(&desk, "Trước khi có tài khoản");
    let e = desk.create_account(&NewAccountInput {
        username: "vanthu".into(),
        full_name: "A".into(),
        role: Some(Role::Clerk),
        password: "matkhau123".into(),
        ..Default::default()
    });
    assert_eq!(e.unwrap_err().code, ErrorCode::InvalidInput, "the first account must be an administrator");
    desk.create_account(&NewAccountInput {
        username: "quantri".into(),
        full_name: "Quản Trị".into(),
        role: Some(Role::Admin),
        password: ADMIN_PW.into(),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(desk.list(&list_incoming()).unwrap_err().code, ErrorCode::NotSignedIn);
    desk.sign_in("quantri", ADMIN_PW).unwrap();
    assert_eq!(desk.list(&list_incoming()).unwrap().items.len(), 1);
}

fn pdftotext(path: &Path) -> String {
    let out = std::process::Command::new("pdftotext").args(["-layout"]).arg(path).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn registers_forms_case_files_and_results_print_with_the_system_mark() {
    use vanthu_app::{Book, ExportFormat, RegisterPrint};
    let dir = tempfile::tempdir().unwrap();
    let desk = office(dir.path());
    let specialist = account_id(&desk, "chuyenvien");
    as_user(&desk, "vanthu");
    let pdf = dir.path().join("cv.pdf");
    let scanned = vanthu_report::Table {
        title: "Văn bản gốc".into(),
        columns: vec!["Nội dung".into()],
        rows: vec![vec!["Trang một".into()]],
        ..Default::default()
    };
    std::fs::write(&pdf, vanthu_report::table_pdf(&scanned).unwrap()).unwrap();
    let doc = desk
        .register_incoming(&IncomingInput {
            draft: IncomingDraft {
                urgency: Some(Urgency::HoaToc),
                ..incoming_draft("Quyết định phê duyệt phương án phòng chống lũ quét")
            },
            files: vec![pdf],
            ..Default::default()
        })
        .unwrap();
    register_in(&desk, "Giấy mời dự hội nghị tổng kết");
    let out = desk.register_outgoing(&outgoing_input("Báo cáo kết quả khắc phục hậu quả mưa lũ")).unwrap();

    let book = |b| {
        desk.print_register(&RegisterPrint {
            book: b,
            from: time::macros::date!(2026 - 01 - 01),
            to: time::macros::date!(2026 - 12 - 31),
            volume: None,
        })
    };
    let incoming = book(Book::Incoming).unwrap();
    assert_eq!(incoming.rows, 2);
    assert!(incoming.path.starts_with(desk.exports_dir()));
    let text = pdftotext(&incoming.path);
    for needle in [
        "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
        "Năm",
        "2026",
        "Từ số 1 đến số 2",
        "Ngày đến",
        "Số đến",
        "Tác giả",
        "Ký nhận",
        "phương án phòng chống lũ quét",
        "Hỏa tốc",
        "In từ hệ thống Vanthu bởi Trần Thị Thư (vanthu)",
    ] {
        assert!(text.contains(needle), "incoming book lacks {needle:?}:\n{text}");
    }
    let outgoing = pdftotext(&book(Book::Outgoing).unwrap().path);
    assert!(outgoing.contains(&out.code) && outgoing.contains("Người ký"), "{outgoing}");
    assert_eq!(
        desk.print_register(&RegisterPrint {
            book: Book::Incoming,
            from: time::macros::date!(2026 - 12 - 01),
            to: time::macros::date!(2027 - 01 - 31),
            volume: None
        })
        .unwrap_err()
        .code,
        ErrorCode::InvalidInput
    );

    as_user(&desk, "lanhdao");
    desk.assign(
        &doc.id,
        &AssignInput {
            lead: HandlerRef::Account(specialist),
            co: vec![],
            deadline: Some(START + Duration::days(3)),
            directions: Some("Khẩn trương triển khai".into()),
        },
    )
    .unwrap();
    let slip = pdftotext(&desk.print_handling_slip(&doc.id).unwrap().path);
    for needle in ["PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN", "Khẩn trương triển khai", "Phạm Thị Viên"] {
        assert!(slip.contains(needle), "slip lacks {needle:?}:\n{slip}");
    }
    let incoming = pdftotext(&book(Book::Incoming).unwrap().path);
    assert!(incoming.contains("Phạm Thị Viên") && incoming.contains("16/11/2026"), "handed over: {incoming}");
    let handling = pdftotext(&book(Book::Handling).unwrap().path);
    assert!(handling.contains("Phạm Thị Viên (chủ") && handling.contains("Khẩn trương"), "{handling}");

    as_user(&desk, "vanthu");
    let file = desk
        .open_case_file(&CaseFileInput {
            notation: "05.PCLB".into(),
            title: "Phòng chống lụt bão 2026".into(),
            maintenance: "Vĩnh viễn".into(),
            ..Default::default()
        })
        .unwrap();
    desk.add_to_case_file(file.id, &doc.id).unwrap();
    desk.add_to_case_file(file.id, &out.id).unwrap();
    let cf = desk.export_case_file(file.id, ExportFormat::Pdf).unwrap();
    let text = pdftotext(&cf.path);
    assert!(text.contains("Phòng chống lụt bão 2026") && text.contains("MỤC LỤC VĂN BẢN"), "{text}");
    let xml = std::fs::read_to_string(desk.export_case_file(file.id, ExportFormat::Xml).unwrap().path).unwrap();
    let first = xml.find("phương án phòng chống lũ quét").unwrap();
    let second = xml.find("khắc phục hậu quả mưa lũ").unwrap();
    assert!(first < second, "chronological order");
    assert!(xml.contains("<ExportedBy>Trần Thị Thư (vanthu)</ExportedBy>"));

    let filter = Filter { text: Some("phong chong".into()), ..Default::default() };
    let xlsx = desk
        .export_results(&filter, &["number".into(), "subject".into(), "urgency".into()], ExportFormat::Xlsx)
        .unwrap();
    assert_eq!(xlsx.rows, 1);
    assert!(std::fs::read(&xlsx.path).unwrap().starts_with(b"PK"));
    let results = pdftotext(&desk.export_results(&filter, &[], ExportFormat::Pdf).unwrap().path);
    assert!(results.contains("KẾT QUẢ TÌM KIẾM") && results.contains("Từ khóa: \"phong chong\""), "{results}");
    assert_eq!(
        desk.export_results(&filter, &["password".into()], ExportFormat::Pdf).unwrap_err().code,
        ErrorCode::InvalidInput
    );
    as_user(&desk, "chuyenvien");
    assert_eq!(book(Book::Incoming).unwrap_err().code, ErrorCode::Forbidden);
}

#[test]
fn scheduled_backups_run_when_due_and_the_outcome_stays_visible() {
    use vanthu_app::BackupSchedule;
    let dir = tempfile::tempdir().unwrap();
    let desk = office(dir.path());
    assert_eq!(desk.run_scheduled_backup().unwrap(), None, "no schedule yet");
    let folder = dir.path().join("sao-luu");
    desk.set_backup_schedule(&BackupSchedule { folder: Some(folder.display().to_string()), every_hours: 24 }).unwrap();
    assert!(desk.run_scheduled_backup().unwrap().is_some(), "the first one is due at once");
    assert_eq!(desk.run_scheduled_backup().unwrap(), None, "not due again yet");
    desk.set_clock(Clock::Fixed(START + Duration::hours(25)));
    assert!(desk.run_scheduled_backup().unwrap().is_some());
    as_user(&desk, "vanthu");
    let status = desk.backup_status().unwrap();
    assert!(status.last_ok.as_ref().is_some_and(|r| r.ok && r.scheduled));
    assert_eq!(status.next_due.as_deref(), Some("2026-11-18T10:00:00+07:00"));
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 2);
    // A failed attempt is recorded and shown, the last success stays.
    as_user(&desk, "quantri");
    let blocked = dir.path().join("a-file");
    std::fs::write(&blocked, "x").unwrap();
    desk.backup(&blocked.join("inside")).unwrap_err();
    let status = desk.backup_status().unwrap();
    assert!(!status.last.unwrap().ok);
    assert!(status.last_ok.unwrap().ok);
}

#[test]
fn a_secret_document_is_read_only_by_the_clerk_the_leaders_and_its_handlers() {
    use vanthu_app::Secrecy;
    let dir = tempfile::tempdir().unwrap();
    let desk = office(dir.path());
    let handler = account_id(&desk, "chuyenvien");
    as_user(&desk, "vanthu");
    let secret = desk
        .register_incoming(&IncomingInput {
            draft: IncomingDraft {
                secrecy: Some(Secrecy::Mat), ..incoming_draft("Phương án bảo vệ bí mật biên giới")
            },
            ..Default::default()
        })
        .unwrap()
        .id;
    let search = |d: &Desk| {
        d.search(&SearchQuery { text: "bien gioi".into(), direction: None, page: 0, page_size: 10 })
            .unwrap()
            .items
            .len()
    };
    let listed_subject = |d: &Desk| d.list(&list_incoming()).unwrap().items[0].subject.clone();
    assert_eq!(search(&desk), 1);
    as_user(&desk, "lanhdao");
    desk.assign(
        &secret,
        &AssignInput { lead: HandlerRef::Account(handler), co: vec![], deadline: None, directions: None },
    )
    .unwrap();
    assert_eq!(listed_subject(&desk), "Phương án bảo vệ bí mật biên giới");
    for outsider in ["chuyenvien2", "quantri"] {
        as_user(&desk, outsider);
        assert_eq!(desk.show(&secret).unwrap_err().code, ErrorCode::Forbidden, "{outsider}");
        assert_eq!(search(&desk), 0, "{outsider}: a hit would reveal its words");
        assert_eq!(listed_subject(&desk), "[Văn bản mật: chỉ người được giao xem]", "{outsider}");
        assert!(
            desk.find(&Filter { text: Some("bien gioi".into()), ..Default::default() }, 0, 10)
                .unwrap()
                .items
                .is_empty()
        );
    }
    as_user(&desk, "chuyenvien");
    assert_eq!(desk.show(&secret).unwrap().document.subject, "Phương án bảo vệ bí mật biên giới");
    assert_eq!(search(&desk), 1);
}

#[test]
fn a_report_we_asked_for_is_tracked_until_it_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let desk = office(dir.path());
    as_user(&desk, "vanthu");
    let request = desk
        .register_outgoing(&OutgoingInput {
            draft: OutgoingDraft {
                due_date: Some(time::macros::date!(2026 - 11 - 20)),
                ..outgoing_input("Đề nghị báo cáo số liệu hộ nghèo").draft
            },
            ..Default::default()
        })
        .unwrap();
    desk.register_outgoing(&outgoing_input("Thông báo không cần trả lời")).unwrap();
    let awaited = |d: &Desk, days| {
        d.replies_awaited(days).unwrap().into_iter().map(|a| (a.document.id, a.overdue)).collect::<Vec<_>>()
    };
    assert!(awaited(&desk, 2).is_empty(), "due in four days");
    assert_eq!(awaited(&desk, 7), [(request.id.clone(), false)]);
    desk.set_clock(Clock::Fixed(datetime!(2026-11-23 08:00 +7)));
    as_user(&desk, "vanthu");
    assert_eq!(awaited(&desk, 0), [(request.id.clone(), true)], "overdue on Monday");
    let report = register_in(&desk, "Báo cáo số liệu hộ nghèo năm 2026");
    desk.record_reply(&report, &request.id).unwrap();
    assert!(awaited(&desk, 30).is_empty(), "answered");
    assert_eq!(
        desk.show(&request.id).unwrap().answered_by.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        [report.as_str()]
    );
    assert_eq!(desk.show(&report).unwrap().answers.unwrap().id, request.id);
    assert_eq!(desk.record_reply(&report, &request.id).unwrap_err().code, ErrorCode::Conflict, "recorded once");
    assert_eq!(
        desk.record_reply(&request.id, &report).unwrap_err().code,
        ErrorCode::Conflict,
        "incoming answers outgoing"
    );
    assert!(desk.show(&report).unwrap().history.iter().any(|e| e.action == "incoming.answers"));
}

/// A scan page as the scanner delivers it (A5 at 200 dpi: text-like bars on white), JPEG-encoded once.
fn scanned_page(lines: u32) -> Vec<u8> {
    let (w, h) = (1165u32, 1654u32);
    let mut rgb = vec![250u8; (w * h * 3) as usize];
    for line in 0..lines {
        let top = 200 + line * 90;
        for y in top..top + 18 {
            for x in 150..w - 150 {
                let i = ((y * w + x) * 3) as usize;
                rgb[i..i + 3].copy_from_slice(&[30, 40, 90]);
            }
        }
    }
    vanthu_capture::imaging::encode_raw(&vanthu_capture::imaging::RawPage { width: w, height: h, dpi: 200.0, rgb })
        .unwrap()
        .jpeg
}

/// The review queue through the façade: only those who register may take paper in; the same file twice
/// is recognised; a draft becomes the registered PDF in the registration's transaction (a refused
/// registration leaves it in the queue); the archive copy is the original plus the stamp; the watched
/// folder's handler takes, recognises or quarantines.
#[test]
fn digitised_paper_goes_from_the_queue_to_a_stamped_registration() {
    let dir = tempfile::tempdir().unwrap();
    let desk = office(dir.path());
    let files: Vec<_> = (1..=2)
        .map(|i| {
            let path = dir.path().join(format!("scan-{i}.jpg"));
            std::fs::write(&path, scanned_page(i + 2)).unwrap();
            path
        })
        .collect();

    as_user(&desk, "chuyenvien");
    assert_eq!(desk.capture_files(&files).unwrap_err().code, ErrorCode::Forbidden, "a specialist does not digitise");
    as_user(&desk, "vanthu");
    let taken = desk.capture_files(&files).unwrap();
    assert_eq!((taken.drafts.len(), taken.problems.len()), (2, 0));
    let again = desk.capture_files(&files[..1]).unwrap();
    assert!(again.drafts.is_empty() && again.problems[0].message.contains("đã được nhập"), "{again:?}");
    desk.join_drafts(taken.drafts[0], taken.drafts[1]).unwrap();
    let pages = desk.draft_pages(taken.drafts[0]).unwrap();
    assert_eq!(pages.len(), 2);
    assert!(pages.iter().all(|p| p.passthrough && !p.blank), "JPEG files are kept as they came: {pages:?}");
    desk.rotate_page(pages[1].id, 1).unwrap();

    // A registration refused as a likely duplicate keeps the draft in the queue.
    let same = incoming_draft("Về việc số hoá");
    desk.register_incoming(&IncomingInput { draft: same.clone(), ..Default::default() }).unwrap();
    let refused = desk.register_incoming(&IncomingInput {
        draft: same,
        from_capture: Some(taken.drafts[0]),
        ..Default::default()
    });
    assert_eq!(refused.unwrap_err().code, ErrorCode::Duplicate);
    assert_eq!(desk.drafts().unwrap().len(), 1, "still waiting");

    let registered = desk
        .register_incoming(&IncomingInput {
            draft: incoming_draft("Về việc lập hồ sơ số hoá"),
            from_capture: Some(taken.drafts[0]),
            ..Default::default()
        })
        .unwrap();
    assert!(desk.drafts().unwrap().is_empty(), "the draft left the queue with the registration");
    let detail = desk.show(&registered.id).unwrap();
    let main = &detail.files[0];
    assert_eq!((main.role.as_str(), main.media_type.as_str()), ("main", "application/pdf"));
    let original = std::fs::read(desk.stored_file(&main.sha256).unwrap()).unwrap();
    let report = vanthu_app::digitise::check_pdf(&desk.stored_file(&main.sha256).unwrap()).unwrap();
    assert!(report.compliant, "{report:?}");
    assert_eq!(report.pages[1].rotate, 90);

    // The stamp: refused off the page, then on a copy; the original's bytes are its prefix.
    let off = desk.stamp_archive_copy(&registered.id, Some(vanthu_app::Placement { x_mm: 500.0, y_mm: 10.0 }));
    assert_eq!(off.unwrap_err().code, ErrorCode::InvalidInput);
    let layout = desk.stamp_layout(&registered.id).unwrap();
    assert!(layout.current.is_none());
    let copy = desk.stamp_archive_copy(&registered.id, None).unwrap();
    let stamped = std::fs::read(desk.stored_file(&copy.sha256).unwrap()).unwrap();
    assert!(stamped.len() > original.len() && stamped.starts_with(&original));
    assert_eq!(desk.archive_copy(&registered.id).unwrap().map(|c| c.sha256), Some(copy.sha256.clone()));
    let history: Vec<String> = desk.show(&registered.id).unwrap().history.iter().map(|h| h.action.clone()).collect();
    assert!(history.contains(&"document.archive_copy".to_owned()), "{history:?}");

    // The watched folder's handler.
    let folder = dir.path().join("Scan");
    std::fs::create_dir(&folder).unwrap();
    let arrival = |name: &str, bytes: &[u8]| {
        let path = folder.join(name);
        std::fs::write(&path, bytes).unwrap();
        vanthu_app::digitise::Arrival { path, name: name.to_owned(), size: bytes.len() as u64, sha256: String::new() }
    };
    let fresh = scanned_page(7);
    assert!(matches!(desk.capture_arrival(&arrival("a.jpg", &fresh)), vanthu_app::digitise::Disposition::Taken));
    assert!(matches!(desk.capture_arrival(&arrival("b.jpg", &fresh)), vanthu_app::digitise::Disposition::Duplicate(_)));
    match desk.capture_arrival(&arrival("c.jpg", b"\xFF\xD8\xFF\xE0 truncated")) {
        vanthu_app::digitise::Disposition::Quarantine(reason) => assert!(reason.contains("hỏng"), "{reason}"),
        other => panic!("a damaged file is quarantined, not {other:?}"),
    }
    assert_eq!(desk.drafts().unwrap().len(), 1);
}
