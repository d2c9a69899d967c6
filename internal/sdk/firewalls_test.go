package sdk_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
	"github.com/fakehetzner/fakehetzner/testkit"
)

// firewallStatuses is a server's PublicNet.Firewalls as id → status.
func firewallStatuses(t *testing.T, client *sdk.Client, server int64) map[int64]string {
	t.Helper()
	s, err := client.Cloud().Servers().Get(context.Background(), server)
	require.NoError(t, err)
	out := map[int64]string{}
	for _, f := range s.PublicNet.Firewalls {
		out[f.ID] = f.Status
	}
	return out
}

func commandsOf(actions []sdk.Action) []string {
	out := []string{}
	for _, a := range actions {
		out = append(out, a.Command)
	}
	return out
}

func TestFirewallLifecycle(t *testing.T) {
	ctx := context.Background()
	srv, client, _ := newClient(t, []testkit.Option{testkit.WithTimeSource(frozenWall), testkit.WithActionDuration(time.Second)}, tinyPolls)
	firewalls := client.Cloud().Firewalls()
	actions := client.Cloud().Actions()
	// Actions run for a second of the frozen fake clock; wait moves it on, then waits.
	wait := func(as []sdk.Action, err error) []sdk.Action {
		t.Helper()
		require.NoError(t, err)
		srv.AdvanceClock(time.Second)
		require.NoError(t, actions.Wait(ctx, as...))
		return as
	}
	web := createServerAdvancing(t, srv, client, "web", map[string]string{"role": "web"})
	db := createServerAdvancing(t, srv, client, "db", map[string]string{"role": "db"})

	res, err := firewalls.Create(ctx, sdk.FirewallCreateOpts{
		Name: "edge", Labels: map[string]string{"env": "prod"},
		Rules: []sdk.FirewallRule{
			{Direction: sdk.FirewallDirectionIn, Protocol: sdk.FirewallProtocolTCP, Port: sdk.Ptr("443"),
				SourceIPs: []string{"0.0.0.0/0", "2001:0db8::/32"}, Description: sdk.Ptr("https")},
			{Direction: sdk.FirewallDirectionOut, Protocol: sdk.FirewallProtocolICMP, DestinationIPs: []string{"::/0"}},
		},
		ApplyTo: []sdk.FirewallResource{sdk.FirewallServer(db), sdk.FirewallLabelSelector(sdk.Selector().Eq("role", "web").String())},
	})
	require.NoError(t, err)
	fw := res.Firewall
	assert.Equal(t, []string{"set_firewall_rules", "apply_firewall", "apply_firewall"}, commandsOf(res.Actions))
	assert.Equal(t, sdk.Firewall{
		ID: fw.ID, Name: "edge", Labels: map[string]string{"env": "prod"}, Created: fw.Created,
		Rules: []sdk.FirewallRule{
			{Direction: sdk.FirewallDirectionIn, Protocol: sdk.FirewallProtocolTCP, Port: sdk.Ptr("443"),
				SourceIPs: []string{"0.0.0.0/0", "2001:db8::/32"}, DestinationIPs: []string{}, Description: sdk.Ptr("https")},
			{Direction: sdk.FirewallDirectionOut, Protocol: sdk.FirewallProtocolICMP, SourceIPs: []string{}, DestinationIPs: []string{"::/0"}},
		},
		AppliedTo: []sdk.FirewallResource{
			sdk.FirewallServer(db),
			{Type: sdk.FirewallResourceTypeLabelSelector, LabelSelector: &sdk.FirewallResourceLabelSelector{Selector: "role=web"},
				AppliedToResources: []sdk.FirewallResource{sdk.FirewallServer(web)}},
		},
	}, fw)
	assert.True(t, frozenWall().Add(2*time.Second).Equal(fw.Created), "created %v", fw.Created)
	assert.Equal(t, map[int64]string{fw.ID: sdk.FirewallStatusPending}, firewallStatuses(t, client, web))
	wait(res.Actions, nil)
	assert.Equal(t, map[int64]string{fw.ID: sdk.FirewallStatusApplied}, firewallStatuses(t, client, web))

	got, err := firewalls.Get(ctx, fw.ID)
	require.NoError(t, err)
	assert.Equal(t, fw, got)
	updated, err := firewalls.Update(ctx, fw.ID, sdk.FirewallUpdateOpts{Name: "edge-1"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"env": "prod"}, updated.Labels, "nil Labels keeps them")
	other, err := firewalls.Create(ctx, sdk.FirewallCreateOpts{Name: "other"})
	require.NoError(t, err)
	wait(other.Actions, nil)
	names := func(opts sdk.FirewallListOpts) []string {
		var out []string
		for f, err := range firewalls.All(ctx, opts) {
			require.NoError(t, err)
			out = append(out, f.Name)
		}
		return out
	}
	assert.Equal(t, []string{"edge-1"}, names(sdk.FirewallListOpts{LabelSelector: "env=prod"}))
	assert.Equal(t, []string{"other", "edge-1"}, names(sdk.FirewallListOpts{Sort: []string{"name:desc"}}))
	page, pg, err := firewalls.List(ctx, sdk.FirewallListOpts{Name: "other"})
	require.NoError(t, err)
	require.Len(t, page, 1)
	assert.Equal(t, 1, pg.TotalEntries)

	set := wait(firewalls.SetRules(ctx, fw.ID, nil))
	assert.Equal(t, []string{"set_firewall_rules", "apply_firewall", "apply_firewall"}, commandsOf(set))
	got, err = firewalls.Get(ctx, fw.ID)
	require.NoError(t, err)
	assert.Empty(t, got.Rules)

	applied := wait(firewalls.ApplyTo(ctx, other.Firewall.ID, sdk.FirewallServer(web)))
	assert.Equal(t, []sdk.ActionResource{{ID: other.Firewall.ID, Type: "firewall"}, {ID: web, Type: "server"}}, applied[0].Resources)
	assert.Equal(t, map[int64]string{fw.ID: sdk.FirewallStatusApplied, other.Firewall.ID: sdk.FirewallStatusApplied},
		firewallStatuses(t, client, web))

	_, err = firewalls.RemoveFrom(ctx, fw.ID, sdk.FirewallServer(web))
	requireNetErr(t, err, sdk.Code("firewall_managed_by_label_selector"), 422, "")
	err = firewalls.Delete(ctx, fw.ID)
	requireNetErr(t, err, sdk.Code("resource_in_use"), 422, "")
	removed := wait(firewalls.RemoveFrom(ctx, fw.ID, sdk.FirewallServer(db), sdk.FirewallLabelSelector("role=web")))
	assert.Equal(t, []string{"remove_firewall", "remove_firewall"}, commandsOf(removed))
	assert.Equal(t, map[int64]string{other.Firewall.ID: sdk.FirewallStatusApplied}, firewallStatuses(t, client, web))

	all, _, err := firewalls.ListActions(ctx, fw.ID, sdk.ActionListOpts{PerPage: 50})
	require.NoError(t, err)
	assert.Len(t, all, 3+3+2)
	require.NoError(t, firewalls.Delete(ctx, fw.ID))
	_, err = firewalls.Get(ctx, fw.ID)
	assert.ErrorIs(t, err, sdk.ErrNotFound)
}

