#![allow(unsafe_code)]
//! Scanners through SANE (máy quét): a thin binding of libsane, page by page.
//!
//! **Why unsafe code here, and only here.** SANE is a C library: every call crosses an FFI
//! boundary, option values travel as untyped buffers, and the library hands out pointers to its
//! own structures (device lists, option descriptors) that are valid only for a while. This module
//! is the one place of the crate that may use `unsafe` (the crate denies it elsewhere). Every
//! `unsafe` block is one call or one pointer read, with a `SAFETY` comment; everything the
//! library returns is copied into owned Rust values at once, under the lock.
//!
//! **Loaded, not linked.** libsane is opened at run time (`libsane.so.1`, else `libsane.so`) with
//! `libloading`, so the application builds and runs on a computer without SANE and says why it
//! cannot scan ([`available`]). SANE's state is per process: the library is loaded and
//! `sane_init` called once, kept behind one `OnceLock<Mutex<…>>`, and every call into it is
//! serialised by that mutex. It is held for one call, or for one whole page from `sane_start` to
//! `sane_cancel` (backends start their reader thread through process-wide state, which two scans
//! started side by side on two devices would share: SANE's test backend then hangs), and never
//! while the caller's code runs (a page callback may itself ask for the device list, or open
//! another scanner). So two scanners may be open and used from two threads, their pages simply
//! alternate. `sane_exit` is never called:
//! the library lives as long as the process. SANE reads its configuration (`SANE_CONFIG_DIR`,
//! `dll.conf`) at that first initialisation.
//!
//! **Page by page.** The law wants colour, at least 200 dpi, 100 % scale: [`Scanner::configure`]
//! finds the device's colour mode, snaps the resolution to what it offers (refusing below 200),
//! picks the source and opens the scan area to its maximum. [`Scanner::scan_page`] runs one
//! `sane_start` … `sane_read` … `sane_cancel` cycle and returns interleaved 8-bit RGB whatever
//! the device sends (grey, line-art, 16-bit, three-pass frames). A fault (jam, no paper, cover
//! open) ends one page, never the pages before it: [`Scanner::scan_batch`] hands each page to the
//! caller as soon as it is read, and reports how many were kept and why it stopped.
//!
//! This module never encodes, stores or dates anything.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::fmt;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use crate::imaging::{MAX_PIXELS, MAX_SIDE, RawPage};
use crate::{CaptureError, Result};

/// The lowest resolution the law accepts for a digitised document, in dpi.
pub const MIN_RESOLUTION: u32 = 200;

/// How long to let a backend's reader thread settle after a fault before cancelling it.
const FAULT_SETTLE_MS: u64 = 30;

// ---------------------------------------------------------------------------------------------
// The C API (sane/sane.h, SANE 1.0)

type Word = i32;
type Status = c_int;
type Handle = *mut c_void;
type AuthCallback = Option<unsafe extern "C" fn(*const c_char, *mut c_char, *mut c_char)>;

const STATUS_GOOD: Status = 0;
const STATUS_UNSUPPORTED: Status = 1;
const STATUS_CANCELLED: Status = 2;
const STATUS_DEVICE_BUSY: Status = 3;
const STATUS_INVAL: Status = 4;
const STATUS_EOF: Status = 5;
const STATUS_JAMMED: Status = 6;
const STATUS_NO_DOCS: Status = 7;
const STATUS_COVER_OPEN: Status = 8;
const STATUS_IO_ERROR: Status = 9;
const STATUS_NO_MEM: Status = 10;
const STATUS_ACCESS_DENIED: Status = 11;

const TYPE_BOOL: c_int = 0;
const TYPE_INT: c_int = 1;
const TYPE_FIXED: c_int = 2;
const TYPE_STRING: c_int = 3;
const TYPE_BUTTON: c_int = 4;

const CAP_SOFT_SELECT: Word = 1 << 0;
const CAP_INACTIVE: Word = 1 << 5;
const CAP_ADVANCED: Word = 1 << 6;

const CONSTRAINT_RANGE: c_int = 1;
const CONSTRAINT_WORD_LIST: c_int = 2;
const CONSTRAINT_STRING_LIST: c_int = 3;

const ACTION_GET_VALUE: c_int = 0;
const ACTION_SET_VALUE: c_int = 1;

const INFO_RELOAD_OPTIONS: Word = 1 << 1;

const FRAME_GRAY: c_int = 0;
const FRAME_RGB: c_int = 1;
const FRAME_RED: c_int = 2;
const FRAME_GREEN: c_int = 3;
const FRAME_BLUE: c_int = 4;

const FIXED_ONE: f64 = 65_536.0;

#[repr(C)]
struct RawDevice {
    name: *const c_char,
    vendor: *const c_char,
    model: *const c_char,
    kind: *const c_char,
}

#[repr(C)]
struct RawRange {
    min: Word,
    max: Word,
    quant: Word,
}

#[repr(C)]
struct RawOptionDescriptor {
    name: *const c_char,
    title: *const c_char,
    desc: *const c_char,
    kind: c_int,
    unit: c_int,
    size: Word,
    cap: Word,
    constraint_type: c_int,
    /// A union of three pointers (string list, word list, range): one pointer either way.
    constraint: *const c_void,
}

#[repr(C)]
#[derive(Default, Debug, Clone, Copy)]
struct RawParameters {
    format: c_int,
    last_frame: Word,
    bytes_per_line: Word,
    pixels_per_line: Word,
    lines: Word,
    depth: Word,
}

/// The entry points of libsane, copied out of the library, which stays loaded with them.
struct Api {
    _library: libloading::Library,
    get_devices: unsafe extern "C" fn(*mut *const *const RawDevice, Word) -> Status,
    open: unsafe extern "C" fn(*const c_char, *mut Handle) -> Status,
    close: unsafe extern "C" fn(Handle),
    get_option_descriptor: unsafe extern "C" fn(Handle, Word) -> *const RawOptionDescriptor,
    control_option: unsafe extern "C" fn(Handle, Word, c_int, *mut c_void, *mut Word) -> Status,
    get_parameters: unsafe extern "C" fn(Handle, *mut RawParameters) -> Status,
    start: unsafe extern "C" fn(Handle) -> Status,
    read: unsafe extern "C" fn(Handle, *mut u8, Word, *mut Word) -> Status,
    cancel: unsafe extern "C" fn(Handle),
}

static SANE: OnceLock<std::result::Result<Mutex<Api>, String>> = OnceLock::new();

/// The library, locked for one call. Loads it and runs `sane_init` the first time.
fn api() -> Result<MutexGuard<'static, Api>> {
    match SANE.get_or_init(load) {
        Ok(api) => Ok(api.lock().unwrap_or_else(PoisonError::into_inner)),
        Err(why) => Err(CaptureError::ScannerUnavailable(why.clone())),
    }
}

