package handlers_test

// Firewalls through the real Go client, hcloud-go v2.52.0: what it sends and parses, and its
// waiters on the action arrays.

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/testkit"
)

func fwIPNets(t *testing.T, cidrs ...string) []net.IPNet {
	t.Helper()
	out := make([]net.IPNet, len(cidrs))
	for i, c := range cidrs {
		out[i] = *cidr(t, c)
	}
	return out
}

// fwStatuses lists a server's firewalls as "id status".
func fwStatuses(s *hcloud.Server) map[int64]hcloud.FirewallStatus {
	out := map[int64]hcloud.FirewallStatus{}
	for _, f := range s.PublicNet.Firewalls {
		out[f.Firewall.ID] = f.Status
	}
	return out
}

func TestFirewallsWithHcloudGo(t *testing.T) {
	srv := testkit.New(t, testkit.WithActionDuration(2*time.Second))
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()
	advance := func() { srv.AdvanceClock(2 * time.Second) }

	webOpts := hcloud.ServerCreateOpts{Name: "web", Labels: map[string]string{"role": "web"}}
	web := createServerAdvancing(t, client, advance, webOpts)
	db := createServerAdvancing(t, client, advance, hcloud.ServerCreateOpts{Name: "db", Labels: map[string]string{"role": "db"}})

	res, _, err := client.Firewall.Create(ctx, hcloud.FirewallCreateOpts{
		Name:   "edge",
		Labels: map[string]string{"env": "prod"},
		Rules: []hcloud.FirewallRule{
			{Direction: hcloud.FirewallRuleDirectionIn, Protocol: hcloud.FirewallRuleProtocolTCP, Port: hcloud.Ptr("80"),
				SourceIPs: fwIPNets(t, "0.0.0.0/0", "::/0"), Description: hcloud.Ptr("http")},
			{Direction: hcloud.FirewallRuleDirectionOut, Protocol: hcloud.FirewallRuleProtocolICMP,
				DestinationIPs: fwIPNets(t, "2001:db8::/32")},
		},
		ApplyTo: []hcloud.FirewallResource{
			{Type: hcloud.FirewallResourceTypeServer, Server: &hcloud.FirewallResourceServer{ID: db.ID}},
			{Type: hcloud.FirewallResourceTypeLabelSelector, LabelSelector: &hcloud.FirewallResourceLabelSelector{Selector: "role=web"}},
		},
	})
	require.NoError(t, err)
	fw := res.Firewall
	require.Len(t, res.Actions, 3)
	assert.Equal(t, "set_firewall_rules", res.Actions[0].Command)
	assert.Equal(t, "apply_firewall", res.Actions[1].Command)
	require.Len(t, fw.Rules, 2)
	assert.Equal(t, "http", *fw.Rules[0].Description)
	assert.Equal(t, []string{"0.0.0.0/0", "::/0"}, []string{fw.Rules[0].SourceIPs[0].String(), fw.Rules[0].SourceIPs[1].String()})
	assert.Nil(t, fw.Rules[1].Port)
	assert.Empty(t, fw.Rules[1].SourceIPs)
	require.Len(t, fw.AppliedTo, 2)
	assert.Equal(t, db.ID, fw.AppliedTo[0].Server.ID)
	require.Len(t, fw.AppliedTo[1].AppliedToResources, 1)
	assert.Equal(t, web.ID, fw.AppliedTo[1].AppliedToResources[0].Server.ID)

	s, _, err := client.Server.GetByID(ctx, web.ID)
	require.NoError(t, err)
	assert.Equal(t, map[int64]hcloud.FirewallStatus{fw.ID: hcloud.FirewallStatusPending}, fwStatuses(s))
	advanceWhileWaiting(t, advance, func() error {
		return client.Action.WaitForFunc(ctx, func(a *hcloud.Action) error {
			assert.Equal(t, hcloud.ActionStatusSuccess, a.Status)
			return nil
		}, res.Actions...)
	})
	s, _, err = client.Server.GetByID(ctx, web.ID)
	require.NoError(t, err)
	assert.Equal(t, map[int64]hcloud.FirewallStatus{fw.ID: hcloud.FirewallStatusApplied}, fwStatuses(s))

	actions, _, err := client.Firewall.SetRules(ctx, fw, hcloud.FirewallSetRulesOpts{Rules: []hcloud.FirewallRule{
		{Direction: hcloud.FirewallRuleDirectionIn, Protocol: hcloud.FirewallRuleProtocolUDP, Port: hcloud.Ptr("1024-5000"),
			SourceIPs: fwIPNets(t, "10.0.0.0/8")}}})
	require.NoError(t, err)
	require.Len(t, actions, 3, "set_firewall_rules and apply_firewall on db and web")
	advanceWhileWaiting(t, advance, func() error { return client.Action.WaitFor(ctx, actions...) })

	_, _, err = client.Firewall.SetRules(ctx, fw, hcloud.FirewallSetRulesOpts{Rules: []hcloud.FirewallRule{
		{Direction: hcloud.FirewallRuleDirectionIn, Protocol: hcloud.FirewallRuleProtocolTCP, SourceIPs: fwIPNets(t, "10.0.0.0/8")}}})
	requireHcloudError(t, err, hcloud.ErrorCodeInvalidInput)

	other := createServerAdvancing(t, client, advance, hcloud.ServerCreateOpts{Name: "other"})
	actions, _, err = client.Firewall.ApplyResources(ctx, fw, []hcloud.FirewallResource{
		{Type: hcloud.FirewallResourceTypeServer, Server: &hcloud.FirewallResourceServer{ID: other.ID}}})
	require.NoError(t, err)
	require.Len(t, actions, 1)
	advanceWhileWaiting(t, advance, func() error { return client.Action.WaitFor(ctx, actions...) })
	_, _, err = client.Firewall.ApplyResources(ctx, fw, []hcloud.FirewallResource{
		{Type: hcloud.FirewallResourceTypeServer, Server: &hcloud.FirewallResourceServer{ID: other.ID}}})
	requireHcloudError(t, err, hcloud.ErrorCodeFirewallAlreadyApplied)
	_, _, err = client.Firewall.ApplyResources(ctx, fw, []hcloud.FirewallResource{
		{Type: hcloud.FirewallResourceTypeServer, Server: &hcloud.FirewallResourceServer{ID: 999999}}})
	requireHcloudError(t, err, hcloud.ErrorCodeFirewallResourceNotFound)
	_, _, err = client.Firewall.RemoveResources(ctx, fw, []hcloud.FirewallResource{
		{Type: hcloud.FirewallResourceTypeServer, Server: &hcloud.FirewallResourceServer{ID: web.ID}}})
	requireHcloudError(t, err, hcloud.ErrorCodeFirewallManagedByLabelSelector)

	_, err = client.Firewall.Delete(ctx, fw)
	requireHcloudError(t, err, hcloud.ErrorCodeResourceInUse)

	fw, _, err = client.Firewall.Update(ctx, fw, hcloud.FirewallUpdateOpts{Name: "renamed", Labels: map[string]string{"env": "dev"}})
	require.NoError(t, err)
	assert.Equal(t, "renamed", fw.Name)
	got, _, err := client.Firewall.Get(ctx, "renamed")
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, "1024-5000", *got.Rules[0].Port)
	all, err := client.Firewall.AllWithOpts(ctx, hcloud.FirewallListOpts{ListOpts: hcloud.ListOpts{LabelSelector: "env=dev"}})
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Len(t, all[0].AppliedTo, 3)

	actions, _, err = client.Firewall.RemoveResources(ctx, fw, []hcloud.FirewallResource{
		{Type: hcloud.FirewallResourceTypeServer, Server: &hcloud.FirewallResourceServer{ID: db.ID}},
		{Type: hcloud.FirewallResourceTypeServer, Server: &hcloud.FirewallResourceServer{ID: other.ID}},
		{Type: hcloud.FirewallResourceTypeLabelSelector, LabelSelector: &hcloud.FirewallResourceLabelSelector{Selector: "role=web"}},
	})
	require.NoError(t, err)
	require.Len(t, actions, 3)
	for _, a := range actions {
		assert.Equal(t, "remove_firewall", a.Command)
	}
	_, err = client.Firewall.Delete(ctx, fw)
	requireHcloudError(t, err, hcloud.ErrorCodeResourceInUse) // still being removed
	advanceWhileWaiting(t, advance, func() error { return client.Action.WaitFor(ctx, actions...) })
	s, _, err = client.Server.GetByID(ctx, web.ID)
	require.NoError(t, err)
	assert.Empty(t, s.PublicNet.Firewalls)

	fwActions, err := client.Firewall.Action.All(ctx, hcloud.ActionListOpts{})
	require.NoError(t, err)
	assert.Len(t, fwActions, 3+3+1+3)

	_, err = client.Firewall.Delete(ctx, fw)
	require.NoError(t, err)
	gone, _, err := client.Firewall.GetByID(ctx, fw.ID)
	require.NoError(t, err)
	assert.Nil(t, gone)
}

