package store

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

func newTestProject(t *testing.T) (*Store, *Project) {
	t.Helper()
	s := New(catalog.Default())
	return s, s.Project("test")
}

// checkInvariants asserts what must hold whatever happened: unique ids, names and addresses,
// and every reference between servers, primary IPs, placement groups and images valid.
func checkInvariants(t *testing.T, p *Project) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	names := map[string]bool{}
	for _, s := range p.servers.values() {
		assert.False(t, names[s.Name], "server name %s twice", s.Name)
		names[s.Name] = true
		if s.PlacementGroup != nil {
			_, ok := p.placementGroups.get(s.PlacementGroup.ID)
			assert.True(t, ok, "server %d in missing group", s.ID)
		}
	}
	addrs := map[string]bool{}
	perServer := map[string]bool{}
	for _, ip := range p.primaryIPs.values() {
		assert.False(t, addrs[ip.IP], "address %s twice", ip.IP)
		addrs[ip.IP] = true
		if ip.AssigneeID == nil {
			assert.Equal(t, AssigneeUnassigned, ip.AssigneeType)
			continue
		}
		assert.Equal(t, AssigneeServer, ip.AssigneeType)
		_, ok := p.servers.get(*ip.AssigneeID)
		assert.True(t, ok, "primary ip %d assigned to missing server %d", ip.ID, *ip.AssigneeID)
		key := fmt.Sprintf("%d/%s", *ip.AssigneeID, ip.Type)
		assert.False(t, perServer[key], "server has two %s", key)
		perServer[key] = true
	}
	for _, img := range p.ownImages.values() {
		if img.Type == catalog.ImageTypeBackup {
			_, ok := p.servers.get(*img.BoundTo)
			assert.True(t, ok, "backup %d bound to missing server", img.ID)
		}
	}
}

func createTestServer(t *testing.T, p *Project, name string) CreateServerResult {
	t.Helper()
	res, err := p.CreateServer(CreateServer{Name: name, ServerType: "cpx22", Image: "ubuntu-24.04"})
	require.NoError(t, err)
	return res
}

func TestParallelCreatesAndDeletesKeepInvariants(t *testing.T) {
	s, p := newTestProject(t)
	other := s.Project("other") // ids and addresses are unique across projects too
	pg, err := p.CreatePlacementGroup(CreatePlacementGroup{Name: "pg", Type: PlacementGroupTypeSpread})
	require.NoError(t, err)

	var wg sync.WaitGroup
	ids := make(chan int64, 400)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				proj := p
				if i%5 == 0 {
					proj = other
				}
				req := CreateServer{Name: fmt.Sprintf("w%d-%d", w, i), ServerType: "cpx22", Image: "ubuntu-24.04"}
				if i%3 == 0 && proj == p {
					req.PlacementGroup = &pg.PlacementGroup.ID // fails with placement_error when full
				}
				res, err := proj.CreateServer(req)
				if err == nil {
					ids <- res.Server.ID
				}
				if err == nil {
					// The same name again fails: uniqueness holds under contention.
					_, err = proj.CreateServer(CreateServer{Name: req.Name, ServerType: "cpx22", Image: "ubuntu-24.04"})
					assert.Error(t, err)
				} else {
					var se *Error
					require.ErrorAs(t, err, &se)
					assert.Equal(t, Code("placement_error"), se.Code, "only a full group refuses: %v", err)
				}
				if i%2 == 0 && res.Server.ID != 0 {
					s.Tick()
					if _, err := proj.DeleteServer(res.Server.ID); err != nil {
						var se *Error
						require.ErrorAs(t, err, &se)
						assert.Equal(t, CodeLocked, se.Code)
					}
				}
				_, _ = p.ListServers(ServerFilter{}, ListOptions{PerPage: 50})
			}
		}()
	}
	wg.Wait()
	close(ids)
	s.Tick()
	seen := map[int64]bool{}
	for id := range ids {
		assert.False(t, seen[id], "server id %d handed out twice", id)
		seen[id] = true
	}
	checkInvariants(t, p)
	checkInvariants(t, other)
	got, err := p.GetPlacementGroup(pg.PlacementGroup.ID)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(got.Servers), MaxServersPerPlacementGroup)

	// Addresses are unique across projects.
	all := map[string]bool{}
	for _, proj := range []*Project{p, other} {
		page, err := proj.ListPrimaryIPs(PrimaryIPFilter{}, ListOptions{PerPage: 50})
		require.NoError(t, err)
		for pageNo := 2; ; pageNo++ {
			for _, ip := range page.Items {
				assert.False(t, all[ip.IP], "address %s twice", ip.IP)
				all[ip.IP] = true
			}
			if page.Pagination.NextPage == nil {
				break
			}
			page, _ = proj.ListPrimaryIPs(PrimaryIPFilter{}, ListOptions{PerPage: 50, Page: pageNo})
		}
	}
}