func TestFirewallErrors(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	firewalls := client.Cloud().Firewalls()
	web := createServer(t, client, "web").Server.ID
	private := createServer(t, client, "private", func(o *sdk.ServerCreateOpts) {
		o.PublicNet = &sdk.ServerCreatePublicNet{}
	}).Server.ID
	fw, err := firewalls.Create(ctx, sdk.FirewallCreateOpts{Name: "fw", ApplyTo: []sdk.FirewallResource{sdk.FirewallServer(web)}})
	require.NoError(t, err)
	id := fw.Firewall.ID

	_, err = firewalls.Create(ctx, sdk.FirewallCreateOpts{Name: "fw"})
	requireNetErr(t, err, sdk.ErrUniqueness, 409, "name")
	_, err = firewalls.Create(ctx, sdk.FirewallCreateOpts{Name: "x", Rules: []sdk.FirewallRule{
		{Direction: sdk.FirewallDirectionIn, Protocol: sdk.FirewallProtocolTCP, SourceIPs: []string{"0.0.0.0/0"}}}})
	requireNetErr(t, err, sdk.ErrInvalidInput, 422, "rules.0.port")
	_, err = firewalls.SetRules(ctx, id, []sdk.FirewallRule{
		{Direction: sdk.FirewallDirectionIn, Protocol: sdk.FirewallProtocolICMP, SourceIPs: []string{"10.1.2.3/8"}}})
	requireNetErr(t, err, sdk.ErrInvalidInput, 422, "rules.0.source_ips.0")
	_, err = firewalls.Create(ctx, sdk.FirewallCreateOpts{Name: "x", ApplyTo: []sdk.FirewallResource{sdk.FirewallServer(999999)}})
	requireNetErr(t, err, sdk.Code("firewall_resource_not_found"), 422, "")
	_, err = firewalls.ApplyTo(ctx, id, sdk.FirewallServer(999999))
	requireNetErr(t, err, sdk.Code("firewall_resource_not_found"), 404, "")
	_, err = firewalls.ApplyTo(ctx, id, sdk.FirewallServer(web))
	requireNetErr(t, err, sdk.Code("firewall_already_applied"), 422, "")
	_, err = firewalls.ApplyTo(ctx, id, sdk.FirewallServer(private))
	requireNetErr(t, err, sdk.Code("private_net_only_server"), 422, "")
	_, err = firewalls.ApplyTo(ctx, id, sdk.FirewallLabelSelector("a in ("))
	requireNetErr(t, err, sdk.ErrInvalidInput, 422, "apply_to.0.label_selector.selector")
	_, err = firewalls.RemoveFrom(ctx, id, sdk.FirewallServer(999999))
	requireNetErr(t, err, sdk.Code("firewall_resource_not_found"), 404, "")
	_, err = firewalls.ApplyTo(ctx, 999999)
	requireNetErr(t, err, sdk.ErrNotFound, 404, "")
	_, err = firewalls.Update(ctx, 999999, sdk.FirewallUpdateOpts{Name: "y"})
	requireNetErr(t, err, sdk.ErrNotFound, 404, "")

	nothing, err := firewalls.ApplyTo(ctx, id)
	require.NoError(t, err)
	assert.Empty(t, nothing)
}

