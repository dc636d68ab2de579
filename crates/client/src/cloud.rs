//! Where ARM and Entra are: the public, China and US Government clouds, a custom pair of
//! endpoints, or the local cloud (the emulator).
//!
//! Endpoints from MicrosoftDocs/azure-docs `articles/azure-government/compare-azure-government-global-azure.md`
//! and `articles/china/resources-developer-guide.md`. Plain http is refused except on loopback;
//! the local cloud is trusted through its CA file only, never by turning certificate checks off.

use url::Url;

use crate::error::ClientError;

/// A cloud's ARM endpoint, token audience and Entra authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cloud {
    /// Short name, for messages (`public`, `china`, `usgov`, `custom`, `local`).
    pub name: String,
    /// ARM endpoint, no trailing slash.
    pub arm_endpoint: String,
    /// Token audience; the scope asked for is `{audience}/.default`.
    pub audience: String,
    /// Entra authority host, no trailing slash.
    pub authority_host: String,
    /// Microsoft Graph endpoint (principals by name), no trailing slash.
    pub graph_endpoint: String,
    /// Microsoft Graph token audience; the scope asked for is `{graph_audience}/.default`.
    pub graph_audience: String,
}

impl Cloud {
    /// Azure public cloud.
    pub fn public() -> Cloud {
        Cloud::named(
            "public",
            "https://management.azure.com",
            "https://management.azure.com",
            "https://login.microsoftonline.com",
        )
    }
    /// Azure operated by 21Vianet.
    pub fn china() -> Cloud {
        Cloud::named(
            "china",
            "https://management.chinacloudapi.cn",
            "https://management.chinacloudapi.cn",
            "https://login.chinacloudapi.cn",
        )
    }
    /// Azure US Government.
    pub fn usgov() -> Cloud {
        Cloud::named(
            "usgov",
            "https://management.usgovcloudapi.net",
            "https://management.usgovcloudapi.net",
            "https://login.microsoftonline.us",
        )
    }
    /// Any ARM endpoint and authority; the audience is the public one unless given.
    pub fn custom(
        arm_endpoint: &str,
        authority_host: &str,
        audience: Option<&str>,
    ) -> Result<Cloud, ClientError> {
        check_endpoint(arm_endpoint)?;
        check_endpoint(authority_host)?;
        Ok(Cloud::named(
            "custom",
            arm_endpoint,
            audience.unwrap_or("https://management.azure.com"),
            authority_host,
        ))
    }
    /// The local cloud at `endpoint` (its tokens carry ARM's public audience, as Entra's do).
    pub fn local(endpoint: &str) -> Result<Cloud, ClientError> {
        check_endpoint(endpoint)?;
        Ok(Cloud::named("local", endpoint, "https://management.azure.com", endpoint))
    }
    /// The cloud named `public`, `china` or `usgov`.
    pub fn by_name(name: &str) -> Option<Cloud> {
        match name.to_ascii_lowercase().as_str() {
            "public" | "azurecloud" => Some(Cloud::public()),
            "china" | "azurechinacloud" => Some(Cloud::china()),
            "usgov" | "azureusgovernment" => Some(Cloud::usgov()),
            _ => None,
        }
    }
    fn named(name: &str, arm: &str, audience: &str, authority: &str) -> Cloud {
        // Graph per cloud (MicrosoftDocs/azure-docs national-cloud deployments): the public
        // one, 21Vianet's, US Government's; an emulator (ARM on loopback) serves Graph itself,
        // with tokens for the public Graph audience as Entra's are.
        let graph = match name {
            "china" => "https://microsoftgraph.chinacloudapi.cn",
            "usgov" => "https://graph.microsoft.us",
            _ => "https://graph.microsoft.com",
        };
        let arm = arm.trim_end_matches('/').to_string();
        let on_loopback = Url::parse(&arm).is_ok_and(|u| is_loopback(&u));
        Cloud {
            name: name.to_string(),
            graph_endpoint: if on_loopback { arm.clone() } else { graph.to_string() },
            graph_audience: if name == "china" || name == "usgov" {
                graph.to_string()
            } else {
                "https://graph.microsoft.com".to_string()
            },
            arm_endpoint: arm,
            audience: audience.trim_end_matches('/').to_string(),
            authority_host: authority.trim_end_matches('/').to_string(),
        }
    }
    /// Whether ARM is on this machine (the local cloud, or an emulator given as a custom
    /// endpoint): Azure itself never is.
    pub fn is_loopback(&self) -> bool {
        Url::parse(&self.arm_endpoint).is_ok_and(|u| is_loopback(&u))
    }

    /// The token scope for ARM.
    pub fn scope(&self) -> String {
        format!("{}/.default", self.audience)
    }

    /// The token scope for Microsoft Graph.
    pub fn graph_scope(&self) -> String {
        format!("{}/.default", self.graph_audience)
    }
}

/// An endpoint must be https, or http on a loopback address.
pub fn check_endpoint(endpoint: &str) -> Result<(), ClientError> {
    let url = Url::parse(endpoint).map_err(|e| ClientError::InvalidEndpoint {
        url: endpoint.to_string(),
        reason: e.to_string(),
    })?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        "http" => Err(ClientError::InvalidEndpoint {
            url: endpoint.to_string(),
            reason:
                "plain http is only allowed on loopback (127.0.0.0/8, ::1, localhost); use https"
                    .into(),
        }),
        other => Err(ClientError::InvalidEndpoint {
            url: endpoint.to_string(),
            reason: format!("scheme '{other}' is not https"),
        }),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_is_refused_off_loopback() {
        assert!(check_endpoint("https://management.azure.com").is_ok());
        assert!(check_endpoint("http://127.0.0.1:8080").is_ok());
        assert!(check_endpoint("http://[::1]:8080").is_ok());
        assert!(check_endpoint("http://localhost:1").is_ok());
        let error = check_endpoint("http://10.0.0.5:8080").unwrap_err().to_string();
        assert!(error.contains("only allowed on loopback"), "{error}");
        assert!(check_endpoint("http://management.azure.com").is_err());
        assert!(check_endpoint("ftp://x").is_err());
        assert!(check_endpoint("not a url").is_err());
    }

    #[test]
    fn clouds() {
        assert_eq!(Cloud::public().scope(), "https://management.azure.com/.default");
        assert_eq!(
            Cloud::by_name("usgov").unwrap().authority_host,
            "https://login.microsoftonline.us"
        );
        assert_eq!(
            Cloud::local("https://127.0.0.1:5/").unwrap().arm_endpoint,
            "https://127.0.0.1:5"
        );
    }
}
