//! Realistic Vietnamese register metadata, made up from a seeded RNG: the issuers, subjects, places,
//! signers and codes a provincial People's Committee (UBND tỉnh Lào Cai) receives and issues.
//!
//! The point is that the benchmark's full-text index and pages look like a real register's: long
//! subjects full of diacritics (Đà Nẵng, Thừa Thiên Huế, Bà Rịa – Vũng Tàu), common words that hit
//! hundreds of thousands of rows ("quyết định", "kế hoạch") next to rare ones ("A/H5N1", "Y Tý"), and
//! senders' codes (`136/TTr-STTTT`) that are unique per issuer and year, so that the duplicate check
//! runs for real and never fires. Nothing here writes: it only makes drafts for the façade and the store.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use std::collections::HashMap;
use time::{Date, Duration};
use vanthu_app::{Channel, IncomingDraft, OutgoingDraft, Secrecy, Urgency};
use vanthu_core::numbering::find_type;

/// An organisation that sends documents to the register.
struct Issuer {
    name: &'static str,
    /// Mã định danh.
    id: &'static str,
    /// The abbreviation in its notations: `STTTT` in `136/TTr-STTTT`.
    abbr: &'static str,
    /// Units written after the abbreviation in a công văn's notation (`STC-QLNS`).
    units: &'static [&'static str],
    /// How often it writes, relative to the others.
    weight: u32,
}

const fn issuer(
    name: &'static str,
    id: &'static str,
    abbr: &'static str,
    units: &'static [&'static str],
    weight: u32,
) -> Issuer {
    Issuer { name, id, abbr, units, weight }
}

const DISTRICT_UNITS: &[&str] = &["VP", "TCKH", "NV", "TNMT", "KT", "GDĐT", "VHTT", "LĐTBXH"];

