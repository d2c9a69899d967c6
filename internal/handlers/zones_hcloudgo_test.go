package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/testkit"
)

// zoneClient is hcloud-go v2.52.0 against the fake, polling actions every millisecond.
func zoneClient(srv *testkit.Server) *hcloud.Client {
	return hcloud.NewClient(hcloud.WithEndpoint(srv.URL), hcloud.WithToken(srv.Token),
		hcloud.WithHTTPClient(srv.HTTPClient()),
		hcloud.WithPollOpts(hcloud.PollOpts{BackoffFunc: hcloud.ConstantBackoff(time.Millisecond)}))
}

// TestHcloudGoZoneClient drives client.Zone as the CLI and Terraform do: create and wait,
// read back by name, manage records, export and re-import the zone file, delete.
func TestHcloudGoZoneClient(t *testing.T) {
	srv := testkit.New(t)
	client := zoneClient(srv)
	ctx := context.Background()

	created, _, err := client.Zone.Create(ctx, hcloud.ZoneCreateOpts{
		Name: "example.com", Mode: hcloud.ZoneModePrimary, TTL: hcloud.Ptr(600),
		Labels: map[string]string{"env": "test"},
		RRSets: []hcloud.ZoneCreateOptsRRSet{{Name: "www", Type: hcloud.ZoneRRSetTypeA,
			Records: []hcloud.ZoneRRSetRecord{{Value: "198.51.100.1", Comment: "web"}}}},
	})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, created.Action))
	assert.Equal(t, "create_zone", created.Action.Command)

	zone, _, err := client.Zone.GetByName(ctx, "example.com")
	require.NoError(t, err)
	require.NotNil(t, zone)
	assert.Equal(t, created.Zone.ID, zone.ID)
	assert.Equal(t, hcloud.ZoneModePrimary, zone.Mode)
	assert.Equal(t, 600, zone.TTL)
	assert.Equal(t, hcloud.ZoneStatusOk, zone.Status)
	assert.Equal(t, 5, zone.RecordCount)
	assert.Equal(t, []string{"hydrogen.ns.hetzner.com.", "oxygen.ns.hetzner.com.", "helium.ns.hetzner.de."}, zone.AuthoritativeNameservers.Assigned)
	assert.False(t, zone.AuthoritativeNameservers.DelegationLastCheck.IsZero())
	byID, _, err := client.Zone.GetByID(ctx, zone.ID)
	require.NoError(t, err)
	assert.Equal(t, zone, byID)
	missing, _, err := client.Zone.GetByName(ctx, "example.org")
	require.NoError(t, err)
	assert.Nil(t, missing, "not_found becomes nil, nil")

	protect, _, err := client.Zone.ChangeProtection(ctx, zone, hcloud.ZoneChangeProtectionOpts{Delete: hcloud.Ptr(true)})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, protect))
	_, _, err = client.Zone.Delete(ctx, zone)
	assert.True(t, hcloud.IsError(err, hcloud.ErrorCodeProtected), "%v", err)
	protect, _, err = client.Zone.ChangeProtection(ctx, zone, hcloud.ZoneChangeProtectionOpts{Delete: hcloud.Ptr(false)})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, protect))

	// Records: create, add (also to rrsets that do not exist yet, with literal * in the path),
	// update comments, remove, TTL.
	rr, _, err := client.Zone.CreateRRSet(ctx, zone, hcloud.ZoneRRSetCreateOpts{Name: "mail", Type: hcloud.ZoneRRSetTypeMX,
		TTL: hcloud.Ptr(300), Records: []hcloud.ZoneRRSetRecord{{Value: "10 mail.example.com."}}})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, rr.Action))
	assert.Equal(t, "mail/MX", rr.RRSet.ID)

	www := &hcloud.ZoneRRSet{Zone: zone, Name: "www", Type: hcloud.ZoneRRSetTypeA}
	act, _, err := client.Zone.AddRRSetRecords(ctx, www, hcloud.ZoneRRSetAddRecordsOpts{Records: []hcloud.ZoneRRSetRecord{{Value: "198.51.100.2"}}})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))
	wildcard := &hcloud.ZoneRRSet{Zone: zone, ID: "*/TXT"}
	act, _, err = client.Zone.AddRRSetRecords(ctx, wildcard, hcloud.ZoneRRSetAddRecordsOpts{
		Records: []hcloud.ZoneRRSetRecord{{Value: `"hello world"`}}, TTL: hcloud.Ptr(120)})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))
	act, _, err = client.Zone.UpdateRRSetRecords(ctx, www, hcloud.ZoneRRSetUpdateRecordsOpts{Records: []hcloud.ZoneRRSetRecord{{Value: "198.51.100.2", Comment: "second"}}})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))
	act, _, err = client.Zone.RemoveRRSetRecords(ctx, www, hcloud.ZoneRRSetRemoveRecordsOpts{Records: []hcloud.ZoneRRSetRecord{{Value: "198.51.100.1"}}})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))
	act, _, err = client.Zone.ChangeRRSetTTL(ctx, rr.RRSet, hcloud.ZoneRRSetChangeTTLOpts{TTL: nil})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))

	got, _, err := client.Zone.GetRRSetByNameAndType(ctx, zone, "www", hcloud.ZoneRRSetTypeA)
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, []hcloud.ZoneRRSetRecord{{Value: "198.51.100.2", Comment: "second"}}, got.Records)
	got, _, err = client.Zone.GetRRSetByID(ctx, zone, "*/TXT")
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, hcloud.Ptr(120), got.TTL)
	got, _, err = client.Zone.GetRRSetByNameAndType(ctx, zone, "mail", hcloud.ZoneRRSetTypeMX)
	require.NoError(t, err)
	assert.Nil(t, got.TTL)
	got, _, err = client.Zone.GetRRSetByNameAndType(ctx, zone, "nothing", hcloud.ZoneRRSetTypeA)
	require.NoError(t, err)
	assert.Nil(t, got)

	all, err := client.Zone.AllRRSetsWithOpts(ctx, zone, hcloud.ZoneRRSetListOpts{Type: []hcloud.ZoneRRSetType{hcloud.ZoneRRSetTypeA, hcloud.ZoneRRSetTypeTXT}})
	require.NoError(t, err)
	var ids []string
	for _, r := range all {
		ids = append(ids, r.ID)
	}
	assert.Equal(t, []string{"*/TXT", "www/A"}, ids)

	// Zone file: export, append a record, import, and find it.
	exported, _, err := client.Zone.ExportZonefile(ctx, zone)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(exported.Zonefile, "$ORIGIN\texample.com.\n"), exported.Zonefile)
	assert.Contains(t, exported.Zonefile, "*\tIN\t120\tTXT\t\"hello world\"\n")
	act, _, err = client.Zone.ImportZonefile(ctx, zone, hcloud.ZoneImportZonefileOpts{Zonefile: exported.Zonefile + "\nfoobar\tIN\tA\t192.168.0.2\n"})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))
	got, _, err = client.Zone.GetRRSetByNameAndType(ctx, zone, "foobar", hcloud.ZoneRRSetTypeA)
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Nil(t, got.TTL)
	got, _, err = client.Zone.GetRRSetByNameAndType(ctx, zone, "www", hcloud.ZoneRRSetTypeA)
	require.NoError(t, err)
	assert.Equal(t, []hcloud.ZoneRRSetRecord{{Value: "198.51.100.2", Comment: "second"}}, got.Records, "the import keeps what the export held")
	_, _, err = client.Zone.ImportZonefile(ctx, zone, hcloud.ZoneImportZonefileOpts{Zonefile: "www IN A 192.0.2\n"})
	assert.True(t, hcloud.IsError(err, hcloud.ErrorCodeInvalidInput), "%v", err)

	zones, err := client.Zone.AllWithOpts(ctx, hcloud.ZoneListOpts{Mode: hcloud.ZoneModePrimary, ListOpts: hcloud.ListOpts{LabelSelector: "env=test"}})
	require.NoError(t, err)
	require.Len(t, zones, 1)
	assert.Equal(t, 8, zones[0].RecordCount) // SOA, 3 NS, mail MX, www A, * TXT, foobar A

	zoneActions, err := client.Zone.Action.All(ctx, hcloud.ActionListOpts{})
	require.NoError(t, err)
	assert.NotEmpty(t, zoneActions)

	deleted, _, err := client.Zone.Delete(ctx, zone)
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, deleted.Action))
	gone, _, err := client.Zone.GetByName(ctx, "example.com")
	require.NoError(t, err)
	assert.Nil(t, gone)
}

