//! Permissions at plan time (issue 20), on the strict local cloud: the signed-in identity's
//! permissions are read where the plan writes, and what it cannot do is blocked before
//! anything is written — a Reader's every write, a Contributor's access changes — while a
//! grant under an ABAC condition is a warning, and a no-op plan reads no permissions.

use crate::lab::{Lab, says};
use crate::support::example;

/// The example seed with hubctl's identity holding `roles` (instead of Owner) at the
/// subscription, under strict auth; the lab's own reads sign in as an observer.
async fn lab_as(roles: &str) -> Lab {
    let owner = "  - scope: /subscriptions/00000000-0000-0000-0000-000000000001\n    principal: 11111111-0000-0000-0000-0000000000a1\n    role: Owner\n";
    let lab = Lab::start_strict(|text| {
        assert!(text.contains(owner), "the example seed grants hubctl Owner");
        text.replace(owner, roles)
    })
    .await;
    lab.write("minimal.yaml", &example("minimal.yaml"));
    lab
}

fn grant(role: &str, condition: Option<&str>) -> String {
    let mut text = format!(
        "  - scope: /subscriptions/00000000-0000-0000-0000-000000000001\n    principal: 11111111-0000-0000-0000-0000000000a1\n    role: {role}\n"
    );
    if let Some(condition) = condition {
        text.push_str(&format!("    condition: \"{condition}\"\n"));
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_readers_plan_is_blocked_and_its_apply_writes_nothing() {
    let lab = lab_as(&grant("Reader", None)).await;
    let plan = lab.hubctl(&["plan", "hubs"]).await.expect(3);
    for refused in [
        "lacks `Microsoft.MachineLearningServices/workspaces/write` at `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai-platform`",
        "lacks `Microsoft.Authorization/roleAssignments/write`",
        "roles that grant it: Contributor, Azure AI Administrator or Owner",
        "the signed-in identity 11111111-0000-0000-0000-0000000000a1",
    ] {
        assert!(plan.stdout.contains(refused), "{refused}:\n{}", plan.stdout);
    }
    assert!(!plan.stdout.contains("+ create"), "every write is refused:\n{}", plan.stdout);
    let apply = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(3);
    assert!(apply.stderr.contains("blocked"), "{}", apply.stderr);
    assert!(lab.workspace("contoso-sandbox").await.is_none(), "nothing written");
    assert_eq!(lab.requests("PUT workspaces"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contributors_access_changes_are_blocked_and_skip_blocked_makes_the_rest() {
    let lab = lab_as(&grant("Contributor", None)).await;
    let plan = lab.hubctl(&["plan", "hubs"]).await.expect(3);
    assert!(plan.stdout.contains("+ create hub contoso-sandbox"), "{}", plan.stdout);
    assert!(
        plan.stdout.contains("lacks `Microsoft.Authorization/roleAssignments/write`")
            && plan.stdout.contains(
                "User Access Administrator, Role Based Access Control Administrator or Owner"
            ),
        "{}",
        plan.stdout
    );
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(3);
    assert!(
        lab.workspace("contoso-sandbox").await.is_none(),
        "refused whole without --skip-blocked"
    );
    // Exit 3 still: something was refused and skipped.
    let apply = lab.hubctl(&["apply", "--auto-approve", "--skip-blocked", "hubs"]).await.expect(3);
    assert!(lab.workspace("contoso-sandbox").await.is_some(), "the hub is created");
    assert!(lab.workspace("sandbox-playground").await.is_some(), "and its project");
    assert!(lab.access("contoso-sandbox").await.is_empty(), "its access is not");
    assert!(
        apply.stdout.contains("skipped      blocked contoso-sandbox: Azure AI Developer"),
        "it says what it skipped:\n{}",
        apply.stdout
    );
    // What is left is the access, still refused.
    let again = lab.hubctl(&["plan", "hubs"]).await.expect(3);
    assert!(!again.stdout.contains("+ create hub"), "{}", again.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_converges_and_a_no_op_plan_reads_no_permissions() {
    let lab = lab_as(&grant("Owner", None)).await;
    lab.hubctl(&["plan", "hubs"]).await.expect(2);
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    let before = lab.requests("GET permissions");
    assert!(before > 0, "plans with changes read permissions");
    lab.hubctl(&["plan", "hubs"]).await.expect(0);
    assert_eq!(lab.requests("GET permissions"), before, "a no-op plan reads none");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conditioned_access_administrator_is_a_warning_not_a_block() {
    let condition = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {64702f94-c441-49e6-a78b-ef80e0188fee}))";
    let roles = format!(
        "{}{}",
        grant("Contributor", None),
        grant("Role Based Access Control Administrator", Some(condition))
    );
    let lab = lab_as(&roles).await;
    let plan = lab.hubctl(&["plan", "hubs"]).await.expect(2);
    assert!(
        plan.stdout.contains("could not decide") && plan.stdout.contains("ABAC condition"),
        "{}",
        plan.stdout
    );
    let skipped = lab.hubctl(&["plan", "--skip-permission-check", "hubs"]).await.expect(2);
    assert!(skipped.stdout.contains("--skip-permission-check"), "{}", skipped.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_held_on_the_hub_alone_is_read_there_and_counts() {
    // Contributor on the subscription, User Access Administrator on the sandbox hub only.
    let hub = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai-platform/providers/Microsoft.MachineLearningServices/workspaces/contoso-sandbox";
    let roles = format!(
        "{}  - scope: {hub}\n    principal: 11111111-0000-0000-0000-0000000000a1\n    role: User Access Administrator\n",
        grant("Contributor", None)
    );
    let lab = lab_as(&roles).await;
    // A new hub: its access is refused at the group (the hub's own role cannot be read yet).
    let group = |access: Vec<(String, String)>| {
        access.into_iter().filter(|(p, _)| p == "7d2f6a0e-0000-0000-0000-000000000010").count()
    };
    lab.hubctl(&["apply", "--auto-approve", "--skip-blocked", "hubs"]).await.expect(3);
    assert_eq!(group(lab.access("contoso-sandbox").await), 0);
    // The hub exists now: its own permissions are read, and they allow its access.
    let reads = lab.requests("GET permissions");
    let plan = lab.hubctl(&["plan", "hubs"]).await.expect(2);
    assert!(!plan.stdout.contains("lacks"), "{}", plan.stdout);
    assert_eq!(lab.requests("GET permissions"), reads + 2, "the group's, then the hub's");
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    assert_eq!(group(lab.access("contoso-sandbox").await), 1, "the group has its access");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deny_assignment_blocks_when_it_names_the_identity_and_warns_for_groups() {
    let deny = |principal: &str| {
        format!(
            "denyAssignments:\n  - scope: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai-platform\n    name: no-access-changes\n    actions: [\"Microsoft.Authorization/roleAssignments/write\", \"Microsoft.Authorization/roleAssignments/delete\"]\n    principals: [{principal}]\n"
        )
    };
    // Everyone is denied access changes: an Owner's access changes are refused at plan time.
    let roles = format!("{}{}", grant("Owner", None), deny("00000000-0000-0000-0000-000000000000"));
    let lab = lab_as(&roles).await;
    let plan = lab.hubctl(&["plan", "hubs"]).await.expect(3);
    says(
        &plan.stdout,
        &[
            "the deny assignment \"no-access-changes\" denies `Microsoft.Authorization/roleAssignments/write`",
            "+ create hub contoso-sandbox",
        ],
    );
    // The emulator enforces it as ARM would: without the check, the apply fails at the access.
    let apply =
        lab.hubctl(&["apply", "--auto-approve", "--skip-permission-check", "hubs"]).await.expect(1);
    says(&apply.stdout, &["AuthorizationFailed"]);
    // A group is denied: whether the identity is in it is not read — a warning.
    let roles = format!("{}{}", grant("Owner", None), deny("7d2f6a0e-0000-0000-0000-000000000010"));
    let lab = lab_as(&roles).await;
    let plan = lab.hubctl(&["plan", "hubs"]).await.expect(2);
    says(&plan.stdout, &["denies `Microsoft.Authorization/roleAssignments/write` to groups"]);
}

/// The Foundry model's actions (issue 14): a Cognitive Services Contributor may create the
/// account and its projects but not grant access; a Reader may write nothing; purging a
/// soft-deleted account is a permission the group's answer cannot settle (it needs the
/// subscription), so it is a warning.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foundry_changes_are_checked_against_their_cognitive_services_actions() {
    let foundry =
        std::fs::read_to_string(crate::support::examples().join("foundry/minimal.yaml")).unwrap();
    let lab = lab_as(&grant("Reader", None)).await;
    lab.remove("minimal.yaml");
    lab.write("foundry.yaml", &foundry);
    let plan = lab.hubctl(&["plan", "hubs"]).await.expect(3);
    says(
        &plan.stdout,
        &[
            "lacks `Microsoft.CognitiveServices/accounts/write`",
            "lacks `Microsoft.CognitiveServices/accounts/projects/write`",
            "Cognitive Services Contributor",
        ],
    );
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(3);
    assert_eq!(lab.requests("PUT accounts"), 0, "nothing written");

    let lab = lab_as(&grant("Cognitive Services Contributor", None)).await;
    lab.remove("minimal.yaml");
    lab.write("foundry.yaml", &foundry);
    let plan = lab.hubctl(&["plan", "hubs"]).await.expect(3);
    says(
        &plan.stdout,
        &[
            "+ create Foundry resource contoso-foundry-sandbox",
            "lacks `Microsoft.Authorization/roleAssignments/write`",
        ],
    );
    let applied =
        lab.hubctl(&["apply", "--auto-approve", "--skip-blocked", "hubs"]).await.expect(3);
    says(&format!("{}{}", applied.stdout, applied.stderr), &["skipped"]);
    let account = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai-platform/providers/Microsoft.CognitiveServices/accounts/contoso-foundry-sandbox";
    assert!(lab.get(account, "2025-06-01").await.is_some(), "the account was created");
}
