#![allow(clippy::unwrap_used)]
//! The printouts and exports, read back the way a person or another program would read them:
//! PDFs through poppler (`pdftotext`, `pdfinfo`) and `qpdf --check`, workbooks through calamine,
//! XML through quick-xml. Each rendered file is also left in the test's scratch folder
//! (`target/tmp/vanthu-report/`) to be looked at.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use vanthu_report::*;

// ---------------------------------------------------------------- helpers

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("vanthu-report");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn save(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Text of each page, from `pdftotext -layout` (pages are separated by form feeds).
fn pages_text(path: &Path) -> Vec<String> {
    let text = run("pdftotext", &["-layout", "-enc", "UTF-8", path.to_str().unwrap(), "-"]);
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Text without layout, for exact comparisons of runs of words.
fn raw_text(path: &Path) -> String {
    run("pdftotext", &["-raw", "-enc", "UTF-8", path.to_str().unwrap(), "-"])
}

fn page_count(path: &Path) -> usize {
    let info = run("pdfinfo", &[path.to_str().unwrap()]);
    info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap()
}

fn qpdf_check(path: &Path) {
    let out = Command::new("qpdf").arg("--check").arg(path).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "qpdf --check {}: {stdout}{}", path.display(), String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("No syntax or stream encoding errors"), "{stdout}");
}

/// Every page is marked and numbered "Trang N/M".
fn check_marks(path: &Path, mark: &Mark) -> Vec<String> {
    let pages = pages_text(path);
    let count = page_count(path);
    assert_eq!(pages.len(), count, "pdftotext pages vs pdfinfo");
    let printed = mark.printed();
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains(&printed), "page {} has no mark:\n{page}", i + 1);
        assert!(page.contains(&format!("Trang {}/{count}", i + 1)), "page {} has no number:\n{page}", i + 1);
    }
    pages
}

/// Collapse runs of white space, so words wrapped in a cell can be compared loosely.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn mark() -> Mark {
    Mark { by: "Nguyễn Thị Lan".into(), at: "09:15 ngày 21/11/2026".into() }
}

const AUTHORS: &[&str] = &[
    "Ủy ban nhân dân huyện Bát Xát",
    "Sở Tài nguyên và Môi trường",
    "Sở Thông tin và Truyền thông tỉnh Lào Cai",
    "Ban Chỉ huy phòng chống thiên tai và tìm kiếm cứu nạn tỉnh",
];
const SUBJECTS: &[&str] = &[
    "Quyết định về việc phê duyệt kế hoạch phòng chống lụt bão năm 2026",
    "Công văn về việc đôn đốc thực hiện chuyển đổi số trong cơ quan nhà nước",
    "Tờ trình đề nghị phê duyệt dự toán kinh phí sửa chữa trụ sở làm việc",
    "Nghị quyết về nhiệm vụ phát triển kinh tế - xã hội, bảo đảm quốc phòng, an ninh",
    "Thông báo kết luận của Chủ tịch Ủy ban nhân dân tại buổi làm việc với xã Tả Phìn",
];

fn incoming(n: usize) -> Vec<IncomingEntry> {
    (1..=n)
        .map(|i| IncomingEntry {
            arrival_date: format!("{:02}/{:02}/2026", 1 + i % 28, 1 + i % 12),
            arrival_number: i.to_string(),
            author: AUTHORS[i % AUTHORS.len()].into(),
            code: format!("{}/QĐ-UBND", 100 + i),
            document_date: format!("{:02}/{:02}/2026", 1 + i % 27, 1 + i % 12),
            type_and_subject: SUBJECTS[i % SUBJECTS.len()].into(),
            recipient: if i % 3 == 0 {
                "Văn phòng HĐND và UBND".into()
            } else {
                "Phòng Tài chính - Kế hoạch".into()
            },
            transfer_date: format!("{:02}/{:02}/2026", 2 + i % 27, 1 + i % 12),
            note: if i % 7 == 0 { "Hỏa tốc".into() } else { String::new() },
        })
        .collect()
}

fn cover(kind: BookKind) -> Cover {
    Cover {
        organisation: "Ủy ban nhân dân xã Tả Phìn".into(),
        parent_organisation: Some("Ủy ban nhân dân huyện Sa Pa".into()),
        kind,
        year: 2026,
        from_date: "01/01/2026".into(),
        to_date: "31/12/2026".into(),
        from_number: "1".into(),
        to_number: "245".into(),
        volume: 1,
    }
}

