//! What the audit log records, as words the pages can translate: the kinds
//! of event and of object, and the split between reads (someone looked at
//! or downloaded non-public data) and everything else (changes, and the
//! sign-ins and sign-outs that change who may do what). The log's storage
//! and its pages both take these lists, so a new event kind is added here
//! (a test holds every event the code records to this list, and the page
//! test holds every kind here to both catalogues).

/// Every event kind the code records, in the order the page offers them.
pub const EVENTS: &[&str] = &[
    "create",
    "update",
    "correct",
    "disable",
    "close",
    "reopen",
    "publish",
    "import",
    "read",
    "export",
    "login",
    "login_failed",
    "logout",
    "password_set",
    "password_reset_requested",
    "unlock",
    "revoke",
    "retire",
    "submit",
    "approve",
    "undo",
    "erase",
    "send",
    "remind",
    "open",
    "save",
    "finding",
    "accepted",
    "rejected",
];

/// Events that only read: they change nothing.
pub const READ_EVENTS: &[&str] = &["read", "export"];

/// Every kind of object an event names.
pub const OBJECT_TYPES: &[&str] = &[
    "facility",
    "organisation",
    "round",
    "published_figures",
    "user",
    "account",
    "session",
    "token",
    "audit_log",
    "metric",
    "tally",
    "period_report",
    "boundaries",
    "dashboard",
    "contact",
    "questionnaire",
    "campaign",
    "follow_up",
];

/// Which events a search shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuditView {
    /// Everything but reads: changes, sign-ins and sign-outs.
    Changes,
    /// Reads and downloads of non-public data only.
    Reads,
    #[default]
    All,
}

impl AuditView {
    pub const ALL: [AuditView; 3] = [AuditView::Changes, AuditView::Reads, AuditView::All];

    pub fn code(self) -> &'static str {
        match self {
            AuditView::Changes => "changes",
            AuditView::Reads => "reads",
            AuditView::All => "all",
        }
    }

    pub fn parse(text: &str) -> Option<AuditView> {
        AuditView::ALL.into_iter().find(|v| v.code() == text.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `AuditEvent::new("…"` in the code names an event in [`EVENTS`]
    /// and an object in [`OBJECT_TYPES`], so the page can name it.
    #[test]
    fn every_event_the_code_records_is_listed() {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("domain/audit.rs")
                {
                    out.push(std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let mut sources = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut sources,
        );
        let quoted = |text: &str| -> Vec<String> {
            text.split('"')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        };
        let mut found = 0;
        for source in &sources {
            for call in source.split("AuditEvent::new(").skip(1) {
                let call = &call[..call.find(')').unwrap_or(call.len())];
                let words = quoted(call);
                // The event comes first; a read-or-export choice names both.
                for word in &words {
                    assert!(
                        EVENTS.contains(&word.as_str()) || OBJECT_TYPES.contains(&word.as_str()),
                        "'{word}' in AuditEvent::new({call}) is not in domain::audit"
                    );
                }
                found += 1;
            }
        }
        assert!(found > 30, "found {found} audit calls");
    }

    #[test]
    fn reads_are_events() {
        for read in READ_EVENTS {
            assert!(EVENTS.contains(read));
        }
        assert_eq!(AuditView::parse("reads"), Some(AuditView::Reads));
        assert_eq!(AuditView::parse("x"), None);
    }
}
