//! Microsoft Graph, read only: principals by name (`user:`, `group:`, `app:` in manifests) and
//! names by object id (`hubctl import`). Requests go through their own pipeline (token for the
//! cloud's Graph audience, same retries and run deadline as ARM's), never ARM's.
//!
//! Lookups, from the Graph v1.0 reference (MicrosoftDocs/microsoft-graph-docs-contrib
//! api-reference/v1.0/api/user-get.md, group-list.md, serviceprincipal-list.md,
//! directoryobject-getbyids.md): a user by user principal name (`GET /users/{upn}`, 404
//! `Request_ResourceNotFound` when there is none), groups and service principals by an `eq`
//! `$filter` on `displayName` (or `appId`), names by `POST /directoryObjects/getByIds`. Without
//! the permission Graph answers 403 `Authorization_RequestDenied`, which
//! [`DirectoryError::permission`] turns into the permission to grant.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::json;

use crate::ArmClient;
use crate::error::ClientError;

/// What kind of directory object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A user.
    User,
    /// A group.
    Group,
    /// A service principal (an app's or a managed identity's).
    ServicePrincipal,
}

impl Kind {
    /// What to grant for Graph to answer lookups of this kind (application permissions; a
    /// delegated sign-in needs the same names as delegated permissions).
    pub fn permission(self) -> &'static str {
        match self {
            Kind::User => "User.Read.All",
            Kind::Group => "GroupMember.Read.All (or Group.Read.All)",
            Kind::ServicePrincipal => "Application.Read.All",
        }
    }
    fn collection(self) -> &'static str {
        match self {
            Kind::User => "users",
            Kind::Group => "groups",
            Kind::ServicePrincipal => "servicePrincipals",
        }
    }
}

/// A directory object Graph found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Object id.
    pub id: String,
    /// What kind.
    pub kind: Kind,
    /// Display name.
    pub display_name: String,
    /// The user principal name (users) or app id (service principals).
    pub detail: Option<String>,
}

/// The answer to a lookup by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Exactly one.
    One(Found),
    /// None.
    None,
    /// Several (a display name is not unique): every candidate.
    Several(Vec<Found>),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Object {
    #[serde(default)]
    id: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    user_principal_name: Option<String>,
    #[serde(default)]
    app_id: Option<String>,
    #[serde(rename = "@odata.type", default)]
    odata_type: Option<String>,
}

impl Object {
    fn found(self, kind: Kind) -> Found {
        Found {
            detail: self.user_principal_name.or(self.app_id),
            display_name: self.display_name.unwrap_or_default(),
            id: self.id,
            kind,
        }
    }
}

#[derive(Deserialize)]
struct List {
    #[serde(default)]
    value: Vec<Object>,
}

/// A Graph lookup that failed.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// Graph refused for want of a permission.
    #[error(
        "Microsoft Graph refused to read {what} ({code}): the signed-in identity needs the Graph permission {permission} (or Directory.Read.All), granted with admin consent; or write the principal's object id in the manifest instead of its name"
    )]
    Permission {
        /// What was being read.
        what: String,
        /// Graph's error code.
        code: String,
        /// The permission to grant.
        permission: &'static str,
    },
    /// Anything else.
    #[error(transparent)]
    Client(#[from] ClientError),
}

impl DirectoryError {
    fn from_client(error: ClientError, kind: Kind, what: &str) -> DirectoryError {
        match &error {
            ClientError::Service { status: 403, code, .. } => DirectoryError::Permission {
                what: what.to_string(),
                code: code.clone(),
                permission: kind.permission(),
            },
            _ => DirectoryError::Client(error),
        }
    }
}

