//! The sub-clients: one per resource type, each operation with its success codes.

use hubctl_model::{
    Connection, OutboundRule, Page, RoleAssignment, RoleAssignmentProperties, RoleDefinition,
    Workspace,
};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::ArmClient;
use crate::error::ClientError;
use crate::lro::{LroKind, Poller};

impl ArmClient {
    /// Workspaces: hubs and projects.
    pub fn workspaces(&self) -> Workspaces<'_> {
        Workspaces { client: self }
    }
    /// Outbound rules of a workspace's managed network.
    pub fn outbound_rules(&self) -> OutboundRules<'_> {
        OutboundRules { client: self }
    }
    /// Connections of a workspace.
    pub fn connections(&self) -> Connections<'_> {
        Connections { client: self }
    }
    /// Role assignments at any scope.
    pub fn role_assignments(&self) -> RoleAssignments<'_> {
        RoleAssignments { client: self }
    }
    /// Role definitions.
    pub fn role_definitions(&self) -> RoleDefinitions<'_> {
        RoleDefinitions { client: self }
    }

    /// Every item of a list, following `nextLink` to the end.
    pub(crate) async fn list_all<T: DeserializeOwned>(
        &self,
        first_url: String,
    ) -> Result<Vec<T>, ClientError> {
        let mut items = Vec::new();
        let mut next = Some(first_url);
        while let Some(url) = next {
            crate::cloud::check_endpoint(&url)?;
            let response = self.send(Method::GET, &url, None, &[200]).await?;
            let page: Page<T> = response.json(&url)?;
            items.extend(page.value);
            next = page.next_link.filter(|l| !l.is_empty());
        }
        Ok(items)
    }

    pub(crate) async fn get_optional<T: DeserializeOwned>(
        &self,
        url: &str,
    ) -> Result<Option<T>, ClientError> {
        match self.send(Method::GET, url, None, &[200]).await {
            Ok(response) => Ok(Some(response.json(url)?)),
            Err(ClientError::Service { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Encode a query value (spaces, quotes and the like) for ARM's `$filter`.
pub(crate) fn encode_query(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `{workspace}/{collection}[/{name}]` with the workspaces api-version.
fn child_url(
    client: &ArmClient,
    subscription: &str,
    resource_group: &str,
    workspace: &str,
    collection: &str,
    name: Option<&str>,
) -> String {
    let mut path =
        format!("{}/{collection}", workspace_path(subscription, resource_group, workspace));
    if let Some(name) = name {
        path.push('/');
        path.push_str(name);
    }
    client.url(&path, &client.options.workspaces_api_version)
}

fn workspace_path(subscription: &str, resource_group: &str, name: &str) -> String {
    hubctl_model::workspace_id(subscription, resource_group, name)
}

/// `Microsoft.MachineLearningServices/workspaces`.
pub struct Workspaces<'a> {
    client: &'a ArmClient,
}

impl Workspaces<'_> {
    fn url(&self, path: &str) -> String {
        self.client.url(path, &self.client.options.workspaces_api_version)
    }
    /// GET a workspace; `None` when it does not exist.
    pub async fn get(
        &self,
        subscription: &str,
        resource_group: &str,
        name: &str,
    ) -> Result<Option<Workspace>, ClientError> {
        self.client
            .get_optional(&self.url(&workspace_path(subscription, resource_group, name)))
            .await
    }
    /// Every workspace of a subscription.
    pub async fn list_by_subscription(
        &self,
        subscription: &str,
    ) -> Result<Vec<Workspace>, ClientError> {
        self.client.list_all(self.url(&format!("/subscriptions/{subscription}/providers/Microsoft.MachineLearningServices/workspaces"))).await
    }
    /// Every workspace of a resource group, optionally of one kind (2026-05-01's `kind` filter).
    pub async fn list_by_resource_group(
        &self,
        subscription: &str,
        resource_group: &str,
        kind: Option<&str>,
    ) -> Result<Vec<Workspace>, ClientError> {
        let mut path = format!(
            "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.MachineLearningServices/workspaces"
        );
        if let Some(kind) = kind {
            path.push_str(&format!("?kind={}", encode_query(kind)));
        }
        self.client.list_all(self.url(&path)).await
    }
    /// PUT a workspace (long-running). The body goes through [`Workspace::for_write`]: never the
    /// service's Required rules, read-only fields, or a project's inherited settings.
    pub async fn create_or_update(
        &self,
        subscription: &str,
        resource_group: &str,
        name: &str,
        workspace: &Workspace,
    ) -> Result<Poller<'_>, ClientError> {
        let url = self.url(&workspace_path(subscription, resource_group, name));
        let body = serde_json::to_value(workspace.for_write())
            .map_err(|e| ClientError::Decode { url: url.clone(), reason: e.to_string() })?;
        let first = self.client.send(Method::PUT, &url, Some(&body), &[200, 201, 202]).await?;
        Ok(self.client.poller("create_or_update workspace", url, LroKind::Write, first))
    }
    /// PATCH a workspace with `WorkspaceUpdateParameters` (long-running).
    pub async fn update(
        &self,
        subscription: &str,
        resource_group: &str,
        name: &str,
        patch: &Value,
    ) -> Result<Poller<'_>, ClientError> {
        let url = self.url(&workspace_path(subscription, resource_group, name));
        let first = self.client.send(Method::PATCH, &url, Some(patch), &[200, 202]).await?;
        Ok(self.client.poller("update workspace", url, LroKind::Write, first))
    }
    /// DELETE a workspace (long-running; a missing one is 204). The service deletes softly:
    /// the workspace is kept, hidden, and its name stays taken for the retention period (up to
    /// 14 days); `purge` sends `forceToPurge=true`, which frees the name at once (Learn
    /// "Workspace soft deletion"; workspaceRP.json `Workspaces_Delete`).
    pub async fn delete(
        &self,
        subscription: &str,
        resource_group: &str,
        name: &str,
        purge: bool,
    ) -> Result<Poller<'_>, ClientError> {
        let mut url = self.url(&workspace_path(subscription, resource_group, name));
        if purge {
            url.push_str("&forceToPurge=true");
        }
        let first = self.client.send(Method::DELETE, &url, None, &[200, 202, 204]).await?;
        Ok(self.client.poller("delete workspace", url, LroKind::Delete, first))
    }
}

