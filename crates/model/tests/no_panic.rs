//! Reading ARM's answers never panics, whatever comes back: the proptest twin of the
//! `arm_response` fuzz target (docs/fuzzing.md).

#![allow(clippy::unwrap_used)]

use hubctl_model::{ErrorResponse, OutboundRuleResource, Page, RoleAssignment, Workspace};
use proptest::prelude::*;
use serde_json::{Value, json};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        prop_oneof![
            5 => proptest::sample::select(vec!["Hub", "FQDN", "PrivateEndpoint", "Required", "Enabled"])
                .prop_map(str::to_string),
            1 => "\\PC{0,12}"
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    12 => proptest::sample::select(vec![
                        "properties",
                        "type",
                        "destination",
                        "category",
                        "managedNetwork",
                        "outboundRules",
                        "identity",
                        "encryption",
                        "value",
                        "nextLink",
                        "error",
                        "kind"
                    ])
                    .prop_map(str::to_string),
                    1 => "[a-z]{1,8}",
                ],
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn read_all(bytes: &[u8]) {
    if let Ok(workspace) = serde_json::from_slice::<Workspace>(bytes) {
        let written = serde_json::to_vec(&workspace.for_write()).unwrap();
        let _ = serde_json::from_slice::<Workspace>(&written).unwrap();
    }
    let _ = serde_json::from_slice::<Page<Workspace>>(bytes);
    let _ = serde_json::from_slice::<Page<RoleAssignment>>(bytes);
    let _ = serde_json::from_slice::<OutboundRuleResource>(bytes);
    let _ = serde_json::from_slice::<ErrorResponse>(bytes);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        read_all(&bytes);
    }

    #[test]
    fn json_shaped_answers_never_panic(value in json_value()) {
        read_all(&serde_json::to_vec(&value).unwrap());
        // Nested where ARM puts things.
        read_all(&serde_json::to_vec(&json!({"properties": {"managedNetwork": {"outboundRules": {"r": value.clone()}}}})).unwrap());
        read_all(&serde_json::to_vec(&json!({"value": [value]})).unwrap());
    }
}
