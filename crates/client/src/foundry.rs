//! `Microsoft.CognitiveServices`: Foundry resources (accounts), their projects and the
//! connections of both, at the api-version in [`crate::ArmClientOptions::cognitive_services_api_version`]
//! (NOTES-foundry.md §2). Addressed by ARM id, as the plan names them.
//!
//! Accounts and projects are long-running (PUT 200/201/202, PATCH 200/202, DELETE
//! 200/202/204; the service answers with `Azure-AsyncOperation`, and the poller also follows a
//! `Location`, or a body whose `provisioningState` is not terminal yet). Connections are
//! synchronous. A delete of an account is soft: the account is listed under
//! `deletedAccounts` until purged (or its retention ends).

use hubctl_model::{Account, AccountDeployment, AccountProject, Connection, RaiPolicy, Usage};
use reqwest::Method;
use serde_json::Value;

use crate::ArmClient;
use crate::error::ClientError;
use crate::lro::{LroKind, Poller};

/// The shortest wait for a capability host: the service itself gives up on one after about
/// 2.5 hours (`CapabilityHostOperationFailed`, NOTES-foundry.md §5), so hubctl waits longer and
/// reports the service's error rather than a deadline of its own.
pub const CAPABILITY_HOST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(3 * 3600);

/// api-version of `Microsoft.ManagedIdentity/userAssignedIdentities` (stable; read for an
/// identity's client id, which a customer-managed key names).
const IDENTITY_API_VERSION: &str = "2023-01-31";

impl ArmClient {
    /// Foundry resources, projects and their connections.
    pub fn foundry(&self) -> Foundry<'_> {
        Foundry { client: self }
    }
}

/// `Microsoft.CognitiveServices/accounts` and what is under them.
pub struct Foundry<'a> {
    client: &'a ArmClient,
}

