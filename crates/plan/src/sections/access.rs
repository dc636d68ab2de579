//! Access: `access` at a hub and at each project — role assignments at exactly that scope.
//!
//! An assignment is matched by principal and role (GUID, whatever the scope prefix of its
//! definition id), so an equivalent one made by someone else is adopted (marked), not
//! duplicated. Every assignment hubctl writes carries its mark at the end of its description
//! (hubctl_model::MARK), so removing an entry from the manifest revokes what hubctl granted
//! whatever `exclusive` says, and never touches what others granted unless `exclusive: true`
//! (which still keeps the caller's own access-admin grants). Changing an entry's role or
//! principal is a create and a delete; creates go first (crate::order), so the principal is
//! never without access in between.
//! New assignments get a deterministic name (UUIDv5 of scope, principal and role), so a re-run
//! after a crash names the same assignment instead of making a second one.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use hubctl_model::{
    ArmId, PrincipalType, RoleAssignment, id_key, marked_description, role_definition_guid,
};
use hubctl_spec::model as spec;
use serde_json::json;

use super::{field, opt_str, to_value};
use crate::change::*;
use crate::import::{Manifest, flow_scalar, scalar};
use crate::planner::Planner;
use crate::reasons::{Reason, WarningKind};
use crate::roles;

/// The deterministic name of an assignment: UUIDv5 of scope, principal and role.
pub fn assignment_name(scope: &str, principal: &str, role_guid: &str) -> String {
    let key = format!(
        "{}|{}|{}",
        id_key(scope),
        principal.to_ascii_lowercase(),
        role_guid.to_ascii_lowercase()
    );
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, key.as_bytes()).to_string()
}

fn principal_type(kind: spec::PrincipalType) -> PrincipalType {
    match kind {
        spec::PrincipalType::User => PrincipalType::User,
        spec::PrincipalType::Group => PrincipalType::Group,
        spec::PrincipalType::ServicePrincipal => PrincipalType::ServicePrincipal,
    }
}

fn access_path(project: Option<&str>) -> String {
    match project {
        Some(p) => format!("spec.projects.{p}.access.assignments"),
        None => "spec.access.assignments".into(),
    }
}

/// The body that writes an assignment of `role_guid` at `scope`.
pub fn assignment_body(
    scope: &ArmId,
    assignment: &spec::Assignment,
    role_guid: &str,
) -> serde_json::Value {
    let subscription = scope.subscription().unwrap_or_default().to_ascii_lowercase();
    let mut body = json!({ "properties": {
        "roleDefinitionId": format!("/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}"),
        "principalId": assignment.principal.id().map(|g| g.to_string()).unwrap_or_default(),
        "principalType": principal_type(assignment.principal_type).as_str(),
    }});
    if let Some(condition) = &assignment.condition {
        body["properties"]["condition"] = json!(condition.expression);
        body["properties"]["conditionVersion"] = json!(condition.version);
    }
    body["properties"]["description"] =
        json!(marked_description(assignment.description.as_deref()));
    body
}

/// Whether hubctl granted (or adopted) `assignment` at `scope`: its description carries
/// hubctl's mark, or its name is the one hubctl derives for it (assignments hubctl created
/// before the mark existed).
fn is_hubctls(assignment: &RoleAssignment, scope: &ArmId) -> bool {
    let role = role_definition_guid(&assignment.properties.role_definition_id);
    assignment.is_marked()
        || assignment.name.eq_ignore_ascii_case(&assignment_name(
            scope.as_str(),
            &assignment.properties.principal_id,
            &role,
        ))
}

