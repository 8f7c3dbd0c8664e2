//! The page's state and the one function that changes it.
//!
//! Every event (a file added, a message from the worker, a click) becomes an [`Action`];
//! [`State::apply`] is the only place state changes. Nothing here knows about the browser,
//! so the rules (how files add up, what a row says about a bad file) are tested natively.

use crate::numbers::thousands;
use crate::protocol::{FileResult, FromWorker, JobId, Totals};
use std::rc::Rc;

/// Everything the page shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    /// The files, in the order they were added. Shared, so that the file list's props
    /// compare by pointer when nothing about the files changed.
    pub files: Rc<Vec<FileEntry>>,
    /// The "Try sample data" request.
    pub samples: SampleStatus,
    /// Set when the worker stopped; the page cannot read more files until reloaded.
    pub worker_error: Option<String>,
    /// A problem that belongs to no file (a folder that could not be walked), until
    /// dismissed.
    pub notice: Option<String>,
}

/// One file the user gave.
#[derive(Clone, Debug, PartialEq)]
pub struct FileEntry {
    /// The id the worker knows it by.
    pub id: JobId,
    /// Its name, or its path inside a dropped folder.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// How far reading it has come.
    pub status: FileStatus,
}

/// How far reading a file has come.
#[derive(Clone, Debug, PartialEq)]
pub enum FileStatus {
    /// The worker is reading it.
    Reading {
        /// Bytes read so far.
        bytes_read: u64,
        /// Records decoded so far.
        records: u64,
        /// Issues found so far.
        issues: u64,
    },
    /// Read to the end. Shared, because the result is never changed once it arrives.
    Done(Rc<FileResult>),
    /// Not readable at all.
    Failed(String),
}

/// The state of the "Try sample data" request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SampleStatus {
    /// Not asked for, or delivered.
    #[default]
    Idle,
    /// Being fetched.
    Loading,
    /// Could not be fetched.
    Failed(String),
}

/// Something that happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A file was handed to the worker.
    Add {
        /// The id it was sent with.
        id: JobId,
        /// Its name.
        name: String,
        /// Its size in bytes.
        size: u64,
    },
    /// The worker said something.
    Reply(FromWorker),
    /// The user removed a file.
    Remove(JobId),
    /// The sample files are being fetched.
    SamplesLoading,
    /// The sample files were fetched and handed to the worker.
    SamplesLoaded,
    /// The sample files could not be fetched.
    SamplesFailed(String),
    /// Something went wrong that belongs to no file.
    Notice(String),
    /// The user closed the notice.
    DismissNotice,
}

/// How serious a row's note is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Some lines were not read; the rest were.
    Warning,
    /// Nothing useful was read from the file.
    Error,
}

/// A sentence shown in a file's row about what went wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// How serious it is.
    pub severity: Severity,
    /// What to show.
    pub text: String,
}

