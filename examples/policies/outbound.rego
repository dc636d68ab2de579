# Approved outbound only: FQDN rules name destinations from the organisation's allow list;
# wildcard destinations are allowed when listed, with a warning to review them.
package main.outbound

import rego.v1

allowed := {
	"pypi.org", "*.pythonhosted.org", "files.pythonhosted.org",
	"conda.anaconda.org", "github.com", "*.blob.core.windows.net",
}

deny contains msg if {
	some rule in input.manifest.spec.network.outboundRules
	not lower(rule.fqdn) in allowed
	msg := sprintf("hub %s: outbound rule %s allows %s, which is not on the allow list", [input.manifest.metadata.name, rule.name, rule.fqdn])
}

warn contains msg if {
	some rule in input.manifest.spec.network.outboundRules
	startswith(rule.fqdn, "*.")
	msg := sprintf("hub %s: outbound rule %s allows a whole domain (%s)", [input.manifest.metadata.name, rule.name, rule.fqdn])
}
