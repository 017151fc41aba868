//! Mount only: the app goes into `<body>`; in debug builds panics go to the console.

fn main() {
    // Release builds leave the hook out: its panic formatting is several KB of wasm, and a
    // release panic aborts with the browser's own `unreachable` error all the same.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(kontolink_widget::App);
}