impl State {
    /// Applies an action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Add { id, name, size } => {
                let status = match &self.worker_error {
                    Some(error) => FileStatus::Failed(error.clone()),
                    None => FileStatus::Reading {
                        bytes_read: 0,
                        records: 0,
                        issues: 0,
                    },
                };
                Rc::make_mut(&mut self.files).push(FileEntry {
                    id,
                    name,
                    size,
                    status,
                });
            }
            Action::Reply(reply) => self.reply(reply),
            Action::Remove(id) => Rc::make_mut(&mut self.files).retain(|f| f.id != id),
            Action::SamplesLoading => self.samples = SampleStatus::Loading,
            Action::SamplesLoaded => self.samples = SampleStatus::Idle,
            Action::SamplesFailed(message) => self.samples = SampleStatus::Failed(message),
            Action::Notice(message) => self.notice = Some(message),
            Action::DismissNotice => self.notice = None,
        }
    }

    fn reply(&mut self, reply: FromWorker) {
        match reply {
            FromWorker::Ready => {}
            FromWorker::Progress {
                id,
                bytes_read,
                records,
                issues,
            } => {
                // A late progress message must not undo the end of the file.
                if let Some(file) = self.reading(id) {
                    file.status = FileStatus::Reading {
                        bytes_read,
                        records,
                        issues,
                    };
                }
            }
            FromWorker::Done { id, result } => {
                if let Some(file) = self.reading(id) {
                    file.status = FileStatus::Done(Rc::from(result));
                }
            }
            FromWorker::Failed { id, message } => {
                if let Some(file) = self.reading(id) {
                    file.status = FileStatus::Failed(message);
                }
            }
            FromWorker::Crashed { message } => {
                let message = format!("the reader stopped on an internal error ({message}); reload the page to try again");
                for file in Rc::make_mut(&mut self.files) {
                    if matches!(file.status, FileStatus::Reading { .. }) {
                        file.status = FileStatus::Failed(message.clone());
                    }
                }
                self.worker_error = Some(message);
            }
        }
    }

    /// The file `id`, if it is still being read.
    fn reading(&mut self, id: JobId) -> Option<&mut FileEntry> {
        Rc::make_mut(&mut self.files)
            .iter_mut()
            .find(|f| f.id == id && matches!(f.status, FileStatus::Reading { .. }))
    }

    /// The totals over every file read to its end.
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for file in self.files.iter() {
            if let FileStatus::Done(result) = &file.status {
                totals.add(&result.totals);
            }
        }
        totals
    }

    /// How many files are still being read.
    pub fn pending(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::Reading { .. }))
            .count()
    }

    /// How many files were read to their end.
    pub fn done(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f.status, FileStatus::Done(_)))
            .count()
    }
}

impl FileEntry {
    /// What the row should say about problems with this file, if anything.
    pub fn note(&self) -> Option<Note> {
        match &self.status {
            FileStatus::Reading { .. } => None,
            FileStatus::Failed(message) => Some(Note {
                severity: Severity::Error,
                text: format!("Could not read this file: {message}."),
            }),
            FileStatus::Done(result) => note_for(result),
        }
    }
}