const ISSUERS: &[Issuer] = &[
    // Ministries and central agencies.
    issuer("Văn phòng Chính phủ", "000.00.00.G22", "VPCP", &["KSTT", "TH", "NN", "QHĐP"], 4),
    issuer("Bộ Nội vụ", "000.00.00.G09", "BNV", &["VTLTNN", "TCBC", "CQĐP", "CCVC"], 3),
    issuer("Bộ Tài chính", "000.00.00.G12", "BTC", &["NSNN", "QLCS", "HCSN", "ĐT"], 3),
    issuer("Bộ Thông tin và Truyền thông", "000.00.00.G14", "BTTTT", &["CĐSQG", "THH", "ATTT"], 2),
    issuer("Bộ Kế hoạch và Đầu tư", "000.00.00.G06", "BKHĐT", &["TH", "KTĐPLT", "GSTĐĐT"], 2),
    issuer("Bộ Nông nghiệp và Phát triển nông thôn", "000.00.00.G13", "BNN", &["TCTL", "TY", "KL"], 2),
    issuer("Bộ Y tế", "000.00.00.G18", "BYT", &["DP", "KCB", "KH-TC"], 2),
    issuer("Bộ Giáo dục và Đào tạo", "000.00.00.G05", "BGDĐT", &["GDTH", "GDPT", "KHTC"], 2),
    issuer("Bộ Tài nguyên và Môi trường", "000.00.00.G16", "BTNMT", &["QLĐĐ", "MT", "TNN"], 2),
    issuer("Bộ Lao động – Thương binh và Xã hội", "000.00.00.G08", "BLĐTBXH", &["BTXH", "NCC", "VPQGGN"], 1),
    // Departments of the province.
    issuer("Sở Tài chính", "000.01.24.H24", "STC", &["QLNS", "TCHCSN", "QLGCS", "TCĐT", "VP"], 12),
    issuer("Sở Thông tin và Truyền thông", "000.02.24.H24", "STTTT", &["CNTT", "BCVT", "TTBCXB", "VP"], 9),
    issuer("Sở Kế hoạch và Đầu tư", "000.03.24.H24", "SKHĐT", &["TH", "ĐKKD", "KTĐN", "VP"], 10),
    issuer("Sở Nội vụ", "000.04.24.H24", "SNV", &["XDCQ", "CCVC", "TĐKT", "VP"], 9),
    issuer("Sở Y tế", "000.05.24.H24", "SYT", &["NVY", "KHTC", "VP"], 8),
    issuer("Sở Giáo dục và Đào tạo", "000.06.24.H24", "SGDĐT", &["GDTrH", "GDTH", "KHTC", "VP"], 8),
    issuer("Sở Nông nghiệp và Phát triển nông thôn", "000.07.24.H24", "SNN", &["KH", "TL", "CCKL"], 8),
    issuer("Sở Tài nguyên và Môi trường", "000.08.24.H24", "STNMT", &["QLĐĐ", "MT", "KS", "VP"], 8),
    issuer("Sở Xây dựng", "000.09.24.H24", "SXD", &["QHKT", "QLXD", "VP"], 6),
    issuer("Sở Giao thông vận tải", "000.10.24.H24", "SGTVT", &["QLHT", "QLVT", "VP"], 6),
    issuer("Sở Lao động – Thương binh và Xã hội", "000.11.24.H24", "SLĐTBXH", &["BTXH", "NCC", "VP"], 6),
    issuer("Sở Văn hóa, Thể thao và Du lịch", "000.12.24.H24", "SVHTTDL", &["QLVH", "QLDL", "VP"], 5),
    issuer("Sở Công Thương", "000.13.24.H24", "SCT", &["QLTM", "QLCN", "VP"], 5),
    issuer("Sở Tư pháp", "000.14.24.H24", "STP", &["XDKTVB", "HCTP", "VP"], 5),
    issuer("Sở Khoa học và Công nghệ", "000.15.24.H24", "SKHCN", &["QLKH", "TĐC", "VP"], 3),
    issuer("Thanh tra tỉnh", "000.16.24.H24", "TTr", &["NV1", "NV2", "VP"], 4),
    issuer("Ban Dân tộc tỉnh", "000.17.24.H24", "BDT", &["CS", "VP"], 3),
    issuer("Công an tỉnh Lào Cai", "000.18.24.H24", "CAT", &["PV01", "PC06", "PX01"], 5),
    issuer("Bộ Chỉ huy Quân sự tỉnh Lào Cai", "000.19.24.H24", "BCH", &["TM", "CT"], 3),
    issuer("Kho bạc Nhà nước Lào Cai", "000.20.24.H24", "KBLC", &["KSC", "KTNN"], 4),
    issuer("Cục Thuế tỉnh Lào Cai", "000.21.24.H24", "CTLCA", &["TTHT", "NVDTPC"], 4),
    issuer("Bảo hiểm xã hội tỉnh Lào Cai", "000.22.24.H24", "BHXH", &["QLT", "CĐBHXH"], 3),
    issuer("Ban Quản lý các khu công nghiệp tỉnh", "000.23.24.H24", "BQLKCN", &["QLĐT", "VP"], 2),
    // Districts, towns and the city.
    issuer("UBND huyện Bát Xát", "000.30.24.H24", "UBND", DISTRICT_UNITS, 6),
    issuer("UBND huyện Mường Khương", "000.31.24.H24", "UBND", DISTRICT_UNITS, 5),
    issuer("UBND huyện Bắc Hà", "000.32.24.H24", "UBND", DISTRICT_UNITS, 5),
    issuer("UBND huyện Si Ma Cai", "000.33.24.H24", "UBND", DISTRICT_UNITS, 4),
    issuer("UBND huyện Bảo Thắng", "000.34.24.H24", "UBND", DISTRICT_UNITS, 5),
    issuer("UBND huyện Bảo Yên", "000.35.24.H24", "UBND", DISTRICT_UNITS, 5),
    issuer("UBND huyện Văn Bàn", "000.36.24.H24", "UBND", DISTRICT_UNITS, 5),
    issuer("UBND thị xã Sa Pa", "000.37.24.H24", "UBND", DISTRICT_UNITS, 5),
    issuer("UBND thành phố Lào Cai", "000.38.24.H24", "UBND", DISTRICT_UNITS, 6),
    // Other provinces.
    issuer("UBND thành phố Đà Nẵng", "000.00.00.H17", "UBND", &["VP", "KT", "NC"], 2),
    issuer("UBND tỉnh Thừa Thiên Huế", "000.00.00.H57", "UBND", &["VP", "KT", "XD"], 1),
    issuer("UBND tỉnh Bà Rịa – Vũng Tàu", "000.00.00.H02", "UBND", &["VP", "KT"], 1),
    issuer("UBND tỉnh Hà Giang", "000.00.00.H20", "UBND", &["VP", "KT", "NC"], 2),
    issuer("UBND tỉnh Yên Bái", "000.00.00.H63", "UBND", &["VP", "KT"], 2),
    issuer("UBND tỉnh Lai Châu", "000.00.00.H29", "UBND", &["VP", "TH"], 2),
    issuer("UBND tỉnh Điện Biên", "000.00.00.H18", "UBND", &["VP", "TH"], 1),
    issuer("UBND thành phố Hồ Chí Minh", "000.00.00.H29A", "UBND", &["VP", "KT", "ĐT"], 1),
    issuer("UBND tỉnh Quảng Ngãi", "000.00.00.H48", "UBND", &["VP", "KT"], 1),
    issuer("UBND tỉnh Đắk Lắk", "000.00.00.H15", "UBND", &["VP", "KT"], 1),
    // Elected bodies and mass organisations.
    issuer("Hội đồng nhân dân tỉnh Lào Cai", "000.40.24.H24", "HĐND", &["VP", "KTNS", "DT"], 3),
    issuer("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "000.41.24.H24", "MTTQ", &["BTT", "VP"], 2),
    issuer("Liên đoàn Lao động tỉnh", "000.42.24.H24", "LĐLĐ", &["VP", "TC"], 1),
    issuer("Tỉnh đoàn Lào Cai", "000.43.24.H24", "TĐTN", &["VP", "TC"], 1),
];

/// (type name as in App. III, weight) for incoming documents.
const INCOMING_TYPES: &[(&str, u32)] = &[
    ("Công văn", 450),
    ("Quyết định", 100),
    ("Báo cáo", 80),
    ("Giấy mời", 80),
    ("Thông báo", 75),
    ("Kế hoạch", 70),
    ("Tờ trình", 50),
    ("Hướng dẫn", 20),
    ("Chương trình", 10),
    ("Chỉ thị", 10),
    ("Nghị quyết", 10),
    ("Biên bản", 10),
    ("Công điện", 5),
    ("Quy định", 5),
    ("Phương án", 5),
    ("Đề án", 5),
    ("Giấy giới thiệu", 3),
    ("Bản sao y", 2),
];

/// (type name, weight, legal) for outgoing documents.
const OUTGOING_TYPES: &[(&str, u32, bool)] = &[
    ("Công văn", 550, false),
    ("Quyết định", 150, false),
    ("Báo cáo", 60, false),
    ("Thông báo", 60, false),
    ("Kế hoạch", 60, false),
    ("Giấy mời", 40, false),
    ("Tờ trình", 30, false),
    ("Chỉ thị", 5, false),
    ("Công điện", 5, false),
    ("Hướng dẫn", 10, false),
    ("Quyết định", 10, true),
    ("Bản sao y", 12, false),
    ("Bản trích sao", 3, false),
    ("Bản sao lục", 3, false),
];

/// Places, with every diacritic Vietnamese has; the first ones are the province's own and come up most.
const PLACES: &[&str] = &[
    "tỉnh Lào Cai",
    "thành phố Lào Cai",
    "huyện Bát Xát",
    "huyện Mường Khương",
    "huyện Bắc Hà",
    "huyện Si Ma Cai",
    "huyện Bảo Thắng",
    "huyện Bảo Yên",
    "huyện Văn Bàn",
    "thị xã Sa Pa",
    "xã A Mú Sung",
    "xã Trịnh Tường",
    "xã Bản Lầu",
    "xã Lùng Phình",
    "xã Tả Van",
    "xã Phố Lu",
    "phường Cốc Lếu",
    "phường Kim Tân",
    "thành phố Đà Nẵng",
    "tỉnh Thừa Thiên Huế",
    "tỉnh Bà Rịa – Vũng Tàu",
    "tỉnh Hà Giang",
    "tỉnh Yên Bái",
    "tỉnh Lai Châu",
    "tỉnh Điện Biên",
    "Thủ đô Hà Nội",
    "Thành phố Hồ Chí Minh",
    "tỉnh Quảng Ngãi",
    "tỉnh Đắk Lắk",
    "tỉnh Khánh Hòa",
    "tỉnh Quảng Ninh",
    "tỉnh Cà Mau",
    "tỉnh Nghệ An",
    "tỉnh Thanh Hóa",
    "vùng Tây Bắc",
    "khu kinh tế cửa khẩu Lào Cai",
];

/// A rare place: a handful of documents in a million.
const RARE_PLACE: &str = "xã Y Tý";

const TOPICS: &[&str] = &[
    "chuyển đổi số",
    "cải cách hành chính",
    "xây dựng nông thôn mới",
    "giảm nghèo bền vững",
    "bảo vệ và phát triển rừng",
    "phòng cháy, chữa cháy",
    "tiêm chủng mở rộng",
    "bảo đảm trật tự, an toàn giao thông",
    "thu ngân sách nhà nước",
    "giải ngân vốn đầu tư công",
    "giải phóng mặt bằng dự án đường cao tốc Nội Bài – Lào Cai",
    "quản lý đất đai",
    "bồi dưỡng cán bộ, công chức cấp xã",
    "Chương trình mục tiêu quốc gia phát triển kinh tế – xã hội vùng đồng bào dân tộc thiểu số và miền núi",
    "ứng dụng công nghệ thông tin trong cơ quan nhà nước",
    "Cổng Dịch vụ công quốc gia",
    "lập hồ sơ điện tử và nộp lưu vào Lưu trữ cơ quan",
    "kiểm soát thủ tục hành chính",
    "phát triển du lịch cộng đồng",
    "xuất nhập khẩu hàng hóa qua cửa khẩu quốc tế",
    "bảo hiểm xã hội tự nguyện",
    "hỗ trợ nhà ở cho hộ nghèo",
    "sắp xếp đơn vị hành chính cấp xã",
    "tinh giản biên chế",
    "thi tốt nghiệp trung học phổ thông",
    "chăm sóc sức khỏe ban đầu",
    "an toàn thực phẩm",
    "bảo vệ môi trường lưu vực sông Hồng",
    "khai thác khoáng sản",
    "phổ biến, giáo dục pháp luật",
    "tiếp công dân, giải quyết khiếu nại, tố cáo",
    "thực hành tiết kiệm, chống lãng phí",
    "đào tạo nghề cho lao động nông thôn",
    "kiên cố hóa trường, lớp học",
    "phát triển cây dược liệu",
];

const DISASTERS: &[&str] = &[
    "thiên tai và tìm kiếm cứu nạn",
    "lũ quét, sạt lở đất",
    "cháy rừng",
    "dịch bệnh trên gia súc, gia cầm",
    "dịch tả lợn châu Phi",
    "dịch sốt xuất huyết",
    "rét đậm, rét hại",
    "tội phạm ma túy",
    "tham nhũng, tiêu cực",
    "buôn lậu, gian lận thương mại",
];

/// A rare topic: the benchmark's "rare term" search hits only these.
const RARE_DISASTER: &str = "dịch cúm gia cầm A/H5N1";

const PERIODS: &[&str] = &["quý I", "quý II", "quý III", "quý IV", "6 tháng đầu năm", "9 tháng", "năm"];

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
    "Lý", "Giàng", "Lù", "Sùng", "Vàng", "Lò",
];
const MIDDLE: &[&str] = &["Văn", "Thị", "Đức", "Minh", "Quang", "Thanh", "Xuân", "Hữu", "Ngọc", "Thu", "Seo", "A"];
const GIVEN: &[&str] = &[
    "Hùng", "Hà", "Thắng", "Vinh", "Lan", "Đức", "Sơn", "Ánh", "Nghĩa", "Phong", "Tuấn", "Hương", "Dũng", "Thảo",
    "Trung", "Phử", "Chứ", "Sình", "Hạnh", "Quyết", "Khánh", "Thành", "Nga", "Yến", "Lực",
];