const INCOMING_HEADERS: &[&str] = &[
    "Ngày đến",
    "Số đến",
    "Tác giả",
    "Số, ký hiệu",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc người nhận",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
];
const OUTGOING_HEADERS: &[&str] = &[
    "Số, ký hiệu",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung",
    "Người ký",
    "Nơi nhận",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
];
const HANDLING_HEADERS: &[&str] = &[
    "Số đến",
    "Ngày đến",
    "Văn bản (số, ký hiệu, trích yếu)",
    "Người/đơn vị giải quyết",
    "Hạn giải quyết",
    "Tiến độ giải quyết",
    "Số, ký hiệu văn bản trả lời",
    "Ghi chú",
];

/// Every header appears on the page (header cells may wrap, so compare word runs in raw text).
fn assert_headers(raw_page: &str, headers: &[&str]) {
    let flat = squash(raw_page);
    for h in headers {
        // A header cell wraps onto several lines; each line of it is a run of its words.
        for word in h.split_whitespace() {
            assert!(flat.contains(word), "header word {word:?} of {h:?} missing in:\n{flat}");
        }
    }
}

// ---------------------------------------------------------------- register books

#[test]
fn incoming_book_spans_pages_with_headers_and_marks() {
    let book = RegisterBook { cover: cover(BookKind::Incoming), rows: BookRows::Incoming(incoming(120)), mark: mark() };
    let path = save("incoming-book.pdf", &register_book_pdf(&book).unwrap());
    qpdf_check(&path);
    let pages = check_marks(&path, &book.mark);
    assert!(pages.len() >= 4, "120 rows should span pages, got {}", pages.len());
    assert!(pages[1].contains("Trang 2/"));

    let cover = &pages[0];
    for line in [
        "ỦY BAN NHÂN DÂN HUYỆN SA PA",
        "ỦY BAN NHÂN DÂN XÃ TẢ PHÌN",
        "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
        "Năm: 2026",
        "Từ ngày 01/01/2026 đến ngày 31/12/2026",
        "Từ số 1 đến số 245",
        "Quyển số: 1",
    ] {
        assert!(cover.contains(line), "cover lacks {line:?}:\n{cover}");
    }

    // Every table page repeats the header and the column numbers.
    let raw = raw_text(&path);
    let raw_pages: Vec<&str> = raw.split('\u{c}').collect();
    for page in raw_pages.get(1..pages.len()).unwrap_or_default() {
        assert_headers(page, INCOMING_HEADERS);
        assert!(page.contains("(1)") && page.contains("(10)"), "column numbers missing:\n{page}");
    }
    // The headers are in App. IV order on the first line(s) of the table.
    let flat = squash(raw_pages[1]);
    let mut at = 0;
    for h in ["Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu"] {
        let found = flat[at..].find(h).unwrap_or_else(|| panic!("{h:?} not after byte {at} in {flat}"));
        at += found + h.len();
    }

    // A registered row: its number, code and subject.
    let all = squash(&raw);
    assert!(all.contains("120/QĐ-UBND"));
    assert!(all.contains("220/QĐ-UBND"));
    let layout = pages.join("\n");
    assert!(layout.contains("Quyết định về việc phê duyệt"), "subject start missing");
    assert!(all.contains("phòng chống lụt bão năm 2026"));
}

#[test]
fn thousand_row_book_renders() {
    let book =
        RegisterBook { cover: cover(BookKind::Incoming), rows: BookRows::Incoming(incoming(1_000)), mark: mark() };
    let started = std::time::Instant::now();
    let bytes = register_book_pdf(&book).unwrap();
    eprintln!("1,000-row register book: {:?}, {} bytes", started.elapsed(), bytes.len());
    let path = save("thousand-book.pdf", &bytes);
    qpdf_check(&path);
    let pages = check_marks(&path, &book.mark);
    assert!(pages.len() > 50);
    assert!(squash(&raw_text(&path)).contains("1100/QĐ-UBND"));
}

