//! Who may do what (DESIGN.md, "Roles"). Every permission question the web
//! pages and the API ask is answered here, so the rules live in one place.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including users and roles.
    Admin,
    /// The national coordinator: reads all, keeps the register true.
    Researcher,
    /// Keeps their own organisation's facilities right.
    OrgManager,
    /// Files reports for (some of) their organisation's facilities.
    Reporter,
    /// Fills in the audits assigned to them.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Researcher,
        Role::OrgManager,
        Role::Reporter,
        Role::Auditor,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Researcher => "researcher",
            Role::OrgManager => "org_manager",
            Role::Reporter => "reporter",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == text.trim())
    }

    /// Organisation roles act for exactly one organisation.
    pub fn needs_organisation(self) -> bool {
        matches!(self, Role::OrgManager | Role::Reporter)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// How a caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Session,
    Token,
    CommandLine,
}

/// A signed-in caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// None for service tokens and the command line.
    pub user_id: Option<i64>,
    /// E-mail address, token name or `cli:user`: what the history and audit log show.
    pub name: String,
    pub role: Role,
    pub organisation_id: Option<i64>,
    /// For a reporter limited to some facilities; empty means all of the organisation's.
    pub facility_ids: Vec<i64>,
    pub via: Via,
}

/// What the register knows about a facility for a permission question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FacilityScope {
    pub id: i64,
    /// `None`: the operator is not known; only national roles act on it.
    pub organisation_id: Option<i64>,
    pub public_access: bool,
}

impl Principal {
    /// Someone at the command line: they hold the database, so they may do everything.
    pub fn command_line(name: impl Into<String>) -> Principal {
        Principal {
            user_id: None,
            name: name.into(),
            role: Role::Admin,
            organisation_id: None,
            facility_ids: Vec::new(),
            via: Via::CommandLine,
        }
    }