const HANDLERS: &[&str] = &[
    "Văn phòng UBND tỉnh",
    "Phòng Tổng hợp",
    "Phòng Kinh tế ngành",
    "Phòng Khoa giáo – Văn xã",
    "Phòng Nội chính",
    "Phòng Xây dựng – Đô thị",
    "Ban Tiếp công dân tỉnh",
    "Trung tâm Phục vụ hành chính công",
    "Đ/c Chủ tịch UBND tỉnh",
    "Đ/c Phó Chủ tịch UBND tỉnh phụ trách khối kinh tế",
];

const OUR_UNITS: &[&str] = &["VP", "TH", "KT", "NC", "KGVX", "XDĐT", "NLN", "TCD", "HCQT"];

/// The leaders who sign the province's documents, with their positions.
const OUR_SIGNERS: &[(&str, &str)] = &[
    ("Trịnh Xuân Trường", "Chủ tịch"),
    ("Hoàng Quốc Khánh", "Phó Chủ tịch"),
    ("Nguyễn Trọng Hài", "Phó Chủ tịch"),
    ("Giàng A Tông", "Phó Chủ tịch"),
    ("Nguyễn Thành Sinh", "Phó Chủ tịch"),
    ("Đặng Xuân Phong", "Chủ tịch"),
    ("Vũ Thị Hiền Hạnh", "Chánh Văn phòng"),
];

