//! The worker: decodes the files the page hands it, off the page's thread.

#[cfg(target_arch = "wasm32")]
fn main() {
    flowlens_web::worker::start();
}

/// The worker only runs in a browser; natively this binary just says so.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("flowlens-web's `worker` runs in a browser: build it with `trunk build`.");
}
