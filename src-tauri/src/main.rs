//! The Vanthu desktop shell: one window over `vanthu-app`.
//!
//! This crate is deliberately thin. It opens the register once at startup (the path and the clock come
//! from the command line or the environment, see [`startup`]), keeps the `Desk` in Tauri state, and
//! exposes thin commands (see [`commands`]) that each parse a DTO, call one façade method and map
//! the answer back into a DTO (see [`dto`]). A background thread exchanges with the document hub
//! (see [`exchange`]). It holds no business rule and never touches the database,
//! the file store or the network itself: it depends on `vanthu-app` only, never on `vanthu-store`,
//! `rusqlite` or `vanthu-sync` (CI checks this with `cargo tree`).
//!
//! When the register cannot be opened the window still comes up and shows the reason in Vietnamese:
//! every command then rejects with the opening error.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod convert;
mod digitise;
mod dto;
mod exchange;
mod exchange_dto;
mod signing;
mod signing_dto;
mod startup;

fn main() {
    let mut args = std::env::args_os();
    args.next(); // the program's own name
    let settings = startup::Settings::from_env_and_args(args);
    let state = commands::DeskState::open(settings);
    let scheduled = state.clone();
    let watched = state.clone();
    let syncing = state.clone();
    let worker = exchange::Worker::default();
    let waking = worker.clone();

    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .manage(state)
        .manage(digitise::ScanWatch::default())
        .manage(worker)
        .setup(move |app| {
            commands::schedule_backups(app.handle().clone(), scheduled);
            exchange::start_worker(app.handle().clone(), syncing, &waking);
            use tauri::Manager;
            app.state::<digitise::ScanWatch>().start_from_settings(app.handle().clone(), watched);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            digitise::scanners,
            digitise::scan_to_queue,
            digitise::capture_files,
            digitise::drafts,
            digitise::draft_pages,
            digitise::page_image,
            digitise::rotate_page,
            digitise::delete_page,
            digitise::move_page,
            digitise::split_before,
            digitise::split_at_blanks,
            digitise::remove_blank_pages,
            digitise::join_drafts,
            digitise::discard_draft,
            digitise::draft_pdf_bytes,
            digitise::render_page,
            digitise::stamp_layout,
            digitise::stamp_archive_copy,
            digitise::separator_sheet,
            digitise::printers,
            digitise::print_document,
            digitise::scan_folder,
            digitise::set_scan_folder,
            signing::verify_file,
            signing::signature_verdicts,
            signing::sign_document,
            signing::signed_copies,
            signing::upgrade_timestamps,
            signing::trust_anchors,
            signing::import_trust_anchors,
            signing::remove_trust_anchor,
            signing::crls,
            signing::import_crl,
            signing::refresh_crls,
            signing::seal,
            signing::seal_image,
            signing::set_seal,
            signing::token_preferences,
            signing::set_token_preferences,
            exchange::exchange_overview,
            exchange::sync_now,
            exchange::hub_account,
            exchange::set_hub_account,
            exchange::hub_agencies,
            exchange::send_outgoing,
            exchange::inbox,
            exchange::register_from_inbox,
            exchange::reject_inbox,
            exchange::retry_message,
            exchange::document_exchange,
            commands::app_status,
            commands::init_organisation,
            commands::setup,
            commands::sign_in,
            commands::sign_out,
            commands::change_password,
            commands::list_register,
            commands::search_register,
            commands::find_register,
            commands::register_incoming,
            commands::preview_outgoing,
            commands::register_outgoing,
            commands::show_document,
            commands::cancel_document,
            commands::recall_document,
            commands::suggest_organs,
            commands::assign_handling,
            commands::report_progress,
            commands::suggest_deadline,
            commands::dashboard,
            commands::units,
            commands::series,
            commands::people,
            commands::replies_awaited,
            commands::record_reply,
            commands::add_unit,
            commands::accounts,
            commands::create_account,
            commands::update_account,
            commands::reset_password,
            commands::security_policy,
            commands::set_security_policy,
            commands::calendar_settings,
            commands::set_calendar_settings,
            commands::case_files,
            commands::case_files_due,
            commands::open_case_file,
            commands::case_file,
            commands::add_to_case_file,
            commands::remove_from_case_file,
            commands::close_case_file,
            commands::saved_searches,
            commands::save_search,
            commands::delete_saved_search,
            commands::backup_status,
            commands::backup_now,
            commands::set_backup_schedule,
            commands::restore_backup,
            commands::read_picked_file,
            commands::stored_file_bytes,
            commands::open_stored_file,
            commands::open_export,
            commands::print_register,
            commands::print_handling_slip,
            commands::export_case_file,
            commands::export_results,
            commands::result_columns,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("vanthu-desktop: the window could not start: {e}");
        std::process::exit(1);
    }
}
