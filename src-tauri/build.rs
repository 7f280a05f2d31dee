//! Generates the Tauri context (configuration, capabilities, embedded `ui/dist`).

fn main() {
    tauri_build::build();
}