#[test]
fn outgoing_and_handling_books_have_their_columns() {
    let outgoing: Vec<OutgoingEntry> = (1..=30)
        .map(|i| OutgoingEntry {
            code: format!("{i:02}/QĐ-UBND"),
            document_date: "15/03/2026".into(),
            type_and_subject: SUBJECTS[i % SUBJECTS.len()].into(),
            signer: "Phó Chủ tịch Lê Văn Đức".into(),
            recipients: "- Sở Tài nguyên và Môi trường;\n- Lưu: VT, VP.".into(),
            archive_holder: "Văn phòng".into(),
            copies: "05".into(),
            transfer_date: "16/03/2026".into(),
            note: String::new(),
        })
        .collect();
    let book = RegisterBook { cover: cover(BookKind::Outgoing), rows: BookRows::Outgoing(outgoing), mark: mark() };
    let path = save("outgoing-book.pdf", &register_book_pdf(&book).unwrap());
    qpdf_check(&path);
    let pages = check_marks(&path, &book.mark);
    assert!(pages[0].contains("SỔ ĐĂNG KÝ VĂN BẢN ĐI"));
    let raw = raw_text(&path);
    assert_headers(raw.split('\u{c}').nth(1).unwrap(), OUTGOING_HEADERS);
    assert!(squash(&raw).contains("07/QĐ-UBND"));

    let handling: Vec<HandlingEntry> = (1..=12)
        .map(|i| HandlingEntry {
            arrival_number: i.to_string(),
            arrival_date: "02/04/2026".into(),
            document: format!("{i}/SY-UBND — {}", SUBJECTS[i % SUBJECTS.len()]),
            handler: "Phòng Tài nguyên và Môi trường (chủ trì)".into(),
            deadline: "30/04/2026".into(),
            progress: "Đang giải quyết".into(),
            reply_code: if i % 2 == 0 { format!("{i}/UBND-TNMT") } else { String::new() },
            note: String::new(),
        })
        .collect();
    let book = RegisterBook { cover: cover(BookKind::Handling), rows: BookRows::Handling(handling), mark: mark() };
    let path = save("handling-book.pdf", &register_book_pdf(&book).unwrap());
    qpdf_check(&path);
    let pages = check_marks(&path, &book.mark);
    assert!(pages[0].contains("SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN"));
    let raw = raw_text(&path);
    assert_headers(raw.split('\u{c}').nth(1).unwrap(), HANDLING_HEADERS);
    assert!(squash(&raw).contains("4/UBND-TNMT"));
}

#[test]
fn empty_book_is_a_cover_and_a_header() {
    let book = RegisterBook { cover: cover(BookKind::Incoming), rows: BookRows::Incoming(Vec::new()), mark: mark() };
    let path = save("empty-book.pdf", &register_book_pdf(&book).unwrap());
    qpdf_check(&path);
    let pages = check_marks(&path, &book.mark);
    assert_eq!(pages.len(), 2);
    assert_headers(raw_text(&path).split('\u{c}').nth(1).unwrap(), INCOMING_HEADERS);
}

