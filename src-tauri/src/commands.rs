//! The IPC commands: parse a DTO, call one `Desk` method, map the answer.
//!
//! Each command takes the whole argument object of `invoke(name, args)` as its DTO (so the UI calls
//! `invoke("list_register", {direction, page, pageSize})`), runs the façade call on a blocking thread (a
//! page of a million-row register must never stall the window's event loop) and rejects with a
//! [`CommandError`] `{code, message}`.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use tauri::ipc::{InvokeBody, Request};
use vanthu_app::Desk;

use crate::dto::{AppStatus, CommandError, InitOrganisation, ListRegister, Organisation, RegisterPage, SearchRegister};

/// The register opened at startup, or why it could not be opened.
pub struct DeskState {
    desk: Result<Arc<Desk>, CommandError>,
}

impl DeskState {
    /// Wraps the result of opening the register.
    pub fn new(desk: Result<Desk, CommandError>) -> DeskState {
        DeskState { desk: desk.map(Arc::new) }
    }

    fn desk(&self) -> Result<Arc<Desk>, CommandError> {
        self.desk.clone()
    }
}

type Reply<T> = Result<T, CommandError>;

/// Is the register initialised, and for which organisation.
#[tauri::command]
pub async fn app_status(state: tauri::State<'_, DeskState>) -> Reply<AppStatus> {
    let (organisation, db_path) =
        blocking(state.desk()?, |desk| Ok::<_, CommandError>((desk.organisation()?, desk.db_path().to_owned())))
            .await?;
    Ok(AppStatus {
        initialised: organisation.is_some(),
        organisation: organisation.map(Organisation::from),
        db_path: db_path.display().to_string(),
    })
}

/// Records the organisation on first start.
#[tauri::command]
pub async fn init_organisation(state: tauri::State<'_, DeskState>, request: Request<'_>) -> Reply<Organisation> {
    let input: InitOrganisation = parse(&request)?;
    let organisation = blocking(state.desk()?, move |desk| desk.init(&input.into())).await?;
    Ok(organisation.into())
}

/// One page of a register, newest first.
#[tauri::command]
pub async fn list_register(state: tauri::State<'_, DeskState>, request: Request<'_>) -> Reply<RegisterPage> {
    let input: ListRegister = parse(&request)?;
    let page = blocking(state.desk()?, move |desk| desk.list(&input.into())).await?;
    Ok(page.into())
}

/// One page of search hits (diacritics optional), newest first.
#[tauri::command]
pub async fn search_register(state: tauri::State<'_, DeskState>, request: Request<'_>) -> Reply<RegisterPage> {
    let input: SearchRegister = parse(&request)?;
    let page = blocking(state.desk()?, move |desk| desk.search(&input.into())).await?;
    Ok(page.into())
}

/// Reads the whole argument object of the invoke call as `T`.
fn parse<T: DeserializeOwned>(request: &Request<'_>) -> Reply<T> {
    let InvokeBody::Json(body) = request.body() else {
        return Err(invalid_request("dữ liệu gửi lên không phải JSON"));
    };
    serde_json::from_value(body.clone()).map_err(|e| invalid_request(&e.to_string()))
}

fn invalid_request(detail: &str) -> CommandError {
    CommandError { code: "invalid_request".to_owned(), message: format!("Yêu cầu không hợp lệ: {detail}.") }
}

/// Runs one façade call off the async runtime's threads.
async fn blocking<T, E>(desk: Arc<Desk>, call: impl FnOnce(&Desk) -> Result<T, E> + Send + 'static) -> Reply<T>
where
    T: Send + 'static,
    E: Into<CommandError> + Send + 'static,
{
    match tauri::async_runtime::spawn_blocking(move || call(&desk)).await {
        Ok(result) => result.map_err(Into::into),
        Err(_) => Err(CommandError {
            code: "internal".to_owned(),
            message: "Lỗi nội bộ: thao tác bị dừng giữa chừng. Vui lòng thử lại.".to_owned(),
        }),
    }
}