impl Planner<'_> {
    /// Role assignments at exactly `scope` (a hub, or the project named `project`).
    pub(crate) fn access(
        &mut self,
        access: &spec::Access,
        key: &str,
        scope: &ArmId,
        scope_name: &str,
        live: Option<&Vec<RoleAssignment>>,
        project: Option<&str>,
    ) {
        let kind = ResourceKind::RoleAssignment;
        let mut matched = BTreeSet::new();
        for assignment in &access.assignments {
            // Keyed in field paths as the manifest writes it (`group:Data Scientists`).
            let written = assignment.principal.text();
            let role_text = assignment.role.text().to_string();
            let Some(principal) = assignment.principal.id().map(|g| g.to_string()) else {
                // Names are resolved before planning (hubctl_apply::read::resolve_principals).
                let display = format!("{scope_name}: {role_text} → {written}");
                let reasons = vec![Reason::BlockedBecausePrincipalNotResolved];
                let change = self.change(key, kind, scope, display, Action::Blocked, reasons);
                let path = format!("{}[{written}]", access_path(project));
                change.fields = vec![field(&path, None, Some(json!(written)))];
                continue;
            };
            // A name is shown with its object id, so a reviewer can tell both.
            let who = match assignment.principal.name() {
                Some(_) => format!("{written} ({principal})"),
                None => principal.clone(),
            };
            let role_guid = match &assignment.role {
                spec::RoleRef::Id(guid) => Some(guid.as_str().to_string()),
                spec::RoleRef::Name(name) => {
                    roles::built_in(name).map(str::to_string).or_else(|| {
                        self.live.role_definitions.get(&name.to_ascii_lowercase()).cloned()
                    })
                }
            };
            let display = format!("{scope_name}: {role_text} → {who}");
            let Some(role_guid) = role_guid else {
                let reasons = vec![Reason::BlockedBecauseRoleNotFound];
                let change = self.change(key, kind, scope, display, Action::Blocked, reasons);
                let path = format!("{}[{written}].role", access_path(project));
                change.fields = vec![field(&path, None, Some(json!(role_text)))];
                continue;
            };
            let name = assignment_name(scope.as_str(), &principal, &role_guid);
            let resource = scope.extension("Microsoft.Authorization", "roleAssignments", &name);
            let existing = live.into_iter().flatten().find(|a| a.grants(&principal, &role_guid));
            let mut body = assignment_body(scope, assignment, &role_guid);
            let wanted_condition = assignment.condition.as_ref().map(|c| c.expression.trim());
            let Some(found) = existing else {
                let reasons = vec![Reason::CreateBecauseMissing];
                let change = self.change(key, kind, &resource, display, Action::Create, reasons);
                let path = format!("{}[{written}]", access_path(project));
                let kind_word = assignment.principal_type.word();
                change.fields = vec![
                    field(&format!("{path}.principalType"), None, Some(json!(kind_word))),
                    field(&format!("{path}.role"), None, Some(json!(role_text))),
                ];
                for (leaf, value) in [
                    ("condition", wanted_condition),
                    ("description", assignment.description.as_deref()),
                ] {
                    if let Some(value) = value {
                        change.fields.push(field(
                            &format!("{path}.{leaf}"),
                            None,
                            Some(json!(value)),
                        ));
                    }
                }
                change.after = Some(body);
                continue;
            };
            matched.insert(id_key(&found.id));
            let found_id = self.assignment_id(found, scope);
            // An assignment with an ABAC condition is not the unconditional grant a manifest
            // without one declares (and the other way round): a change. A description the
            // manifest sets is kept in place; one it leaves out is left as it is.
            let live_condition = found.condition();
            let live_description = found.description();
            let wanted_description = assignment.description.as_deref();
            let mut fields = Vec::new();
            if live_condition != wanted_condition {
                let path = format!("{}[{written}].condition", access_path(project));
                fields.push(field(&path, opt_str(live_condition), opt_str(wanted_condition)));
            }
            if wanted_description.is_some() && live_description != wanted_description {
                let path = format!("{}[{written}].description", access_path(project));
                fields.push(field(&path, opt_str(live_description), opt_str(wanted_description)));
            }
            if wanted_description.is_none() {
                body["properties"]["description"] = json!(marked_description(live_description));
            }
            if !fields.is_empty() {
                let reasons = vec![Reason::UpdateBecauseFieldsChanged];
                let change = self.change(key, kind, &found_id, display, Action::Update, reasons);
                change.fields = fields;
                change.before = Some(to_value(found));
                change.after = Some(body);
                continue;
            }
            if is_hubctls(found, scope) {
                self.change(
                    key,
                    kind,
                    &found_id,
                    display,
                    Action::NoOp,
                    vec![Reason::NoOpBecauseInSync],
                );
                continue;
            }
            // An equal assignment someone else made: adopted (marked) rather than duplicated.
            // Whether the mark is written now depends on the hub (see `Planner::mark_adopted`),
            // so the body waits here.
            let reasons = vec![Reason::NoOpBecauseEquivalentExists];
            let change = self.change(key, kind, &found_id, display, Action::NoOp, reasons);
            change.before = Some(to_value(found));
            change.after = Some(body);
        }
        for assignment in live.into_iter().flatten() {
            if matched.contains(&id_key(&assignment.id)) {
                continue;
            }
            // What hubctl granted follows the manifest; what others granted only under
            // `exclusive: true`.
            let ours = is_hubctls(assignment, scope);
            if !ours && !access.exclusive {
                continue;
            }
            let role_guid = role_definition_guid(&assignment.properties.role_definition_id);
            let role = roles::name_of(&role_guid).map(str::to_string).unwrap_or(role_guid.clone());
            let display = format!("{scope_name}: {role} → {}", assignment.properties.principal_id);
            let is_caller = self
                .options
                .caller
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case(&assignment.properties.principal_id));
            if is_caller && roles::ACCESS_ADMIN.contains(&role_guid.as_str()) {
                self.warn(WarningKind::CallerAccessKept, &assignment.id, display);
                continue;
            }
            let resource = self.assignment_id(assignment, scope);
            let reasons = vec![if ours {
                Reason::DeleteBecauseRemovedFromManifest
            } else {
                Reason::DeleteBecauseNotDeclared
            }];
            let change = self.change(key, kind, &resource, display, Action::Delete, reasons);
            let path =
                format!("{}[{}].role", access_path(project), assignment.properties.principal_id);
            change.fields = vec![field(&path, Some(json!(role)), None)];
            change.before = Some(to_value(assignment));
        }
    }

    /// Equal assignments made outside hubctl, under a hub that is or becomes hubctl's in this
    /// plan, get hubctl's mark: an update of their description only, bookkeeping rather than a
    /// change of access. Under a hub hubctl has not adopted (and that this plan does not adopt)
    /// they stay kept, their marking body left for `hubctl adopt`.
    pub(crate) fn mark_adopted(&mut self, first_change: usize) {
        for change in &mut self.changes[first_change..] {
            if change.kind == ResourceKind::RoleAssignment
                && change.action == Action::NoOp
                && change.reasons == [Reason::NoOpBecauseEquivalentExists]
                && change.after.is_some()
            {
                change.action = Action::Update;
                change.reasons = vec![Reason::UpdateBecauseAssignmentAdopted];
                change.display.push_str(" (adopt)");
            }
        }
    }

    /// A live assignment's id; one the service sent unparseable is named from its scope.
    fn assignment_id(&self, assignment: &RoleAssignment, scope: &ArmId) -> ArmId {
        ArmId::parse(&assignment.id).unwrap_or_else(|_| {
            scope.extension("Microsoft.Authorization", "roleAssignments", &assignment.name)
        })
    }
}