func TestBadCreatesChangeNothing(t *testing.T) {
	s, p := newTestProject(t)
	createTestServer(t, p, "taken")
	s.Tick()
	before := s.Snapshot().Projects["test"]
	yes := true
	bad := map[string]CreateServer{
		"hostname":        {Name: "that_server_12", ServerType: "cpx22", Image: "ubuntu-24.04"},
		"server type":     {Name: "a", ServerType: "cpx999", Image: "ubuntu-24.04"},
		"image":           {Name: "a", ServerType: "cpx22", Image: "windows-95"},
		"arch":            {Name: "a", ServerType: "cax11", Image: IDOrName(fmt.Sprint(catalog.ImageIDUbuntu2404X86))},
		"location":        {Name: "a", ServerType: "cpx22", Image: "ubuntu-24.04", Location: "mars1"},
		"unsupported loc": {Name: "a", ServerType: "cpx22", Image: "ubuntu-24.04", Location: "ash"},
		"ssh key":         {Name: "a", ServerType: "cpx22", Image: "ubuntu-24.04", SSHKeys: []IDOrName{"nope"}},
		"network":         {Name: "a", ServerType: "cpx22", Image: "ubuntu-24.04", Networks: []int64{1}},
		"volume":          {Name: "a", ServerType: "cpx22", Image: "ubuntu-24.04", Volumes: []int64{1}},
		"firewall":        {Name: "a", ServerType: "cpx22", Image: "ubuntu-24.04", Firewalls: []CreateServerFirewall{{Firewall: 1}}},
		"placement group": {Name: "a", ServerType: "cpx22", Image: "ubuntu-24.04", PlacementGroup: new(int64)},
		"labels":          {Name: "a", ServerType: "cpx22", Image: "ubuntu-24.04", Labels: map[string]string{"hetzner.cloud/x": "y"}},
		"user data":       {Name: "a", ServerType: "cpx22", Image: "ubuntu-24.04", UserData: string(make([]byte, MaxUserDataBytes+1))},
		"automount":       {Name: "a", ServerType: "cpx22", Image: "ubuntu-24.04", Automount: &yes},
		"primary ip":      {Name: "a", ServerType: "cpx22", Image: "ubuntu-24.04", PublicNet: &CreateServerPublicNet{IPv4: new(int64)}},
		"deprecated img":  {Name: "a", ServerType: "cpx22", Image: "ubuntu-20.04"},
		"duplicate":       {Name: "taken", ServerType: "cpx22", Image: "ubuntu-24.04"},
	}
	for name, req := range bad {
		_, err := p.CreateServer(req)
		var se *Error
		require.ErrorAs(t, err, &se, name)
		want := CodeInvalidInput
		if name == "duplicate" {
			want = CodeUniquenessError
		}
		assert.Equal(t, want, se.Code, "%s: %v", name, err)
	}
	after := s.Snapshot().Projects["test"]
	a, _ := json.Marshal(before)
	b, _ := json.Marshal(after)
	assert.JSONEq(t, string(a), string(b), "refused creates change nothing")
}