/// OData string literal: single quotes doubled.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl ArmClient {
    fn graph_url(&self, segments: &[&str], query: &[(&str, &str)]) -> String {
        let base = format!("{}/v1.0/", self.options.cloud.graph_endpoint);
        let mut url = match url::Url::parse(&base) {
            Ok(url) => url,
            Err(_) => return base,
        };
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url.to_string()
    }

    /// The user whose user principal name is `upn`.
    pub async fn find_user(&self, upn: &str) -> Result<Lookup, DirectoryError> {
        let what = format!("user {upn}");
        let url =
            self.graph_url(&["users", upn], &[("$select", "id,displayName,userPrincipalName")]);
        let response = self
            .graph
            .send(reqwest::Method::GET, &url, None, &[200, 404])
            .await
            .map_err(|e| DirectoryError::from_client(e, Kind::User, &what))?;
        if response.status == 404 {
            return Ok(Lookup::None);
        }
        let object: Object = response.json(&url)?;
        Ok(Lookup::One(object.found(Kind::User)))
    }

    /// Groups whose display name is `name`.
    pub async fn find_group(&self, name: &str) -> Result<Lookup, DirectoryError> {
        let filter = format!("displayName eq {}", literal(name));
        self.find_by_filter(Kind::Group, &filter, &format!("group {name}")).await
    }

    /// Service principals whose display name, or app id, is `name`.
    pub async fn find_app(&self, name: &str) -> Result<Lookup, DirectoryError> {
        let filter = if uuid::Uuid::parse_str(name).is_ok() {
            format!("appId eq {}", literal(name))
        } else {
            format!("displayName eq {}", literal(name))
        };
        self.find_by_filter(Kind::ServicePrincipal, &filter, &format!("app {name}")).await
    }

    async fn find_by_filter(
        &self,
        kind: Kind,
        filter: &str,
        what: &str,
    ) -> Result<Lookup, DirectoryError> {
        let select = "id,displayName,appId";
        let url = self.graph_url(&[kind.collection()], &[("$filter", filter), ("$select", select)]);
        let response = self
            .graph
            .send(reqwest::Method::GET, &url, None, &[200])
            .await
            .map_err(|e| DirectoryError::from_client(e, kind, what))?;
        let list: List = response.json(&url)?;
        let mut found: Vec<Found> = list.value.into_iter().map(|o| o.found(kind)).collect();
        Ok(match found.len() {
            0 => Lookup::None,
            1 => Lookup::One(found.remove(0)),
            _ => Lookup::Several(found),
        })
    }

    /// The users, groups and service principals among `ids`, by object id (ids Graph does not
    /// know are absent). At most 1,000 ids per request, as Graph allows.
    pub async fn names_of(
        &self,
        ids: &[String],
    ) -> Result<BTreeMap<String, Found>, DirectoryError> {
        let mut out = BTreeMap::new();
        for chunk in ids.chunks(1000) {
            let url = self.graph_url(&["directoryObjects", "getByIds"], &[]);
            let body = json!({ "ids": chunk, "types": ["user", "group", "servicePrincipal"] });
            let response = self
                .graph
                .send(reqwest::Method::POST, &url, Some(&body), &[200])
                .await
                .map_err(|e| match e {
                    // getByIds reads any kind of object: Directory.Read.All.
                    ClientError::Service { status: 403, code, .. } => DirectoryError::Permission {
                        what: "the names of the principals".into(),
                        code,
                        permission: "Directory.Read.All",
                    },
                    other => DirectoryError::Client(other),
                })?;
            let list: List = response.json(&url)?;
            for object in list.value {
                let kind = match object.odata_type.as_deref() {
                    Some("#microsoft.graph.user") => Kind::User,
                    Some("#microsoft.graph.group") => Kind::Group,
                    Some("#microsoft.graph.servicePrincipal") => Kind::ServicePrincipal,
                    _ => continue,
                };
                let found = object.found(kind);
                out.insert(found.id.to_ascii_lowercase(), found);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odata_literals_double_their_quotes() {
        assert_eq!(literal("O'Brien's team"), "'O''Brien''s team'");
    }

    #[test]
    fn a_refusal_names_the_permission_to_grant() {
        let refused = ClientError::Service {
            method: "GET".into(),
            url: "https://graph.microsoft.com/v1.0/groups".into(),
            status: 403,
            code: "Authorization_RequestDenied".into(),
            message: "Insufficient privileges to complete the operation.".into(),
            request_id: None,
        };
        let error = DirectoryError::from_client(refused, Kind::Group, "group Data Scientists");
        let text = error.to_string();
        assert!(text.contains("GroupMember.Read.All"), "{text}");
        assert!(text.contains("group Data Scientists"), "{text}");
    }
}
