//! Access: `access` — role assignments (principal, type, role by name or id, ABAC condition)
//! and `exclusive`.

use std::collections::BTreeMap;

use super::choice;
use crate::ids::Guid;
use crate::model::*;
use crate::problem::Problem;
use crate::read::{Choice, Cx, Field, Fields};
use crate::source::{FieldPath, Pos};

pub(crate) const ACCESS_FIELDS: &[&str] = &["exclusive", "assignments"];
pub(crate) const ASSIGNMENT_FIELDS: &[&str] =
    &["principal", "principalType", "role", "condition", "conditionVersion", "description"];

choice!(PrincipalType { "user" => PrincipalType::User, "group" => PrincipalType::Group, "servicePrincipal" => PrincipalType::ServicePrincipal });

pub(crate) fn access(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<Access> {
    let fields = cx.mapping(field.node, path, ACCESS_FIELDS)?;
    let exclusive = fields.bool_or(cx, "exclusive", false);
    let assignments = match fields.get(cx, "assignments") {
        Some((f, p)) => assignments(cx, f, &p),
        None => Some(Vec::new()),
    };
    Some(Access { exclusive: exclusive?, assignments: assignments? })
}

fn assignments(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<Vec<Assignment>> {
    let items = cx.list(field, path)?;
    let mut ok = true;
    let mut out: Vec<Assignment> = Vec::new();
    let mut seen: BTreeMap<(String, String), Pos> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = path.index(i);
        let Some(fields) = cx.mapping(item, &item_path, ASSIGNMENT_FIELDS) else {
            ok = false;
            continue;
        };
        let written = fields.get(cx, "principal");
        // A name (`group:…`) says its kind, so principalType is optional beside it.
        let by_name = written.as_ref().is_some_and(|(f, _)| {
            matches!(&f.node.value, crate::raw::Value::Str(t) if PrincipalName::PREFIXES.iter().any(|p| t.starts_with(p)))
        });
        let principal = fields.required(cx, "principal").and_then(|(f, p)| principal(cx, f, &p));
        let principal_type = match (&principal, fields.get(cx, "principalType")) {
            (None, None) if by_name => None,
            // A name says its kind; a principalType written beside it must agree.
            (Some(Principal::Named { name, .. }), written) => match written {
                None => Some(name.kind()),
                Some((f, p)) => cx.choice::<PrincipalType>(f, &p).and_then(|t| {
                    if t == name.kind() {
                        Some(t)
                    } else {
                        let problem = Problem::PrincipalTypeDisagrees {
                            written: super::word(t),
                            name: name.text(),
                            kind: super::word(name.kind()),
                        };
                        cx.report(f.node.at, &p, problem);
                        None
                    }
                }),
            },
            _ => fields
                .required(cx, "principalType")
                .and_then(|(f, p)| cx.choice::<PrincipalType>(f, &p)),
        };
        let role = fields.required(cx, "role").and_then(|(f, p)| role(cx, f, &p));
        let condition = condition(cx, &fields);
        let description = fields.optional_string(cx, "description");
        let (Some(principal), Some(principal_type), Some(role), Ok(condition), Ok(description)) =
            (principal, principal_type, role, condition, description)
        else {
            ok = false;
            continue;
        };
        let key = (principal.text().to_ascii_lowercase(), role.text().to_ascii_lowercase());
        if let Some(first) = seen.get(&key) {
            let first = cx.location(*first);
            cx.report(
                item.at,
                &item_path,
                Problem::DuplicateAssignment { role: role.text().to_string(), first },
            );
            ok = false;
            continue;
        }
        seen.insert(key, item.at);
        out.push(Assignment { principal, principal_type, role, condition, description });
    }
    ok.then_some(out)
}

/// `principal`: an object id, or `user:<UPN>`, `group:<display name>`, `app:<display name or
/// appId>` for Microsoft Graph to resolve.
fn principal(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<Principal> {
    if let crate::raw::Value::Str(text) = &field.node.value
        && PrincipalName::PREFIXES.iter().any(|p| text.starts_with(p))
    {
        return match PrincipalName::parse(text) {
            Some(name) => Some(Principal::Named { name, id: None }),
            None => {
                cx.report(field.node.at, path, Problem::EmptyPrincipalName { value: text.clone() });
                None
            }
        };
    }
    if let crate::raw::Value::Str(text) = &field.node.value
        && Guid::parse(text).is_none()
    {
        cx.report(field.node.at, path, Problem::InvalidPrincipal { value: text.clone() });
        return None;
    }
    cx.guid(field, path).map(Principal::Id)
}

/// An assignment's `condition` and `conditionVersion` (only "2.0" exists; it is the default).
fn condition(cx: &mut Cx<'_>, fields: &Fields<'_>) -> Result<Option<Condition>, ()> {
    let expression = match fields.get(cx, "condition") {
        Some((f, p)) => Some(cx.nonempty_string(f, &p).ok_or(())?),
        None => None,
    };
    let version = match fields.get(cx, "conditionVersion") {
        Some((f, p)) => {
            let version = cx.nonempty_string(f, &p).ok_or(())?;
            if version.trim() != "2.0" {
                cx.report(f.node.at, &p, Problem::ConditionVersion { value: version });
                return Err(());
            }
            if expression.is_none() {
                cx.report(f.node.at, &p, Problem::ConditionVersionWithoutCondition);
                return Err(());
            }
            Some(version.trim().to_string())
        }
        None => None,
    };
    Ok(expression.map(|expression| Condition {
        expression,
        version: version.unwrap_or_else(|| "2.0".into()),
    }))
}

/// A role by GUID, by role-definition id (`…/providers/Microsoft.Authorization/roleDefinitions/<guid>`,
/// at any scope), or by name.
fn role(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<RoleRef> {
    let text = cx.nonempty_string(field, path)?;
    if let Some(guid) = Guid::parse(&text) {
        return Some(RoleRef::Id(guid));
    }
    let lower = text.to_ascii_lowercase();
    if let Some(at) = lower.find("/providers/microsoft.authorization/roledefinitions/") {
        let tail = &text[at + "/providers/microsoft.authorization/roledefinitions/".len()..];
        return match Guid::parse(tail.trim_end_matches('/')) {
            Some(guid) => Some(RoleRef::Id(guid)),
            None => {
                cx.report(field.node.at, path, Problem::InvalidGuid { value: tail.to_string() });
                None
            }
        };
    }
    Some(RoleRef::Name(text.trim().to_string()))
}

// ---- the manifest as JSON (see [`super::view`]) ----

pub(crate) fn view(access: &Access) -> serde_json::Value {
    let assignments: Vec<serde_json::Value> =
        access.assignments.iter().map(view_assignment).collect();
    serde_json::json!({ "exclusive": access.exclusive, "assignments": assignments })
}

pub(crate) fn view_assignment(assignment: &Assignment) -> serde_json::Value {
    let mut out = serde_json::json!({
        "principal": assignment.principal.text(),
        "principalType": assignment.principal_type.word(),
        "role": assignment.role.text(),
    });
    if let Some(condition) = &assignment.condition {
        out["condition"] = serde_json::json!(condition.expression);
        out["conditionVersion"] = serde_json::json!(condition.version);
    }
    if let Some(description) = &assignment.description {
        out["description"] = serde_json::json!(description);
    }
    out
}