func TestSnapshotRoundTripKeepsComputeState(t *testing.T) {
	s, p := newTestProject(t)
	pg, err := p.CreatePlacementGroup(CreatePlacementGroup{Name: "pg", Type: PlacementGroupTypeSpread})
	require.NoError(t, err)
	res, err := p.CreateServer(CreateServer{Name: "a", ServerType: "cpx22", Image: "ubuntu-24.04", PlacementGroup: &pg.PlacementGroup.ID})
	require.NoError(t, err)
	s.Tick()
	_, err = p.EnableBackup(res.Server.ID)
	require.NoError(t, err)
	s.Tick()
	_, err = p.CreateImage(res.Server.ID, CreateImageFromServer{Type: new(string)})
	assert.Error(t, err, "type \"\" is not a choice")
	backup := catalog.ImageTypeBackup
	_, err = p.CreateImage(res.Server.ID, CreateImageFromServer{Type: &backup})
	require.NoError(t, err)
	s.Tick()

	snap := s.Snapshot()
	raw, err := json.Marshal(snap)
	require.NoError(t, err)
	var back Snapshot
	require.NoError(t, json.Unmarshal(raw, &back))
	s2 := New(catalog.Default())
	require.NoError(t, s2.Restore(back))
	p2 := s2.Project("test")
	got, err := p2.GetServer(res.Server.ID)
	require.NoError(t, err)
	want, _ := p.GetServer(res.Server.ID)
	assert.Equal(t, want, got)
	// New addresses after a restore do not repeat restored ones.
	ip, err := p2.CreatePrimaryIP(CreatePrimaryIP{Name: "new", Type: IPTypeIPv4, Location: ptrTo(IDOrName("fsn1"))})
	require.NoError(t, err)
	assert.NotEqual(t, got.PublicNet.IPv4.IP, ip.PrimaryIP.IP)

	// A snapshot with a dangling reference is refused and changes nothing.
	broken := back
	ps := broken.Projects["test"]
	ps.Servers = nil
	broken.Projects = map[string]ProjectSnapshot{"test": ps}
	assert.Error(t, s2.Restore(broken))
	_, err = p2.GetServer(res.Server.ID)
	assert.NoError(t, err)
}

func ptrTo[T any](v T) *T { return &v }

func TestMetricsAreDeterministicAndBounded(t *testing.T) {
	s, p := newTestProject(t)
	res := createTestServer(t, p, "m")
	s.Tick()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	req := MetricsRequest{Types: []string{"cpu", "disk"}, Start: start.Format(time.RFC3339), End: start.Add(24 * time.Hour).Format(time.RFC3339)}
	m1, err := p.ServerMetrics(res.Server.ID, req)
	require.NoError(t, err)
	m2, _ := p.ServerMetrics(res.Server.ID, req)
	assert.Equal(t, m1, m2)
	assert.Len(t, m1.TimeSeries, 5)
	assert.LessOrEqual(t, len(m1.TimeSeries["cpu"].Values), 201)
	assert.EqualValues(t, 432, m1.Step)
	req.Step = "1"
	m3, err := p.ServerMetrics(res.Server.ID, req)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(m3.TimeSeries["cpu"].Values), 500)
	for _, v := range m3.TimeSeries["cpu"].Values {
		_, isString := v[1].(string)
		assert.True(t, isString)
	}
	for _, bad := range []MetricsRequest{
		{Types: []string{"cpu"}, Start: "yesterday", End: req.End},
		{Types: []string{"cpu"}, Start: req.End, End: req.Start},
		{Types: []string{"cpu"}, Start: req.Start, End: req.End, Step: "-5"},
		{Types: []string{"gpu"}, Start: req.Start, End: req.End},
	} {
		_, err := p.ServerMetrics(res.Server.ID, bad)
		var se *Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, CodeInvalidInput, se.Code)
	}
	_, err = p.ServerMetrics(999999, req)
	assert.Error(t, err)
}
