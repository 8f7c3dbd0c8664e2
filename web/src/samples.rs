//! The bundled sample files: `samples/index.json` lists them, next to the page.
//!
//! The list is read as a JSON array of file names, or of objects with a `name` (and any other
//! keys, which are ignored), or as an object whose `files` key holds such an array; the files
//! themselves are fetched from the same origin and go through the same worker as dropped
//! files.

use serde::Deserialize;

/// Where the page finds the list, relative to the page itself.
pub const INDEX_URL: &str = "samples/index.json";

/// The folder the sample files are in, relative to the page.
pub const FOLDER: &str = "samples/";

#[derive(Deserialize)]
#[serde(untagged)]
enum Index {
    List(Vec<Entry>),
    Object { files: Vec<Entry> },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Entry {
    Name(String),
    Object { name: String },
}

/// The file names in an index, in order. Names that could leave the samples folder are
/// refused, since the page only ever shows its own samples.
pub fn parse_index(json: &str) -> Result<Vec<String>, String> {
    let index: Index = serde_json::from_str(json)
        .map_err(|e| format!("the sample list samples/index.json is not readable: {e}"))?;
    let entries = match index {
        Index::List(entries) | Index::Object { files: entries } => entries,
    };
    let mut names = Vec::with_capacity(entries.len());
    for entry in entries {
        let name = match entry {
            Entry::Name(name) | Entry::Object { name } => name,
        };
        if name.is_empty() || name.contains("..") || name.starts_with('/') || name.contains(':') {
            return Err(format!("the sample list names an unusable file: {name:?}"));
        }
        names.push(name);
    }
    if names.is_empty() {
        return Err("the sample list samples/index.json is empty".into());
    }
    Ok(names)
}

#[cfg(target_arch = "wasm32")]
pub use fetch::fetch_all;

#[cfg(target_arch = "wasm32")]
mod fetch {
    use super::{parse_index, FOLDER, INDEX_URL};
    use crate::protocol::describe;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    async fn fetch(url: &str) -> Result<web_sys::Response, String> {
        let window = web_sys::window().ok_or("no window")?;
        let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
            .await
            .map_err(describe)?
            .unchecked_into();
        if !response.ok() {
            return Err(format!("{url}: HTTP {}", response.status()));
        }
        Ok(response)
    }

    /// The samples inside the single file `flowlens.html`, which can fetch nothing: its
    /// loader offers them as `window.flowlensInlineSamples()`, a promise of `[name, Blob]`
    /// pairs. `None` on a served page.
    async fn inline() -> Option<Result<Vec<(String, web_sys::Blob)>, String>> {
        let function = js_sys::Reflect::get(&js_sys::global(), &"flowlensInlineSamples".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()?;
        let read = async move {
            let promise: js_sys::Promise = function
                .call0(&wasm_bindgen::JsValue::NULL)
                .map_err(describe)?
                .dyn_into()
                .map_err(describe)?;
            let list: js_sys::Array = JsFuture::from(promise)
                .await
                .map_err(describe)?
                .dyn_into()
                .map_err(describe)?;
            let mut files = Vec::new();
            for pair in list.iter() {
                let pair: js_sys::Array = pair.dyn_into().map_err(describe)?;
                let name = pair.get(0).as_string().ok_or("a sample without a name")?;
                files.push((name, pair.get(1).dyn_into().map_err(describe)?));
            }
            Ok(files)
        };
        Some(read.await)
    }

    /// Fetches the list and every sample file, as blobs with their names. The page does not
    /// read them: they go to the worker like dropped files.
    pub async fn fetch_all() -> Result<Vec<(String, web_sys::Blob)>, String> {
        if let Some(files) = inline().await {
            return files;
        }
        let index = fetch(INDEX_URL).await?;
        let text = JsFuture::from(index.text().map_err(describe)?)
            .await
            .map_err(describe)?
            .as_string()
            .unwrap_or_default();
        let mut files = Vec::new();
        for name in parse_index(&text)? {
            let response = fetch(&format!("{FOLDER}{name}")).await?;
            let blob = JsFuture::from(response.blob().map_err(describe)?)
                .await
                .map_err(describe)?
                .unchecked_into();
            files.push((name, blob));
        }
        Ok(files)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn index_shapes() {
        assert_eq!(
            parse_index(r#"["a.log", "b.log.gz"]"#).unwrap(),
            ["a.log", "b.log.gz"]
        );
        assert_eq!(
            parse_index(r#"{"files": [{"name": "a.log", "story": "ssh"}, "b.log"]}"#).unwrap(),
            ["a.log", "b.log"]
        );
        assert!(parse_index("[]").is_err());
        assert!(parse_index(r#"["../secret"]"#).is_err());
        assert!(parse_index(r#"["https://example.com/x"]"#).is_err());
        assert!(parse_index("not json").is_err());
    }
}
