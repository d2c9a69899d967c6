package sdk_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
)

func TestLoadBalancerFacade(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	wait := waiter(t, client)
	lbs := client.Cloud().LoadBalancers()
	network := newNetwork(t, client, "net", "10.0.0.0/16", "10.0.1.0/24")
	web := createServer(t, client, "web", func(o *sdk.ServerCreateOpts) {
		o.Labels = map[string]string{"role": "web"}
		o.Networks = []int64{network.ID}
	}).Server
	app := createServer(t, client, "app").Server

	res, err := lbs.Create(ctx, sdk.LoadBalancerCreateOpts{
		Name: "lb", LoadBalancerType: "lb11", Location: "hel1", Network: network.ID,
		Algorithm: &sdk.LoadBalancerAlgorithm{Type: sdk.AlgorithmLeastConnections},
		Labels:    map[string]string{"env": "prod"},
		Services:  []sdk.LoadBalancerServiceOpts{{Protocol: sdk.ProtocolHTTP}},
		Targets:   []sdk.LoadBalancerTarget{sdk.ServerTarget(web.ID, true), sdk.SelectorTarget("role=web", false)},
	})
	require.NoError(t, err)
	assert.Equal(t, "create_load_balancer", res.Action.Command)
	wait(res.Action, nil)
	id := res.LoadBalancer.ID

	lb, err := lbs.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, sdk.AlgorithmLeastConnections, lb.Algorithm.Type)
	assert.Equal(t, "lb11", lb.LoadBalancerType.Name)
	assert.True(t, lb.PublicNet.Enabled)
	assert.Nil(t, lb.PublicNet.IPv4.PrimaryIP)
	assert.NotEmpty(t, lb.PublicNet.IPv4.IP)
	assert.Equal(t, []sdk.LoadBalancerPrivateNet{{Network: network.ID, IP: "10.0.1.3"}}, lb.PrivateNet)
	require.Len(t, lb.Services, 1)
	svc := lb.Services[0]
	assert.Equal(t, 80, svc.ListenPort, "the API's defaults")
	assert.Equal(t, 50, svc.HTTP.TimeoutIdle)
	assert.Equal(t, sdk.ProtocolHTTP, svc.HealthCheck.Protocol)
	assert.Equal(t, "/", svc.HealthCheck.HTTP.Path)
	require.Len(t, lb.Targets, 2)
	assert.Equal(t, "healthy", lb.Targets[0].HealthStatus[0].Status)
	require.Len(t, lb.Targets[1].Targets, 1)
	assert.Equal(t, web.ID, lb.Targets[1].Targets[0].Server.ID)

	page, _, err := lbs.List(ctx, sdk.LoadBalancerListOpts{LabelSelector: sdk.Selector().Eq("env", "prod").String()})
	require.NoError(t, err)
	require.Len(t, page, 1)
	var names []string
	for lb, err := range lbs.All(ctx, sdk.LoadBalancerListOpts{}) {
		require.NoError(t, err)
		names = append(names, lb.Name)
	}
	assert.Equal(t, []string{"lb"}, names)
	lb, err = lbs.Update(ctx, id, sdk.LoadBalancerUpdateOpts{Name: "renamed"})
	require.NoError(t, err)
	assert.Equal(t, "renamed", lb.Name)

	// Services.
	port := func(p int) *int { return &p }
	wait(lbs.AddService(ctx, id, sdk.LoadBalancerServiceOpts{Protocol: sdk.ProtocolTCP, ListenPort: port(22), DestinationPort: port(2222)}))
	_, err = lbs.AddService(ctx, id, sdk.LoadBalancerServiceOpts{Protocol: sdk.ProtocolTCP, ListenPort: port(22), DestinationPort: port(22)})
	requireNetErr(t, err, sdk.Code("source_port_already_used"), 422, "")
	wait(lbs.UpdateService(ctx, id, 22, sdk.LoadBalancerServiceOpts{HealthCheck: &sdk.LoadBalancerHealthCheckOpts{Retries: port(5)}}))
	lb, err = lbs.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, 5, lb.Services[1].HealthCheck.Retries)
	assert.Equal(t, 2222, lb.Services[1].HealthCheck.Port)
	assert.Nil(t, lb.Services[1].HTTP)
	wait(lbs.DeleteService(ctx, id, 22))
	_, err = lbs.DeleteService(ctx, id, 22)
	requireNetErr(t, err, sdk.ErrInvalidInput, 422, "listen_port")

	// Targets.
	wait(lbs.AddTarget(ctx, id, sdk.ServerTarget(app.ID, false)))
	wait(lbs.AddTarget(ctx, id, sdk.IPTarget("203.0.113.4")))
	_, err = lbs.AddTarget(ctx, id, sdk.ServerTarget(app.ID, true))
	requireNetErr(t, err, sdk.Code("target_already_defined"), 422, "")
	_, err = lbs.AddTarget(ctx, id, sdk.IPTarget(lb.PublicNet.IPv4.IP))
	requireNetErr(t, err, sdk.Code("cloud_resource_ip_not_allowed"), 422, "")
	srvApp, err := client.Cloud().Servers().Get(ctx, app.ID)
	require.NoError(t, err)
	assert.Equal(t, []int64{id}, srvApp.LoadBalancers)
	wait(lbs.RemoveTarget(ctx, id, sdk.ServerTarget(app.ID, false)))
	wait(lbs.RemoveTarget(ctx, id, sdk.IPTarget("203.0.113.4")))
	wait(lbs.RemoveTarget(ctx, id, sdk.SelectorTarget("role=web", false)))

	// Public interface and network.
	wait(lbs.DisablePublicInterface(ctx, id))
	_, err = lbs.AddTarget(ctx, id, sdk.IPTarget("203.0.113.5"))
	requireNetErr(t, err, sdk.Code("load_balancer_public_interface_disabled"), 422, "")
	wait(lbs.EnablePublicInterface(ctx, id))
	_, err = lbs.AttachToNetwork(ctx, id, network.ID, "")
	requireNetErr(t, err, sdk.Code("load_balancer_already_attached"), 422, "")
	wait(lbs.DetachFromNetwork(ctx, id, network.ID))
	wait(lbs.AttachToNetwork(ctx, id, network.ID, "10.0.1.77"))
	members, _, err := client.Cloud().Networks().ListMembers(ctx, network.ID, sdk.NetworkMemberListOpts{Types: []string{"load_balancer"}})
	require.NoError(t, err)
	require.Len(t, members, 1)
	assert.Equal(t, "10.0.1.77", members[0].IP)
	n, err := client.Cloud().Networks().Get(ctx, network.ID)
	require.NoError(t, err)
	assert.Equal(t, []int64{id}, n.LoadBalancers)

	// Algorithm, type, reverse DNS, protection, metrics.
	wait(lbs.ChangeAlgorithm(ctx, id, sdk.AlgorithmRoundRobin))
	wait(lbs.ChangeType(ctx, id, "lb21"))
	ptr := "lb.example.com"
	wait(lbs.ChangeDNSPtr(ctx, id, lb.PublicNet.IPv4.IP, &ptr))
	lb, err = lbs.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, sdk.AlgorithmRoundRobin, lb.Algorithm.Type)
	assert.Equal(t, "lb21", lb.LoadBalancerType.Name)
	assert.Equal(t, "lb.example.com", lb.PublicNet.IPv4.DNSPtr)
	wait(lbs.ChangeDNSPtr(ctx, id, lb.PublicNet.IPv4.IP, nil))
	wait(lbs.ChangeProtection(ctx, id, true))
	_, err = lbs.Delete(ctx, id)
	requireNetErr(t, err, sdk.ErrProtected, 423, "")
	wait(lbs.ChangeProtection(ctx, id, false))

	end := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	m, err := lbs.Metrics(ctx, id, sdk.LoadBalancerMetricsOpts{Types: []sdk.LoadBalancerMetricType{sdk.MetricBandwidth, sdk.MetricRequestsPerSecond},
		Start: end.Add(-10 * time.Minute), End: end, Step: 60})
	require.NoError(t, err)
	assert.Len(t, m.TimeSeries["bandwidth.in"], 11)
	assert.Len(t, m.TimeSeries["requests_per_second"], 11)
	assert.Equal(t, end.Add(-10*time.Minute), m.TimeSeries["bandwidth.out"][0].Time)

	actions, _, err := lbs.ListActions(ctx, id, sdk.ActionListOpts{})
	require.NoError(t, err)
	assert.Equal(t, "create_load_balancer", actions[0].Command)

	del, err := lbs.Delete(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "delete_load_balancer", del.Command)
	wait(del, nil)
	_, err = lbs.Get(ctx, id)
	requireNetErr(t, err, sdk.ErrNotFound, 404, "")
}