const NOTES: &[&str] = &[
    "Bản chụp gửi kèm",
    "Đã chuyển bản điện tử cho các đơn vị",
    "Văn bản gửi kèm phụ lục",
    "Chuyển lãnh đạo cho ý kiến",
];

/// One generated document, ready for the façade (drafts are what the clerk would have typed).
pub enum Draft {
    /// Văn bản đến.
    Incoming(IncomingDraft),
    /// Văn bản đi.
    Outgoing(OutgoingDraft),
}

/// Makes drafts from a seeded RNG. Keeps per-issuer counters so that senders' codes never repeat.
pub struct Corpus {
    rng: StdRng,
    issuer_weights: Vec<u32>,
    issuer_total: u32,
    /// Next number per (issuer, series): "" is administrative, else the legal type's abbreviation.
    counters: HashMap<(usize, &'static str), u32>,
    /// Added to every sender's number: a second corpus over the same register must not collide.
    number_base: u32,
}

impl Corpus {
    /// A corpus from `rng`; sender numbers start at `number_base + 1`.
    pub fn new(rng: StdRng, number_base: u32) -> Corpus {
        let issuer_weights: Vec<u32> = ISSUERS.iter().map(|i| i.weight).collect();
        let issuer_total = issuer_weights.iter().sum();
        Corpus { rng, issuer_weights, issuer_total, counters: HashMap::new(), number_base }
    }