fn load() -> std::result::Result<Mutex<Api>, String> {
    let library = ["libsane.so.1", "libsane.so"]
        .iter()
        .find_map(|name| {
            // SAFETY: loading libsane runs its initialisers, which only set up the library's own
            // state; we load a system library by its SONAME, not a path an attacker controls.
            unsafe { libloading::Library::new(name) }.ok()
        })
        .ok_or_else(|| "chưa cài thư viện SANE (libsane.so.1); hãy cài gói libsane1 / sane-utils".to_string())?;
    macro_rules! symbol {
        ($name:literal) => {
            // SAFETY: the symbol is declared in sane/sane.h with exactly the signature of the
            // field it is stored in; the pointer stays valid because `library` is kept in `Api`.
            *unsafe { library.get(concat!($name, "\0").as_bytes()) }
                .map_err(|e| format!("thư viện SANE thiếu hàm {}: {e}", $name))?
        };
    }
    let init: unsafe extern "C" fn(*mut Word, AuthCallback) -> Status = symbol!("sane_init");
    let api = Api {
        get_devices: symbol!("sane_get_devices"),
        open: symbol!("sane_open"),
        close: symbol!("sane_close"),
        get_option_descriptor: symbol!("sane_get_option_descriptor"),
        control_option: symbol!("sane_control_option"),
        get_parameters: symbol!("sane_get_parameters"),
        start: symbol!("sane_start"),
        read: symbol!("sane_read"),
        cancel: symbol!("sane_cancel"),
        _library: library,
    };
    let mut version: Word = 0;
    // SAFETY: first and only call of sane_init in this process (we are inside the OnceLock's
    // initialiser); `version` is a valid out-pointer and no authorisation callback is given.
    let status = unsafe { init(&mut version, None) };
    if status != STATUS_GOOD {
        return Err(format!("không khởi động được SANE: {}", status_text(status)));
    }
    Ok(Mutex::new(api))
}

/// A SANE status in Vietnamese.
fn status_text(status: Status) -> String {
    match status {
        STATUS_GOOD => "thành công".into(),
        STATUS_UNSUPPORTED => "thao tác không được hỗ trợ".into(),
        STATUS_CANCELLED => "đã huỷ".into(),
        STATUS_DEVICE_BUSY => "máy quét đang bận".into(),
        STATUS_INVAL => "dữ liệu hoặc thiết bị không hợp lệ".into(),
        STATUS_EOF => "hết dữ liệu".into(),
        STATUS_JAMMED => "giấy bị kẹt".into(),
        STATUS_NO_DOCS => "hết giấy".into(),
        STATUS_COVER_OPEN => "nắp máy quét đang mở".into(),
        STATUS_IO_ERROR => "lỗi truyền dữ liệu".into(),
        STATUS_NO_MEM => "thiếu bộ nhớ".into(),
        STATUS_ACCESS_DENIED => "không có quyền truy cập máy quét".into(),
        other => format!("mã lỗi SANE {other}"),
    }
}

/// Copies a C string the library owns (`None` for a null pointer).
///
/// # Safety
/// `ptr` is null or points to a NUL-terminated string that stays valid during the call.
unsafe fn owned(ptr: *const c_char) -> String {
    if ptr.is_null() {
        String::new()
    } else {
        // SAFETY: non-null and NUL-terminated by the caller's contract.
        unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned()
    }
}

// ---------------------------------------------------------------------------------------------
// Devices

/// Whether scanning is possible here: libsane loads and initialises. The error says why not.
pub fn available() -> Result<(), CaptureError> {
    api().map(drop)
}

/// A scanner SANE knows of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The name to open it by, e.g. `epson2:libusb:001:004` or `test:0`.
    pub name: String,
    /// Its maker.
    pub vendor: String,
    /// Its model.
    pub model: String,
    /// Its kind as the backend says it ("flatbed scanner", "virtual device"…).
    pub kind: String,
}

/// The scanners reachable now, local and network.
pub fn devices() -> Result<Vec<DeviceInfo>> {
    let api = api()?;
    let mut list: *const *const RawDevice = std::ptr::null();
    // SAFETY: `list` is a valid out-pointer; local_only = false.
    let status = unsafe { (api.get_devices)(&mut list, 0) };
    if status != STATUS_GOOD {
        return Err(CaptureError::Scanner(format!("không liệt kê được máy quét: {}", status_text(status))));
    }
    let mut devices = Vec::new();
    if list.is_null() {
        return Ok(devices);
    }
    for i in 0..4096 {
        // SAFETY: SANE returns a NULL-terminated array, valid until the next sane_get_devices
        // call, which cannot happen while we hold the lock.
        let device = unsafe { *list.add(i) };
        if device.is_null() {
            break;
        }
        // SAFETY: a non-null entry points to a SANE_Device whose strings are NUL-terminated.
        let info = unsafe {
            let d = &*device;
            DeviceInfo { name: owned(d.name), vendor: owned(d.vendor), model: owned(d.model), kind: owned(d.kind) }
        };
        devices.push(info);
    }
    Ok(devices)
}

// ---------------------------------------------------------------------------------------------
// Options

/// The type of an option's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    /// Yes or no.
    Bool,
    /// An integer (or a list of integers).
    Int,
    /// A decimal number (16.16 fixed point in SANE), or a list of them.
    Fixed,
    /// Text.
    String,
    /// An action without a value.
    Button,
    /// A heading that groups the options after it.
    Group,
}

/// The physical unit of an option's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// No unit.
    None,
    /// Pixels.
    Pixel,
    /// Bits.
    Bit,
    /// Millimetres.
    Mm,
    /// Dots per inch.
    Dpi,
    /// Percent.
    Percent,
    /// Microseconds.
    Microsecond,
}

/// What values an option accepts.
#[derive(Debug, Clone, PartialEq)]
pub enum Constraint {
    /// Anything of its type.
    None,
    /// A range, bounds included, in steps of `step` (0: any value).
    Range {
        /// Lowest value.
        min: f64,
        /// Highest value.
        max: f64,
        /// Step (0 when none).
        step: f64,
    },
    /// One of these values (numbers or strings, written as [`OptionInfo::value`] writes them).
    List(Vec<String>),
}

/// One option of an open scanner, as the settings screen shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionInfo {
    /// Its name, e.g. `resolution` (empty for groups).
    pub name: String,
    /// Its title, as the backend writes it.
    pub title: String,
    /// Its description.
    pub description: String,
    /// Its type.
    pub kind: OptionKind,
    /// Its unit.
    pub unit: Unit,
    /// Its current value as text (`yes`/`no`, `200`, `41.83`, `Color`, lists joined by `,`);
    /// `None` for buttons, groups and inactive or unreadable options.
    pub value: Option<String>,
    /// What it accepts.
    pub constraint: Constraint,
    /// Whether it applies now (some options depend on others, e.g. three-pass on colour mode).
    pub active: bool,
    /// Whether software may set it.
    pub settable: bool,
    /// Whether it is an advanced option.
    pub advanced: bool,
}

