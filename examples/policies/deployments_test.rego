package main.deployments

import rego.v1

foundry(deployments) := {"manifest": {"metadata": {"name": "f"}, "spec": {"deployments": deployments}}, "changes": []}

test_approved_models_under_the_ceiling_pass if {
	count(deny) == 0 with input as foundry([
		{"name": "chat", "model": {"name": "gpt-4o"}, "sku": {"capacity": 100}},
		{"name": "embed", "model": {"name": "text-embedding-3-large"}, "sku": {"capacity": 50}},
	])
}

test_an_unapproved_model_is_denied if {
	count(deny) == 1 with input as foundry([{"name": "x", "model": {"name": "some-other-model"}, "sku": {"capacity": 1}}])
}

test_capacity_over_the_ceiling_is_denied if {
	count(deny) == 1 with input as foundry([
		{"name": "a", "model": {"name": "gpt-4o"}, "sku": {"capacity": 200}},
		{"name": "b", "model": {"name": "gpt-4o-mini"}, "sku": {"capacity": 200}},
	])
}

test_a_hub_without_deployments_passes if {
	count(deny) == 0 with input as {"manifest": {"metadata": {"name": "h"}, "spec": {}}, "changes": []}
}