impl<'a> Foundry<'a> {
    fn url(&self, path: &str) -> String {
        self.client.url(path, &self.client.options.cognitive_services_api_version)
    }
    /// Every account of a subscription (all kinds).
    pub async fn accounts_in_subscription(
        &self,
        subscription: &str,
    ) -> Result<Vec<Account>, ClientError> {
        let path =
            format!("/subscriptions/{subscription}/providers/Microsoft.CognitiveServices/accounts");
        self.client.list_all(self.url(&path)).await
    }
    /// Every soft-deleted account of a subscription (one list, whatever the groups).
    pub async fn deleted_accounts(&self, subscription: &str) -> Result<Vec<Account>, ClientError> {
        let path = format!(
            "/subscriptions/{subscription}/providers/Microsoft.CognitiveServices/deletedAccounts"
        );
        self.client.list_all(self.url(&path)).await
    }
    /// GET an account or project body; `None` when it does not exist.
    pub async fn get(&self, id: &str) -> Result<Option<Value>, ClientError> {
        self.client.get_optional(&self.url(id)).await
    }
    /// The projects of an account.
    pub async fn projects(&self, account: &str) -> Result<Vec<AccountProject>, ClientError> {
        self.client.list_all(self.url(&format!("{account}/projects"))).await
    }
    /// The connections of an account or of a project.
    pub async fn connections(&self, parent: &str) -> Result<Vec<Connection>, ClientError> {
        self.client.list_all(self.url(&format!("{parent}/connections"))).await
    }
    /// The model deployments of an account.
    pub async fn deployments(&self, account: &str) -> Result<Vec<AccountDeployment>, ClientError> {
        self.client.list_all(self.url(&format!("{account}/deployments"))).await
    }
    /// The content filters (RAI policies) of an account, the system ones included.
    pub async fn rai_policies(&self, account: &str) -> Result<Vec<RaiPolicy>, ClientError> {
        self.client.list_all(self.url(&format!("{account}/raiPolicies"))).await
    }
    /// The subscription's quota usages in a region (`…/locations/{location}/usages`).
    pub async fn usages(
        &self,
        subscription: &str,
        location: &str,
    ) -> Result<Vec<Usage>, ClientError> {
        let path = format!(
            "/subscriptions/{subscription}/providers/Microsoft.CognitiveServices/locations/{location}/usages"
        );
        self.client.list_all(self.url(&path)).await
    }
    /// Whether a custom subdomain is free across Azure (`POST …/checkDomainAvailability`):
    /// `None` when it is, else the service's reason.
    pub async fn subdomain_taken(
        &self,
        subscription: &str,
        subdomain: &str,
    ) -> Result<Option<String>, ClientError> {
        let url = self.url(&format!(
            "/subscriptions/{subscription}/providers/Microsoft.CognitiveServices/checkDomainAvailability"
        ));
        let body = serde_json::json!({ "subdomainName": subdomain, "type": "Microsoft.CognitiveServices/accounts" });
        let answer: Value =
            self.client.send(Method::POST, &url, Some(&body), &[200]).await?.json(&url)?;
        if answer["isSubdomainAvailable"].as_bool().unwrap_or(false) {
            return Ok(None);
        }
        let reason = answer["reason"].as_str().unwrap_or("not available").to_string();
        Ok(Some(reason))
    }
    /// PUT an account or project (long-running).
    pub async fn put(&self, id: &str, body: &Value) -> Result<Poller<'a>, ClientError> {
        let url = self.url(id);
        let first = self.client.send(Method::PUT, &url, Some(body), &[200, 201, 202]).await?;
        Ok(self.client.poller("create_or_update Foundry resource", url, LroKind::Write, first))
    }
    /// PUT a capability host (long-running, and long: waited for at least
    /// [`CAPABILITY_HOST_DEADLINE`]).
    pub async fn put_capability_host(
        &self,
        id: &str,
        body: &Value,
    ) -> Result<Poller<'a>, ClientError> {
        let mut poller = self.put(id, body).await?;
        poller.deadline = poller.deadline.max(CAPABILITY_HOST_DEADLINE);
        Ok(poller)
    }
    /// PATCH an account or project (long-running).
    pub async fn patch(&self, id: &str, body: &Value) -> Result<Poller<'a>, ClientError> {
        let url = self.url(id);
        let first = self.client.send(Method::PATCH, &url, Some(body), &[200, 202]).await?;
        Ok(self.client.poller("update Foundry resource", url, LroKind::Write, first))
    }
    /// DELETE an account (soft) or project (long-running; a missing one is 204).
    pub async fn delete(&self, id: &str) -> Result<Poller<'a>, ClientError> {
        let url = self.url(id);
        let first = self.client.send(Method::DELETE, &url, None, &[200, 202, 204]).await?;
        Ok(self.client.poller("delete Foundry resource", url, LroKind::Delete, first))
    }
    /// Purge a soft-deleted account: `DELETE …/locations/{location}/resourceGroups/{rg}/deletedAccounts/{name}`
    /// (the location is the account's; needs `…/deletedAccounts/delete` at the subscription).
    pub async fn purge(
        &self,
        subscription: &str,
        location: &str,
        resource_group: &str,
        name: &str,
    ) -> Result<Poller<'a>, ClientError> {
        let location = location.replace(' ', "").to_ascii_lowercase();
        let url = self.url(&format!(
            "/subscriptions/{subscription}/providers/Microsoft.CognitiveServices/locations/{location}/resourceGroups/{resource_group}/deletedAccounts/{name}"
        ));
        let first = self.client.send(Method::DELETE, &url, None, &[200, 202, 204]).await?;
        Ok(self.client.poller("purge deleted account", url, LroKind::Delete, first))
    }
    /// PUT a connection of an account or project, or a content filter (synchronous).
    pub async fn put_connection(&self, id: &str, body: &Value) -> Result<Connection, ClientError> {
        let url = self.url(id);
        self.client.send(Method::PUT, &url, Some(body), &[200, 201]).await?.json(&url)
    }
    /// DELETE a connection of an account or project (synchronous; a missing one is 204).
    pub async fn delete_connection(&self, id: &str) -> Result<(), ClientError> {
        let url = self.url(id);
        self.client.send(Method::DELETE, &url, None, &[200, 204]).await.map(|_| ())
    }
    /// The client id of a user-assigned identity; `None` when it does not exist.
    pub async fn identity_client_id(&self, id: &str) -> Result<Option<String>, ClientError> {
        let url = self.client.url(id, IDENTITY_API_VERSION);
        let body: Option<Value> = self.client.get_optional(&url).await?;
        Ok(body.and_then(|b| b["properties"]["clientId"].as_str().map(str::to_string)))
    }
}