fn note_for(result: &FileResult) -> Option<Note> {
    let lines = |n: u64| {
        if n == 1 {
            "1 line".to_owned()
        } else {
            format!("{} lines", thousands(n))
        }
    };
    let kinds = || {
        let parts: Vec<String> = result
            .issue_kinds
            .iter()
            .map(|(kind, n)| format!("{} {}", kind.replace('-', " "), thousands(*n)))
            .collect();
        parts.join(", ")
    };
    // For a whole-file problem the decoder's own sentence ("this is a PDF document, not a
    // flow log") says more than any count.
    let whole_file = result
        .first_issue
        .as_ref()
        .filter(|issue| issue.line == 0)
        .map(|issue| issue.message.clone());
    match (result.totals.records, result.issues) {
        (0, 0) => Some(Note {
            severity: Severity::Error,
            text: "No flow-log records found: the file holds no lines.".into(),
        }),
        (0, issues) => Some(Note {
            severity: Severity::Error,
            text: match whole_file {
                Some(why) => format!("No flow-log records found: {why}."),
                None => format!(
                    "No flow-log records found: {} could not be read ({}).",
                    lines(issues),
                    kinds()
                ),
            },
        }),
        (_, 0) => None,
        (_, issues) => Some(Note {
            severity: Severity::Warning,
            text: format!("{} could not be read ({}).", lines(issues), kinds()),
        }),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::protocol::IssueExample;

    fn done(id: JobId, records: u64, bytes: u64, issues: u64) -> Action {
        let issue_kinds = if issues > 0 {
            vec![("too-few-fields".to_owned(), issues)]
        } else {
            vec![]
        };
        Action::Reply(FromWorker::Done {
            id,
            result: Box::new(FileResult {
                issues,
                issue_kinds,
                totals: Totals {
                    records,
                    bytes,
                    packets: records * 2,
                    ..Totals::default()
                },
                ..FileResult::default()
            }),
        })
    }

    fn add(id: JobId, name: &str) -> Action {
        Action::Add {
            id,
            name: name.into(),
            size: 100,
        }
    }

    #[test]
    fn files_add_up_once_done() {
        let mut state = State::default();
        state.apply(add(1, "a.log"));
        state.apply(add(2, "b.log"));
        assert_eq!(state.pending(), 2);
        state.apply(done(1, 10, 1000, 0));
        assert_eq!(state.totals().records, 10);
        state.apply(done(2, 5, 500, 0));
        let totals = state.totals();
        assert_eq!(
            (totals.records, totals.bytes, totals.packets),
            (15, 1500, 30)
        );
        assert_eq!(state.pending(), 0);
        assert_eq!(state.done(), 2);

        state.apply(Action::Remove(1));
        assert_eq!(state.totals().records, 5);
    }

    #[test]
    fn late_progress_does_not_undo_the_end() {
        let mut state = State::default();
        state.apply(add(1, "a.log"));
        state.apply(done(1, 10, 1000, 0));
        state.apply(Action::Reply(FromWorker::Progress {
            id: 1,
            bytes_read: 5,
            records: 1,
            issues: 0,
        }));
        assert!(matches!(state.files[0].status, FileStatus::Done(_)));
        // Replies for files the page no longer has are ignored.
        state.apply(done(9, 1, 1, 0));
        assert_eq!(state.files.len(), 1);
    }

    #[test]
    fn a_bad_file_says_why_and_leaves_the_others() {
        let mut state = State::default();
        state.apply(add(1, "good.log"));
        state.apply(add(2, "report.pdf"));
        state.apply(done(1, 3, 300, 0));
        state.apply(Action::Reply(FromWorker::Done {
            id: 2,
            result: Box::new(FileResult {
                issues: 1,
                issue_kinds: vec![("unsupported-file".into(), 1)],
                first_issue: Some(IssueExample {
                    line: 0,
                    kind: "unsupported-file".into(),
                    message: "this is a PDF document, not a flow log".into(),
                    excerpt: String::new(),
                }),
                ..FileResult::default()
            }),
        }));
        assert_eq!(state.files[0].note(), None);
        let note = state.files[1].note().unwrap();
        assert_eq!(note.severity, Severity::Error);
        assert_eq!(
            note.text,
            "No flow-log records found: this is a PDF document, not a flow log."
        );
        assert_eq!(state.totals().records, 3);
    }

    #[test]
    fn notes_count_lines() {
        let mut state = State::default();
        state.apply(add(1, "a.log"));
        state.apply(done(1, 10, 1000, 1234));
        let note = state.files[0].note().unwrap();
        assert_eq!(note.severity, Severity::Warning);
        assert_eq!(
            note.text,
            "1,234 lines could not be read (too few fields 1,234)."
        );
        state.apply(add(2, "b.log"));
        state.apply(done(2, 0, 0, 1));
        assert_eq!(
            state.files[1].note().unwrap().text,
            "No flow-log records found: 1 line could not be read (too few fields 1)."
        );
    }

    #[test]
    fn a_crash_fails_the_files_in_flight_and_later_ones() {
        let mut state = State::default();
        state.apply(add(1, "a.log"));
        state.apply(add(2, "b.log"));
        state.apply(done(1, 1, 1, 0));
        state.apply(Action::Reply(FromWorker::Crashed {
            message: "unreachable".into(),
        }));
        assert!(matches!(state.files[0].status, FileStatus::Done(_)));
        assert!(matches!(state.files[1].status, FileStatus::Failed(_)));
        state.apply(add(3, "c.log"));
        assert!(matches!(state.files[2].status, FileStatus::Failed(_)));
        assert_eq!(state.pending(), 0);
    }
}
