package sdk_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
	"github.com/fakehetzner/fakehetzner/testkit"
)

// newNetwork creates a network with cloud subnets of the given ranges in eu-central, the
// network zone of hel1, where createServer puts servers.
func newNetwork(t *testing.T, client *sdk.Client, name, ipRange string, subnets ...string) sdk.Network {
	t.Helper()
	opts := sdk.NetworkCreateOpts{Name: name, IPRange: ipRange}
	for _, s := range subnets {
		opts.Subnets = append(opts.Subnets, sdk.NetworkSubnetOpts{Type: sdk.NetworkSubnetTypeCloud, NetworkZone: "eu-central", IPRange: s})
	}
	n, err := client.Cloud().Networks().Create(context.Background(), opts)
	require.NoError(t, err)
	return n
}

// waiter returns a function that waits for the action a facade call returned.
func waiter(t *testing.T, client *sdk.Client) func(sdk.Action, error) sdk.Action {
	return func(a sdk.Action, err error) sdk.Action {
		t.Helper()
		require.NoError(t, err)
		require.NoError(t, client.Cloud().Actions().Wait(context.Background(), a))
		return a
	}
}

// requireNetErr checks that err is the API's answer with this code and status and, for
// invalid_input and uniqueness_error, that it names field.
func requireNetErr(t *testing.T, err error, code sdk.Code, status int, field string) *sdk.Error {
	t.Helper()
	var apiErr *sdk.Error
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, code)
	assert.Equal(t, status, apiErr.StatusCode)
	if field != "" {
		var names []string
		for _, f := range apiErr.Details.Fields {
			names = append(names, f.Name)
		}
		assert.Contains(t, names, field)
	}
	return apiErr
}

