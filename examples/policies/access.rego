# No Owner or User Access Administrator through a manifest: those grants go through the
# organisation's privileged-access process, not a pull request.
package main.access

import rego.v1

# Built-in role names and their GUIDs (built-in-roles.md).
privileged := {
	"owner", "user access administrator",
	"8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
}

assignments contains [where, a] if {
	some a in input.manifest.spec.access.assignments
	where := "the hub"
}

assignments contains [where, a] if {
	some p in input.manifest.spec.projects
	some a in p.access.assignments
	where := sprintf("project %s", [p.name])
}

deny contains msg if {
	some [where, a] in assignments
	lower(a.role) in privileged
	msg := sprintf("hub %s: %s grants %s to %s; privileged roles are granted outside manifests", [input.manifest.metadata.name, where, a.role, a.principal])
}