    /// A document arriving (70 %) or issued (30 %) on `day`.
    pub fn draft(&mut self, day: Date) -> Draft {
        if self.rng.random_bool(0.7) {
            Draft::Incoming(self.incoming(day))
        } else {
            Draft::Outgoing(self.outgoing(day))
        }
    }

    fn pick_issuer(&mut self) -> usize {
        let mut x = self.rng.random_range(0..self.issuer_total);
        for (i, w) in self.issuer_weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        ISSUERS.len() - 1
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|i| i.1).sum();
        let mut x = self.rng.random_range(0..total);
        for (item, w) in items {
            if x < *w {
                return *item;
            }
            x -= w;
        }
        items[items.len() - 1].0
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items.choose(&mut self.rng).copied().unwrap_or_default()
    }

    fn place(&mut self) -> &'static str {
        if self.rng.random_ratio(1, 4000) {
            return RARE_PLACE;
        }
        // The province's own places first and most often.
        if self.rng.random_bool(0.6) { PLACES[self.rng.random_range(0..18)] } else { self.pick(PLACES) }
    }

    fn disaster(&mut self) -> &'static str {
        if self.rng.random_ratio(1, 5000) { RARE_DISASTER } else { self.pick(DISASTERS) }
    }

    fn person(&mut self) -> String {
        let family = self.pick(FAMILY);
        let middle = self.pick(MIDDLE);
        let given = self.pick(GIVEN);
        format!("{family} {middle} {given}")
    }

    /// A trích yếu for a document of `type_name`, about the year `year`.
    fn subject(&mut self, type_name: &str, year: i32) -> String {
        let topic = self.pick(TOPICS);
        let place = self.place();
        let period = self.pick(PERIODS);
        match type_name {
            "Quyết định" => match self.rng.random_range(0..5) {
                0 => format!("Quyết định phê duyệt kế hoạch {topic} năm {year}"),
                1 => format!("Về việc phê duyệt dự toán kinh phí thực hiện {topic} trên địa bàn {place}"),
                2 => format!("Về việc thành lập Ban Chỉ đạo {topic} {place}"),
                3 => format!("Về việc giao chỉ tiêu {topic} năm {year}"),
                _ => format!("Ban hành Quy chế phối hợp trong công tác {topic}"),
            },
            "Kế hoạch" | "Phương án" => match self.rng.random_range(0..3) {
                0 => format!("Kế hoạch phòng, chống {} năm {year}", self.disaster()),
                1 => format!("Triển khai {topic} giai đoạn 2026–2030 trên địa bàn {place}"),
                _ => format!("Kế hoạch {topic} năm {year}"),
            },
            "Báo cáo" => match self.rng.random_range(0..3) {
                0 => format!("Báo cáo kết quả thực hiện {topic} {period} {year}"),
                1 => format!("Tình hình {topic} tại {place} {period} {year}"),
                _ => format!("Kết quả công tác phòng, chống {} {period} {year}", self.disaster()),
            },
            "Tờ trình" => match self.rng.random_range(0..2) {
                0 => format!("Đề nghị phê duyệt kế hoạch {topic} năm {}", year + 1),
                _ => format!("Về việc đề nghị bổ sung kinh phí {topic} cho {place}"),
            },
            "Giấy mời" => match self.rng.random_range(0..2) {
                0 => format!("Mời dự họp nghe báo cáo tiến độ {topic}"),
                _ => format!("Mời dự Hội nghị tổng kết {topic} năm {year} tại {place}"),
            },
            "Thông báo" => match self.rng.random_range(0..2) {
                0 => format!("Kết luận của Chủ tịch UBND tỉnh tại buổi làm việc với {place} về {topic}"),
                _ => format!("Lịch tiếp công dân định kỳ tháng {} năm {year}", self.rng.random_range(1..=12)),
            },
            "Công điện" => match self.rng.random_range(0..2) {
                0 => format!("Về việc chủ động ứng phó với bão số {} và mưa lũ", self.rng.random_range(1..=9)),
                _ => format!("Về tăng cường phòng, chống {}", self.disaster()),
            },
            "Chỉ thị" => format!("Về tăng cường công tác {topic} trên địa bàn {place}"),
            "Nghị quyết" | "Quy định" => format!("Quy định mức hỗ trợ {topic} trên địa bàn {place}"),
            "Hướng dẫn" => format!("Hướng dẫn thực hiện {topic} năm {year}"),
            "Chương trình" | "Đề án" => format!("Chương trình hành động về {topic} đến năm 2030"),
            "Biên bản" => format!("Biên bản kiểm tra {topic} tại {place}"),
            "Giấy giới thiệu" => format!("Giới thiệu cán bộ liên hệ công tác về {topic}"),
            t if t.starts_with("Bản") => format!("Sao văn bản về {topic} gửi {place}"),
            // Công văn.
            _ => match self.rng.random_range(0..8) {
                0 => format!("Về việc triển khai {topic} trên địa bàn {place}"),
                1 => format!("Về việc tăng cường {topic}"),
                2 => format!("V/v đôn đốc thực hiện {topic} {period} {year}"),
                3 => format!("Về việc góp ý dự thảo văn bản về {topic}"),
                4 => format!("Về việc đề nghị hỗ trợ kinh phí {topic} cho {place}"),
                5 => format!("V/v rà soát, tổng hợp số liệu {topic}"),
                6 => format!("Về việc phòng, chống {} tại {place}", self.disaster()),
                _ => format!("V/v cung cấp thông tin phục vụ {topic}"),
            },
        }
    }

    fn urgency(&mut self) -> Option<Urgency> {
        match self.rng.random_range(0..1000) {
            0..80 => Some(Urgency::Khan),
            80..100 => Some(Urgency::ThuongKhan),
            100..105 => Some(Urgency::HoaToc),
            _ => None,
        }
    }

    fn secrecy(&mut self) -> Option<Secrecy> {
        match self.rng.random_range(0..10_000) {
            0..150 => Some(Secrecy::Mat),
            150..180 => Some(Secrecy::ToiMat),
            180..185 => Some(Secrecy::TuyetMat),
            _ => None,
        }
    }

    /// An incoming document arriving on `arrival`.
    pub fn incoming(&mut self, arrival: Date) -> IncomingDraft {
        let who = self.pick_issuer();
        let from = &ISSUERS[who];
        let type_name = self.weighted(INCOMING_TYPES);
        let issued = arrival - Duration::days(self.rng.random_range(0..8));
        let year = issued.year();
        let ty = find_type(type_name);
        let abbreviation = ty.map(|t| t.abbreviation).unwrap_or_default();
        // Legal normative documents only come from elected bodies and People's Committees.
        let legal = matches!(type_name, "Nghị quyết" | "Quy định")
            || (type_name == "Quyết định" && from.abbr == "UBND" && self.rng.random_ratio(1, 10));
        let series = if legal { abbreviation } else { "" };
        // Real senders restart at 1 each January, but the store's duplicate rule ({number, notation,
        // issuer}, no year) would then flag next year's "01/BCH-CT" as a duplicate of this year's: the
        // numbers here run on across years so that every registration is a genuine new one.
        let counter = self.counters.entry((who, series)).or_insert(0);
        *counter += 1;
        let number = self.number_base + *counter;
        let number = if number < 10 { format!("{number:02}") } else { number.to_string() };
        let notation = if abbreviation.is_empty() {
            let unit = self.pick(from.units);
            format!("{}-{unit}", from.abbr)
        } else if legal {
            format!("{year}/{abbreviation}-{}", from.abbr)
        } else {
            format!("{abbreviation}-{}", from.abbr)
        };
        let due = self.rng.random_bool(0.3).then(|| arrival + Duration::days(self.rng.random_range(3..30)));
        IncomingDraft {
            organ_name: from.name.to_owned(),
            organ_id: self.rng.random_bool(0.9).then(|| from.id.to_owned()),
            code: Some(format!("{number}/{notation}")),
            issued_date: Some(issued),
            type_name: type_name.to_owned(),
            subject: self.subject(type_name, year),
            signer: Some(self.person()),
            urgency: self.urgency(),
            secrecy: self.secrecy(),
            due_date: due,
            channel: Some(if self.rng.random_bool(0.6) { Channel::Electronic } else { Channel::Paper }),
            page_amount: Some(self.rng.random_range(1..=20)),
            handler: Some(self.pick(HANDLERS).to_owned()),
            note: self.rng.random_bool(0.05).then(|| self.pick(NOTES).to_owned()),
        }
    }

    /// An outgoing document of the province, issued on `day`.
    pub fn outgoing(&mut self, day: Date) -> OutgoingDraft {
        let choices: Vec<((&str, bool), u32)> = OUTGOING_TYPES.iter().map(|(t, w, l)| ((*t, *l), *w)).collect();
        let (type_name, legal) = self.weighted(&choices);
        let copy = type_name.starts_with("Bản");
        let unit = (type_name == "Công văn" || copy).then(|| self.pick(OUR_UNITS).to_owned());
        let (signer, position) = *OUR_SIGNERS.choose(&mut self.rng).unwrap_or(&OUR_SIGNERS[0]);
        let recipients: Vec<String> = (0..self.rng.random_range(1..=5))
            .map(|_| {
                let to = &ISSUERS[self.pick_issuer()];
                if self.rng.random_bool(0.5) { to.id.to_owned() } else { to.name.to_owned() }
            })
            .collect();
        let year = day.year();
        OutgoingDraft {
            type_name: type_name.to_owned(),
            drafting_unit: unit.clone(),
            legal,
            advisory_body: None,
            subject: self.subject(type_name, year),
            signer: signer.to_owned(),
            signer_position: Some(position.to_owned()),
            recipients,
            copies: Some(self.rng.random_range(2..=30)),
            archive_holder: Some(format!("Lưu: VT, {}", unit.as_deref().unwrap_or("TH"))),
            urgency: self.urgency(),
            secrecy: if legal || copy { None } else { self.secrecy() },
            due_date: None,
            page_amount: Some(self.rng.random_range(1..=12)),
            note: None,
        }
    }
}