func memberIDs(ms []sdk.NetworkMember) []int64 {
	out := []int64{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func TestNetworkLifecycle(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, []testkit.Option{testkit.WithTimeSource(frozenWall)}, tinyPolls)
	networks := client.Cloud().Networks()
	wait := waiter(t, client)

	n, err := networks.Create(ctx, sdk.NetworkCreateOpts{
		Name: "backend", IPRange: "10.0.0.0/16", Labels: map[string]string{"env": "prod"},
		Subnets: []sdk.NetworkSubnetOpts{{Type: sdk.NetworkSubnetTypeCloud, NetworkZone: "eu-central", IPRange: "10.0.1.0/24"}},
		Routes:  []sdk.NetworkRoute{{Destination: "10.100.0.0/16", Gateway: "10.0.1.1"}},
	})
	require.NoError(t, err)
	assert.Equal(t, sdk.Network{
		ID: n.ID, Name: "backend", IPRange: "10.0.0.0/16",
		Subnets: []sdk.NetworkSubnet{{Type: sdk.NetworkSubnetTypeCloud, IPRange: "10.0.1.0/24", NetworkZone: "eu-central",
			Gateway: "10.0.0.1"}}, // the first IP of the network, not of the subnet
		Routes:  []sdk.NetworkRoute{{Destination: "10.100.0.0/16", Gateway: "10.0.1.1"}},
		Servers: []int64{}, LoadBalancers: []int64{}, Labels: map[string]string{"env": "prod"}, Created: n.Created,
	}, n)
	assert.True(t, frozenWall().Equal(n.Created), "created %v", n.Created)
	got, err := networks.Get(ctx, n.ID)
	require.NoError(t, err)
	assert.Equal(t, n, got)

	front := newNetwork(t, client, "frontend", "10.1.0.0/16")
	_, err = networks.Update(ctx, front.ID, sdk.NetworkUpdateOpts{Labels: map[string]string{"env": "dev"}})
	require.NoError(t, err)
	byName, pg, err := networks.List(ctx, sdk.NetworkListOpts{Name: "backend"})
	require.NoError(t, err)
	require.Len(t, byName, 1)
	assert.Equal(t, n.ID, byName[0].ID)
	assert.Equal(t, 1, pg.TotalEntries)
	names := func(opts sdk.NetworkListOpts) []string {
		var out []string
		for nw, err := range networks.All(ctx, opts) {
			require.NoError(t, err)
			out = append(out, nw.Name)
		}
		return out
	}
	assert.Equal(t, []string{"backend"}, names(sdk.NetworkListOpts{LabelSelector: sdk.Selector().Eq("env", "prod").String()}))
	assert.Equal(t, []string{"frontend", "backend"}, names(sdk.NetworkListOpts{Sort: []string{"name:desc"}}))

	updated, err := networks.Update(ctx, n.ID, sdk.NetworkUpdateOpts{Name: "backend-1", ExposeRoutesToVSwitch: sdk.Ptr(true)})
	require.NoError(t, err)
	assert.Equal(t, "backend-1", updated.Name)
	assert.True(t, updated.ExposeRoutesToVSwitch)
	assert.Equal(t, map[string]string{"env": "prod"}, updated.Labels, "nil Labels keeps them")

	act := wait(networks.AddSubnet(ctx, n.ID, sdk.NetworkSubnetOpts{Type: sdk.NetworkSubnetTypeCloud, NetworkZone: "us-east"}))
	assert.Equal(t, "add_subnet", act.Command)
	assert.Equal(t, []sdk.ActionResource{{ID: n.ID, Type: "network"}}, act.Resources)
	got, err = networks.Get(ctx, n.ID)
	require.NoError(t, err)
	require.Len(t, got.Subnets, 2)
	assert.Equal(t, sdk.NetworkSubnet{Type: sdk.NetworkSubnetTypeCloud, IPRange: "10.0.0.0/24", NetworkZone: "us-east", Gateway: "10.0.0.1"},
		got.Subnets[1], "without ip_range: the first free /24")

	wait(networks.AddRoute(ctx, n.ID, sdk.NetworkRoute{Destination: "10.200.0.0/16", Gateway: "10.0.1.5"}))
	wait(networks.DeleteRoute(ctx, n.ID, sdk.NetworkRoute{Destination: "10.100.0.0/16", Gateway: "10.0.1.1"}))
	wait(networks.DeleteSubnet(ctx, n.ID, "10.0.0.0/24"))
	wait(networks.ChangeIPRange(ctx, n.ID, "10.0.0.0/15"))
	got, err = networks.Get(ctx, n.ID)
	require.NoError(t, err)
	assert.Equal(t, []sdk.NetworkRoute{{Destination: "10.200.0.0/16", Gateway: "10.0.1.5"}}, got.Routes)
	assert.Equal(t, []string{"10.0.1.0/24"}, []string{got.Subnets[0].IPRange})
	assert.Len(t, got.Subnets, 1)
	assert.Equal(t, "10.0.0.0/15", got.IPRange)

	wait(networks.ChangeProtection(ctx, n.ID, true))
	got, err = networks.Get(ctx, n.ID)
	require.NoError(t, err)
	assert.True(t, got.Protection.Delete)
	requireNetErr(t, networks.Delete(ctx, n.ID), sdk.ErrProtected, 423, "")
	wait(networks.ChangeProtection(ctx, n.ID, false))

	acts, _, err := networks.ListActions(ctx, n.ID, sdk.ActionListOpts{Sort: []string{"id"}})
	require.NoError(t, err)
	var commands []string
	for _, a := range acts {
		commands = append(commands, a.Command)
		assert.Equal(t, sdk.ActionStatusSuccess, a.Status)
	}
	assert.Equal(t, []string{"add_subnet", "add_route", "delete_route", "delete_subnet", "change_ip_range",
		"change_protection", "change_protection"}, commands)

	require.NoError(t, networks.Delete(ctx, n.ID))
	_, err = networks.Get(ctx, n.ID)
	requireNetErr(t, err, sdk.ErrNotFound, 404, "")
	assert.Equal(t, []string{"frontend"}, names(sdk.NetworkListOpts{}))
}

func TestServersInNetworks(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	networks, servers := client.Cloud().Networks(), client.Cloud().Servers()
	wait := waiter(t, client)
	n := newNetwork(t, client, "n", "10.0.0.0/16", "10.0.1.0/24")

	// Attached at create.
	web := createServer(t, client, "web", func(o *sdk.ServerCreateOpts) { o.Networks = []int64{n.ID} }).Server
	require.Len(t, web.PrivateNet, 1)
	assert.Equal(t, n.ID, web.PrivateNet[0].Network)
	assert.Equal(t, "10.0.1.2", web.PrivateNet[0].IP, "the first address after the subnet's gateway slot")
	assert.Equal(t, []string{}, web.PrivateNet[0].AliasIPs)
	assert.Regexp(t, `^86:00:00(:[0-9a-f]{2}){3}$`, web.PrivateNet[0].MACAddress)

	// Attached later, with a chosen address and aliases.
	db := createServer(t, client, "db").Server
	assert.Empty(t, db.PrivateNet)
	act := wait(servers.AttachToNetwork(ctx, db.ID, sdk.ServerAttachOpts{Network: n.ID, IP: "10.0.1.10", IPRange: "10.0.1.0/24",
		AliasIPs: []string{"10.0.1.11"}}))
	assert.Equal(t, "attach_to_network", act.Command)
	assert.Equal(t, []sdk.ActionResource{{ID: db.ID, Type: "server"}, {ID: n.ID, Type: "network"}}, act.Resources)
	db, err := servers.Get(ctx, db.ID)
	require.NoError(t, err)
	require.Len(t, db.PrivateNet, 1)
	assert.Equal(t, sdk.ServerPrivateNet{Network: n.ID, IP: "10.0.1.10", AliasIPs: []string{"10.0.1.11"},
		MACAddress: db.PrivateNet[0].MACAddress}, db.PrivateNet[0])
	assert.NotEqual(t, web.PrivateNet[0].MACAddress, db.PrivateNet[0].MACAddress)
	got, err := networks.Get(ctx, n.ID)
	require.NoError(t, err)
	assert.Equal(t, []int64{web.ID, db.ID}, got.Servers)

	aliases := func(id int64) []string {
		s, err := servers.Get(ctx, id)
		require.NoError(t, err)
		require.Len(t, s.PrivateNet, 1)
		return s.PrivateNet[0].AliasIPs
	}
	act = wait(servers.ChangeAliasIPs(ctx, db.ID, n.ID, []string{"10.0.1.11", "10.0.1.12"}))
	assert.Equal(t, "change_alias_ips", act.Command)
	assert.Equal(t, []string{"10.0.1.11", "10.0.1.12"}, aliases(db.ID))
	wait(servers.ChangeAliasIPs(ctx, db.ID, n.ID, nil))
	assert.Equal(t, []string{}, aliases(db.ID), "nil removes every alias")
	wait(servers.ChangeAliasIPs(ctx, db.ID, n.ID, []string{"10.0.1.12"}))

	// Members, filtered and sorted.
	members, _, err := networks.ListMembers(ctx, n.ID, sdk.NetworkMemberListOpts{Sort: []string{"ip:desc"}})
	require.NoError(t, err)
	assert.Equal(t, []sdk.NetworkMember{
		{Type: "server", ID: db.ID, IP: "10.0.1.10", AliasIPs: []string{"10.0.1.12"}, Subnet: "10.0.1.0/24", Status: sdk.NetworkMemberStatusOK},
		{Type: "server", ID: web.ID, IP: "10.0.1.2", AliasIPs: []string{}, Subnet: "10.0.1.0/24", Status: sdk.NetworkMemberStatusOK},
	}, members)
	list := func(opts sdk.NetworkMemberListOpts) []int64 {
		ms, _, err := networks.ListMembers(ctx, n.ID, opts)
		require.NoError(t, err)
		return memberIDs(ms)
	}
	assert.Equal(t, []int64{web.ID, db.ID}, list(sdk.NetworkMemberListOpts{Types: []string{"server"},
		Subnets: []string{"10.0.1.0/24"}, Statuses: []sdk.NetworkMemberStatus{sdk.NetworkMemberStatusOK}}))
	assert.Empty(t, list(sdk.NetworkMemberListOpts{Types: []string{"load_balancer"}}))
	assert.Empty(t, list(sdk.NetworkMemberListOpts{Subnets: []string{"10.0.2.0/24"}}))
	assert.Empty(t, list(sdk.NetworkMemberListOpts{Statuses: []sdk.NetworkMemberStatus{sdk.NetworkMemberStatusAttaching}}))

	act = wait(servers.DetachFromNetwork(ctx, db.ID, n.ID))
	assert.Equal(t, "detach_from_network", act.Command)
	db, err = servers.Get(ctx, db.ID)
	require.NoError(t, err)
	assert.Empty(t, db.PrivateNet)
	got, err = networks.Get(ctx, n.ID)
	require.NoError(t, err)
	assert.Equal(t, []int64{web.ID}, got.Servers)

	// The network's actions include those of its servers.
	acts, _, err := networks.ListActions(ctx, n.ID, sdk.ActionListOpts{Sort: []string{"id"}})
	require.NoError(t, err)
	var commands []string
	for _, a := range acts {
		commands = append(commands, a.Command)
	}
	assert.Contains(t, commands, "attach_to_network")
	assert.Contains(t, commands, "detach_from_network")

	// Deleting the network detaches the rest.
	require.NoError(t, networks.Delete(ctx, n.ID))
	web, err = servers.Get(ctx, web.ID)
	require.NoError(t, err)
	assert.Empty(t, web.PrivateNet)
}

// Every error the fake answers for networks and the server actions on them reaches the caller
// as an *Error with its code, status and (for invalid_input) the field.
func TestNetworkErrors(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	networks, servers := client.Cloud().Networks(), client.Cloud().Servers()
	wait := waiter(t, client)

	n := newNetwork(t, client, "n", "10.0.0.0/16", "10.0.1.0/24")
	other := newNetwork(t, client, "other", "10.2.0.0/16", "10.2.0.0/24")     // beside n
	wide := newNetwork(t, client, "wide", "10.0.0.0/8", "10.9.0.0/24")        // overlaps n
	tiny := newNetwork(t, client, "tiny", "192.168.0.0/24", "192.168.0.0/30") // room for one server
	guarded := newNetwork(t, client, "guarded", "172.16.0.0/16")
	wait(networks.ChangeProtection(ctx, guarded.ID, true))
	web := createServer(t, client, "web", func(o *sdk.ServerCreateOpts) { o.Networks = []int64{n.ID, other.ID} }).Server
	createServer(t, client, "filler", func(o *sdk.ServerCreateOpts) { o.Networks = []int64{tiny.ID} })
	db := createServer(t, client, "db").Server

	cloudSubnet := func(ipRange string) sdk.NetworkSubnetOpts {
		return sdk.NetworkSubnetOpts{Type: sdk.NetworkSubnetTypeCloud, NetworkZone: "eu-central", IPRange: ipRange}
	}
	createNet := func(opts sdk.NetworkCreateOpts) error { _, err := networks.Create(ctx, opts); return err }
	attach := func(server int64, opts sdk.ServerAttachOpts) error {
		_, err := servers.AttachToNetwork(ctx, server, opts)
		return err
	}
	createIn := func(location string, nets ...int64) error {
		serverType := "cpx22"
		if location == "ash" {
			serverType = "cpx11" // cpx22 is not sold there
		}
		_, err := servers.Create(ctx, sdk.ServerCreateOpts{Name: "new", ServerType: serverType, Image: "ubuntu-24.04",
			Location: location, Networks: nets})
		return err
	}
	members := func(id int64, opts sdk.NetworkMemberListOpts) error {
		_, _, err := networks.ListMembers(ctx, id, opts)
		return err
	}

	for _, c := range []struct {
		name   string
		err    error
		code   sdk.Code
		status int
		field  string
	}{
		{"public range", createNet(sdk.NetworkCreateOpts{Name: "x", IPRange: "8.8.0.0/16"}), sdk.ErrInvalidInput, 422, "ip_range"},
		{"range below /24", createNet(sdk.NetworkCreateOpts{Name: "x", IPRange: "10.5.0.0/25"}), sdk.ErrInvalidInput, 422, "ip_range"},
		{"name taken", createNet(sdk.NetworkCreateOpts{Name: "n", IPRange: "10.5.0.0/16"}), sdk.ErrUniqueness, 409, "name"},
		{"unknown vswitch", createNet(sdk.NetworkCreateOpts{Name: "x", IPRange: "10.5.0.0/16", Subnets: []sdk.NetworkSubnetOpts{
			{Type: sdk.NetworkSubnetTypeVSwitch, NetworkZone: "eu-central", IPRange: "10.5.1.0/24", VSwitchID: 42}}}),
			sdk.ErrServiceError, 422, ""},
		{"get unknown", errOf(networks.Get(ctx, 999999)), sdk.ErrNotFound, 404, ""},
		{"update unknown", errOf(networks.Update(ctx, 999999, sdk.NetworkUpdateOpts{Name: "x"})), sdk.ErrNotFound, 404, ""},
		{"rename to a taken name", errOf(networks.Update(ctx, wide.ID, sdk.NetworkUpdateOpts{Name: "n"})), sdk.ErrUniqueness, 409, "name"},
		{"delete protected", networks.Delete(ctx, guarded.ID), sdk.ErrProtected, 423, ""},
		{"delete unknown", networks.Delete(ctx, 999999), sdk.ErrNotFound, 404, ""},
		{"overlapping subnet", errOf(networks.AddSubnet(ctx, n.ID, cloudSubnet("10.0.1.128/25"))), sdk.ErrInvalidInput, 422, "ip_range"},
		{"subnet outside the range", errOf(networks.AddSubnet(ctx, n.ID, cloudSubnet("10.7.0.0/24"))), sdk.ErrInvalidInput, 422, "ip_range"},
		{"unknown network zone", errOf(networks.AddSubnet(ctx, n.ID, sdk.NetworkSubnetOpts{Type: sdk.NetworkSubnetTypeCloud,
			NetworkZone: "moon"})), sdk.ErrInvalidInput, 422, "network_zone"},
		{"subnet of unknown network", errOf(networks.AddSubnet(ctx, 999999, cloudSubnet(""))), sdk.ErrNotFound, 404, ""},
		{"delete unknown subnet", errOf(networks.DeleteSubnet(ctx, n.ID, "10.0.99.0/24")), sdk.ErrNotFound, 404, ""},
		{"delete subnet in use", errOf(networks.DeleteSubnet(ctx, n.ID, "10.0.1.0/24")), sdk.ErrServiceError, 422, ""},
		{"route via the network gateway", errOf(networks.AddRoute(ctx, n.ID, sdk.NetworkRoute{Destination: "10.100.0.0/16",
			Gateway: "10.0.0.1"})), sdk.ErrInvalidInput, 422, "gateway"},
		{"route to a public range", errOf(networks.AddRoute(ctx, n.ID, sdk.NetworkRoute{Destination: "8.8.8.0/24",
			Gateway: "10.0.1.5"})), sdk.ErrInvalidInput, 422, "destination"},
		{"delete unknown route", errOf(networks.DeleteRoute(ctx, n.ID, sdk.NetworkRoute{Destination: "10.100.0.0/16",
			Gateway: "10.0.1.5"})), sdk.ErrNotFound, 404, ""},
		{"shrink the range", errOf(networks.ChangeIPRange(ctx, n.ID, "10.0.0.0/20")), sdk.ErrInvalidInput, 422, "ip_range"},
		{"grow over a member's other network", errOf(networks.ChangeIPRange(ctx, n.ID, "10.0.0.0/14")),
			sdk.Code("networks_overlap"), 422, ""},
		{"members of unknown network", members(999999, sdk.NetworkMemberListOpts{}), sdk.ErrNotFound, 404, ""},
		{"members by a bad subnet", members(n.ID, sdk.NetworkMemberListOpts{Subnets: []string{"nope"}}), sdk.ErrInvalidInput, 422, "subnet"},

		{"attach twice", attach(web.ID, sdk.ServerAttachOpts{Network: n.ID}), sdk.Code("server_already_attached"), 422, ""},
		{"attach on a taken IP", attach(db.ID, sdk.ServerAttachOpts{Network: n.ID, IP: "10.0.1.2"}), sdk.Code("ip_not_available"), 422, ""},
		{"attach on the broadcast IP", attach(db.ID, sdk.ServerAttachOpts{Network: n.ID, IP: "10.0.1.255"}),
			sdk.Code("ip_not_available"), 422, ""},
		{"attach with a taken alias", attach(db.ID, sdk.ServerAttachOpts{Network: n.ID, AliasIPs: []string{"10.0.1.2"}}),
			sdk.Code("ip_not_available"), 422, ""},
		{"attach on an IP in no subnet", attach(db.ID, sdk.ServerAttachOpts{Network: n.ID, IP: "10.0.2.5"}),
			sdk.Code("no_subnet_available"), 422, ""},
		{"attach to a range that is no subnet", attach(db.ID, sdk.ServerAttachOpts{Network: n.ID, IPRange: "10.0.5.0/24"}),
			sdk.Code("no_subnet_available"), 422, ""},
		{"attach to a full subnet", attach(db.ID, sdk.ServerAttachOpts{Network: tiny.ID}), sdk.Code("no_subnet_available"), 422, ""},
		{"attach to an overlapping network", attach(web.ID, sdk.ServerAttachOpts{Network: wide.ID}), sdk.Code("networks_overlap"), 422, ""},
		{"attach to unknown network", attach(db.ID, sdk.ServerAttachOpts{Network: 999999}), sdk.ErrNotFound, 404, ""},
		{"attach unknown server", attach(999999, sdk.ServerAttachOpts{Network: n.ID}), sdk.ErrNotFound, 404, ""},
		{"detach what is not attached", errOf(servers.DetachFromNetwork(ctx, db.ID, n.ID)), sdk.ErrInvalidInput, 422, "network"},
		{"detach from unknown network", errOf(servers.DetachFromNetwork(ctx, db.ID, 999999)), sdk.ErrNotFound, 404, ""},
		{"alias on the own IP", errOf(servers.ChangeAliasIPs(ctx, web.ID, n.ID, []string{"10.0.1.2"})), sdk.Code("ip_not_available"), 422, ""},
		{"alias outside the subnets", errOf(servers.ChangeAliasIPs(ctx, web.ID, n.ID, []string{"10.0.3.3"})),
			sdk.Code("ip_not_available"), 422, ""},
		{"alias where not attached", errOf(servers.ChangeAliasIPs(ctx, db.ID, n.ID, []string{"10.0.1.40"})), sdk.ErrInvalidInput, 422, "network"},
		{"create in unknown network", createIn("hel1", 999999), sdk.ErrInvalidInput, 422, "networks"},
		{"create where the network has no subnet", createIn("ash", n.ID), sdk.Code("no_subnet_available"), 422, ""},
		{"create in overlapping networks", createIn("hel1", n.ID, wide.ID), sdk.Code("networks_overlap"), 422, ""},
		{"create in a full subnet", createIn("hel1", tiny.ID), sdk.Code("no_subnet_available"), 422, ""},
	} {
		t.Run(c.name, func(t *testing.T) { requireNetErr(t, c.err, c.code, c.status, c.field) })
	}

	// Nothing of that changed anything.
	got, err := networks.Get(ctx, n.ID)
	require.NoError(t, err)
	assert.Equal(t, "10.0.0.0/16", got.IPRange)
	assert.Len(t, got.Subnets, 1)
	assert.Empty(t, got.Routes)
	assert.Equal(t, []int64{web.ID}, got.Servers)
	all, _, err := servers.List(ctx, sdk.ServerListOpts{})
	require.NoError(t, err)
	assert.Len(t, all, 3)
}

// While an action of the network itself runs, the API refuses further changes with conflict;
// a failed action puts the network back. The client retries conflict on its own.
func TestNetworkConflictWhileItsActionRuns(t *testing.T) {
	ctx := context.Background()
	srv, client, _ := newClient(t, []testkit.Option{testkit.WithManualActions()}, tinyPolls)
	networks, servers := client.Cloud().Networks(), client.Cloud().Servers()
	n := newNetwork(t, client, "n", "10.0.0.0/16", "10.0.1.0/24")
	s, err := servers.Create(ctx, sdk.ServerCreateOpts{Name: "s", ServerType: "cpx22", Image: "ubuntu-24.04", Location: "hel1",
		StartAfterCreate: sdk.Ptr(false)})
	require.NoError(t, err)
	for _, a := range s.AllActions() {
		_, err := srv.CompleteAction(a.ID, true, "", "")
		require.NoError(t, err)
	}

	act, err := networks.AddSubnet(ctx, n.ID, sdk.NetworkSubnetOpts{Type: sdk.NetworkSubnetTypeCloud, NetworkZone: "eu-central",
		IPRange: "10.0.2.0/24"})
	require.NoError(t, err)
	require.Equal(t, sdk.ActionStatusRunning, act.Status)
	got, err := networks.Get(ctx, n.ID)
	require.NoError(t, err)
	assert.Len(t, got.Subnets, 2, "the change shows while it runs")

	for name, err := range map[string]error{
		"add_route":         errOf(networks.AddRoute(ctx, n.ID, sdk.NetworkRoute{Destination: "10.100.0.0/16", Gateway: "10.0.1.1"})),
		"delete_subnet":     errOf(networks.DeleteSubnet(ctx, n.ID, "10.0.1.0/24")),
		"change_ip_range":   errOf(networks.ChangeIPRange(ctx, n.ID, "10.0.0.0/15")),
		"change_protection": errOf(networks.ChangeProtection(ctx, n.ID, true)),
		"update":            errOf(networks.Update(ctx, n.ID, sdk.NetworkUpdateOpts{Name: "m"})),
		"delete":            networks.Delete(ctx, n.ID),
		"attach a server":   errOf(servers.AttachToNetwork(ctx, s.Server.ID, sdk.ServerAttachOpts{Network: n.ID})),
	} {
		t.Run(name, func(t *testing.T) {
			requireNetErr(t, err, sdk.ErrConflict, 409, "")
			assert.True(t, sdk.IsRetryable(err))
		})
	}

	_, err = srv.CompleteAction(act.ID, false, "action_failed", "subnet could not be created")
	require.NoError(t, err)
	err = client.Cloud().Actions().Wait(ctx, act)
	apiErr := requireNetErr(t, err, sdk.Code("action_failed"), 0, "")
	require.NotNil(t, apiErr.Action)
	assert.Equal(t, "add_subnet", apiErr.Action.Command)
	got, err = networks.Get(ctx, n.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"10.0.1.0/24"}, subnetRanges(got), "the failed add_subnet is undone")

	// With retries on, a conflicting call waits for the running action and then goes through.
	running, err := networks.AddSubnet(ctx, n.ID, sdk.NetworkSubnetOpts{Type: sdk.NetworkSubnetTypeCloud, NetworkZone: "eu-central"})
	require.NoError(t, err)
	rec := &recorder{next: srv.HTTPClient().Transport}
	rec.after = func(_ int, _ *http.Request, res *http.Response) {
		if res != nil && res.StatusCode == http.StatusConflict {
			_, err := srv.CompleteAction(running.ID, true, "", "")
			assert.NoError(t, err)
		}
	}
	retrying := srv.Client(sdk.WithHTTPClient(&http.Client{Transport: rec}), fastRetries(3))
	route, err := retrying.Cloud().Networks().AddRoute(ctx, n.ID, sdk.NetworkRoute{Destination: "10.100.0.0/16", Gateway: "10.0.1.1"})
	require.NoError(t, err)
	assert.Equal(t, "add_route", route.Command)
	var statuses []int
	for _, r := range rec.seen("/add_route") {
		statuses = append(statuses, r.Status)
	}
	assert.Equal(t, []int{409, 201}, statuses)
}