/// An owned copy of a SANE option descriptor.
#[derive(Debug, Clone)]
struct Descriptor {
    index: Word,
    name: String,
    title: String,
    description: String,
    kind: c_int,
    unit: c_int,
    size: usize,
    cap: Word,
    constraint: RawConstraint,
}

#[derive(Debug, Clone, PartialEq)]
enum RawConstraint {
    None,
    Range { min: Word, max: Word, quant: Word },
    Words(Vec<Word>),
    Strings(Vec<String>),
}

impl Descriptor {
    fn active(&self) -> bool {
        self.cap & CAP_INACTIVE == 0
    }

    fn settable(&self) -> bool {
        self.cap & CAP_SOFT_SELECT != 0
    }

    /// The number of words of a numeric option (arrays have several).
    fn words(&self) -> usize {
        (self.size / 4).max(1)
    }

    fn word_text(&self, w: Word) -> String {
        match self.kind {
            TYPE_FIXED => fixed_text(w),
            TYPE_BOOL => if w != 0 { "yes" } else { "no" }.to_string(),
            _ => w.to_string(),
        }
    }

    fn word_value(&self, w: Word) -> f64 {
        if self.kind == TYPE_FIXED { f64::from(w) / FIXED_ONE } else { f64::from(w) }
    }

    fn word_of(&self, v: f64) -> Word {
        if self.kind == TYPE_FIXED { (v * FIXED_ONE).round() as Word } else { v.round() as Word }
    }

    fn info(&self, value: Option<String>) -> OptionInfo {
        let constraint = match &self.constraint {
            RawConstraint::None => Constraint::None,
            RawConstraint::Range { min, max, quant } => Constraint::Range {
                min: self.word_value(*min),
                max: self.word_value(*max),
                step: self.word_value(*quant),
            },
            RawConstraint::Words(words) => Constraint::List(words.iter().map(|&w| self.word_text(w)).collect()),
            RawConstraint::Strings(list) => Constraint::List(list.clone()),
        };
        OptionInfo {
            name: self.name.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            kind: match self.kind {
                TYPE_BOOL => OptionKind::Bool,
                TYPE_INT => OptionKind::Int,
                TYPE_FIXED => OptionKind::Fixed,
                TYPE_STRING => OptionKind::String,
                TYPE_BUTTON => OptionKind::Button,
                _ => OptionKind::Group,
            },
            unit: match self.unit {
                1 => Unit::Pixel,
                2 => Unit::Bit,
                3 => Unit::Mm,
                4 => Unit::Dpi,
                5 => Unit::Percent,
                6 => Unit::Microsecond,
                _ => Unit::None,
            },
            value,
            constraint,
            active: self.active(),
            settable: self.settable(),
            advanced: self.cap & CAP_ADVANCED != 0,
        }
    }
}

fn fixed_text(w: Word) -> String {
    let text = format!("{:.4}", f64::from(w) / FIXED_ONE);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A value as SANE wants it in memory.
enum Value {
    Words(Vec<Word>),
    Text(Vec<u8>),
    None,
}

// ---------------------------------------------------------------------------------------------
// Scanner

/// Where the paper is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The glass.
    Flatbed,
    /// The automatic document feeder, one side.
    Feeder,
    /// The automatic document feeder, both sides.
    Duplex,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Flatbed => "mặt kính (flatbed)",
            Source::Feeder => "khay nạp giấy tự động (ADF)",
            Source::Duplex => "khay nạp giấy hai mặt (duplex)",
        })
    }
}

/// How to scan: colour always; resolution and source chosen by the clerk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanSettings {
    /// Dots per inch; at least [`MIN_RESOLUTION`] (refused below). Snapped to what the device
    /// offers: the nearest value at or above, else its maximum.
    pub resolution: u32,
    /// Where the paper is.
    pub source: Source,
}

impl Default for ScanSettings {
    fn default() -> Self {
        ScanSettings { resolution: MIN_RESOLUTION, source: Source::Flatbed }
    }
}

/// Why a scan stopped before its page was read. The pages read before are never lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanFault {
    /// The paper jammed in the feeder.
    Jammed,
    /// No paper (in the feeder, or on the glass for some devices).
    NoPaper,
    /// The scanner's cover (or the feeder's) is open.
    CoverOpen,
    /// The device is busy (another program is using it).
    Busy,
    /// Transfer from the device failed.
    Io(String),
    /// The scan was cancelled (by the device's button or by software).
    Cancelled,
    /// Anything else (the device's refusal, an unreadable frame, the caller's own error).
    Other(String),
}

impl fmt::Display for ScanFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScanFault::Jammed => f.write_str("Giấy bị kẹt trong máy quét"),
            ScanFault::NoPaper => f.write_str("Máy quét hết giấy"),
            ScanFault::CoverOpen => f.write_str("Nắp máy quét đang mở"),
            ScanFault::Busy => f.write_str("Máy quét đang bận (có thể chương trình khác đang dùng)"),
            ScanFault::Io(why) => write!(f, "Lỗi truyền dữ liệu với máy quét: {why}"),
            ScanFault::Cancelled => f.write_str("Việc quét đã bị huỷ"),
            ScanFault::Other(why) => write!(f, "Máy quét báo lỗi: {why}"),
        }
    }
}

impl std::error::Error for ScanFault {}

impl ScanFault {
    fn from_status(status: Status) -> ScanFault {
        match status {
            STATUS_JAMMED => ScanFault::Jammed,
            STATUS_NO_DOCS => ScanFault::NoPaper,
            STATUS_COVER_OPEN => ScanFault::CoverOpen,
            STATUS_DEVICE_BUSY => ScanFault::Busy,
            STATUS_CANCELLED => ScanFault::Cancelled,
            STATUS_IO_ERROR => ScanFault::Io(status_text(status)),
            other => ScanFault::Other(status_text(other)),
        }
    }

    /// The fault with where it happened, for the clerk: "Giấy bị kẹt trong máy quét ở trang 3;
    /// đã giữ 2 trang đã quét".
    pub fn at_page(&self, page: u32) -> String {
        let kept = page.saturating_sub(1);
        if kept == 0 {
            format!("{self} ở trang {page}; chưa quét được trang nào")
        } else {
            format!("{self} ở trang {page}; đã giữ {kept} trang đã quét")
        }
    }
}

/// How a batch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchEnd {
    /// Pages handed to the caller (and accepted by it), in order: they are the caller's.
    pub pages: u32,
    /// Why the batch stopped early; `None` when the feeder emptied or the page limit was reached.
    pub fault: Option<ScanFault>,
}

impl BatchEnd {
    /// One sentence for the clerk: "Đã quét 10 trang" or "Giấy bị kẹt trong máy quét ở trang 3;
    /// đã giữ 2 trang đã quét".
    pub fn summary(&self) -> String {
        match &self.fault {
            None => format!("Đã quét {} trang", self.pages),
            Some(fault) => fault.at_page(self.pages + 1),
        }
    }
}

