//! People and apps by name: `user:`, `group:` and `app:` principals are resolved through
//! Microsoft Graph (the emulator serves it from the seed's directory), shown with their object
//! ids in the plan, and applied; a name that is not exactly one object, or a directory the
//! identity may not read, stops the run before anything is written (exit 1).

use hubctl_emulator::Options;
use serde_json::json;

use crate::lab::{Lab, says};
use crate::support::example;

const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const DEV: &str = "64702f94-c441-49e6-a78b-ef80e0188fee";
const ENTRY: &str = "      - principal: 7d2f6a0e-0000-0000-0000-000000000010\n        principalType: group\n        role: Azure AI Developer\n";

fn with_entries(entries: &str) -> String {
    let text = example("minimal.yaml").replace(ENTRY, entries);
    assert!(text.contains(entries));
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_users_and_apps_by_name_plan_and_apply() {
    let lab = Lab::start(Options::default()).await;
    lab.write(
        "minimal.yaml",
        &with_entries(
            "      - { principal: \"group:AI developers\", role: Azure AI Developer }\n      - { principal: \"user:alice@contoso.com\", role: Reader }\n      - { principal: \"app:support-copilot-deployer\", role: Reader }\n",
        ),
    );
    let plan = lab.hubctl(&["plan", "hubs"]).await.expect(2);
    for shown in [
        "Azure AI Developer → group:AI developers (7d2f6a0e-0000-0000-0000-000000000010)",
        "Reader → user:alice@contoso.com (7d2f6a0e-0000-0000-0000-000000000030)",
        "Reader → app:support-copilot-deployer (7d2f6a0e-0000-0000-0000-000000000013)",
    ] {
        assert!(plan.stdout.contains(shown), "{shown}:\n{}", plan.stdout);
    }
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    let mut expected: Vec<(String, String)> = [("10", DEV), ("13", READER), ("30", READER)]
        .iter()
        .map(|(p, r)| (format!("7d2f6a0e-0000-0000-0000-0000000000{p}"), r.to_string()))
        .collect();
    expected.sort();
    assert_eq!(lab.access("contoso-sandbox").await, expected);
    // principalType comes from what Graph found.
    let listed = lab
        .get(
            &format!(
                "{}/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()",
                Lab::workspace_path("contoso-sandbox")
            ),
            "2022-04-01",
        )
        .await
        .unwrap();
    let alice = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["properties"]["principalId"] == "7d2f6a0e-0000-0000-0000-000000000030")
        .unwrap()
        .clone();
    assert_eq!(alice["properties"]["principalType"], "User");
    // An app by its appId is the same service principal.
    let by_app_id = with_entries(
        "      - { principal: \"group:AI developers\", role: Azure AI Developer }\n      - { principal: \"user:alice@contoso.com\", role: Reader }\n      - { principal: \"app:5b0a2c1e-0000-0000-0000-000000000013\", role: Reader }\n",
    );
    // (The same object ids: the same applied manifest, so not even hubctl's record changes.)
    lab.write("minimal.yaml", &by_app_id);
    lab.hubctl(&["plan", "hubs"]).await.expect(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ambiguous_or_unknown_name_fails_clearly_and_writes_nothing() {
    let lab = Lab::start(Options::default()).await;
    // A second group with the same display name as the seed's "AI developers".
    let twin = json!({"id": "7d2f6a0e-0000-0000-0000-000000000099", "type": "Group", "displayName": "AI developers"});
    assert_eq!(lab.control("principals", twin).await, 204);
    lab.write(
        "minimal.yaml",
        &with_entries(
            "      - { principal: \"group:AI developers\", role: Reader }\n      - { principal: \"user:nobody@contoso.com\", role: Reader }\n",
        ),
    );
    for command in [&["plan", "hubs"][..], &["apply", "--auto-approve", "hubs"][..]] {
        let run = lab.hubctl(command).await.expect(1);
        says(
            &run.stderr,
            &[
                "principal group:AI developers matches 2 objects",
                "7d2f6a0e-0000-0000-0000-000000000010",
                "7d2f6a0e-0000-0000-0000-000000000099",
            ],
        );
        assert!(
            run.stderr.contains("principal user:nobody@contoso.com: no user by that name"),
            "{}",
            run.stderr
        );
        // Where: file, line and field.
        assert!(run.stderr.contains("minimal.yaml:"), "{}", run.stderr);
        assert!(run.stderr.contains("spec.access.assignments[0].principal"), "{}", run.stderr);
    }
    assert!(lab.workspace("contoso-sandbox").await.is_none(), "nothing written");
    // A name and its own object id with the same role: one grant written twice.
    lab.write(
        "minimal.yaml",
        &with_entries(
            "      - { principal: \"user:alice@contoso.com\", role: Reader }\n      - { principal: 7d2f6a0e-0000-0000-0000-000000000030, principalType: user, role: Reader }\n",
        ),
    );
    let run = lab.hubctl(&["plan", "hubs"]).await.expect(1);
    says(
        &run.stderr,
        &[
            "user:alice@contoso.com and 7d2f6a0e-0000-0000-0000-000000000030 are the same principal, each granted Reader",
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_graph_permission_the_error_names_the_permission() {
    let lab = Lab::start_strict(|text| {
        text.replace(
            "    graphPermissions: [Directory.Read.All]\n",
            "    graphPermissions: [User.Read.All]\n",
        )
    })
    .await;
    // A user it may read; a group it may not.
    lab.write(
        "minimal.yaml",
        &with_entries("      - { principal: \"user:alice@contoso.com\", role: Reader }\n      - { principal: \"group:AI developers\", role: Reader }\n"),
    );
    let run = lab.hubctl(&["plan", "hubs"]).await.expect(1);
    says(
        &run.stderr,
        &["Authorization_RequestDenied", "GroupMember.Read.All", "group:AI developers"],
    );
    assert!(!run.stderr.contains("user:alice"), "alice resolved:\n{}", run.stderr);
    assert!(lab.workspace("contoso-sandbox").await.is_none());
}
