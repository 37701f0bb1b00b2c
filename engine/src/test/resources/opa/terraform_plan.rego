# A policy written for `terraform show -json` plans, in the style of the Terraform examples of OPA and conftest:
# it reads only Terraform's fields (resource_changes[].address, mode, type, provider_name, change.actions,
# change.before, change.after) and names no meshform type. PlanJsonOpaIT runs it unchanged on meshform's plan JSON.
package terraform.analysis

import rego.v1

# Each action's weight in the blast radius; a replacement ("delete" then "create") counts both.
weights := {"create": 1, "update": 2, "delete": 10}

managed_changes := [rc | some rc in input.resource_changes; rc.mode == "managed"]

# Deleting anything needs a second reviewer.
deny contains msg if {
	some rc in managed_changes
	"delete" in rc.change.actions
	msg := sprintf("%s (%s from %s) would be deleted", [rc.address, rc.type, rc.provider_name])
}

# An update that changes a field from one value to another, named by its top-level key.
changed_keys contains sprintf("%s.%s", [rc.address, key]) if {
	some rc in managed_changes
	rc.change.actions == ["update"]
	some key, value in rc.change.after
	rc.change.before[key] != value
}

no_ops := count([rc | some rc in managed_changes; rc.change.actions == ["no-op"]])

score := sum([weights[a] | some rc in managed_changes; some a in rc.change.actions; weights[a]])

allow if {
	count(deny) == 0
	score < 30
}