func errOf[T any](_ T, err error) error { return err }

func subnetRanges(n sdk.Network) []string {
	var out []string
	for _, s := range n.Subnets {
		out = append(out, s.IPRange)
	}
	return out
}

// A member's status follows the server's network actions: attaching and detaching while they
// run, error after one failed; the server is locked meanwhile.
func TestNetworkMemberStatusFollowsServerActions(t *testing.T) {
	ctx := context.Background()
	srv, client, _ := newClient(t, []testkit.Option{testkit.WithManualActions()}, tinyPolls)
	networks, servers := client.Cloud().Networks(), client.Cloud().Servers()
	n := newNetwork(t, client, "n", "10.0.0.0/16", "10.0.1.0/24")
	status := func(id int64) sdk.NetworkMemberStatus {
		t.Helper()
		ms, _, err := networks.ListMembers(ctx, n.ID, sdk.NetworkMemberListOpts{})
		require.NoError(t, err)
		for _, m := range ms {
			if m.ID == id {
				return m.Status
			}
		}
		return ""
	}
	complete := func(a sdk.Action, success bool) {
		t.Helper()
		_, err := srv.CompleteAction(a.ID, success, "action_failed", "")
		require.NoError(t, err)
	}

	created, err := servers.Create(ctx, sdk.ServerCreateOpts{Name: "s", ServerType: "cpx22", Image: "ubuntu-24.04", Location: "hel1",
		StartAfterCreate: sdk.Ptr(false), Networks: []int64{n.ID}})
	require.NoError(t, err)
	id := created.Server.ID
	assert.Equal(t, sdk.NetworkMemberStatusAttaching, status(id), "attached at create: up once the server is")
	for _, a := range created.AllActions() {
		complete(a, true)
	}
	assert.Equal(t, sdk.NetworkMemberStatusOK, status(id))

	det, err := servers.DetachFromNetwork(ctx, id, n.ID)
	require.NoError(t, err)
	assert.Equal(t, sdk.NetworkMemberStatusDetaching, status(id))
	byStatus, _, err := networks.ListMembers(ctx, n.ID, sdk.NetworkMemberListOpts{Statuses: []sdk.NetworkMemberStatus{sdk.NetworkMemberStatusDetaching}})
	require.NoError(t, err)
	assert.Equal(t, []int64{id}, memberIDs(byStatus))
	_, err = servers.ChangeAliasIPs(ctx, id, n.ID, []string{"10.0.1.20"})
	requireNetErr(t, err, sdk.ErrLocked, 423, "")
	complete(det, false)
	assert.Equal(t, sdk.NetworkMemberStatusError, status(id), "a failed detach leaves the server attached, in error")
	s, err := servers.Get(ctx, id)
	require.NoError(t, err)
	require.Len(t, s.PrivateNet, 1)

	upd, err := servers.ChangeAliasIPs(ctx, id, n.ID, []string{"10.0.1.20"})
	require.NoError(t, err)
	assert.Equal(t, sdk.NetworkMemberStatusUpdating, status(id))
	complete(upd, true)
	assert.Equal(t, sdk.NetworkMemberStatusOK, status(id))

	det, err = servers.DetachFromNetwork(ctx, id, n.ID)
	require.NoError(t, err)
	complete(det, true)
	assert.Equal(t, sdk.NetworkMemberStatus(""), status(id), "gone once detached")
	att, err := servers.AttachToNetwork(ctx, id, sdk.ServerAttachOpts{Network: n.ID})
	require.NoError(t, err)
	assert.Equal(t, sdk.NetworkMemberStatusAttaching, status(id))
	complete(att, false)
	assert.Equal(t, sdk.NetworkMemberStatus(""), status(id), "a failed attach takes the attachment back")
	s, err = servers.Get(ctx, id)
	require.NoError(t, err)
	assert.Empty(t, s.PrivateNet)
}