/// A device handle; SANE handles may be used from any thread as long as calls are serialised,
/// which the process-wide lock does.
struct DeviceHandle(Handle);

// SAFETY: the handle is an opaque token passed back to libsane, only ever under the global lock.
unsafe impl Send for DeviceHandle {}

/// An open scanner. Closed when dropped.
pub struct Scanner {
    handle: DeviceHandle,
    name: String,
    options: Vec<Descriptor>,
    /// The resolution asked for by the last [`Scanner::configure`], if the device cannot tell.
    configured_dpi: Option<u32>,
}

impl fmt::Debug for Scanner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scanner").field("name", &self.name).finish()
    }
}

impl Scanner {
    /// Opens the scanner named `name` (as [`devices`] lists it).
    pub fn open(name: &str) -> Result<Scanner> {
        let c_name =
            CString::new(name).map_err(|_| CaptureError::Scanner(format!("tên máy quét không hợp lệ: {name:?}")))?;
        let mut handle: Handle = std::ptr::null_mut();
        let status = {
            let api = api()?;
            // SAFETY: a NUL-terminated name and a valid out-pointer for the handle.
            unsafe { (api.open)(c_name.as_ptr(), &mut handle) }
        };
        if status != STATUS_GOOD || handle.is_null() {
            let why = match status {
                STATUS_INVAL => "không tìm thấy thiết bị".to_string(),
                other => status_text(other),
            };
            return Err(CaptureError::Scanner(format!("không mở được máy quét {name}: {why}")));
        }
        let mut scanner =
            Scanner { handle: DeviceHandle(handle), name: name.to_string(), options: Vec::new(), configured_dpi: None };
        scanner.reload()?;
        Ok(scanner)
    }

    /// The name it was opened by.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Re-reads every option descriptor (after opening and whenever SANE asks to reload).
    fn reload(&mut self) -> Result<()> {
        let api = api()?;
        let handle = self.handle.0;
        let mut count: Word = 0;
        // SAFETY: option 0 is the option count, a single word.
        let status =
            unsafe { (api.control_option)(handle, 0, ACTION_GET_VALUE, (&raw mut count).cast(), std::ptr::null_mut()) };
        if status != STATUS_GOOD {
            return Err(CaptureError::Scanner(format!("không đọc được danh sách tuỳ chọn: {}", status_text(status))));
        }
        let mut options = Vec::new();
        for index in 1..count.clamp(1, 10_000) {
            // SAFETY: a valid handle and an index below the option count.
            let ptr = unsafe { (api.get_option_descriptor)(handle, index) };
            if ptr.is_null() {
                continue;
            }
            // SAFETY: SANE keeps the descriptor valid until the device is closed; we copy it now.
            options.push(unsafe { copy_descriptor(index, &*ptr) });
        }
        self.options = options;
        Ok(())
    }

    fn find(&self, name: &str) -> Option<&Descriptor> {
        self.options.iter().find(|d| d.name == name)
    }

    fn active(&self, name: &str) -> Option<Descriptor> {
        self.find(name).filter(|d| d.active()).cloned()
    }

    /// Every option with its current value and constraint.
    pub fn options(&self) -> Result<Vec<OptionInfo>> {
        let mut infos = Vec::with_capacity(self.options.len());
        for d in &self.options {
            let readable = d.active() && matches!(d.kind, TYPE_BOOL | TYPE_INT | TYPE_FIXED | TYPE_STRING);
            let value = if readable {
                self.get(d).ok().map(|v| match v {
                    Value::Words(words) => words.iter().map(|&w| d.word_text(w)).collect::<Vec<_>>().join(","),
                    Value::Text(bytes) => text_of(&bytes),
                    Value::None => String::new(),
                })
            } else {
                None
            };
            infos.push(d.info(value));
        }
        Ok(infos)
    }

    /// Reads an option's current value.
    fn get(&self, d: &Descriptor) -> Result<Value> {
        let mut value = match d.kind {
            TYPE_STRING => Value::Text(vec![0; d.size.max(1) + 1]),
            TYPE_BOOL | TYPE_INT | TYPE_FIXED => Value::Words(vec![0; d.words()]),
            _ => return Ok(Value::None),
        };
        let ptr: *mut c_void = match &mut value {
            Value::Words(words) => words.as_mut_ptr().cast(),
            Value::Text(bytes) => bytes.as_mut_ptr().cast(),
            Value::None => std::ptr::null_mut(),
        };
        let status = {
            let api = api()?;
            // SAFETY: `ptr` points to a buffer of at least `size` bytes (words or text + NUL).
            unsafe { (api.control_option)(self.handle.0, d.index, ACTION_GET_VALUE, ptr, std::ptr::null_mut()) }
        };
        if status != STATUS_GOOD {
            return Err(CaptureError::Scanner(format!("không đọc được tuỳ chọn {}: {}", d.name, status_text(status))));
        }
        Ok(value)
    }

    /// Sets an option from text, typed by its descriptor: booleans (`yes`/`no`, `true`/`false`,
    /// `1`/`0`, `on`/`off`), integers and decimals (lists separated by `,` for array options),
    /// strings (matched against the allowed list, ignoring case). Checks the constraint first and
    /// re-reads the options when the device asks for it (SANE_INFO_RELOAD_OPTIONS).
    pub fn set_option(&mut self, name: &str, value: &str) -> Result<()> {
        let d = self.active(name).ok_or_else(|| CaptureError::UnknownOption(name.to_string()))?;
        let invalid = |reason: String| CaptureError::InvalidOptionValue {
            option: name.to_string(),
            value: value.to_string(),
            reason,
        };
        if !d.settable() {
            return Err(invalid("tuỳ chọn chỉ đọc".into()));
        }
        let raw = match d.kind {
            TYPE_BOOL => Value::Words(vec![parse_bool(value).ok_or_else(|| invalid("cần yes/no".into()))?]),
            TYPE_INT | TYPE_FIXED => {
                let mut words = Vec::new();
                for part in value.split(',') {
                    let v: f64 = part.trim().parse().map_err(|_| invalid("cần một số".into()))?;
                    if d.kind == TYPE_INT && v.fract() != 0.0 {
                        return Err(invalid("cần một số nguyên".into()));
                    }
                    words.push(check_number(&d, d.word_of(v)).map_err(invalid)?);
                }
                if words.len() == 1 && d.words() > 1 {
                    words = vec![words[0]; d.words()];
                }
                if words.len() != d.words() {
                    return Err(invalid(format!("cần {} giá trị", d.words())));
                }
                Value::Words(words)
            }
            TYPE_STRING => {
                let text = match &d.constraint {
                    RawConstraint::Strings(list) => list
                        .iter()
                        .find(|s| s.as_str() == value)
                        .or_else(|| list.iter().find(|s| s.eq_ignore_ascii_case(value)))
                        .cloned()
                        .ok_or_else(|| invalid(format!("chỉ nhận: {}", list.join(", "))))?,
                    _ => value.to_string(),
                };
                if text.len() + 1 > d.size.max(1) || text.contains('\0') {
                    return Err(invalid(format!("dài quá {} byte", d.size.saturating_sub(1))));
                }
                let mut bytes = vec![0u8; d.size.max(1)];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                Value::Text(bytes)
            }
            TYPE_BUTTON => Value::None,
            _ => return Err(CaptureError::UnknownOption(name.to_string())),
        };
        self.set(&d, raw).map_err(|status| invalid(status_text(status)))
    }