func TestLoadBalancerFacadeWithPrimaryIP(t *testing.T) {
	ctx := context.Background()
	_, client, _ := newClient(t, nil, tinyPolls)
	pip, err := client.Cloud().PrimaryIPs().Create(ctx, sdk.PrimaryIPCreateOpts{Name: "v6", Type: "ipv6", Location: "hel1"})
	require.NoError(t, err)
	res, err := client.Cloud().LoadBalancers().Create(ctx, sdk.LoadBalancerCreateOpts{Name: "lb", LoadBalancerType: "1",
		NetworkZone: "eu-central", PublicNet: &sdk.LoadBalancerCreatePublicNet{IPv6: pip.PrimaryIP.ID}})
	require.NoError(t, err)
	require.NotNil(t, res.LoadBalancer.PublicNet.IPv6.PrimaryIP)
	assert.Equal(t, pip.PrimaryIP.ID, *res.LoadBalancer.PublicNet.IPv6.PrimaryIP)
	assert.Nil(t, res.LoadBalancer.PublicNet.IPv4.PrimaryIP)
	held, err := client.Cloud().PrimaryIPs().Get(ctx, pip.PrimaryIP.ID)
	require.NoError(t, err)
	assert.Equal(t, "load_balancer", held.AssigneeType)
}
