package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRestoreChecksZones: a snapshot with a broken zone is refused and changes nothing.
func TestRestoreChecksZones(t *testing.T) {
	p := newZoneTestProject(t)
	mustCreateZone(t, p, "example.com")
	_, err := p.LegacyCreateZone(LegacyZoneRequest{Name: "example.org"})
	require.NoError(t, err)
	s := p.store
	good := s.Snapshot()
	require.NoError(t, s.Restore(good))

	for name, breakIt := range map[string]func(ps *ProjectSnapshot){
		"apex NS without the assigned nameservers": func(ps *ProjectSnapshot) {
			r := ps.Zones[0].RRSets["@/NS"]
			r.Records = []Record{{Value: "ns1.example.net."}}
			ps.Zones[0].RRSets["@/NS"] = r
		},
		"rrset under the wrong key": func(ps *ProjectSnapshot) {
			ps.Zones[0].RRSets["www/A"] = ps.Zones[0].RRSets["@/SOA"]
		},
		"bad record value": func(ps *ProjectSnapshot) {
			ps.Zones[0].RRSets["www/A"] = rrsetState{RRSet: RRSet{ID: "www/A", Name: "www", Type: "A", Records: []Record{{Value: "x"}}}}
		},
		"zone name": func(ps *ProjectSnapshot) { ps.Zones[0].Name = "Not A Zone" },
		"legacy record without its zone": func(ps *ProjectSnapshot) {
			ps.LegacyDNS.Records[0].ZoneID = "missing"
		},
	} {
		t.Run(name, func(t *testing.T) {
			snap := s.Snapshot()
			ps := snap.Projects["zone-test"]
			ps.Zones = []zoneState{ps.Zones[0].clone()}
			ld := *ps.LegacyDNS
			ld.Records = append([]legacyRecordState{}, ld.Records...)
			ps.LegacyDNS = &ld
			breakIt(&ps)
			snap.Projects["zone-test"] = ps
			assert.Error(t, s.Restore(snap))
			after := s.Snapshot()
			after.Taken = good.Taken
			assert.Equal(t, good, after, "a refused snapshot changes nothing")
		})
	}
}