    /// Sets a raw value; reloads the descriptors when asked to. The error is the SANE status.
    fn set(&mut self, d: &Descriptor, mut value: Value) -> std::result::Result<(), Status> {
        let ptr: *mut c_void = match &mut value {
            Value::Words(words) => words.as_mut_ptr().cast(),
            Value::Text(bytes) => bytes.as_mut_ptr().cast(),
            Value::None => std::ptr::null_mut(),
        };
        let mut info: Word = 0;
        let status = {
            let Ok(api) = api() else {
                return Err(STATUS_INVAL);
            };
            // SAFETY: `ptr` is null (button) or a buffer of at least the descriptor's `size`
            // bytes; `info` is a valid out-pointer.
            unsafe { (api.control_option)(self.handle.0, d.index, ACTION_SET_VALUE, ptr, &mut info) }
        };
        if status != STATUS_GOOD {
            return Err(status);
        }
        if info & INFO_RELOAD_OPTIONS != 0 {
            self.reload().map_err(|_| STATUS_IO_ERROR)?;
        }
        Ok(())
    }

    fn set_words(&mut self, name: &str, words: Vec<Word>) -> Result<()> {
        let d = self.active(name).ok_or_else(|| CaptureError::UnknownOption(name.to_string()))?;
        let text = words.iter().map(|&w| d.word_text(w)).collect::<Vec<_>>().join(",");
        self.set(&d, Value::Words(words)).map_err(|status| CaptureError::InvalidOptionValue {
            option: name.to_string(),
            value: text,
            reason: status_text(status),
        })
    }

    /// Prepares a scan as the law wants it: colour, at least 200 dpi, the whole scan area.
    ///
    /// - resolution: below [`MIN_RESOLUTION`] → [`CaptureError::ResolutionTooLow`] (the device is
    ///   not touched); otherwise the device's nearest value at or above it (or its maximum);
    ///   a device whose maximum is below 200 dpi → [`CaptureError::DeviceCannot`];
    /// - source: the entry of the device's `source` list that means flatbed ("Flatbed", "Normal"),
    ///   feeder ("Automatic Document Feeder", "ADF", "ADF Front") or duplex ("ADF Duplex",
    ///   "Duplex"); none → [`CaptureError::DeviceCannot`] (a device without a `source` option is
    ///   taken to be a flatbed);
    /// - mode: the colour entry of `mode` ("Color", "Colour", "24bit Color"…), none →
    ///   [`CaptureError::DeviceCannot`]; 8 bits per sample where `depth` offers it;
    /// - scan area: `tl-x`/`tl-y` to their minimum, `br-x`/`br-y` to their maximum.
    pub fn configure(&mut self, settings: &ScanSettings) -> Result<()> {
        if settings.resolution < MIN_RESOLUTION {
            return Err(CaptureError::ResolutionTooLow { requested: settings.resolution, minimum: MIN_RESOLUTION });
        }
        // Source first: it may change the area and the resolutions offered.
        match self.active("source") {
            Some(d) => {
                let RawConstraint::Strings(list) = &d.constraint else {
                    return Err(CaptureError::DeviceCannot("không chọn được nguồn giấy".into()));
                };
                let entry = pick_source(list, settings.source).ok_or_else(|| {
                    CaptureError::DeviceCannot(format!("không có {}; máy có: {}", settings.source, list.join(", ")))
                })?;
                self.set_option("source", &entry)?;
            }
            None if settings.source == Source::Flatbed => {}
            None => {
                return Err(CaptureError::DeviceCannot(format!("không có {}", settings.source)));
            }
        }
        if let Some(d) = self.active("mode") {
            let RawConstraint::Strings(list) = &d.constraint else {
                return Err(CaptureError::DeviceCannot("không chọn được chế độ màu".into()));
            };
            let colour = pick_colour_mode(list).ok_or_else(|| {
                CaptureError::DeviceCannot(format!("không quét màu được; các chế độ: {}", list.join(", ")))
            })?;
            self.set_option("mode", &colour)?;
        }
        if let Some(d) = self.active("depth")
            && d.settable()
            && matches!(&d.constraint, RawConstraint::Words(w) if w.contains(&8))
        {
            self.set_words("depth", vec![8])?;
        }
        let names: &[&str] =
            if self.active("resolution").is_some() { &["resolution"] } else { &["x-resolution", "y-resolution"] };
        let mut found = false;
        for name in names {
            let Some(d) = self.active(name) else { continue };
            found = true;
            let word = snap_resolution(&d, settings.resolution).map_err(CaptureError::DeviceCannot)?;
            self.set_words(name, vec![word; d.words()])?;
        }
        if !found {
            return Err(CaptureError::DeviceCannot("không đặt được độ phân giải".into()));
        }
        self.configured_dpi = Some(settings.resolution);
        for (name, max) in [("tl-x", false), ("tl-y", false), ("br-x", true), ("br-y", true)] {
            let Some(d) = self.active(name).filter(Descriptor::settable) else {
                continue;
            };
            if let RawConstraint::Range { min: lo, max: hi, .. } = d.constraint {
                self.set_words(name, vec![if max { hi } else { lo }; d.words()])?;
            }
        }
        Ok(())
    }

    /// The resolution the device will scan at now, in dpi.
    fn resolution(&self) -> Option<f32> {
        let d = self.active("resolution").or_else(|| self.active("x-resolution"))?;
        match self.get(&d).ok()? {
            Value::Words(words) => Some(d.word_value(*words.first()?) as f32),
            _ => None,
        }
    }