#[test]
fn hostile_input_does_not_panic() {
    let long = "Quyết định về việc phê duyệt kế hoạch phòng chống lụt bão năm 2026 ".repeat(30);
    let unbroken = "Đ".repeat(2_000);
    let mut rows = incoming(3);
    rows[0].type_and_subject = long.clone();
    rows[1].type_and_subject = unbroken.clone();
    rows[1].code = "x".repeat(300);
    rows[2] = IncomingEntry::default();
    rows.push(IncomingEntry { note: "\u{0}\u{7}\t\r\n\u{feff}😀 漢字 <&>".into(), ..IncomingEntry::default() });
    let mut cover = cover(BookKind::Incoming);
    cover.organisation = "Ủy ban nhân dân ".repeat(40);
    cover.parent_organisation = Some(String::new());
    let book =
        RegisterBook { cover, rows: BookRows::Incoming(rows), mark: Mark { by: "x".repeat(400), at: String::new() } };
    let path = save("hostile-book.pdf", &register_book_pdf(&book).unwrap());
    qpdf_check(&path);
    // No text is lost: the whole 2,000-character word is there, split across lines and pages.
    let raw: String = raw_text(&path).chars().filter(|c| *c == 'Đ').collect();
    assert!(raw.chars().count() >= 2_000);

    let table = Table {
        title: String::new(),
        subtitle: None,
        columns: Vec::new(),
        rows: vec![vec![long.clone(); 3], vec![], vec![unbroken.clone(); 40]],
        mark: mark(),
    };
    save("hostile-table.pdf", &table_pdf(&table).unwrap());
    table_xlsx(&table).unwrap();
    let empty = Table::default();
    save("empty-table.pdf", &table_pdf(&empty).unwrap());
    table_xlsx(&empty).unwrap();
    handling_slip_pdf(&HandlingSlip::default()).unwrap();
    case_file_pdf(&CaseFile::default(), &Mark::default()).unwrap();

    // Attachments that are empty, garbage, cut in half or not PDF at all cost only themselves.
    let good = attachment("Tốt", 1);
    let half = good[..good.len() / 2].to_vec();
    let garbage: Vec<u8> = (0..5_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let mut file = case_file();
    for (i, bytes) in [Vec::new(), garbage, half, b"%PDF-2.0\n%%EOF".to_vec(), good].into_iter().enumerate() {
        file.documents.push(CaseFileDocument {
            ordinal: 5 + i as u32,
            code: format!("{}/TB-UBND", 60 + i),
            subject: long.clone(),
            pdf: Some(bytes),
            ..CaseFileDocument::default()
        });
    }
    let path = save("hostile-case-file.pdf", &case_file_pdf(&file, &mark()).unwrap());
    qpdf_check(&path);
    let pages = check_marks(&path, &mark());
    assert!(pages.iter().any(|p| p.contains("Dòng 0 của Tốt")), "the good attachment after the bad ones is embedded");
    case_file_xml(&file, &mark()).unwrap();
    case_file_xml(&CaseFile::default(), &Mark::default()).unwrap();
}

// ---------------------------------------------------------------- diacritics

#[test]
fn vietnamese_text_comes_back_exactly() {
    let words = [
        "Hỏa tốc",
        "Thượng khẩn",
        "Đà Nẵng",
        "Nghị quyết",
        "Ủy ban nhân dân huyện Bát Xát",
        "Sở Tài nguyên và Môi trường",
        "Quyết định về việc phê duyệt kế hoạch phòng chống lụt bão năm 2026",
        "ắằẳẵặ ấầẩẫậ ếềểễệ ốồổỗộ ớờởỡợ ứừửữự ỳỷỹỵý đĐ ƯƠ",
    ];
    let table = Table {
        title: "Kiểm tra dấu tiếng Việt".into(),
        subtitle: None,
        columns: vec!["Nội dung".into()],
        rows: words.iter().map(|w| vec![(*w).to_owned()]).collect(),
        mark: mark(),
    };
    let path = save("diacritics.pdf", &table_pdf(&table).unwrap());
    let raw = raw_text(&path);
    let lines: Vec<&str> = raw.lines().map(str::trim).collect();
    for w in words {
        assert!(lines.contains(&w), "{w:?} not extracted exactly; got:\n{raw}");
        // NFC in, NFC out: no decomposed marks appear.
        assert!(!raw.contains('\u{301}') && !raw.contains('\u{323}'));
    }
    assert!(lines.contains(&"Kiểm tra dấu tiếng Việt"));
}

// ---------------------------------------------------------------- handling slip

fn slip() -> HandlingSlip {
    HandlingSlip {
        organisation: "Ủy ban nhân dân xã Tả Phìn".into(),
        parent_organisation: Some("Ủy ban nhân dân huyện Sa Pa".into()),
        arrival_number: "245".into(),
        arrival_date: "12/05/2026".into(),
        author: "Ủy ban nhân dân huyện Bát Xát".into(),
        code: "136/QĐ-UBND".into(),
        document_date: "10/05/2026".into(),
        type_name: "Quyết định".into(),
        subject: "về việc phê duyệt kế hoạch phòng chống lụt bão năm 2026".into(),
        urgency: Some("Thượng khẩn".into()),
        directions: Some(
            "Giao Văn phòng chủ trì, phối hợp với Ban Chỉ huy quân sự xã triển khai ngay; báo cáo kết quả trước ngày 20/5/2026."
                .into(),
        ),
        lead: Some("Văn phòng HĐND và UBND".into()),
        co_handlers: vec!["Ban Chỉ huy quân sự xã".into(), "Công chức Địa chính - Xây dựng".into()],
        deadline: Some("20/05/2026".into()),
        assigned_by: Some("Chủ tịch Hoàng Văn Sơn".into()),
        assigned_at: Some("Ngày 12 tháng 5 năm 2026".into()),
        progress: vec![
            ProgressLine {
                at: "13/05/2026 08:30".into(),
                by: "Trần Minh Đức".into(),
                status: "Đang giải quyết".into(),
                note: "Đã họp triển khai với các thôn, phân công lực lượng trực ban.".into(),
            },
            ProgressLine {
                at: "19/05/2026 16:00".into(),
                by: "Trần Minh Đức".into(),
                status: "Đã giải quyết".into(),
                note: "Trình dự thảo báo cáo số 52/BC-UBND.".into(),
            },
        ],
        mark: mark(),
    }
}

#[test]
fn handling_slip_has_its_sections() {
    let slip = slip();
    let path = save("handling-slip.pdf", &handling_slip_pdf(&slip).unwrap());
    qpdf_check(&path);
    let pages = check_marks(&path, &slip.mark);
    assert_eq!(pages.len(), 1);
    let flat = squash(&raw_text(&path));
    for needle in [
        "ỦY BAN NHÂN DÂN XÃ TẢ PHÌN",
        "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN",
        "Số đến: 245",
        "Ngày đến: 12/05/2026",
        "Tác giả: Ủy ban nhân dân huyện Bát Xát",
        "Số, ký hiệu: 136/QĐ-UBND",
        "Ngày tháng văn bản: 10/05/2026",
        "Tên loại và trích yếu: Quyết định về việc phê duyệt kế hoạch phòng chống lụt bão năm 2026",
        "Độ khẩn: Thượng khẩn",
        "Ý kiến của lãnh đạo:",
        "Giao Văn phòng chủ trì",
        "Đơn vị/người chủ trì: Văn phòng HĐND và UBND",
        "Đơn vị/người phối hợp: Ban Chỉ huy quân sự xã; Công chức Địa chính - Xây dựng",
        "Hạn giải quyết: 20/05/2026",
        "Chủ tịch Hoàng Văn Sơn",
        "Ý kiến đề xuất / tiến độ của người giải quyết:",
        "Đã họp triển khai",
        "Đã giải quyết",
    ] {
        assert!(flat.contains(needle), "slip lacks {needle:?}:\n{flat}");
    }

    // A blank slip still prints, with blanks to fill in by hand.
    let blank = HandlingSlip { directions: None, lead: None, progress: Vec::new(), ..slip };
    let path = save("handling-slip-blank.pdf", &handling_slip_pdf(&blank).unwrap());
    qpdf_check(&path);
    check_marks(&path, &blank.mark);
}

// ---------------------------------------------------------------- tables

fn search_results(n: usize) -> Table {
    Table {
        title: "KẾT QUẢ TÌM KIẾM VĂN BẢN".into(),
        subtitle: Some("Từ khóa: \"lụt bão\" — từ 01/01/2026 đến 31/12/2026".into()),
        columns: vec!["Số đến".into(), "Ngày đến".into(), "Số, ký hiệu".into(), "Trích yếu".into(), "Tác giả".into()],
        rows: (1..=n)
            .map(|i| {
                vec![
                    i.to_string(),
                    "03/06/2026".into(),
                    format!("{i}/CV-STNMT"),
                    SUBJECTS[i % SUBJECTS.len()].into(),
                    AUTHORS[i % AUTHORS.len()].into(),
                ]
            })
            .collect(),
        mark: mark(),
    }
}

#[test]
fn table_pdf_repeats_header_and_marks_pages() {
    let table = search_results(90);
    let path = save("search.pdf", &table_pdf(&table).unwrap());
    qpdf_check(&path);
    let pages = check_marks(&path, &table.mark);
    assert!(pages.len() >= 2);
    assert!(pages[0].contains("KẾT QUẢ TÌM KIẾM VĂN BẢN"));
    for page in &pages {
        for h in ["Số đến", "Ngày đến", "Số, ký hiệu", "Trích yếu", "Tác giả"] {
            assert!(page.contains(h), "{h:?} missing on a page:\n{page}");
        }
    }
    assert!(squash(&raw_text(&path)).contains("90/CV-STNMT"));
}

#[test]
fn table_xlsx_reads_back() {
    use calamine::{Data, Reader, Xlsx};
    let table = search_results(40);
    let bytes = table_xlsx(&table).unwrap();
    save("search.xlsx", &bytes);
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&sheet).unwrap();
    let cell = |r: u32, c: u32| match range.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    };
    assert_eq!(cell(0, 0), "KẾT QUẢ TÌM KIẾM VĂN BẢN");
    assert_eq!(cell(1, 0), "Từ khóa: \"lụt bão\" — từ 01/01/2026 đến 31/12/2026");
    assert_eq!(cell(2, 0), mark().exported());
    let header_row = (0..10).find(|r| cell(*r, 0) == "Số đến").unwrap();
    let headers: Vec<String> = (0..5).map(|c| cell(header_row, c)).collect();
    assert_eq!(headers, ["Số đến", "Ngày đến", "Số, ký hiệu", "Trích yếu", "Tác giả"]);
    for (i, row) in table.rows.iter().enumerate() {
        let got: Vec<String> = (0..5).map(|c| cell(header_row + 1 + i as u32, c)).collect();
        assert_eq!(&got, row);
    }
    // Codes stay text: "07" must not become 7.
    let zero = Table { rows: vec![vec!["07".into(), "1e5".into()]], ..search_results(0) };
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(table_xlsx(&zero).unwrap())).unwrap();
    let range = wb.worksheet_range(&wb.sheet_names()[0].clone()).unwrap();
    assert_eq!(range.get_value((header_row + 1, 0)), Some(&Data::String("07".into())));
    assert_eq!(range.get_value((header_row + 1, 1)), Some(&Data::String("1e5".into())));
}

