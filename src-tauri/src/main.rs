//! The Vanthu desktop shell: one window over `vanthu-app`.
//!
//! This crate is deliberately thin. It opens the register once at startup (the path and the clock come
//! from the command line or the environment, see [`startup`]), keeps the `Desk` in Tauri state, and
//! exposes a handful of commands (see [`commands`]) that each parse a DTO, call one façade method and map
//! the answer back into a DTO (see [`dto`]). It holds no business rule and never touches the database,
//! the file store or the network itself: it depends on `vanthu-app` only, never on `vanthu-store`,
//! `rusqlite` or `vanthu-sync` (CI checks this with `cargo tree`).
//!
//! When the register cannot be opened the window still comes up and shows the reason in Vietnamese:
//! every command then rejects with the opening error.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod convert;
mod dto;
mod startup;

fn main() {
    let mut args = std::env::args_os();
    args.next(); // the program's own name
    let settings = startup::Settings::from_env_and_args(args);
    let desk = startup::open(&settings);
    if let Err(e) = &desk {
        eprintln!("vanthu-desktop: the register could not be opened: {} ({})", e.message, e.code);
    }
    let state = commands::DeskState::new(desk);

    let result = tauri::Builder::default()
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::init_organisation,
            commands::list_register,
            commands::search_register,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("vanthu-desktop: the window could not start: {e}");
        std::process::exit(1);
    }
}