    /// Scans one page: `sane_start`, every frame read to its end, `sane_cancel` (always, also
    /// after a fault). Returns interleaved 8-bit RGB: grey frames are expanded, line-art (1 bit;
    /// for grey a set bit is black, for colour a set bit is full intensity) becomes 0/255,
    /// 16-bit samples (host byte order, as SANE sends them) keep their high byte, three-pass
    /// red/green/blue frames are interleaved; a device that does not know the page length (lines
    /// = -1) is read to its end.
    ///
    /// `Ok(None)`: `sane_start` answered SANE_STATUS_NO_DOCS, which at the start of a page means
    /// "no more paper": the feeder is empty (the normal end of a batch). The same status while
    /// reading is a fault ([`ScanFault::NoPaper`]: the paper ran out mid-page).
    pub fn scan_page(&mut self) -> Result<Option<RawPage>, ScanFault> {
        let dpi = self.resolution().filter(|d| *d >= 1.0).or(self.configured_dpi.map(|d| d as f32)).unwrap_or(0.0);
        // One page is one critical section, from sane_start to sane_cancel: backends start a
        // reader thread per scan through process-wide state (sanei_thread), which two scans
        // started side by side on two devices would share.
        let api = api().map_err(|e| ScanFault::Other(e.to_string()))?;
        let handle = self.handle.0;
        let page = read_frames(&api, handle, dpi);
        if page.is_err() {
            // SANE's reader threads are cancelled *asynchronously* by sane_cancel; one cancelled
            // while it is still allocating its buffers dies holding the allocator's lock and the
            // process hangs at the next join. After a fault it has only just started: give it a
            // moment to reach its blocking write to the pipe, where cancelling is safe.
            std::thread::sleep(std::time::Duration::from_millis(FAULT_SETTLE_MS));
        }
        // SAFETY: a valid handle; cancelling after the last frame (or a fault) resets the device.
        unsafe { (api.cancel)(handle) };
        page
    }

    /// Scans pages until the feeder is empty, `max_pages` are read, a fault, or `on_page` fails.
    ///
    /// `on_page(number, page)` gets each page (numbered from 1) as soon as it is read, outside
    /// any lock; what it accepted is the caller's whatever happens next. Returning an error stops
    /// the batch (a "Dừng" button, a full disk): the fault is then [`ScanFault::Other`] with the
    /// error's message, and that page is not counted.
    ///
    /// A feeder found empty at the first page is [`ScanFault::NoPaper`]; found empty later, it is
    /// the normal end (no fault).
    pub fn scan_batch(
        &mut self,
        max_pages: Option<u32>,
        mut on_page: impl FnMut(u32, RawPage) -> Result<()>,
    ) -> BatchEnd {
        let mut pages = 0u32;
        loop {
            if max_pages.is_some_and(|max| pages >= max) {
                return BatchEnd { pages, fault: None };
            }
            match self.scan_page() {
                Ok(Some(page)) => {
                    if let Err(e) = on_page(pages + 1, page) {
                        return BatchEnd { pages, fault: Some(ScanFault::Other(e.to_string())) };
                    }
                    pages += 1;
                }
                Ok(None) => {
                    return BatchEnd { pages, fault: (pages == 0).then_some(ScanFault::NoPaper) };
                }
                Err(fault) => {
                    return BatchEnd { pages, fault: Some(fault) };
                }
            }
        }
    }
}

/// Reads every frame of one page. The caller holds the lock and cancels afterwards.
fn read_frames(api: &Api, handle: Handle, dpi: f32) -> Result<Option<RawPage>, ScanFault> {
    let mut image: Option<(usize, usize, Vec<u8>)> = None;
    let mut first = true;
    loop {
        // SAFETY: a valid handle.
        let status = unsafe { (api.start)(handle) };
        if status == STATUS_NO_DOCS && first {
            return Ok(None);
        }
        if status != STATUS_GOOD {
            return Err(ScanFault::from_status(status));
        }
        first = false;
        let mut p = RawParameters::default();
        // SAFETY: a valid handle and out-pointer.
        let status = unsafe { (api.get_parameters)(handle, &mut p) };
        if status != STATUS_GOOD {
            return Err(ScanFault::from_status(status));
        }
        let frame = Frame::check(&p)?;
        let data = read_frame(api, handle, &frame)?;
        let lines = frame.lines.unwrap_or(data.len() / frame.bytes_per_line);
        if lines == 0 {
            return Err(ScanFault::Other("máy quét không gửi dòng ảnh nào".into()));
        }
        let (w, h, rgb) = image.get_or_insert_with(|| (frame.width, lines, vec![255u8; frame.width * lines * 3]));
        if (*w, *h) != (frame.width, lines) {
            return Err(ScanFault::Other("các khung màu của một trang không cùng kích thước".into()));
        }
        frame.write_rgb(&data, lines, rgb);
        if p.last_frame != 0 {
            break;
        }
    }
    Ok(image.map(|(w, h, rgb)| RawPage { width: w as u32, height: h as u32, dpi, rgb }))
}

/// Reads one frame to SANE_STATUS_EOF, bounded by what its parameters promise.
fn read_frame(api: &Api, handle: Handle, frame: &Frame) -> Result<Vec<u8>, ScanFault> {
    let max_lines = (MAX_SIDE as usize).min(MAX_PIXELS as usize / frame.width);
    let limit = frame.bytes_per_line * frame.lines.unwrap_or(max_lines);
    let mut data = Vec::with_capacity(frame.lines.map_or(1 << 20, |_| limit));
    let mut chunk = vec![0u8; 1 << 16];
    let mut idle = 0u32;
    loop {
        let mut len: Word = 0;
        // SAFETY: `chunk` has room for the 65 536 bytes we allow; `len` is an out-pointer.
        let status = unsafe { (api.read)(handle, chunk.as_mut_ptr(), chunk.len() as Word, &mut len) };
        match status {
            STATUS_GOOD => {
                let n = usize::try_from(len).unwrap_or(0).min(chunk.len());
                if n == 0 {
                    idle += 1;
                    if idle > 100_000 {
                        return Err(ScanFault::Io("máy quét không gửi dữ liệu".into()));
                    }
                    std::thread::yield_now();
                    continue;
                }
                idle = 0;
                if data.len() + n > limit {
                    return Err(ScanFault::Other("máy quét gửi nhiều dữ liệu hơn kích thước trang".into()));
                }
                data.extend_from_slice(&chunk[..n]);
            }
            STATUS_EOF => return Ok(data),
            other => return Err(ScanFault::from_status(other)),
        }
    }
}

impl Drop for Scanner {
    fn drop(&mut self) {
        if let Ok(api) = api() {
            // SAFETY: the handle is open (we own it) and is never used after this.
            unsafe {
                (api.cancel)(self.handle.0);
                (api.close)(self.handle.0);
            }
        }
    }
}