// ---------------------------------------------------------------- case files

/// A small valid PDF of `pages` pages, made with this crate itself.
fn attachment(title: &str, pages: usize) -> Vec<u8> {
    let table = Table {
        title: title.into(),
        subtitle: None,
        columns: vec!["Nội dung".into()],
        rows: (0..pages * 40).map(|i| vec![format!("Dòng {i} của {title}")]).collect(),
        mark: Mark { by: "Văn thư".into(), at: "01/01/2026".into() },
    };
    table_pdf(&table).unwrap()
}

fn case_file() -> CaseFile {
    let doc = |ordinal: u32, code: &str, kind: &str, subject: &str, pdf: Option<Vec<u8>>, pages: Option<u32>| {
        CaseFileDocument {
            ordinal,
            code: code.into(),
            date: format!("0{ordinal}/03/2026"),
            type_name: kind.into(),
            subject: subject.into(),
            author: "Ủy ban nhân dân huyện Bát Xát".into(),
            page_amount: pages,
            direction: if ordinal.is_multiple_of(2) { "Đi".into() } else { "Đến".into() },
            pdf,
        }
    };
    CaseFile {
        organisation: "Ủy ban nhân dân xã Tả Phìn".into(),
        file_code: "01.TH".into(),
        title: "Hồ sơ phòng chống lụt bão năm 2026".into(),
        maintenance: "Vĩnh viễn".into(),
        rights: "Công khai".into(),
        creator: "Nguyễn Thị Lan".into(),
        language: "Tiếng Việt".into(),
        start_date: "01/03/2026".into(),
        end_date: "30/09/2026".into(),
        description: "Gồm kế hoạch, quyết định thành lập Ban Chỉ huy & các báo cáo <tổng hợp> \"đợt 1\" và 'đợt 2'."
            .into(),
        documents: vec![
            doc(1, "15/KH-UBND", "Kế hoạch", "phòng chống lụt bão năm 2026", Some(attachment("Kế hoạch", 2)), Some(2)),
            doc(2, "20/QĐ-UBND", "Quyết định", "về việc thành lập Ban Chỉ huy <PCTT> & TKCN", None, Some(3)),
            doc(3, "31/BC-UBND", "Báo cáo", "kết quả đợt 1", Some(b"%PDF-1.7 this is not a pdf".to_vec()), None),
            doc(4, "45/BC-UBND", "Báo cáo", "tổng kết công tác năm", Some(attachment("Báo cáo tổng kết", 1)), Some(1)),
        ],
    }
}

