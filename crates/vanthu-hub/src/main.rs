//! `vanthu-hub`: the reference document hub's command line.
//!
//! `serve` runs the hub until SIGTERM or SIGINT (exit 0), after printing one line on stdout,
//! `listening on https://ADDR` (or `http://`), once it accepts connections; `org add|list|
//! remove|secret` keep the directory of organisations and their secrets; `check` verifies the
//! stored rows; `events` shows the latest refusals. Exit codes: 0 success, 1 failure (a
//! Vietnamese message on stderr), 2 usage. Other programs and tests depend on these names.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::{Parser, Subcommand};
use tokio::signal::unix::{SignalKind, signal};
use vanthu_edxml::validate::is_valid_organ_id;
use vanthu_edxml::vxp::Agency;
use vanthu_hub::{Config, Store, StoreConfig, auth};

#[derive(Parser)]
#[command(name = "vanthu-hub", version, about = "Trục liên thông văn bản tham chiếu của Vanthu (VXP, edXML)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Chạy trục (đến khi nhận SIGTERM/SIGINT).
    Serve {
        /// Tệp cấu hình TOML.
        #[arg(long)]
        config: PathBuf,
    },
    /// Danh mục cơ quan và mật khẩu của họ.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Kiểm tra dữ liệu đã lưu (kích thước, SHA-256, nơi nhận của từng thông điệp).
    Check {
        /// Tệp cấu hình TOML.
        #[arg(long)]
        config: PathBuf,
    },
    /// Các lần từ chối gần nhất (mới nhất trước).
    Events {
        /// Tệp cấu hình TOML.
        #[arg(long)]
        config: PathBuf,
        /// Số dòng.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Thêm một cơ quan; không có --secret-stdin thì tạo mật khẩu ngẫu nhiên và in ra một lần.
    Add {
        /// Tệp cấu hình TOML.
        #[arg(long)]
        config: PathBuf,
        /// Mã định danh cơ quan (OrganId), ví dụ 000.00.00.H41.
        #[arg(long)]
        id: String,
        /// Tên cơ quan.
        #[arg(long)]
        name: String,
        /// Địa chỉ.
        #[arg(long)]
        address: Option<String>,
        /// Thư điện tử.
        #[arg(long)]
        email: Option<String>,
        /// Điện thoại.
        #[arg(long)]
        telephone: Option<String>,
        /// Đọc mật khẩu từ stdin thay vì tạo ngẫu nhiên.
        #[arg(long)]
        secret_stdin: bool,
    },
    /// Liệt kê danh mục: mã, tên, địa chỉ, thư điện tử, điện thoại (phân cách bằng tab).
    List {
        /// Tệp cấu hình TOML.
        #[arg(long)]
        config: PathBuf,
    },
    /// Xoá một cơ quan khỏi danh mục (thông điệp của cơ quan vẫn được giữ).
    Remove {
        /// Tệp cấu hình TOML.
        #[arg(long)]
        config: PathBuf,
        /// Mã định danh cơ quan.
        #[arg(long)]
        id: String,
    },
    /// Đặt lại mật khẩu của một cơ quan (ngẫu nhiên, hoặc từ stdin).
    Secret {
        /// Tệp cấu hình TOML.
        #[arg(long)]
        config: PathBuf,
        /// Mã định danh cơ quan.
        #[arg(long)]
        id: String,
        /// Đọc mật khẩu từ stdin thay vì tạo ngẫu nhiên.
        #[arg(long)]
        secret_stdin: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("vanthu-hub: không khởi động được bộ chạy bất đồng bộ: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("vanthu-hub: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Serve { config } => serve(&config).await,
        Command::Org { command } => org(command).await,
        Command::Check { config } => check(&config).await,
        Command::Events { config, limit } => events(&config, limit).await,
    }
}

async fn open(config: &Path) -> Result<(Config, Store)> {
    let config = Config::load(config)?;
    let store = Store::open(&config.store).await?;
    Ok((config, store))
}

fn out(line: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")?;
    stdout.flush()?;
    Ok(())
}

async fn serve(config: &Path) -> Result<ExitCode> {
    // Handlers first: a SIGTERM right after the readiness line must stop the hub cleanly.
    let mut terminate = signal(SignalKind::terminate()).context("không bắt được tín hiệu SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("không bắt được tín hiệu SIGINT")?;
    let (config, store) = open(config).await?;
    let stop = async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
    };
    let store_name = match &config.store {
        StoreConfig::Sqlite(path) => format!("SQLite {}", path.display()),
        StoreConfig::Postgres(_) => "PostgreSQL".to_owned(),
    };
    vanthu_hub::serve(
        &config,
        store,
        |listening| {
            if out(&format!("listening on {}", listening.url())).is_err() {
                eprintln!("vanthu-hub: không in được địa chỉ ra stdout");
            }
            eprintln!("{} vanthu-hub: phục vụ tại {}, kho {store_name}", vanthu_hub::now_rfc3339(), listening.url());
        },
        stop,
    )
    .await?;
    eprintln!("{} vanthu-hub: đã dừng", vanthu_hub::now_rfc3339());
    Ok(ExitCode::SUCCESS)
}

/// The secret to set: from stdin (without its line ending), or generated.
fn secret(from_stdin: bool) -> Result<(String, bool)> {
    let secret = if from_stdin {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("không đọc được mật khẩu từ stdin")?;
        text.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        auth::generate_secret()
    };
    auth::check_secret(&secret)?;
    Ok((secret, !from_stdin))
}

fn check_id(id: &str) -> Result<()> {
    if !is_valid_organ_id(id) {
        bail!("Mã định danh cơ quan không hợp lệ: {id} (tối đa 35 ký tự 0-9, A-Z và dấu chấm)");
    }
    Ok(())
}

async fn org(command: OrgCommand) -> Result<ExitCode> {
    match command {
        OrgCommand::Add { config, id, name, address, email, telephone, secret_stdin } => {
            check_id(&id)?;
            let name = name.trim().to_owned();
            if name.is_empty() {
                bail!("Tên cơ quan không được để trống");
            }
            let (secret, generated) = secret(secret_stdin)?;
            let (_, store) = open(&config).await?;
            let hash = auth::hash_secret(&secret)?;
            let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
            let agency = Agency {
                organ_id: id.clone(),
                organ_name: name.clone(),
                address: clean(address),
                email: clean(email),
                telephone: clean(telephone),
            };
            store.add_organisation(&agency, &hash, &vanthu_hub::now_rfc3339()).await?;
            eprintln!("vanthu-hub: đã thêm cơ quan {id} ({name})");
            if generated {
                out(&secret)?;
                eprintln!("vanthu-hub: mật khẩu của {id} in ở trên chỉ hiển thị lần này; hãy chuyển cho cơ quan");
            }
        }
        OrgCommand::List { config } => {
            let (_, store) = open(&config).await?;
            for a in store.agencies().await? {
                let field = |v: &Option<String>| v.as_deref().unwrap_or_default().replace(['\t', '\n'], " ");
                out(&format!(
                    "{}\t{}\t{}\t{}\t{}",
                    a.organ_id,
                    a.organ_name.replace(['\t', '\n'], " "),
                    field(&a.address),
                    field(&a.email),
                    field(&a.telephone)
                ))?;
            }
        }
        OrgCommand::Remove { config, id } => {
            let (_, store) = open(&config).await?;
            store.remove_organisation(&id).await?;
            eprintln!("vanthu-hub: đã xoá cơ quan {id} khỏi danh mục");
        }
        OrgCommand::Secret { config, id, secret_stdin } => {
            let (secret, generated) = secret(secret_stdin)?;
            let (_, store) = open(&config).await?;
            store.set_secret(&id, &auth::hash_secret(&secret)?).await?;
            eprintln!("vanthu-hub: đã đặt lại mật khẩu của {id}");
            if generated {
                out(&secret)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn check(config: &Path) -> Result<ExitCode> {
    let (_, store) = open(config).await?;
    let problems = store.check().await?;
    if problems.is_empty() {
        out("ok")?;
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        out(p)?;
    }
    eprintln!("vanthu-hub: {} vấn đề trong dữ liệu của trục", problems.len());
    Ok(ExitCode::FAILURE)
}

async fn events(config: &Path, limit: u32) -> Result<ExitCode> {
    let (_, store) = open(config).await?;
    for e in store.events(limit).await? {
        out(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            e.at,
            e.code,
            e.operation,
            e.organ_id.as_deref().unwrap_or("-"),
            e.peer.as_deref().unwrap_or("-"),
            e.description
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
