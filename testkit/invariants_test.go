package testkit_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/store"
	"github.com/fakehetzner/fakehetzner/testkit"
)

func snapshotOf(t *testing.T, js string) store.Snapshot {
	t.Helper()
	var s store.Snapshot
	require.NoError(t, json.Unmarshal([]byte(js), &s))
	return s
}

func TestInvariantsCatchBrokenStates(t *testing.T) {
	ok := `{"version":1,"ids":{"ssh_key":3,"action":2,"placement_group":1},"projects":{
	  "a":{"ssh_keys":[{"id":1,"name":"x"},{"id":2,"name":"y"}],"actions":[{"id":1,"status":"success","finished":"2026-01-01T00:00:00Z"}],
	       "placement_groups":[{"id":1,"name":"pg","servers":[]}]},
	  "b":{"ssh_keys":[{"id":3,"name":"x"}],"actions":[{"id":2,"status":"success","finished":"2026-01-01T00:00:00Z"}]}}}`
	assert.Empty(t, testkit.Invariants{ActionsFinished: true}.Check(snapshotOf(t, ok)))

	for name, tc := range map[string]struct{ js, want string }{
		"id in two projects": {`{"version":1,"ids":{"ssh_key":3},"projects":{"a":{"ssh_keys":[{"id":1,"name":"x"}]},"b":{"ssh_keys":[{"id":1,"name":"y"}]}}}`, "id also used"},
		"id above counter":   {`{"version":1,"ids":{"ssh_key":1},"projects":{"a":{"ssh_keys":[{"id":2,"name":"x"}]}}}`, "above the id counter"},
		"name twice":         {`{"version":1,"ids":{"ssh_key":2},"projects":{"a":{"ssh_keys":[{"id":1,"name":"x"},{"id":2,"name":"x"}]}}}`, `name "x"`},
		"dangling reference": {`{"version":1,"ids":{"placement_group":1},"projects":{"a":{"placement_groups":[{"id":1,"name":"pg","servers":[99]}]}}}`, "refers to servers 99"},
		"IP twice":           {`{"version":1,"ids":{"primary_ip":2},"projects":{"a":{"primary_ips":[{"id":1,"name":"a","ip":"198.18.0.1"}]},"b":{"primary_ips":[{"id":2,"name":"b","ip":"198.18.0.1"}]}}}`, "IP 198.18.0.1"},
		"running action":     {`{"version":1,"ids":{"action":1},"projects":{"a":{"actions":[{"id":1,"status":"running"}]}}}`, "not finished"},
	} {
		t.Run(name, func(t *testing.T) {
			got := testkit.Invariants{ActionsFinished: true}.Check(snapshotOf(t, tc.js))
			require.NotEmpty(t, got)
			assert.True(t, strings.Contains(strings.Join(got, "\n"), tc.want), "%v", got)
		})
	}
}
