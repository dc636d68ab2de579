//! The token endpoint and token checks: a small Entra ID.
//!
//! `POST /{tenant}/oauth2/v2.0/token` takes the client-credentials grant as azure_identity
//! sends it (a client secret, or a client assertion for workload identity) and answers with
//! Entra's JSON shape. Tokens are JWTs with Entra's claims (aud, iss, tid, oid, appid, iat,
//! nbf, exp) signed with HS256 by a key only the emulator holds. ARM calls must carry one the
//! emulator issued and that has not expired, or they get ARM's 401.

use std::collections::HashMap;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::state::State;

/// How long a token lives (Entra's default is about an hour).
pub const TOKEN_LIFETIME_S: u64 = 3600;

/// The audiences ARM accepts; the emulator also accepts its own endpoint.
pub const ARM_AUDIENCES: [&str; 2] =
    ["https://management.azure.com", "https://management.azure.com/"];

/// The claims of an issued token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Audience.
    pub aud: String,
    /// Issuer.
    pub iss: String,
    /// Tenant.
    pub tid: String,
    /// Caller's object id.
    pub oid: String,
    /// Caller's application id.
    pub appid: String,
    /// Subject.
    pub sub: String,
    /// Issued at (s).
    pub iat: u64,
    /// Not before (s).
    pub nbf: u64,
    /// Expiry (s).
    pub exp: u64,
}

/// An OAuth error as Entra sends it.
pub struct TokenError {
    /// HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
}

fn oauth_error(status: u16, error: &str, code: u32, description: &str) -> TokenError {
    TokenError {
        status,
        body: json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {description}"),
            "error_codes": [code],
        }),
    }
}

/// Issue a token for a client-credentials request (form fields), or say why not.
pub fn issue(
    state: &State,
    strict: bool,
    tenant: &str,
    form: &HashMap<String, String>,
    now_s: u64,
) -> Result<Value, TokenError> {
    if !tenant.eq_ignore_ascii_case(&state.tenant_id) && tenant != "organizations" {
        return Err(oauth_error(
            400,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found."),
        ));
    }
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return Err(oauth_error(
            400,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.",
        ));
    }
    let Some(client_id) = form.get("client_id").filter(|c| !c.is_empty()) else {
        return Err(oauth_error(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        ));
    };
    let secret = form.get("client_secret");
    let assertion = form.get("client_assertion");
    if secret.is_none() && assertion.is_none() {
        return Err(oauth_error(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        ));
    }
    let scope = form.get("scope").cloned().unwrap_or_default();
    let Some(resource) = scope.split(' ').find_map(|s| s.strip_suffix("/.default")) else {
        return Err(oauth_error(
            400,
            "invalid_scope",
            1002012,
            "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.",
        ));
    };
    let object_id = if strict {
        let Some(sp) =
            state.service_principals.iter().find(|sp| sp.client_id.eq_ignore_ascii_case(client_id))
        else {
            return Err(oauth_error(
                400,
                "unauthorized_client",
                700016,
                &format!(
                    "Application with identifier '{client_id}' was not found in the directory '{}'.",
                    state.tenant_id
                ),
            ));
        };
        let accepted = match (secret, assertion) {
            (Some(given), _) => sp.secret.as_deref() == Some(given.as_str()),
            (None, Some(_)) => sp.federated,
            (None, None) => false,
        };
        if !accepted {
            return Err(oauth_error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
            ));
        }
        sp.object_id.clone()
    } else {
        state
            .service_principals
            .iter()
            .find(|sp| sp.client_id.eq_ignore_ascii_case(client_id))
            .map(|sp| sp.object_id.clone())
            .unwrap_or_else(|| {
                uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, client_id.as_bytes()).to_string()
            })
    };
    let claims = Claims {
        aud: resource.to_string(),
        iss: format!("https://sts.windows.net/{}/", state.tenant_id),
        tid: state.tenant_id.clone(),
        oid: object_id.clone(),
        appid: client_id.clone(),
        sub: object_id,
        iat: now_s,
        nbf: now_s.saturating_sub(300),
        exp: now_s + TOKEN_LIFETIME_S,
    };
    let token = sign(state, &claims).map_err(|e| oauth_error(500, "server_error", 50000, &e))?;
    Ok(json!({
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_S,
        "ext_expires_in": TOKEN_LIFETIME_S,
        "access_token": token,
    }))
}

fn key_bytes(state: &State) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(&state.signing_key).unwrap_or_default()
}

fn sign(state: &State, claims: &Claims) -> Result<String, String> {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(&key_bytes(state)),
    )
    .map_err(|e| e.to_string())
}

/// Why an ARM call's token was refused: ARM's code and message.
#[derive(Debug)]
pub struct Refusal {
    /// ARM error code.
    pub code: &'static str,
    /// ARM message.
    pub message: String,
}

/// Check an `Authorization` header value; the caller's claims when valid.
pub fn check(state: &State, header: Option<&str>, own_audience: &str) -> Result<Claims, Refusal> {
    let mut audiences: Vec<String> = ARM_AUDIENCES.iter().map(|a| a.to_string()).collect();
    audiences.push(own_audience.trim_end_matches('/').to_string());
    audiences.push(format!("{}/", own_audience.trim_end_matches('/')));
    let wrong = "The access token has been obtained for wrong audience or resource. It should exactly match with one of the allowed audiences 'https://management.azure.com/'.";
    verify(state, header, &audiences, wrong)
}

/// The audiences Microsoft Graph accepts (the public cloud's, as the local cloud's tokens are).
pub const GRAPH_AUDIENCES: [&str; 3] = [
    "https://graph.microsoft.com",
    "https://graph.microsoft.com/",
    "00000003-0000-0000-c000-000000000000",
];

/// Check an `Authorization` header for Microsoft Graph.
pub fn check_graph(state: &State, header: Option<&str>) -> Result<Claims, Refusal> {
    let audiences: Vec<String> = GRAPH_AUDIENCES.iter().map(|a| a.to_string()).collect();
    verify(state, header, &audiences, "Access token validation failure. Invalid audience.")
}

fn verify(
    state: &State,
    header: Option<&str>,
    audiences: &[String],
    wrong_audience: &str,
) -> Result<Claims, Refusal> {
    let Some(header) = header else {
        return Err(Refusal {
            code: "AuthenticationFailed",
            message: "Authentication failed. The 'Authorization' header is missing.".into(),
        });
    };
    let Some(token) = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer "))
    else {
        return Err(Refusal { code: "AuthenticationFailed", message: "Authentication failed. The 'Authorization' header is provided in an invalid format.".into() });
    };
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(audiences);
    validation.set_issuer(&[format!("https://sts.windows.net/{}/", state.tenant_id)]);
    validation.leeway = 0;
    match jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_secret(&key_bytes(state)),
        &validation,
    ) {
        Ok(data) => Ok(data.claims),
        Err(e) => match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => Err(Refusal {
                code: "ExpiredAuthenticationToken",
                message: "The access token expiry UTC time is earlier than current UTC time."
                    .into(),
            }),
            jsonwebtoken::errors::ErrorKind::InvalidAudience => Err(Refusal {
                code: "InvalidAuthenticationTokenAudience",
                message: wrong_audience.into(),
            }),
            _ => Err(Refusal {
                code: "InvalidAuthenticationToken",
                message: "The access token is invalid.".into(),
            }),
        },
    }
}
