package main.access

import rego.v1

hub(assignments, projects) := {"manifest": {"metadata": {"name": "h"}, "spec": {"access": {"assignments": assignments}, "projects": projects}}, "changes": []}

test_a_developer_grant_passes if {
	count(deny) == 0 with input as hub([{"principal": "g", "role": "Azure AI Developer"}], [])
}

test_owner_at_the_hub_is_denied if {
	count(deny) == 1 with input as hub([{"principal": "g", "role": "Owner"}], [])
}

test_user_access_administrator_by_guid_in_a_project_is_denied if {
	project := {"name": "p", "access": {"assignments": [{"principal": "g", "role": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"}]}}
	count(deny) == 1 with input as hub([], [project])
}