/// `workspaces/{ws}/outboundRules`.
pub struct OutboundRules<'a> {
    client: &'a ArmClient,
}

impl OutboundRules<'_> {
    fn url(
        &self,
        subscription: &str,
        resource_group: &str,
        workspace: &str,
        rule: Option<&str>,
    ) -> String {
        child_url(self.client, subscription, resource_group, workspace, "outboundRules", rule)
    }
    /// Every rule, the service's included.
    pub async fn list(
        &self,
        subscription: &str,
        resource_group: &str,
        workspace: &str,
    ) -> Result<Vec<hubctl_model::OutboundRuleResource>, ClientError> {
        self.client.list_all(self.url(subscription, resource_group, workspace, None)).await
    }
    /// One rule; `None` when missing.
    pub async fn get(
        &self,
        subscription: &str,
        resource_group: &str,
        workspace: &str,
        rule: &str,
    ) -> Result<Option<hubctl_model::OutboundRuleResource>, ClientError> {
        self.client
            .get_optional(&self.url(subscription, resource_group, workspace, Some(rule)))
            .await
    }
    /// PUT a user rule (long-running). Write rules of a workspace one at a time: parallel
    /// writes lose rules on the service.
    pub async fn create_or_update(
        &self,
        subscription: &str,
        resource_group: &str,
        workspace: &str,
        rule: &str,
        properties: &OutboundRule,
    ) -> Result<Poller<'_>, ClientError> {
        let url = self.url(subscription, resource_group, workspace, Some(rule));
        let body = json!({ "properties": properties });
        let first = self.client.send(Method::PUT, &url, Some(&body), &[200, 201, 202]).await?;
        Ok(self.client.poller("create_or_update outbound rule", url, LroKind::Write, first))
    }
    /// DELETE a rule (long-running; a missing one is 204).
    pub async fn delete(
        &self,
        subscription: &str,
        resource_group: &str,
        workspace: &str,
        rule: &str,
    ) -> Result<Poller<'_>, ClientError> {
        let url = self.url(subscription, resource_group, workspace, Some(rule));
        let first = self.client.send(Method::DELETE, &url, None, &[200, 202, 204]).await?;
        Ok(self.client.poller("delete outbound rule", url, LroKind::Delete, first))
    }
}