func TestServerCreateWithFirewallsWithHcloudGo(t *testing.T) {
	srv := testkit.New(t)
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()
	created, _, err := client.Firewall.Create(ctx, hcloud.FirewallCreateOpts{Name: "base", Rules: []hcloud.FirewallRule{
		{Direction: hcloud.FirewallRuleDirectionIn, Protocol: hcloud.FirewallRuleProtocolTCP, Port: hcloud.Ptr("22"),
			SourceIPs: fwIPNets(t, "0.0.0.0/0")}}})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, created.Actions...))

	res, _, err := client.Server.Create(ctx, hcloud.ServerCreateOpts{Name: "web", ServerType: &hcloud.ServerType{Name: "cpx22"},
		Image: &hcloud.Image{Name: "ubuntu-24.04"}, Firewalls: []*hcloud.ServerCreateFirewall{{Firewall: *created.Firewall}}})
	require.NoError(t, err)
	var commands []string
	for _, a := range res.NextActions {
		commands = append(commands, a.Command)
	}
	assert.Equal(t, []string{"start_server", "apply_firewall"}, commands)
	require.Len(t, res.Server.PublicNet.Firewalls, 1)
	assert.Equal(t, hcloud.FirewallStatusPending, res.Server.PublicNet.Firewalls[0].Status)
	require.NoError(t, client.Action.WaitFor(ctx, append([]*hcloud.Action{res.Action}, res.NextActions...)...))
	s, _, err := client.Server.GetByID(ctx, res.Server.ID)
	require.NoError(t, err)
	assert.Equal(t, map[int64]hcloud.FirewallStatus{created.Firewall.ID: hcloud.FirewallStatusApplied}, fwStatuses(s))

	_, _, err = client.Server.Create(ctx, hcloud.ServerCreateOpts{Name: "bad", ServerType: &hcloud.ServerType{Name: "cpx22"},
		Image: &hcloud.Image{Name: "ubuntu-24.04"}, Firewalls: []*hcloud.ServerCreateFirewall{{Firewall: hcloud.Firewall{ID: 999999}}}})
	requireHcloudError(t, err, hcloud.ErrorCodeInvalidInput)

	require.NoError(t, deleteAndWait(client, s))
	fw, _, err := client.Firewall.GetByID(ctx, created.Firewall.ID)
	require.NoError(t, err)
	assert.Empty(t, fw.AppliedTo, "deleting the server takes it out of the firewall")
	_, err = client.Firewall.Delete(ctx, fw)
	require.NoError(t, err)
}

// createServerAdvancing creates a server and waits for it while moving the fake clock on.
func createServerAdvancing(t *testing.T, client *hcloud.Client, advance func(), opts hcloud.ServerCreateOpts) *hcloud.Server {
	t.Helper()
	ctx := context.Background()
	opts.ServerType, opts.Image = &hcloud.ServerType{Name: "cpx22"}, &hcloud.Image{Name: "ubuntu-24.04"}
	res, _, err := client.Server.Create(ctx, opts)
	require.NoError(t, err)
	advanceWhileWaiting(t, advance, func() error {
		return client.Action.WaitFor(ctx, append([]*hcloud.Action{res.Action}, res.NextActions...)...)
	})
	s, _, err := client.Server.GetByID(ctx, res.Server.ID)
	require.NoError(t, err)
	return s
}

// advanceWhileWaiting moves the clock past the actions' due time, then waits for them.
func advanceWhileWaiting(t *testing.T, advance func(), wait func() error) {
	t.Helper()
	advance()
	require.NoError(t, wait())
}
