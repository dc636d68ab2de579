# Foundry model deployments: only approved models, and each team under its capacity ceiling.
# Deployments belong to Foundry resource manifests (kind: Foundry, spec.deployments); a hub has
# none, so this passes hubs.
package main.deployments

import rego.v1

approved_models := {"gpt-4o", "gpt-4o-mini", "text-embedding-3-large"}

# Capacity (thousands of tokens per minute) a manifest may hold in all.
ceiling := 300

deny contains msg if {
	some d in input.manifest.spec.deployments
	not d.model.name in approved_models
	msg := sprintf("%s: deployment %s uses model %s, which is not approved", [input.manifest.metadata.name, d.name, d.model.name])
}

deny contains msg if {
	total := sum([d.sku.capacity | some d in input.manifest.spec.deployments])
	total > ceiling
	msg := sprintf("%s: deployments hold %d capacity in all; the ceiling is %d", [input.manifest.metadata.name, total, ceiling])
}
