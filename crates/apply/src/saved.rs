//! A saved plan is applied only after it is checked against live state: the same hubs read
//! again, their fingerprints compared with the plan's (hubctl_plan::saved), and the target
//! compared with the plan's. [`crate::apply`] refuses a plan read from a file that did not pass
//! here, so a program using this crate cannot apply a stale plan by mistake.

use hubctl_client::ArmClient;
use hubctl_client::inventory;
use hubctl_plan::Plan;

use crate::ApplyError;
use crate::read::for_saved_plan;

/// Read again what `saved` was made from and check it: made for `target` (the ARM endpoint
/// this run uses) and nothing it read has changed since. Returns the plan, now applicable.
pub async fn check_saved(
    saved: Plan,
    client: &ArmClient,
    target: &str,
) -> Result<Plan, ApplyError> {
    let (live, _) = inventory::read(client, &for_saved_plan(&saved)).await?;
    let fresh = hubctl_plan::digest::fingerprints(&live);
    Ok(hubctl_plan::saved::check(saved, target, &fresh)?)
}