/// Copies a descriptor.
///
/// # Safety
/// `d` is a descriptor returned by sane_get_option_descriptor, still valid: its strings are
/// NUL-terminated, its constraint pointer matches its constraint type (a NULL-terminated string
/// list, a word list whose first word is its length, or a range).
unsafe fn copy_descriptor(index: Word, d: &RawOptionDescriptor) -> Descriptor {
    let constraint = if d.constraint.is_null() {
        RawConstraint::None
    } else {
        match d.constraint_type {
            CONSTRAINT_RANGE => {
                // SAFETY: a range constraint points to a SANE_Range.
                let r = unsafe { &*d.constraint.cast::<RawRange>() };
                RawConstraint::Range { min: r.min, max: r.max, quant: r.quant }
            }
            CONSTRAINT_WORD_LIST => {
                let words = d.constraint.cast::<Word>();
                // SAFETY: the first word is the number of words that follow.
                let n = usize::try_from(unsafe { *words }).unwrap_or(0).min(10_000);
                // SAFETY: `n` words follow the length word.
                RawConstraint::Words(unsafe { std::slice::from_raw_parts(words.add(1), n) }.to_vec())
            }
            CONSTRAINT_STRING_LIST => {
                let list = d.constraint.cast::<*const c_char>();
                let mut strings = Vec::new();
                for i in 0..10_000 {
                    // SAFETY: a NULL-terminated array of strings.
                    let s = unsafe { *list.add(i) };
                    if s.is_null() {
                        break;
                    }
                    // SAFETY: each entry is NUL-terminated.
                    strings.push(unsafe { owned(s) });
                }
                RawConstraint::Strings(strings)
            }
            _ => RawConstraint::None,
        }
    };
    Descriptor {
        index,
        // SAFETY: NUL-terminated or null, per the function's contract.
        name: unsafe { owned(d.name) },
        // SAFETY: as above.
        title: unsafe { owned(d.title) },
        // SAFETY: as above.
        description: unsafe { owned(d.desc) },
        kind: d.kind,
        unit: d.unit,
        size: usize::try_from(d.size).unwrap_or(0),
        cap: d.cap,
        constraint,
    }
}

fn text_of(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

fn parse_bool(text: &str) -> Option<Word> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "1" | "on" => Some(1),
        "no" | "false" | "0" | "off" => Some(0),
        _ => None,
    }
}

/// Checks a number against its option's constraint; the error says what is accepted.
fn check_number(d: &Descriptor, word: Word) -> std::result::Result<Word, String> {
    match &d.constraint {
        RawConstraint::Range { min, max, .. } if word < *min || word > *max => {
            Err(format!("phải từ {} đến {}", d.word_text(*min), d.word_text(*max)))
        }
        RawConstraint::Words(words) if !words.contains(&word) => {
            // A decimal typed as text may differ from the listed fixed value by rounding.
            words
                .iter()
                .copied()
                .find(|&w| d.kind == TYPE_FIXED && (i64::from(w) - i64::from(word)).abs() <= 8)
                .ok_or_else(|| {
                    let list: Vec<String> = words.iter().map(|&w| d.word_text(w)).collect();
                    format!("chỉ nhận: {}", list.join(", "))
                })
        }
        _ => Ok(word),
    }
}

/// The resolution word to set for `wanted` dpi: the device's nearest value at or above it, else
/// its maximum; an error when the device cannot reach [`MIN_RESOLUTION`].
fn snap_resolution(d: &Descriptor, wanted: u32) -> std::result::Result<Word, String> {
    let wanted = f64::from(wanted);
    let floor = f64::from(MIN_RESOLUTION);
    let too_low = |max: f64| format!("độ phân giải tối đa của máy là {max} dpi, thấp hơn mức tối thiểu {floor} dpi");
    match &d.constraint {
        RawConstraint::Range { min, max, quant } => {
            let (lo, hi, step) = (d.word_value(*min), d.word_value(*max), d.word_value(*quant));
            if hi < floor {
                return Err(too_low(hi));
            }
            let mut v = wanted.clamp(lo, hi);
            if step > 0.0 {
                v = lo + ((v - lo) / step).ceil() * step;
                if v > hi {
                    v = lo + ((hi - lo) / step).floor() * step;
                }
            }
            Ok(d.word_of(v))
        }
        RawConstraint::Words(words) => {
            let values: Vec<f64> = words.iter().map(|&w| d.word_value(w)).collect();
            let max = values.iter().copied().fold(f64::MIN, f64::max);
            if values.is_empty() || max < floor {
                return Err(too_low(max.max(0.0)));
            }
            let best = values
                .iter()
                .copied()
                .filter(|&v| v >= wanted)
                .fold(None, |best: Option<f64>, v| Some(best.map_or(v, |b| b.min(v))))
                .unwrap_or(max);
            Ok(d.word_of(best))
        }
        _ => Ok(d.word_of(wanted)),
    }
}

/// The colour entry of a device's scan modes.
fn pick_colour_mode(modes: &[String]) -> Option<String> {
    let lower = |s: &String| s.to_lowercase();
    let is_colour = |s: &String| {
        let l = lower(s);
        (l.contains("color") || l.contains("colour")) && !l.contains("48") && !l.contains("16")
    };
    modes
        .iter()
        .find(|s| matches!(lower(s).as_str(), "color" | "colour"))
        .or_else(|| modes.iter().find(|s| is_colour(s) && lower(s).contains("24")))
        .or_else(|| modes.iter().find(|s| is_colour(s)))
        .or_else(|| modes.iter().find(|s| lower(s).contains("color") || lower(s).contains("colour")))
        .cloned()
}

/// The entry of a device's sources that means `source`.
fn pick_source(sources: &[String], source: Source) -> Option<String> {
    let lower: Vec<String> = sources.iter().map(|s| s.to_lowercase()).collect();
    let is_feeder = |l: &str| l.contains("adf") || l.contains("feeder") || l.contains("automatic");
    let index = match source {
        Source::Flatbed => lower.iter().position(|l| l.contains("flatbed") || l == "normal" || l.contains("glass")),
        Source::Feeder => lower
            .iter()
            .position(|l| is_feeder(l) && !l.contains("duplex") && !l.contains("back"))
            .or_else(|| lower.iter().position(|l| is_feeder(l) && l.contains("front"))),
        Source::Duplex => lower.iter().position(|l| l.contains("duplex")),
    }?;
    Some(sources[index].clone())
}

// ---------------------------------------------------------------------------------------------
// Frames

/// One frame's geometry, checked.
struct Frame {
    format: c_int,
    width: usize,
    lines: Option<usize>,
    bytes_per_line: usize,
    depth: usize,
}

impl Frame {
    fn check(p: &RawParameters) -> Result<Frame, ScanFault> {
        let bad = |why: &str| ScanFault::Other(format!("thông số khung ảnh không hợp lệ: {why}"));
        if !matches!(p.format, FRAME_GRAY | FRAME_RGB | FRAME_RED | FRAME_GREEN | FRAME_BLUE) {
            return Err(bad("định dạng khung chưa hỗ trợ"));
        }
        let depth = match p.depth {
            1 | 8 | 16 => p.depth as usize,
            _ => return Err(bad("độ sâu màu chưa hỗ trợ")),
        };
        let width = usize::try_from(p.pixels_per_line).unwrap_or(0);
        if width == 0 || width > MAX_SIDE as usize {
            return Err(bad("chiều rộng"));
        }
        let lines = match p.lines {
            -1 => None,
            n if n > 0 && n as u32 <= MAX_SIDE => Some(n as usize),
            _ => return Err(bad("số dòng")),
        };
        if lines.is_some_and(|h| (width * h) as u64 > MAX_PIXELS) {
            return Err(bad("trang quá lớn"));
        }
        let channels = if p.format == FRAME_RGB { 3 } else { 1 };
        let needed = (width * channels * depth).div_ceil(8);
        let bytes_per_line = usize::try_from(p.bytes_per_line).unwrap_or(0);
        if bytes_per_line < needed || bytes_per_line > needed * 2 + 1024 {
            return Err(bad("số byte mỗi dòng"));
        }
        Ok(Frame { format: p.format, width, lines, bytes_per_line, depth })
    }

