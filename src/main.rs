//! Mount only: panics go to the console, the app goes into `<body>`.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(kontolink_widget::App);
}
