//! A program using hubctl-apply cannot apply a stale saved plan: a plan read from a file is
//! refused until `check_saved` has read live state again, and `check_saved` refuses one whose
//! hubs changed since — nothing is written in either case.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use hubctl_apply::{ApplyError, ApplyOptions, Silent, apply, check_saved, read};
use hubctl_client::ArmClient;
use hubctl_client::inventory;
use hubctl_emulator::Options;
use hubctl_plan::saved::{self, SavedPlanError};
use hubctl_plan::{Origin, Plan, PlanOptions};
use hubctl_test::arm;

async fn plan_now(client: &ArmClient, target: &str) -> Plan {
    let text = std::fs::read_to_string(hubctl_test::examples().join("hubs/minimal.yaml")).unwrap();
    let desired = hubctl_spec::load_str(Path::new("minimal.yaml"), &text).unwrap();
    let (live, _) = inventory::read(client, &read::for_manifests(&desired)).await.unwrap();
    let options = PlanOptions {
        target: target.into(),
        tool_version: "test".into(),
        ..PlanOptions::default()
    };
    hubctl_plan::plan(&desired, &live, &options)
}

async fn hub_exists(client: &ArmClient) -> bool {
    let workspaces = client.workspaces();
    let found = workspaces.get(hubctl_test::SUB, "rg-ai-platform", "contoso-sandbox").await;
    found.unwrap().is_some()
}

#[tokio::test]
async fn a_saved_plan_is_applied_only_once_checked_and_a_stale_one_never() {
    let emulator = arm::emulator(Options::default()).await;
    let client = arm::client(&emulator);
    let target = emulator.arm_endpoint();
    let options = ApplyOptions { allow_delete: false, ..ApplyOptions::default() };

    // Read from a file and not checked: refused, nothing written.
    let made = plan_now(&client, &target).await;
    assert_eq!(made.origin(), Origin::Made);
    let read_back = saved::from_text(&saved::to_text(&made)).unwrap();
    assert_eq!(read_back.origin(), Origin::Read);
    let refused = apply(&read_back, &client, &options, &Silent).await.unwrap_err();
    assert!(matches!(refused, ApplyError::UncheckedSavedPlan), "{refused}");
    assert!(!hub_exists(&client).await, "a refused plan wrote nothing");

    // Someone applies the same manifest meanwhile: the saved plan is stale.
    let report = apply(&plan_now(&client, &target).await, &client, &options, &Silent).await;
    assert!(report.unwrap().succeeded());
    let stale = check_saved(read_back, &client, &target).await.unwrap_err();
    match &stale {
        ApplyError::Saved(SavedPlanError::Stale { changed }) => {
            assert!(
                changed.iter().any(|k| k.ends_with("/workspaces/contoso-sandbox")),
                "{changed:?}"
            );
        }
        other => panic!("expected a stale plan, got {other}"),
    }

    // Made for another target: refused.
    let fresh = saved::from_text(&saved::to_text(&plan_now(&client, &target).await)).unwrap();
    let other = check_saved(fresh.clone(), &client, "https://management.azure.com").await;
    assert!(matches!(other, Err(ApplyError::Saved(SavedPlanError::OtherTarget { .. }))));

    // A fresh saved plan, checked, is applied (here: nothing left to do).
    let checked = check_saved(fresh, &client, &target).await.unwrap();
    assert_eq!(checked.origin(), Origin::Checked);
    assert!(apply(&checked, &client, &options, &Silent).await.unwrap().succeeded());
}