func TestNetworkMembersPagination(t *testing.T) {
	ctx := context.Background()
	_, client, rec := newClient(t, nil, tinyPolls)
	networks := client.Cloud().Networks()
	n := newNetwork(t, client, "n", "10.0.0.0/16", "10.0.1.0/24")
	var want []int64
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		want = append(want, createServer(t, client, name, func(o *sdk.ServerCreateOpts) { o.Networks = []int64{n.ID} }).Server.ID)
	}

	page, pg, err := networks.ListMembers(ctx, n.ID, sdk.NetworkMemberListOpts{Page: 2, PerPage: 2})
	require.NoError(t, err)
	assert.Equal(t, want[2:4], memberIDs(page))
	assert.Equal(t, sdk.Pagination{Page: 2, PerPage: 2, PreviousPage: sdk.Ptr(1), NextPage: sdk.Ptr(3), LastPage: 3, TotalEntries: 5}, pg)

	before := len(rec.seen("/members"))
	var got []int64
	var ips []string
	for m, err := range networks.AllMembers(ctx, n.ID, sdk.NetworkMemberListOpts{PerPage: 2, Sort: []string{"ip:desc"}}) {
		require.NoError(t, err)
		got = append(got, m.ID)
		ips = append(ips, m.IP)
	}
	assert.Equal(t, []int64{want[4], want[3], want[2], want[1], want[0]}, got)
	assert.Equal(t, []string{"10.0.1.6", "10.0.1.5", "10.0.1.4", "10.0.1.3", "10.0.1.2"}, ips)
	var pages []string
	for _, r := range rec.seen("/members")[before:] {
		q, _ := url.ParseQuery(r.RawQuery)
		pages = append(pages, q.Get("page")+"/"+q.Get("per_page"))
	}
	assert.Equal(t, []string{"1/2", "2/2", "3/2"}, pages, "three pages, following next_page")

	// Without PerPage, All asks for the largest page: one request.
	before = len(rec.seen("/members"))
	count := 0
	for _, err := range networks.AllMembers(ctx, n.ID, sdk.NetworkMemberListOpts{}) {
		require.NoError(t, err)
		count++
	}
	assert.Equal(t, 5, count)
	assert.Len(t, rec.seen("/members")[before:], 1)
}

