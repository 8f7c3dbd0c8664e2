//! Named views kept in the browser's `localStorage`: what they look like stored, and the
//! rules for adding, replacing and removing them.
//!
//! A view is stored as its URL fragment ([`View::to_fragment`]), the one form of a view the
//! page already reads back, so a saved view and a bookmark mean the same thing and a view
//! saved by an older build still opens. The storage itself (which may throw in private
//! mode or when disabled) is the component's business; this module is pure.

use crate::state::View;
use serde::{Deserialize, Serialize};

/// The `localStorage` key the list is kept under.
pub const STORAGE_KEY: &str = "flowlens.saved-views";

/// The longest name kept, in characters.
pub const NAME_CHARS: usize = 80;

/// One saved view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedView {
    /// What the user called it.
    pub name: String,
    /// The view, as a URL fragment.
    pub fragment: String,
}

impl SavedView {
    /// `view` under `name`.
    pub fn new(name: &str, view: &View) -> SavedView {
        SavedView {
            name: clean_name(name),
            fragment: view.to_fragment(),
        }
    }

    /// The view it holds.
    pub fn view(&self) -> View {
        View::from_fragment(&self.fragment)
    }
}

/// A name as kept: trimmed, line breaks made spaces, at most [`NAME_CHARS`] characters.
pub fn clean_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(NAME_CHARS)
        .collect()
}

/// Reads the stored list; anything unreadable (another program's value, a hand edit)
/// reads as no views rather than breaking the page, and unnamed entries are dropped.
pub fn parse(text: Option<&str>) -> Vec<SavedView> {
    let Some(text) = text else {
        return Vec::new();
    };
    let list: Vec<SavedView> = serde_json::from_str(text).unwrap_or_default();
    list.into_iter().filter(|v| !v.name.is_empty()).collect()
}

/// The list as stored.
pub fn serialize(views: &[SavedView]) -> String {
    serde_json::to_string(views).unwrap_or_else(|_| "[]".into())
}

/// Adds `saved`, replacing a view of the same name (names compare without regard to
/// case); the newest view comes first.
pub fn upsert(views: &mut Vec<SavedView>, saved: SavedView) {
    views.retain(|v| !v.name.eq_ignore_ascii_case(&saved.name));
    views.insert(0, saved);
}

/// Removes the view named `name`.
pub fn remove(views: &mut Vec<SavedView>, name: &str) {
    views.retain(|v| v.name != name);
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::state::{Measure, Tab};

    fn view() -> View {
        View {
            typed: "action = REJECT and dstport in (22, 3389)".into(),
            chips: vec!["time in 2026-11-20T10:00:00Z..2026-11-20T11:00:00Z".into()],
            measure: Measure::Packets,
            tab: Tab::Rejected,
            sort: Some(("bytes".into(), true)),
            local_time: true,
        }
    }

    #[test]
    fn views_round_trip_through_storage() {
        let mut list = Vec::new();
        upsert(&mut list, SavedView::new("  SSH\nknocks ", &view()));
        upsert(&mut list, SavedView::new("all", &View::default()));
        let text = serialize(&list);
        let back = parse(Some(&text));
        assert_eq!(back, list);
        assert_eq!(back[0].name, "all");
        assert_eq!(back[1].name, "SSH knocks");
        assert_eq!(back[1].view(), view());
        assert_eq!(back[0].view(), View::default());
    }

    #[test]
    fn a_name_saved_again_replaces_the_old_view() {
        let mut list = Vec::new();
        upsert(&mut list, SavedView::new("ssh", &View::default()));
        upsert(&mut list, SavedView::new("web", &View::default()));
        upsert(&mut list, SavedView::new("SSH", &view()));
        assert_eq!(
            list.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
            ["SSH", "web"]
        );
        remove(&mut list, "web");
        assert_eq!(list.len(), 1);
    }

    #[test]
    fn unreadable_storage_reads_as_no_views() {
        assert_eq!(parse(None), []);
        assert_eq!(parse(Some("not json")), []);
        assert_eq!(parse(Some("{\"name\":1}")), []);
        assert_eq!(
            parse(Some("[{\"name\":\"\",\"fragment\":\"t=records\"}]")),
            []
        );
        let long = "x".repeat(200);
        assert_eq!(clean_name(&long).chars().count(), NAME_CHARS);
    }
}