    /// Writes this frame's samples into the page's interleaved RGB.
    fn write_rgb(&self, data: &[u8], lines: usize, rgb: &mut [u8]) {
        let w = self.width;
        for (y, line) in data.chunks_exact(self.bytes_per_line).take(lines).enumerate() {
            let out = &mut rgb[y * w * 3..(y + 1) * w * 3];
            match (self.format, self.depth) {
                (FRAME_RGB, 8) => out.copy_from_slice(&line[..w * 3]),
                (FRAME_GRAY, 8) => {
                    for (px, &g) in out.chunks_exact_mut(3).zip(line) {
                        px.fill(g);
                    }
                }
                (FRAME_RGB, _) => {
                    for (i, o) in out.iter_mut().enumerate() {
                        *o = self.sample(line, i);
                    }
                }
                (FRAME_GRAY, _) => {
                    for (x, px) in out.chunks_exact_mut(3).enumerate() {
                        px.fill(self.sample(line, x));
                    }
                }
                (format, _) => {
                    let channel = (format - FRAME_RED) as usize;
                    for (x, px) in out.chunks_exact_mut(3).enumerate() {
                        px[channel] = self.sample(line, x);
                    }
                }
            }
        }
    }

    /// Sample `i` of a line as 8 bits.
    fn sample(&self, line: &[u8], i: usize) -> u8 {
        match self.depth {
            16 => (u16::from_ne_bytes([line[2 * i], line[2 * i + 1]]) >> 8) as u8,
            1 => {
                let set = line[i / 8] & (0x80 >> (i % 8)) != 0;
                // Grey line-art: a set bit is black. Colour: a set bit is full intensity.
                match (self.format == FRAME_GRAY, set) {
                    (true, true) | (false, false) => 0,
                    _ => 255,
                }
            }
            _ => line[i],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn descriptor(kind: c_int, constraint: RawConstraint) -> Descriptor {
        Descriptor {
            index: 1,
            name: "resolution".into(),
            title: String::new(),
            description: String::new(),
            kind,
            unit: 4,
            size: 4,
            cap: CAP_SOFT_SELECT,
            constraint,
        }
    }

    #[test]
    fn resolution_snapping() {
        let fix = |v: f64| (v * FIXED_ONE) as Word;
        let cases: Vec<(&str, Descriptor, u32, std::result::Result<Word, ()>)> = vec![
            ("list: exact", descriptor(TYPE_INT, RawConstraint::Words(vec![75, 150, 300, 600])), 300, Ok(300)),
            ("list: next above", descriptor(TYPE_INT, RawConstraint::Words(vec![75, 150, 300, 600])), 200, Ok(300)),
            (
                "list: above the max → max",
                descriptor(TYPE_INT, RawConstraint::Words(vec![100, 150, 300])),
                1200,
                Ok(300),
            ),
            ("list: max below 200", descriptor(TYPE_INT, RawConstraint::Words(vec![75, 100, 150])), 200, Err(())),
            (
                "range: inside",
                descriptor(TYPE_INT, RawConstraint::Range { min: 50, max: 1200, quant: 1 }),
                250,
                Ok(250),
            ),
            (
                "range: quant 100",
                descriptor(TYPE_INT, RawConstraint::Range { min: 100, max: 1200, quant: 100 }),
                250,
                Ok(300),
            ),
            (
                "range: quant over the max",
                descriptor(TYPE_INT, RawConstraint::Range { min: 100, max: 650, quant: 100 }),
                640,
                Ok(600),
            ),
            (
                "range: above the max",
                descriptor(TYPE_INT, RawConstraint::Range { min: 50, max: 600, quant: 0 }),
                900,
                Ok(600),
            ),
            (
                "range: max below 200",
                descriptor(TYPE_INT, RawConstraint::Range { min: 50, max: 150, quant: 1 }),
                200,
                Err(()),
            ),
            (
                "fixed range",
                descriptor(TYPE_FIXED, RawConstraint::Range { min: fix(1.0), max: fix(1200.0), quant: fix(1.0) }),
                200,
                Ok(fix(200.0)),
            ),
            (
                "fixed list",
                descriptor(TYPE_FIXED, RawConstraint::Words(vec![fix(150.0), fix(240.0)])),
                200,
                Ok(fix(240.0)),
            ),
            ("no constraint", descriptor(TYPE_INT, RawConstraint::None), 300, Ok(300)),
        ];
        for (name, d, wanted, expected) in cases {
            assert_eq!(snap_resolution(&d, wanted).map_err(drop), expected, "{name}");
        }
    }

    #[test]
    fn colour_modes_and_sources() {
        let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let modes: [(&[&str], Option<&str>); 6] = [
            (&["Lineart", "Gray", "Color"], Some("Color")),
            (&["Binary", "Gray", "Colour"], Some("Colour")),
            (
                &["Black & White", "Gray[Error Diffusion]", "True Gray", "24bit Color[Fast]", "48bit Color"],
                Some("24bit Color[Fast]"),
            ),
            (&["Gray", "Color16", "Color"], Some("Color")),
            (&["Lineart", "Halftone", "Gray"], None),
            (&["COLOR"], Some("COLOR")),
        ];
        for (list, expected) in modes {
            assert_eq!(pick_colour_mode(&strings(list)).as_deref(), expected, "{list:?}");
        }
        let sources: [(&[&str], Source, Option<&str>); 7] = [
            (&["Flatbed", "Automatic Document Feeder"], Source::Feeder, Some("Automatic Document Feeder")),
            (&["Flatbed", "Automatic Document Feeder"], Source::Duplex, None),
            (&["Flatbed", "ADF", "ADF Duplex"], Source::Duplex, Some("ADF Duplex")),
            (&["Flatbed", "ADF Duplex", "ADF"], Source::Feeder, Some("ADF")),
            (&["ADF Front", "ADF Back", "ADF Duplex"], Source::Feeder, Some("ADF Front")),
            (&["Normal", "ADF"], Source::Flatbed, Some("Normal")),
            (&["ADF"], Source::Flatbed, None),
        ];
        for (list, source, expected) in sources {
            assert_eq!(pick_source(&strings(list), source).as_deref(), expected, "{list:?} {source:?}");
        }
    }
}