func TestServerCreatedWithFirewalls(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	fw, err := client.Cloud().Firewalls().Create(ctx, sdk.FirewallCreateOpts{Name: "base"})
	require.NoError(t, err)
	res := createServer(t, client, "web", func(o *sdk.ServerCreateOpts) { o.Firewalls = []int64{fw.Firewall.ID} })
	assert.Equal(t, []string{"start_server", "apply_firewall"}, commandsOf(res.NextActions))
	assert.Equal(t, []sdk.ServerFirewall{{ID: fw.Firewall.ID, Status: sdk.FirewallStatusPending}}, res.Server.PublicNet.Firewalls)
	assert.Equal(t, map[int64]string{fw.Firewall.ID: sdk.FirewallStatusApplied}, firewallStatuses(t, client, res.Server.ID))
	got, err := client.Cloud().Firewalls().Get(ctx, fw.Firewall.ID)
	require.NoError(t, err)
	assert.Equal(t, []sdk.FirewallResource{sdk.FirewallServer(res.Server.ID)}, got.AppliedTo)
}

// createServerAdvancing creates a server with labels and waits for it, moving the fake clock
// past its actions.
func createServerAdvancing(t *testing.T, srv *testkit.Server, client *sdk.Client, name string, labels map[string]string) int64 {
	t.Helper()
	res, err := client.Cloud().Servers().Create(context.Background(),
		sdk.ServerCreateOpts{Name: name, ServerType: "cpx22", Image: "ubuntu-24.04", Location: "hel1", Labels: labels})
	require.NoError(t, err)
	srv.AdvanceClock(time.Second)
	require.NoError(t, client.Cloud().Actions().Wait(context.Background(), res.AllActions()...))
	return res.Server.ID
}
