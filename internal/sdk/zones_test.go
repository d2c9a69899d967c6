package sdk_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
)

func TestZoneLifecycle(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	zones := client.Cloud().Zones()
	wait := func(a sdk.Action, err error) {
		t.Helper()
		require.NoError(t, err)
		require.NoError(t, client.Cloud().Actions().Wait(ctx, a))
	}

	created, err := zones.Create(ctx, sdk.ZoneCreateOpts{Name: "example.com", Mode: sdk.ZoneModePrimary, Labels: map[string]string{"env": "prod"},
		RRSets: []sdk.RRSetCreateOpts{{Name: "www", Type: "A", Records: []sdk.Record{{Value: "198.51.100.1"}}}}})
	require.NoError(t, err)
	assert.Equal(t, "create_zone", created.Action.Command)
	wait(created.Action, nil)

	byName, err := zones.Get(ctx, "example.com")
	require.NoError(t, err)
	byID, err := zones.Get(ctx, itoa(created.Zone.ID))
	require.NoError(t, err)
	assert.Equal(t, byName, byID)
	assert.Equal(t, 3600, byName.TTL)
	assert.Len(t, byName.AuthoritativeNameservers.Assigned, 3, "filled once create_zone finished")
	assert.Equal(t, 5, byName.RecordCount, "SOA, 3 NS and www")

	list, _, err := zones.List(ctx, sdk.ZoneListOpts{LabelSelector: sdk.Selector().Eq("env", "prod").String(), Mode: sdk.ZoneModePrimary})
	require.NoError(t, err)
	require.Len(t, list, 1)

	updated, err := zones.Update(ctx, "example.com", map[string]string{"env": "dev"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"env": "dev"}, updated.Labels)

	wait(zones.ChangeTTL(ctx, "example.com", 600))
	got, err := zones.Get(ctx, "example.com")
	require.NoError(t, err)
	assert.Equal(t, 600, got.TTL)

	_, err = zones.Create(ctx, sdk.ZoneCreateOpts{Name: "example.com", Mode: sdk.ZoneModePrimary})
	assert.ErrorIs(t, err, sdk.ErrUniqueness)

	wait(zones.ChangeProtection(ctx, "example.com", true))
	_, err = zones.Delete(ctx, "example.com")
	assert.ErrorIs(t, err, sdk.ErrProtected)
	wait(zones.ChangeProtection(ctx, "example.com", false))

	acts, _, err := zones.ListActions(ctx, "example.com", sdk.ActionListOpts{})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(acts), 4)

	wait(zones.Delete(ctx, "example.com"))
	_, err = zones.Get(ctx, "example.com")
	assert.ErrorIs(t, err, sdk.ErrNotFound)
}

func TestZonefileExportImport(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	zones := client.Cloud().Zones()
	created, err := zones.Create(ctx, sdk.ZoneCreateOpts{Name: "example.org", Mode: sdk.ZoneModePrimary})
	require.NoError(t, err)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, created.Action))

	text, err := zones.ExportZonefile(ctx, "example.org")
	require.NoError(t, err)
	assert.Contains(t, text, "$ORIGIN\texample.org.\n")
	assert.Contains(t, text, "SOA")

	act, err := zones.ImportZonefile(ctx, "example.org", text+"foobar\tIN\tA\t192.168.0.2 ; imported\n")
	require.NoError(t, err)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, act))
	rr, err := zones.RRSets("example.org").Get(ctx, "foobar", "A")
	require.NoError(t, err)
	assert.Nil(t, rr.TTL, "no TTL column: follows the zone")
	assert.Equal(t, []sdk.Record{{Value: "192.168.0.2", Comment: "imported"}}, rr.Records)

	_, err = zones.ImportZonefile(ctx, "example.org", "this is not a zone file")
	assert.ErrorIs(t, err, sdk.ErrInvalidInput)
}

