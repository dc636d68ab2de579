//! Closed sets of service strings, open to values the service adds later.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! service_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this hubctl does not know, kept as the service sent it.
            Unknown(String),
        }

        impl $name {
            /// The service's spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Unknown(text) => text,
                }
            }
            /// Parse case-insensitively and without spaces (Cognitive Services writes
            /// `SystemAssigned, UserAssigned`); unknown text is kept.
            pub fn parse(text: &str) -> $name {
                let squeezed: String = text.chars().filter(|c| *c != ' ').collect();
                $(if squeezed.eq_ignore_ascii_case($text) { return $name::$variant; })+
                $name::Unknown(text.to_string())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let text = String::deserialize(deserializer)?;
                Ok($name::parse(&text))
            }
        }
    };
}

service_enum!(
    /// `properties.managedNetwork.isolationMode`.
    IsolationMode {
        /// No managed network.
        Disabled = "Disabled",
        /// Managed network, internet outbound allowed.
        AllowInternetOutbound = "AllowInternetOutbound",
        /// Managed network, approved outbound only.
        AllowOnlyApprovedOutbound = "AllowOnlyApprovedOutbound",
    }
);

service_enum!(
    /// `managedNetwork.firewallSku`.
    FirewallSku {
        /// Standard.
        Standard = "Standard",
        /// Basic.
        Basic = "Basic",
    }
);

service_enum!(
    /// `publicNetworkAccess`.
    PublicNetworkAccess {
        /// Enabled.
        Enabled = "Enabled",
        /// Disabled.
        Disabled = "Disabled",
    }
);

service_enum!(
    /// An outbound rule's `category`.
    RuleCategory {
        /// The service's own rules, never touched.
        Required = "Required",
        /// Recommended by the service.
        Recommended = "Recommended",
        /// The user's.
        UserDefined = "UserDefined",
        /// Dependency rules.
        Dependency = "Dependency",
    }
);

service_enum!(
    /// `systemDatastoresAuthMode`.
    DatastoresAuthMode {
        /// Account keys.
        AccessKey = "AccessKey",
        /// Entra identity.
        Identity = "Identity",
        /// User delegation SAS.
        UserDelegationSas = "UserDelegationSAS",
    }
);

service_enum!(
    /// `identity.type` (spelled without a space, as the examples do).
    IdentityType {
        /// None.
        None = "None",
        /// System-assigned.
        SystemAssigned = "SystemAssigned",
        /// User-assigned.
        UserAssigned = "UserAssigned",
        /// Both.
        SystemAndUserAssigned = "SystemAssigned,UserAssigned",
    }
);

service_enum!(
    /// A role assignment's `principalType`.
    PrincipalType {
        /// A user.
        User = "User",
        /// A group.
        Group = "Group",
        /// A service principal.
        ServicePrincipal = "ServicePrincipal",
        /// A group from another directory.
        ForeignGroup = "ForeignGroup",
    }
);

service_enum!(
    /// `provisioningState`.
    ProvisioningState {
        /// Done.
        Succeeded = "Succeeded",
        /// Failed.
        Failed = "Failed",
        /// Canceled.
        Canceled = "Canceled",
        /// Being created.
        Creating = "Creating",
        /// Being updated.
        Updating = "Updating",
        /// Being deleted.
        Deleting = "Deleting",
    }
);

impl ProvisioningState {
    /// Whether the resource is settled (ARM: Succeeded, Failed, Canceled are terminal).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            ProvisioningState::Succeeded | ProvisioningState::Failed | ProvisioningState::Canceled
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_parse_case_insensitively_and_unknown_ones_are_kept() {
        assert_eq!(
            IsolationMode::parse("allowonlyapprovedoutbound"),
            IsolationMode::AllowOnlyApprovedOutbound
        );
        let future: IsolationMode = serde_json::from_str("\"AllowEverythingTomorrow\"").unwrap();
        assert_eq!(future, IsolationMode::Unknown("AllowEverythingTomorrow".into()));
        assert_eq!(serde_json::to_string(&future).unwrap(), "\"AllowEverythingTomorrow\"");
        assert_eq!(
            serde_json::to_string(&IdentityType::SystemAndUserAssigned).unwrap(),
            "\"SystemAssigned,UserAssigned\""
        );
    }
}
