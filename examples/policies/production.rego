# Production hubs are private and encrypted with the organisation's own key.
#
# A hub is production when its manifest tags it `environment: production`.
package main.production

import rego.v1

production if input.manifest.metadata.tags.environment == "production"

deny contains msg if {
	production
	input.manifest.spec.network.publicNetworkAccess != "disabled"
	msg := sprintf("hub %s is production: network.publicNetworkAccess must be disabled", [input.manifest.metadata.name])
}

deny contains msg if {
	production
	input.manifest.spec.network.isolation == "public"
	msg := sprintf("hub %s is production: network.isolation must be privateWithApprovedOutbound or privateWithInternetOutbound", [input.manifest.metadata.name])
}

deny contains msg if {
	production
	input.manifest.spec.encryption.type != "customerManaged"
	msg := sprintf("hub %s is production: encryption must be customerManaged", [input.manifest.metadata.name])
}