func TestRRSets(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	created, err := client.Cloud().Zones().Create(ctx, sdk.ZoneCreateOpts{Name: "example.net", Mode: sdk.ZoneModePrimary})
	require.NoError(t, err)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, created.Action))
	rrsets := client.Cloud().Zones().RRSets(itoa(created.Zone.ID))
	wait := func(a sdk.Action, err error) {
		t.Helper()
		require.NoError(t, err)
		require.NoError(t, client.Cloud().Actions().Wait(ctx, a))
	}

	res, err := rrsets.Create(ctx, sdk.RRSetCreateOpts{Name: "www", Type: "A", TTL: sdk.Ptr(300),
		Records: []sdk.Record{{Value: "198.51.100.1", Comment: "web"}}, Labels: map[string]string{"app": "web"}})
	require.NoError(t, err)
	assert.Equal(t, "www/A", res.RRSet.ID)
	assert.Equal(t, created.Zone.ID, res.RRSet.Zone)
	wait(res.Action, nil)

	// @ and * go into the path literally.
	wait(rrsets.AddRecords(ctx, "*", "A", []sdk.Record{{Value: "198.51.100.9"}}, nil))
	wild, err := rrsets.Get(ctx, "*", "A")
	require.NoError(t, err)
	assert.Equal(t, "*", wild.Name)
	apex, err := rrsets.Get(ctx, "@", "SOA")
	require.NoError(t, err)
	assert.Equal(t, "@", apex.Name)

	wait(rrsets.AddRecords(ctx, "www", "A", []sdk.Record{{Value: "198.51.100.2"}}, nil))
	www, err := rrsets.Get(ctx, "www", "A")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"198.51.100.1", "198.51.100.2"}, values(www))
	require.NotNil(t, www.TTL)
	assert.Equal(t, 300, *www.TTL)

	wait(rrsets.UpdateRecords(ctx, "www", "A", []sdk.Record{{Value: "198.51.100.2", Comment: "second"}}))
	wait(rrsets.RemoveRecords(ctx, "www", "A", []sdk.Record{{Value: "198.51.100.1"}}))
	www, err = rrsets.Get(ctx, "www", "A")
	require.NoError(t, err)
	assert.Equal(t, []sdk.Record{{Value: "198.51.100.2", Comment: "second"}}, www.Records)

	wait(rrsets.SetRecords(ctx, "www", "A", []sdk.Record{{Value: "203.0.113.5"}, {Value: "203.0.113.6"}}))
	wait(rrsets.ChangeTTL(ctx, "www", "A", nil))
	www, err = rrsets.Get(ctx, "www", "A")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"203.0.113.5", "203.0.113.6"}, values(www))
	assert.Nil(t, www.TTL, "nil TTL follows the zone again")

	updated, err := rrsets.Update(ctx, "www", "A", map[string]string{"app": "api"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"app": "api"}, updated.Labels)

	var types []string
	for rr, err := range rrsets.All(ctx, sdk.RRSetListOpts{Types: []string{"A", "SOA"}, Sort: []string{"name"}}) {
		require.NoError(t, err)
		types = append(types, rr.ID)
	}
	assert.Equal(t, []string{"*/A", "@/SOA", "www/A"}, types)

	wait(rrsets.ChangeProtection(ctx, "www", "A", true))
	_, err = rrsets.Delete(ctx, "www", "A")
	assert.ErrorIs(t, err, sdk.ErrProtected)
	_, err = rrsets.SetRecords(ctx, "www", "A", []sdk.Record{{Value: "203.0.113.7"}})
	assert.ErrorIs(t, err, sdk.ErrProtected)
	wait(rrsets.ChangeProtection(ctx, "www", "A", false))
	wait(rrsets.Delete(ctx, "www", "A"))
	_, err = rrsets.Get(ctx, "www", "A")
	assert.ErrorIs(t, err, sdk.ErrNotFound)
}

func TestSecondaryZoneRejectsRecordOperations(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	zones := client.Cloud().Zones()
	created, err := zones.Create(ctx, sdk.ZoneCreateOpts{Name: "secondary.com", Mode: sdk.ZoneModeSecondary,
		PrimaryNameservers: []sdk.ZonePrimaryNameserver{{Address: "198.51.100.53"}}})
	require.NoError(t, err)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, created.Action))
	_, err = zones.ExportZonefile(ctx, "secondary.com")
	assert.ErrorIs(t, err, sdk.Code("incorrect_zone_mode"))

	act, err := zones.ChangePrimaryNameservers(ctx, "secondary.com", []sdk.ZonePrimaryNameserver{{Address: "198.51.100.54", Port: 5353}})
	require.NoError(t, err)
	require.NoError(t, client.Cloud().Actions().Wait(ctx, act))
	got, err := zones.Get(ctx, "secondary.com")
	require.NoError(t, err)
	require.Len(t, got.PrimaryNameservers, 1)
	assert.Equal(t, 5353, got.PrimaryNameservers[0].Port)
}

func values(rr sdk.RRSet) []string {
	var out []string
	for _, r := range rr.Records {
		out = append(out, r.Value)
	}
	return out
}