#[test]
fn case_file_pdf_has_cover_catalogue_and_attached_pages() {
    let file = case_file();
    let mark = mark();
    let path = save("case-file.pdf", &case_file_pdf(&file, &mark).unwrap());
    qpdf_check(&path);
    let pages = check_marks(&path, &mark);
    let flat = squash(&pages.join("\n"));
    for needle in [
        "HỒ SƠ",
        "01.TH",
        "Hồ sơ phòng chống lụt bão năm 2026",
        "Vĩnh viễn",
        "01/03/2026",
        "30/09/2026",
        "MỤC LỤC VĂN BẢN",
        "STT",
        "Tác giả",
        "Số trang",
        "15/KH-UBND",
        "không có bản điện tử",
    ] {
        assert!(flat.contains(needle), "case file lacks {needle:?}");
    }
    assert!(flat.contains("4 văn bản"), "document count missing");
    // The attachments' own pages follow, in order: "Kế hoạch" (2 pages) before "Báo cáo tổng kết".
    let first = pages.iter().position(|p| p.contains("Dòng 0 của Kế hoạch")).unwrap();
    let second = pages.iter().position(|p| p.contains("Dòng 0 của Báo cáo tổng kết")).unwrap();
    assert!(first < second);
    assert!(pages.iter().any(|p| p.contains("Dòng 79 của Kế hoạch")));
    // The broken attachment is listed but not embedded, and did not fail the export.
    let broken = pages.iter().filter(|p| p.contains("không có bản điện tử")).count();
    assert!(broken >= 1);
}