// TestHcloudGoSecondaryZone: secondary zones keep their primaries, and rrset calls fail with
// incorrect_zone_mode.
func TestHcloudGoSecondaryZone(t *testing.T) {
	srv := testkit.New(t)
	client := zoneClient(srv)
	ctx := context.Background()
	created, _, err := client.Zone.Create(ctx, hcloud.ZoneCreateOpts{Name: "example.de", Mode: hcloud.ZoneModeSecondary,
		PrimaryNameservers: []hcloud.ZoneCreateOptsPrimaryNameserver{{Address: "198.51.100.53", TSIGAlgorithm: hcloud.ZoneTSIGAlgorithmHMACSHA256, TSIGKey: "c2VjcmV0"}}})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, created.Action))
	assert.Equal(t, []hcloud.ZonePrimaryNameserver{{Address: "198.51.100.53", Port: 53, TSIGAlgorithm: hcloud.ZoneTSIGAlgorithmHMACSHA256, TSIGKey: "c2VjcmV0"}}, created.Zone.PrimaryNameservers)

	_, err = client.Zone.AllRRSets(ctx, created.Zone)
	assert.True(t, hcloud.IsError(err, "incorrect_zone_mode"), "%v", err)
	act, _, err := client.Zone.ChangePrimaryNameservers(ctx, created.Zone, hcloud.ZoneChangePrimaryNameserversOpts{
		PrimaryNameservers: []hcloud.ZoneChangePrimaryNameserversOptsPrimaryNameserver{{Address: "2001:db8::53", Port: 5353}}})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, act))
	z, _, err := client.Zone.GetByID(ctx, created.Zone.ID)
	require.NoError(t, err)
	assert.Equal(t, []hcloud.ZonePrimaryNameserver{{Address: "2001:db8::53", Port: 5353}}, z.PrimaryNameservers)
}
