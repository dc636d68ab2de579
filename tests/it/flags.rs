//! Global flags are typed values with their choices listed, HUBCTL_CLOUD is read in one place
//! with the same choices, and the flags that mean nothing to `hubctl emulator` stay out of its
//! help.

use crate::support::{examples, hubctl};

#[test]
fn cloud_auth_and_color_take_only_their_values_and_say_which() {
    for (flag, value, choices) in [
        ("--cloud", "mars", "public, china, usgov, local"),
        ("--auth", "password", "auto, client-secret, workload-identity"),
        ("--color", "sometimes", "auto, always, never"),
    ] {
        let out =
            hubctl().args(["plan", flag, value]).arg(examples().join("hubs")).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{flag}: {stderr}");
        assert!(stderr.contains(&format!("invalid value '{value}'")), "{stderr}");
        assert!(stderr.contains(choices), "{flag}: {stderr}");
    }
}

#[test]
fn hubctl_cloud_is_read_with_the_same_choices_and_empty_means_unset() {
    let run = |cloud: &str, command: &str| {
        let out =
            hubctl().env("HUBCTL_CLOUD", cloud).arg(command).arg(examples().join("hubs")).output();
        let out = out.unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (code, stderr) = run("mars", "plan");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("HUBCTL_CLOUD is \"mars\"") && stderr.contains("local"), "{stderr}");
    let (code, stderr) = run("", "validate");
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn the_emulators_help_shows_only_what_it_uses() {
    let out = hubctl().args(["emulator", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    for own in ["--listen", "--state", "--seed", "--fault-rate", "--verbose"] {
        assert!(help.contains(own), "{own} missing from:\n{help}");
    }
    for global in ["--cloud", "--auth", "--arm-endpoint", "--deadline", "--shard", "--color"] {
        assert!(!help.contains(global), "{global} in the emulator's help:\n{help}");
    }
    // Still the globals of every other command.
    let plan = hubctl().args(["plan", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&plan.stdout).contains("--cloud"));
}