// The metadata service of a server that really is attached: one entry per network, as the
// server's private_net and the networks say.
func TestMetadataPrivateNetworksOfAnAttachedServer(t *testing.T) {
	ctx := context.Background()
	srv, client, _ := newClient(t, nil, tinyPolls)
	servers := client.Cloud().Servers()
	wait := waiter(t, client)
	first := newNetwork(t, client, "nw-one", "10.0.0.0/16", "10.0.1.0/24")
	second := newNetwork(t, client, "it's two: the second", "192.168.0.0/16", "192.168.5.0/24") // a name YAML must quote
	s := createServer(t, client, "node", func(o *sdk.ServerCreateOpts) { o.Networks = []int64{first.ID} }).Server
	createServer(t, client, "bystander") // so the metadata client must name the server
	wait(servers.AttachToNetwork(ctx, s.ID, sdk.ServerAttachOpts{Network: second.ID, AliasIPs: []string{"192.168.5.20", "192.168.5.21"}}))
	s, err := servers.Get(ctx, s.ID)
	require.NoError(t, err)
	require.Len(t, s.PrivateNet, 2)

	nets, err := srv.MetadataClient(s.ID).PrivateNetworks(ctx)
	require.NoError(t, err)
	assert.Equal(t, []sdk.MetadataPrivateNetwork{
		{IP: "10.0.1.2", AliasIPs: []string{}, InterfaceNum: 1, MACAddress: s.PrivateNet[0].MACAddress, NetworkID: first.ID,
			NetworkName: "nw-one", Network: "10.0.0.0/16", Subnet: "10.0.1.0/24", Gateway: "10.0.0.1"},
		{IP: "192.168.5.2", AliasIPs: []string{"192.168.5.20", "192.168.5.21"}, InterfaceNum: 2, MACAddress: s.PrivateNet[1].MACAddress,
			NetworkID: second.ID, NetworkName: "it's two: the second", Network: "192.168.0.0/16", Subnet: "192.168.5.0/24",
			Gateway: "192.168.0.1"},
	}, nets)

	wait(servers.DetachFromNetwork(ctx, s.ID, first.ID))
	nets, err = srv.MetadataClient(s.ID).PrivateNetworks(ctx)
	require.NoError(t, err)
	require.Len(t, nets, 1)
	assert.Equal(t, second.ID, nets[0].NetworkID)
	assert.Equal(t, "192.168.5.2", nets[0].IP)
}