    fn national(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Researcher)
    }

    fn own_organisation(&self, organisation_id: i64) -> bool {
        self.role.needs_organisation() && self.organisation_id == Some(organisation_id)
    }

    /// Whether the facility's operator is this caller's organisation (never
    /// when the operator is not known).
    fn runs(&self, organisation_id: Option<i64>) -> bool {
        organisation_id.is_some_and(|id| self.own_organisation(id))
    }

    /// Which non-public facilities this caller may see in lists: the same
    /// rule as [`Principal::may_read_internal`], in the form a list query
    /// can apply (a unit test holds the two to each other).
    pub fn internal_scope(&self) -> InternalScope {
        match (self.national(), self.organisation_id) {
            (true, _) => InternalScope::All,
            (false, Some(id)) if self.role == Role::Reporter && !self.facility_ids.is_empty() => {
                InternalScope::Facilities {
                    organisation_id: id,
                    ids: self.facility_ids.clone(),
                }
            }
            (false, Some(id)) if self.role.needs_organisation() => InternalScope::Organisation(id),
            _ => InternalScope::None,
        }
    }

    /// Whether this caller may know a facility exists at all: every public
    /// one, and the non-public ones whose internal facts they may read.
    /// Lists, single reads, pages and exports all ask this.
    pub fn may_see(&self, facility: FacilityScope) -> bool {
        facility.public_access || self.may_read_internal(facility)
    }

    /// Internal facts of a facility: notes, history, who changed what, and
    /// the facility itself when it is not public.
    pub fn may_read_internal(&self, facility: FacilityScope) -> bool {
        if self.national() {
            return true;
        }
        if !self.runs(facility.organisation_id) {
            return false;
        }
        self.role != Role::Reporter
            || self.facility_ids.is_empty()
            || self.facility_ids.contains(&facility.id)
    }

    /// Changing a facility's facts.
    pub fn may_edit_facility(&self, facility: FacilityScope) -> bool {
        self.national() || (self.role == Role::OrgManager && self.runs(facility.organisation_id))
    }

    /// Adding a facility to an organisation, or (national roles only) one
    /// whose operator is not known (`None`).
    pub fn may_create_facility(&self, organisation_id: Option<i64>) -> bool {
        self.national() || (self.role == Role::OrgManager && self.runs(organisation_id))
    }

    /// An organisation's contact details and history.
    pub fn may_read_organisation_internal(&self, organisation_id: i64) -> bool {
        self.national() || self.own_organisation(organisation_id)
    }

    pub fn may_edit_organisation(&self, organisation_id: i64) -> bool {
        self.national() || (self.role == Role::OrgManager && self.own_organisation(organisation_id))
    }

    /// Adding organisations and importing spreadsheets: national work.
    pub fn may_manage_register(&self) -> bool {
        self.national()
    }

    pub fn may_manage_users(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn may_read_audit_log(&self) -> bool {
        self.national()
    }

    /// Inventory rounds: creating, overriding counts, closing, reopening,
    /// publishing, and reading rounds not yet published.
    pub fn may_manage_rounds(&self) -> bool {
        self.national()
    }

    /// Counting at the desk and filling in (and submitting) a facility's
    /// period reports: its organisation's reporters (those limited to some
    /// facilities, for those) and org managers, and the national roles.
    pub fn may_report_for(&self, facility: FacilityScope) -> bool {
        self.national()
            || (matches!(self.role, Role::Reporter | Role::OrgManager)
                && self.may_read_internal(facility))
    }

    /// Approving a facility's period report: its organisation's manager or
    /// a national role.
    pub fn may_approve_for(&self, facility: FacilityScope) -> bool {
        self.national() || (self.role == Role::OrgManager && self.runs(facility.organisation_id))
    }

    /// Which contacts (people at organisations whom campaigns mail) this
    /// caller may read and change: national roles all, an organisation's
    /// manager their own organisation's, nobody else.
    pub fn contact_scope(&self) -> ContactScope {
        match (self.national(), self.role, self.organisation_id) {
            (true, _, _) => ContactScope::All,
            (false, Role::OrgManager, Some(id)) => ContactScope::Organisation(id),
            _ => ContactScope::None,
        }
    }

    /// Erasing a contact's personal fields: admins only.
    pub fn may_erase_contacts(&self) -> bool {
        self.role == Role::Admin
    }

    /// Reopening an approved report, and the metric catalogue: national work
    /// (researchers reopen; admins and researchers keep the catalogue).
    pub fn may_manage_monitoring(&self) -> bool {
        self.national()
    }
}

/// Which contacts a caller may read and change ([`Principal::contact_scope`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactScope {
    None,
    Organisation(i64),
    All,
}

impl ContactScope {
    /// Whether the contacts of this organisation are in scope.
    pub fn admits(self, organisation_id: i64) -> bool {
        match self {
            ContactScope::None => false,
            ContactScope::Organisation(id) => id == organisation_id,
            ContactScope::All => true,
        }
    }
}

/// Which non-public facilities a caller may see.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum InternalScope {
    #[default]
    None,
    Organisation(i64),
    /// A reporter limited to some facilities of their organisation.
    Facilities {
        organisation_id: i64,
        ids: Vec<i64>,
    },
    All,
}

