package main.outbound

import rego.v1

hub(rules) := {"manifest": {"metadata": {"name": "h"}, "spec": {"network": {"outboundRules": rules}}}, "changes": []}

test_listed_destinations_pass if {
	count(deny) == 0 with input as hub([{"name": "pypi", "fqdn": "pypi.org"}])
}

test_an_unlisted_destination_is_denied if {
	count(deny) == 1 with input as hub([{"name": "x", "fqdn": "exfiltrate.example.com"}])
}

test_private_endpoint_rules_are_not_fqdn_rules if {
	count(deny) == 0 with input as hub([{"name": "lake", "privateEndpoint": {"resource": "r", "subresource": "dfs"}}])
}

test_a_listed_wildcard_warns if {
	count(warn) == 1 with input as hub([{"name": "py", "fqdn": "*.pythonhosted.org"}])
}