#[test]
fn case_file_xml_has_app_vi_elements_in_order_and_escapes() {
    use quick_xml::Reader;
    use quick_xml::events::Event;
    let file = case_file();
    let xml = case_file_xml(&file, &mark()).unwrap();
    std::fs::File::create(scratch("case-file.xml")).unwrap().write_all(xml.as_bytes()).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));

    // Parse it: element names in document order, and the text of each leaf.
    let mut reader = Reader::from_str(&xml);
    let mut names = Vec::new();
    let mut texts: Vec<(String, String)> = Vec::new();
    let mut buffer = String::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                names.push(e.name().into_inner().to_owned());
                buffer.clear();
            }
            Event::Empty(e) => names.push(e.name().into_inner().to_owned()),
            Event::Text(t) => buffer.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let ch = r.resolve_char_ref().unwrap().or(match r.xml10_content().as_ref() {
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "amp" => Some('&'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ => None,
                });
                buffer.push(ch.unwrap());
            }
            Event::End(e) => {
                if !buffer.trim().is_empty() {
                    texts.push((e.name().into_inner().to_owned(), std::mem::take(&mut buffer)));
                }
                buffer.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(names[0], "CaseFile");
    let order = [
        "FileCode",
        "Title",
        "Maintenance",
        "Rights",
        "Creator",
        "Language",
        "StartDate",
        "EndDate",
        "DocTotal",
        "PageTotal",
        "Description",
        "ExportedBy",
        "ExportedAt",
        "Documents",
    ];
    let top: Vec<&str> = names.iter().map(String::as_str).filter(|n| order.contains(n)).collect();
    assert_eq!(top, order);
    let documents = names.iter().filter(|n| *n == "Document").count();
    assert_eq!(documents, 4);
    let start = names.iter().position(|n| n == "Document").unwrap() + 1;
    let first_doc: Vec<&str> = names[start..start + 8].iter().map(String::as_str).collect();
    assert_eq!(
        first_doc,
        ["DocOrdinal", "Code", "IssuedDate", "TypeName", "Subject", "OrganName", "PageAmount", "Direction"]
    );
    let text_of = |name: &str| texts.iter().filter(|(n, _)| n == name).map(|(_, t)| t.clone()).collect::<Vec<_>>();
    assert_eq!(text_of("FileCode"), ["01.TH"]);
    assert_eq!(text_of("DocTotal"), ["4"]);
    assert_eq!(text_of("PageTotal"), ["6"]);
    assert_eq!(text_of("Description"), std::slice::from_ref(&file.description));
    assert_eq!(text_of("Subject")[1], "về việc thành lập Ban Chỉ huy <PCTT> & TKCN");
    assert_eq!(text_of("ExportedBy"), ["Nguyễn Thị Lan"]);
    assert!(xml.contains("&lt;PCTT&gt; &amp; TKCN"));
    assert!(xml.contains("&quot;đợt 1&quot; và &apos;đợt 2&apos;"));
}