impl InternalScope {
    /// Whether a list in this scope includes the facility.
    pub fn admits(&self, facility: FacilityScope) -> bool {
        facility.public_access
            || match self {
                InternalScope::None => false,
                InternalScope::Organisation(id) => facility.organisation_id == Some(*id),
                InternalScope::Facilities {
                    organisation_id,
                    ids,
                } => {
                    facility.organisation_id == Some(*organisation_id) && ids.contains(&facility.id)
                }
                InternalScope::All => true,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, organisation_id: Option<i64>) -> Principal {
        Principal {
            user_id: Some(1),
            name: "demo@vangnet.example".into(),
            role,
            organisation_id,
            facility_ids: Vec::new(),
            via: Via::Session,
        }
    }

    const OWN: FacilityScope = FacilityScope {
        id: 10,
        organisation_id: Some(1),
        public_access: false,
    };
    const OTHER: FacilityScope = FacilityScope {
        id: 20,
        organisation_id: Some(2),
        public_access: false,
    };

    #[test]
    fn national_roles_read_everything_and_organisation_roles_only_their_own() {
        assert!(principal(Role::Admin, None).may_read_internal(OTHER));
        assert!(principal(Role::Researcher, None).may_read_internal(OTHER));
        let manager = principal(Role::OrgManager, Some(1));
        assert!(manager.may_read_internal(OWN));
        assert!(!manager.may_read_internal(OTHER));
        assert!(!principal(Role::Auditor, None).may_read_internal(OWN));
    }

    #[test]
    fn only_managers_and_national_roles_edit_facilities() {
        assert!(principal(Role::OrgManager, Some(1)).may_edit_facility(OWN));
        assert!(!principal(Role::OrgManager, Some(1)).may_edit_facility(OTHER));
        assert!(!principal(Role::Reporter, Some(1)).may_edit_facility(OWN));
        assert!(principal(Role::Researcher, None).may_edit_facility(OTHER));
        assert!(!principal(Role::Auditor, None).may_edit_facility(OWN));
    }

    #[test]
    fn a_facility_whose_operator_is_not_known_is_national_work() {
        let unknown = FacilityScope {
            id: 30,
            organisation_id: None,
            public_access: false,
        };
        assert!(principal(Role::Researcher, None).may_edit_facility(unknown));
        assert!(principal(Role::Admin, None).may_read_internal(unknown));
        let manager = principal(Role::OrgManager, Some(1));
        assert!(!manager.may_edit_facility(unknown));
        assert!(!manager.may_read_internal(unknown));
        assert!(!manager.may_create_facility(None));
        assert!(manager.may_create_facility(Some(1)));
        assert!(principal(Role::Researcher, None).may_create_facility(None));
        assert!(!principal(Role::Reporter, Some(1)).may_read_internal(unknown));
    }

    #[test]
    fn a_reporter_limited_to_some_facilities_sees_only_those() {
        let mut reporter = principal(Role::Reporter, Some(1));
        assert!(reporter.may_read_internal(OWN));
        reporter.facility_ids = vec![11];
        assert!(!reporter.may_read_internal(OWN));
        reporter.facility_ids = vec![10];
        assert!(reporter.may_read_internal(OWN));
    }

    /// The list rule and the single-read rule are one rule: for every role,
    /// organisation, limitation and facility, they agree.
    #[test]
    fn lists_admit_exactly_the_facilities_a_caller_may_see() {
        let facilities: Vec<FacilityScope> = [Some(1), Some(2), Some(3), None]
            .into_iter()
            .flat_map(|organisation_id| {
                (10..=13).flat_map(move |id| {
                    [true, false].map(|public_access| FacilityScope {
                        id,
                        organisation_id,
                        public_access,
                    })
                })
            })
            .collect();
        for role in Role::ALL {
            for organisation in [None, Some(1), Some(2)] {
                if role.needs_organisation() != organisation.is_some() {
                    continue;
                }
                for limited in [vec![], vec![11], vec![11, 12]] {
                    let mut who = principal(role, organisation);
                    who.facility_ids = limited;
                    let scope = who.internal_scope();
                    for f in &facilities {
                        assert_eq!(
                            scope.admits(*f),
                            who.may_see(*f),
                            "{role:?} of {organisation:?} limited to {:?}, {f:?}",
                            who.facility_ids
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn only_admins_manage_users() {
        for role in Role::ALL {
            let organisation = role.needs_organisation().then_some(1);
            assert_eq!(
                principal(role, organisation).may_manage_users(),
                role == Role::Admin
            );
        }
    }
}
