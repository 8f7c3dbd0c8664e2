//! The page: renders the flowlens app into the document.

#[cfg(target_arch = "wasm32")]
fn main() {
    flowlens_web::components::app::start();
}

/// The page only runs in a browser; natively this binary just says so.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("flowlens-web's `app` runs in a browser: build it with `trunk build`.");
}
