//! Content-addressed file storage: each attached file is stored once under its SHA-256
//! (`files/sha256/ab/abcdef…`), written atomically (temporary file, fsync, rename, fsync of the folder),
//! made read-only, and never modified. The same bytes attached twice are stored once.
//!
//! Files are written *before* the registration's transaction (a file system is not transactional); the
//! `file` rows that make them part of the register commit with the registration. A crash in between
//! leaves at most an unreferenced file, which is harmless and reported by the fixity check as such.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{Result, StoreError};

/// The largest file accepted, in bytes (2 GiB): a scanned register is large, not unbounded.
pub const MAX_FILE_BYTES: u64 = 2 << 30;

/// A file in the store.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StoredFile {
    /// Lowercase hex SHA-256 of the bytes: the file's name in the store.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// The folder of content-addressed files.
#[derive(Clone, Debug)]
pub struct FileStore {
    root: PathBuf,
}

/// The file store of the register at `db_path`: `register.sqlite3` → `register.files/`.
pub fn dir_for(db_path: &Path) -> PathBuf {
    let stem = db_path.file_stem().map(|s| s.to_os_string()).unwrap_or_else(|| "register".into());
    let mut name = stem;
    name.push(".files");
    db_path.with_file_name(name)
}

impl FileStore {
    /// Opens (creating if needed) the store at `root`.
    pub fn open(root: PathBuf) -> Result<FileStore> {
        fs::create_dir_all(root.join("sha256")).map_err(|e| StoreError::io(&root, e))?;
        Ok(FileStore { root })
    }

    /// The store's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the file with this hash lives (whether or not it exists).
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        let prefix = sha256.get(..2).unwrap_or("xx");
        self.root.join("sha256").join(prefix).join(sha256)
    }

    /// Copies the file at `source` into the store and returns its hash and size.
    pub fn put_file(&self, source: &Path) -> Result<StoredFile> {
        let mut input = File::open(source).map_err(|e| StoreError::io(source, e))?;
        self.put_reader(&mut input).map_err(|e| match e {
            StoreError::Io { source: err, .. } if err.kind() != io::ErrorKind::Other => StoreError::io(source, err),
            other => other,
        })
    }

    /// Stores bytes.
    pub fn put_bytes(&self, bytes: &[u8]) -> Result<StoredFile> {
        self.put_reader(&mut &bytes[..])
    }

    /// Store `original` followed by `update` (an incremental update), without joining them.
    pub fn put_appended(&self, original: &[u8], update: &[u8]) -> Result<StoredFile> {
        self.put_reader(&mut original.chain(update))
    }

    /// Stores what `input` yields.
    pub fn put_reader(&self, input: &mut dyn Read) -> Result<StoredFile> {
        let mut writer = self.writer()?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = input.read(&mut buf).map_err(|e| StoreError::io(&writer.tmp.path, e))?;
            if n == 0 {
                break;
            }
            writer.append(&buf[..n])?;
        }
        writer.finish()
    }

    /// A file written piece by piece (an attachment decoded as it arrives): [`FileWriter::finish`]
    /// stores it under its hash; dropped unfinished, it leaves nothing behind.
    pub fn writer(&self) -> Result<FileWriter> {
        let tmp_dir = self.root.join("tmp");
        fs::create_dir_all(&tmp_dir).map_err(|e| StoreError::io(&tmp_dir, e))?;
        Ok(FileWriter { tmp: tempfile_in(&tmp_dir)?, hasher: Sha256::new(), size: 0, root: self.root.clone() })
    }

    /// Re-hashes a stored file; `Ok(false)` when it is missing or its bytes no longer match its name.
    pub fn verify(&self, sha256: &str, size: u64) -> Result<FixityState> {
        let path = self.path_of(sha256);
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(FixityState::Missing),
            Err(e) => return Err(StoreError::io(&path, e)),
        };
        let (hash, actual) = hash_reader(&mut file).map_err(|e| StoreError::io(&path, e))?;
        Ok(if hash == sha256 && actual == size { FixityState::Intact } else { FixityState::Altered })
    }
}

/// What the fixity check found for one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixityState {
    /// Present with the bytes it was stored with.
    Intact,
    /// Not there.
    Missing,
    /// Present but its bytes changed.
    Altered,
}

/// SHA-256 and size of everything `r` yields.
pub fn hash_reader(r: &mut dyn Read) -> io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((hex::encode(hasher.finalize()), size))
}

/// SHA-256 and size of a file on disk.
pub fn hash_file(path: &Path) -> Result<(String, u64)> {
    let mut f = File::open(path).map_err(|e| StoreError::io(path, e))?;
    hash_reader(&mut f).map_err(|e| StoreError::io(path, e))
}

/// Flushes a folder's entries (a rename is durable only once its folder is).
pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| StoreError::io(dir, e))
}

/// A file being written into the store ([`FileStore::writer`]).
pub struct FileWriter {
    tmp: TempFile,
    hasher: Sha256,
    size: u64,
    root: PathBuf,
}

impl FileWriter {
    /// Appends bytes.
    pub fn append(&mut self, bytes: &[u8]) -> Result<()> {
        self.size += bytes.len() as u64;
        if self.size > MAX_FILE_BYTES {
            return Err(StoreError::io(
                &self.tmp.path,
                io::Error::new(io::ErrorKind::FileTooLarge, "tệp lớn hơn 2 GiB"),
            ));
        }
        self.hasher.update(bytes);
        self.tmp.file.write_all(bytes).map_err(|e| StoreError::io(&self.tmp.path, e))
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.size
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// Makes the file durable and moves it to its place under its hash (once: the same bytes
    /// stored earlier are kept and this copy dropped).
    pub fn finish(mut self) -> Result<StoredFile> {
        let tmp = &mut self.tmp;
        tmp.file.sync_all().map_err(|e| StoreError::io(&tmp.path, e))?;
        let sha256 = hex::encode(self.hasher.finalize_reset());
        let store = FileStore { root: self.root.clone() };
        let target = store.path_of(&sha256);
        if !target.exists() {
            let dir = target.parent().unwrap_or(&self.root);
            fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
            let mut perms = tmp.file.metadata().map_err(|e| StoreError::io(&tmp.path, e))?.permissions();
            perms.set_readonly(true);
            fs::set_permissions(&tmp.path, perms).map_err(|e| StoreError::io(&tmp.path, e))?;
            fs::rename(&tmp.path, &target).map_err(|e| StoreError::io(&target, e))?;
            tmp.keep();
            sync_dir(dir)?;
        }
        Ok(StoredFile { sha256, size: self.size })
    }
}

impl Write for FileWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.append(buf).map_err(|e| match e {
            StoreError::Io { source, .. } => source,
            other => io::Error::other(other.to_string()),
        })?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct TempFile {
    path: PathBuf,
    file: File,
    keep: bool,
}

impl TempFile {
    fn keep(&mut self) {
        self.keep = true;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_file(&self.path);
        }
    }
}

fn tempfile_in(dir: &Path) -> Result<TempFile> {
    let pid = std::process::id();
    for attempt in 0u32..1000 {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let path = dir.join(format!(".incoming-{pid}-{nanos}-{attempt}"));
        match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok(TempFile { path, file, keep: false }),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(StoreError::io(&path, e)),
        }
    }
    Err(StoreError::io(dir, io::Error::other("cannot create a temporary file")))
}