// ---- ARM → manifest (hubctl import) ----

fn read_principal_type(assignment: &RoleAssignment) -> &'static str {
    match assignment.properties.principal_type.as_ref().map(|p| p.as_str()) {
        Some("Group") => "group",
        Some("ServicePrincipal") => "servicePrincipal",
        _ => "user",
    }
}

/// `access` at a hub (`indent` two spaces) or a project (six).
pub(crate) fn read_access(out: &mut Manifest, indent: &str, assignments: &[RoleAssignment]) {
    if assignments.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}access:\n{indent}  assignments:");
    for a in assignments {
        let delegated = a.properties.other.get("delegatedManagedIdentityResourceId");
        if let Some(value) = delegated.and_then(crate::import::set_value) {
            let what = format!(
                "assignment {} has delegatedManagedIdentityResourceId {value}, which a manifest cannot hold; left as it is",
                a.name
            );
            out.not_expressed(&format!("{indent}    "), what);
        }
        let guid = role_definition_guid(&a.properties.role_definition_id);
        let role = roles::name_of(&guid).map(str::to_string).unwrap_or(guid);
        // By name when the directory gave one (the name says the kind), else by object id.
        let id = &a.properties.principal_id;
        let (principal, kind) = match out.names.get(&id.to_ascii_lowercase()) {
            Some(name) => (serde_json::to_string(name).unwrap_or_default(), String::new()),
            None => (id.clone(), format!("principalType: {}, ", read_principal_type(a))),
        };
        let description = a.description().map(|d| format!(", description: {}", flow_scalar(d)));
        let Some(condition) = a.condition() else {
            let _ = writeln!(
                out,
                "{indent}    - {{ principal: {principal}, {kind}role: {}{} }}",
                flow_scalar(&role),
                description.unwrap_or_default()
            );
            continue;
        };
        let kind = kind.trim_end_matches(", ").to_string();
        // An ABAC condition narrows the grant: kept, or the manifest would grant more.
        let version = a.properties.other.get("conditionVersion");
        let version = version.and_then(|v| v.as_str()).unwrap_or("2.0");
        let _ = writeln!(
            out,
            "{indent}    - principal: {principal}\n{}{indent}      role: {}\n{indent}      condition: {}\n{indent}      conditionVersion: {}",
            if kind.is_empty() { String::new() } else { format!("{indent}      {kind}\n") },
            scalar(&role),
            serde_json::to_string(condition).unwrap_or_default(),
            serde_json::to_string(version).unwrap_or_default()
        );
        if let Some(description) = a.description() {
            let _ = writeln!(out, "{indent}      description: {}", scalar(description));
        }
    }
}
