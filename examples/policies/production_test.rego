package main.production

import rego.v1

private_cmk := {"metadata": {"name": "p", "tags": {"environment": "production"}}, "spec": {
	"network": {"publicNetworkAccess": "disabled", "isolation": "privateWithApprovedOutbound"},
	"encryption": {"type": "customerManaged"},
}}

test_a_private_customer_managed_production_hub_passes if {
	count(deny) == 0 with input as {"manifest": private_cmk, "changes": []}
}

test_a_public_production_hub_is_denied if {
	public := json.patch(private_cmk, [
		{"op": "replace", "path": "/spec/network/publicNetworkAccess", "value": "enabled"},
		{"op": "replace", "path": "/spec/network/isolation", "value": "public"},
	])
	count(deny) == 2 with input as {"manifest": public, "changes": []}
}

test_microsoft_managed_keys_are_denied_in_production if {
	mmk := json.patch(private_cmk, [{"op": "replace", "path": "/spec/encryption/type", "value": "microsoftManaged"}])
	count(deny) == 1 with input as {"manifest": mmk, "changes": []}
}

test_a_sandbox_hub_may_be_public if {
	sandbox := {"metadata": {"name": "s", "tags": {"environment": "sandbox"}}, "spec": {
		"network": {"publicNetworkAccess": "enabled", "isolation": "public"},
		"encryption": {"type": "microsoftManaged"},
	}}
	count(deny) == 0 with input as {"manifest": sandbox, "changes": []}
}