/// `workspaces/{ws}/connections`.
pub struct Connections<'a> {
    client: &'a ArmClient,
}

impl Connections<'_> {
    fn url(
        &self,
        subscription: &str,
        resource_group: &str,
        workspace: &str,
        name: Option<&str>,
    ) -> String {
        child_url(self.client, subscription, resource_group, workspace, "connections", name)
    }
    /// Every connection of a workspace.
    pub async fn list(
        &self,
        subscription: &str,
        resource_group: &str,
        workspace: &str,
    ) -> Result<Vec<Connection>, ClientError> {
        self.client.list_all(self.url(subscription, resource_group, workspace, None)).await
    }
    /// PUT a connection.
    pub async fn create_or_update(
        &self,
        subscription: &str,
        resource_group: &str,
        workspace: &str,
        name: &str,
        connection: &Connection,
    ) -> Result<Connection, ClientError> {
        let url = self.url(subscription, resource_group, workspace, Some(name));
        let body = serde_json::to_value(connection)
            .map_err(|e| ClientError::Decode { url: url.clone(), reason: e.to_string() })?;
        self.client.send(Method::PUT, &url, Some(&body), &[200, 201]).await?.json(&url)
    }
    /// DELETE a connection.
    pub async fn delete(
        &self,
        subscription: &str,
        resource_group: &str,
        workspace: &str,
        name: &str,
    ) -> Result<(), ClientError> {
        let url = self.url(subscription, resource_group, workspace, Some(name));
        self.client.send(Method::DELETE, &url, None, &[200, 204]).await.map(|_| ())
    }
}

/// `Microsoft.Authorization/roleAssignments`.
pub struct RoleAssignments<'a> {
    client: &'a ArmClient,
}

impl RoleAssignments<'_> {
    fn url(&self, scope: &str, name: Option<&str>, filter: Option<&str>) -> String {
        let mut path = format!(
            "{}/providers/Microsoft.Authorization/roleAssignments",
            scope.trim_end_matches('/')
        );
        if let Some(name) = name {
            path.push('/');
            path.push_str(name);
        }
        if let Some(filter) = filter {
            path.push_str(&format!("?$filter={}", encode_query(filter)));
        }
        self.client.url(&path, &self.client.options.authorization_api_version)
    }
    /// Assignments at a scope: `atScope()` (at or above), `principalId eq '…'`, or all (at,
    /// above and below) with no filter.
    pub async fn list_for_scope(
        &self,
        scope: &str,
        filter: Option<&str>,
    ) -> Result<Vec<RoleAssignment>, ClientError> {
        self.client.list_all(self.url(scope, None, filter)).await
    }
    /// PUT an assignment (201 created, 200 unchanged).
    pub async fn create(
        &self,
        scope: &str,
        name: &str,
        properties: &RoleAssignmentProperties,
    ) -> Result<RoleAssignment, ClientError> {
        let url = self.url(scope, Some(name), None);
        let body = json!({ "properties": properties });
        self.client.send(Method::PUT, &url, Some(&body), &[200, 201]).await?.json(&url)
    }
    /// DELETE an assignment; the deleted one, or `None` when it was already gone.
    pub async fn delete(
        &self,
        scope: &str,
        name: &str,
    ) -> Result<Option<RoleAssignment>, ClientError> {
        let url = self.url(scope, Some(name), None);
        let response = self.client.send(Method::DELETE, &url, None, &[200, 204]).await?;
        if response.status == 204 || response.body.is_empty() {
            Ok(None)
        } else {
            response.json(&url).map(Some)
        }
    }
}

/// `Microsoft.Authorization/roleDefinitions`.
pub struct RoleDefinitions<'a> {
    client: &'a ArmClient,
}

impl RoleDefinitions<'_> {
    /// One definition by GUID; `None` when unknown.
    pub async fn get(
        &self,
        scope: &str,
        guid: &str,
    ) -> Result<Option<RoleDefinition>, ClientError> {
        let path = format!(
            "{}/providers/Microsoft.Authorization/roleDefinitions/{guid}",
            scope.trim_end_matches('/')
        );
        self.client
            .get_optional(&self.client.url(&path, &self.client.options.authorization_api_version))
            .await
    }
    /// Definitions whose display name is exactly `name`.
    pub async fn find_by_name(
        &self,
        scope: &str,
        name: &str,
    ) -> Result<Vec<RoleDefinition>, ClientError> {
        let filter = encode_query(&format!("roleName eq '{name}'"));
        let path = format!(
            "{}/providers/Microsoft.Authorization/roleDefinitions?$filter={filter}",
            scope.trim_end_matches('/')
        );
        self.client
            .list_all(self.client.url(&path, &self.client.options.authorization_api_version))
            .await
    }
}

/// One entry of `Permissions_ListForResourceGroup` (Microsoft.Authorization 2022-04-01): what a
/// role assignment of the caller lets it do at that scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    /// Allowed actions (`*` wildcards).
    #[serde(default)]
    pub actions: Vec<String>,
    /// Actions taken back out.
    #[serde(default)]
    pub not_actions: Vec<String>,
}

impl ArmClient {
    /// The signed-in caller's own permissions at a resource group
    /// (`GET …/resourceGroups/{rg}/providers/Microsoft.Authorization/permissions`).
    pub async fn permissions_at(
        &self,
        subscription: &str,
        resource_group: &str,
    ) -> Result<Vec<Permission>, ClientError> {
        let path = format!(
            "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Authorization/permissions"
        );
        self.list_all(self.url(&path, &self.options.authorization_api_version)).await
    }

    /// The signed-in caller's own permissions at a resource (`GET {resource id}/providers/
    /// Microsoft.Authorization/permissions`, Permissions_ListForResource).
    pub async fn permissions_at_resource(&self, id: &str) -> Result<Vec<Permission>, ClientError> {
        let path =
            format!("{}/providers/Microsoft.Authorization/permissions", id.trim_end_matches('/'));
        self.list_all(self.url(&path, &self.options.authorization_api_version)).await
    }

    /// Deny assignments at or above a resource group (`GET …/resourceGroups/{rg}/providers/
    /// Microsoft.Authorization/denyAssignments?$filter=atScope()`, DenyAssignments_ListForResourceGroup).
    pub async fn deny_assignments_at(
        &self,
        subscription: &str,
        resource_group: &str,
    ) -> Result<Vec<DenyAssignment>, ClientError> {
        let path = format!(
            "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.Authorization/denyAssignments?$filter={}",
            encode_query("atScope()")
        );
        self.list_all(self.url(&path, &self.options.authorization_api_version)).await
    }
}

/// A deny assignment (Microsoft.Authorization 2022-04-01): what it denies, to whom.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct DenyAssignment {
    /// Its properties.
    #[serde(default)]
    pub properties: DenyAssignmentProperties,
}

/// A deny assignment's properties.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DenyAssignmentProperties {
    /// Display name.
    #[serde(default)]
    pub deny_assignment_name: String,
    /// Denied actions (minus notActions).
    #[serde(default)]
    pub permissions: Vec<Permission>,
    /// Who is denied.
    #[serde(default)]
    pub principals: Vec<DenyPrincipal>,
    /// Who is not.
    #[serde(default)]
    pub exclude_principals: Vec<DenyPrincipal>,
}

/// A principal named by a deny assignment.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct DenyPrincipal {
    /// Object id (all zeros with type `SystemDefined`: everyone).
    #[serde(default)]
    pub id: String,
    /// `User`, `Group`, `ServicePrincipal`, `SystemDefined`.
    #[serde(rename = "type", default)]
    pub principal_type: String,
}
