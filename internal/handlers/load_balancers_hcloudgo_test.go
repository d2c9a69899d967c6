package handlers_test

// Load balancers through the real Go client, hcloud-go v2.52.0: what it sends must be
// accepted and what the fake answers must parse into the values it was given.

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

func TestLoadBalancerLifecycleWithHcloudGo(t *testing.T) {
	srv := testkit.New(t)
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()

	network, _, err := client.Network.Create(ctx, hcloud.NetworkCreateOpts{Name: "net", IPRange: cidr(t, "10.0.0.0/16"),
		Subnets: []hcloud.NetworkSubnet{{Type: hcloud.NetworkSubnetTypeCloud, NetworkZone: hcloud.NetworkZoneEUCentral,
			IPRange: cidr(t, "10.0.1.0/24")}}})
	require.NoError(t, err)
	web := createServer(t, client, hcloud.ServerCreateOpts{Name: "web", Location: &hcloud.Location{Name: "fsn1"},
		Labels: map[string]string{"role": "web"}, Networks: []*hcloud.Network{network}})
	app := createServer(t, client, hcloud.ServerCreateOpts{Name: "app", Location: &hcloud.Location{Name: "fsn1"},
		Labels: map[string]string{"role": "app"}})

	res, _, err := client.LoadBalancer.Create(ctx, hcloud.LoadBalancerCreateOpts{
		Name:             "lb",
		LoadBalancerType: &hcloud.LoadBalancerType{Name: "lb11"},
		Location:         &hcloud.Location{Name: "fsn1"},
		Algorithm:        &hcloud.LoadBalancerAlgorithm{Type: hcloud.LoadBalancerAlgorithmTypeLeastConnections},
		Labels:           map[string]string{"env": "test"},
		Network:          network,
		Services: []hcloud.LoadBalancerCreateOptsService{{
			Protocol:        hcloud.LoadBalancerServiceProtocolHTTP,
			ListenPort:      hcloud.Ptr(80),
			DestinationPort: hcloud.Ptr(8080),
			HTTP:            &hcloud.LoadBalancerCreateOptsServiceHTTP{StickySessions: hcloud.Ptr(true), TimeoutIdle: hcloud.Ptr(90 * time.Second)},
			HealthCheck: &hcloud.LoadBalancerCreateOptsServiceHealthCheck{Protocol: hcloud.LoadBalancerServiceProtocolHTTP,
				Port: hcloud.Ptr(8080), Interval: hcloud.Ptr(20 * time.Second), Timeout: hcloud.Ptr(5 * time.Second), Retries: hcloud.Ptr(2),
				HTTP: &hcloud.LoadBalancerCreateOptsServiceHealthCheckHTTP{Path: hcloud.Ptr("/up"), StatusCodes: []string{"200"}}},
		}},
		Targets: []hcloud.LoadBalancerCreateOptsTarget{
			{Type: hcloud.LoadBalancerTargetTypeServer, Server: hcloud.LoadBalancerCreateOptsTargetServer{Server: web}, UsePrivateIP: hcloud.Ptr(true)},
			{Type: hcloud.LoadBalancerTargetTypeLabelSelector, LabelSelector: hcloud.LoadBalancerCreateOptsTargetLabelSelector{Selector: "role=app"}},
		},
	})
	require.NoError(t, err)
	assert.Equal(t, "create_load_balancer", res.Action.Command)
	require.NoError(t, client.Action.WaitFor(ctx, res.Action))

	lb, _, err := client.LoadBalancer.Get(ctx, "lb")
	require.NoError(t, err)
	assert.Equal(t, res.LoadBalancer.ID, lb.ID)
	assert.Equal(t, hcloud.LoadBalancerAlgorithmTypeLeastConnections, lb.Algorithm.Type)
	assert.Equal(t, "lb11", lb.LoadBalancerType.Name)
	assert.Equal(t, "fsn1", lb.Location.Name)
	assert.True(t, lb.PublicNet.Enabled)
	assert.True(t, docV4.Contains(lb.PublicNet.IPv4.IP), lb.PublicNet.IPv4.IP)
	assert.True(t, docV6.Contains(lb.PublicNet.IPv6.IP), lb.PublicNet.IPv6.IP)
	assert.Equal(t, "static."+lb.PublicNet.IPv4.IP.String()+".clients.your-server.de", lb.PublicNet.IPv4.DNSPtr)
	require.NotNil(t, lb.PrivateNetFor(network))
	assert.Equal(t, "10.0.1.3", lb.PrivateNetFor(network).IP.String())
	require.Len(t, lb.Services, 1)
	svc := lb.Services[0]
	assert.Equal(t, 8080, svc.DestinationPort)
	assert.True(t, svc.HTTP.StickySessions)
	assert.Equal(t, 90*time.Second, svc.HTTP.TimeoutIdle)
	assert.Equal(t, "HCLBSTICKY", svc.HTTP.CookieName)
	assert.Equal(t, 300*time.Second, svc.HTTP.CookieLifetime)
	assert.Equal(t, 20*time.Second, svc.HealthCheck.Interval)
	assert.Equal(t, "/up", svc.HealthCheck.HTTP.Path)
	assert.Equal(t, []string{"200"}, svc.HealthCheck.HTTP.StatusCodes)
	require.Len(t, lb.Targets, 2)
	assert.Equal(t, web.ID, lb.Targets[0].Server.Server.ID)
	assert.True(t, lb.Targets[0].UsePrivateIP)
	assert.Equal(t, hcloud.LoadBalancerTargetHealthStatusStatusHealthy, lb.Targets[0].HealthStatus[0].Status)
	assert.Nil(t, lb.Targets[0].HealthStatus[0].Detail, "detail only for unhealthy targets")
	require.Len(t, lb.Targets[1].Targets, 1)
	assert.Equal(t, app.ID, lb.Targets[1].Targets[0].Server.Server.ID)

	srvAgain, _, err := client.Server.GetByID(ctx, app.ID)
	require.NoError(t, err)
	require.Len(t, srvAgain.LoadBalancers, 1)
	assert.Equal(t, lb.ID, srvAgain.LoadBalancers[0].ID)
	netAgain, _, err := client.Network.GetByID(ctx, network.ID)
	require.NoError(t, err)
	require.Len(t, netAgain.LoadBalancers, 1)
	assert.Equal(t, lb.ID, netAgain.LoadBalancers[0].ID)

	all, err := client.LoadBalancer.AllWithOpts(ctx, hcloud.LoadBalancerListOpts{ListOpts: hcloud.ListOpts{LabelSelector: "env=test"}})
	require.NoError(t, err)
	require.Len(t, all, 1)
	updated, _, err := client.LoadBalancer.Update(ctx, lb, hcloud.LoadBalancerUpdateOpts{Name: "renamed"})
	require.NoError(t, err)
	assert.Equal(t, "renamed", updated.Name)

	wait := func(a *hcloud.Action, _ *hcloud.Response, err error) {
		t.Helper()
		require.NoError(t, err)
		require.NoError(t, client.Action.WaitFor(ctx, a))
	}
	reload := func() *hcloud.LoadBalancer {
		t.Helper()
		lb, _, err := client.LoadBalancer.GetByID(ctx, lb.ID)
		require.NoError(t, err)
		return lb
	}

	// Services: hcloud-go leaves out every field it was not given; the API's defaults fill them.
	wait(client.LoadBalancer.AddService(ctx, lb, hcloud.LoadBalancerAddServiceOpts{Protocol: hcloud.LoadBalancerServiceProtocolTCP,
		ListenPort: hcloud.Ptr(5432), DestinationPort: hcloud.Ptr(5432)}))
	wait(client.LoadBalancer.AddService(ctx, lb, hcloud.LoadBalancerAddServiceOpts{Protocol: hcloud.LoadBalancerServiceProtocolHTTP,
		ListenPort: hcloud.Ptr(8000), HealthCheck: &hcloud.LoadBalancerAddServiceOptsHealthCheck{Protocol: hcloud.LoadBalancerServiceProtocolHTTP,
			HTTP: &hcloud.LoadBalancerAddServiceOptsHealthCheckHTTP{Domain: hcloud.Ptr("example.com")}}}))
	_, _, err = client.LoadBalancer.AddService(ctx, lb, hcloud.LoadBalancerAddServiceOpts{Protocol: hcloud.LoadBalancerServiceProtocolTCP,
		ListenPort: hcloud.Ptr(5432), DestinationPort: hcloud.Ptr(1)})
	requireHcloudError(t, err, "source_port_already_used")
	wait(client.LoadBalancer.UpdateService(ctx, lb, 5432, hcloud.LoadBalancerUpdateServiceOpts{DestinationPort: hcloud.Ptr(6432),
		Proxyprotocol: hcloud.Ptr(true), HealthCheck: &hcloud.LoadBalancerUpdateServiceOptsHealthCheck{Retries: hcloud.Ptr(5)}}))
	lb = reload()
	require.Len(t, lb.Services, 3)
	assert.Equal(t, 6432, lb.Services[1].DestinationPort)
	assert.True(t, lb.Services[1].Proxyprotocol)
	assert.Equal(t, 5, lb.Services[1].HealthCheck.Retries)
	assert.Equal(t, 5432, lb.Services[1].HealthCheck.Port, "a tcp service's check defaults to its destination port")
	assert.Equal(t, 15*time.Second, lb.Services[2].HealthCheck.Interval)
	assert.Equal(t, "example.com", lb.Services[2].HealthCheck.HTTP.Domain)
	assert.Equal(t, 80, lb.Services[2].DestinationPort)
	wait(client.LoadBalancer.DeleteService(ctx, lb, 8000))
	_, _, err = client.LoadBalancer.DeleteService(ctx, lb, 8000)
	requireHcloudError(t, err, hcloud.ErrorCodeInvalidInput)

	// Targets.
	wait(client.LoadBalancer.AddServerTarget(ctx, lb, hcloud.LoadBalancerAddServerTargetOpts{Server: app}))
	wait(client.LoadBalancer.AddIPTarget(ctx, lb, hcloud.LoadBalancerAddIPTargetOpts{IP: net.ParseIP("203.0.113.10")}))
	wait(client.LoadBalancer.AddLabelSelectorTarget(ctx, lb, hcloud.LoadBalancerAddLabelSelectorTargetOpts{Selector: "role=web", UsePrivateIP: hcloud.Ptr(true)}))
	_, _, err = client.LoadBalancer.AddServerTarget(ctx, lb, hcloud.LoadBalancerAddServerTargetOpts{Server: app})
	requireHcloudError(t, err, "target_already_defined")
	_, _, err = client.LoadBalancer.AddServerTarget(ctx, lb, hcloud.LoadBalancerAddServerTargetOpts{Server: app, UsePrivateIP: hcloud.Ptr(true)})
	requireHcloudError(t, err, "target_already_defined")
	_, _, err = client.LoadBalancer.AddIPTarget(ctx, lb, hcloud.LoadBalancerAddIPTargetOpts{IP: lb.PublicNet.IPv4.IP})
	requireHcloudError(t, err, "cloud_resource_ip_not_allowed")
	assert.Len(t, reload().Targets, 5)
	wait(client.LoadBalancer.RemoveServerTarget(ctx, lb, app))
	wait(client.LoadBalancer.RemoveIPTarget(ctx, lb, net.ParseIP("203.0.113.10")))
	wait(client.LoadBalancer.RemoveLabelSelectorTarget(ctx, lb, "role=app"))
	_, _, err = client.LoadBalancer.RemoveServerTarget(ctx, lb, app)
	requireHcloudError(t, err, hcloud.ErrorCodeInvalidInput)
	lb = reload()
	require.Len(t, lb.Targets, 2)
	assert.Equal(t, hcloud.LoadBalancerTargetTypeServer, lb.Targets[0].Type)
	assert.Equal(t, hcloud.LoadBalancerTargetTypeLabelSelector, lb.Targets[1].Type)

	// The public interface goes off only with every target private.
	wait(client.LoadBalancer.DisablePublicInterface(ctx, lb))
	_, _, err = client.LoadBalancer.AddServerTarget(ctx, lb, hcloud.LoadBalancerAddServerTargetOpts{Server: app})
	requireHcloudError(t, err, "load_balancer_public_interface_disabled")
	assert.False(t, reload().PublicNet.Enabled)
	wait(client.LoadBalancer.EnablePublicInterface(ctx, lb))
	wait(client.LoadBalancer.AddServerTarget(ctx, lb, hcloud.LoadBalancerAddServerTargetOpts{Server: app}))
	_, _, err = client.LoadBalancer.DisablePublicInterface(ctx, lb)
	requireHcloudError(t, err, "targets_without_use_private_ip")

	// Network.
	_, _, err = client.LoadBalancer.AttachToNetwork(ctx, lb, hcloud.LoadBalancerAttachToNetworkOpts{Network: network})
	requireHcloudError(t, err, "load_balancer_already_attached")
	wait(client.LoadBalancer.DetachFromNetwork(ctx, lb, hcloud.LoadBalancerDetachFromNetworkOpts{Network: network}))
	assert.Nil(t, reload().PrivateNetFor(network))
	_, _, err = client.LoadBalancer.AddServerTarget(ctx, lb, hcloud.LoadBalancerAddServerTargetOpts{Server: web, UsePrivateIP: hcloud.Ptr(true)})
	requireHcloudError(t, err, "target_already_defined")
	wait(client.LoadBalancer.AttachToNetwork(ctx, lb, hcloud.LoadBalancerAttachToNetworkOpts{Network: network, IP: net.ParseIP("10.0.1.99")}))
	assert.Equal(t, "10.0.1.99", reload().PrivateNetFor(network).IP.String())
	members, _, err := client.Network.ListMembers(ctx, network, hcloud.NetworkMemberListOpts{Type: []hcloud.NetworkMemberType{hcloud.NetworkMemberTypeLoadBalancer}})
	require.NoError(t, err)
	require.Len(t, members, 1)
	assert.Equal(t, lb.ID, members[0].ID)

	// Algorithm, type, reverse DNS, protection.
	wait(client.LoadBalancer.ChangeAlgorithm(ctx, lb, hcloud.LoadBalancerChangeAlgorithmOpts{Type: hcloud.LoadBalancerAlgorithmTypeRoundRobin}))
	wait(client.LoadBalancer.ChangeType(ctx, lb, hcloud.LoadBalancerChangeTypeOpts{LoadBalancerType: &hcloud.LoadBalancerType{ID: 2}}))
	wait(client.LoadBalancer.ChangeDNSPtr(ctx, lb, lb.PublicNet.IPv6.IP.String(), hcloud.Ptr("lb.example.com")))
	lb = reload()
	assert.Equal(t, hcloud.LoadBalancerAlgorithmTypeRoundRobin, lb.Algorithm.Type)
	assert.Equal(t, "lb21", lb.LoadBalancerType.Name)
	ptr, err := lb.GetDNSPtrForIP(lb.PublicNet.IPv6.IP)
	require.NoError(t, err)
	assert.Equal(t, "lb.example.com", ptr)
	wait(client.LoadBalancer.ChangeDNSPtr(ctx, lb, lb.PublicNet.IPv6.IP.String(), nil))
	assert.Empty(t, reload().PublicNet.IPv6.DNSPtr)
	wait(client.LoadBalancer.ChangeProtection(ctx, lb, hcloud.LoadBalancerChangeProtectionOpts{Delete: hcloud.Ptr(true)}))
	assert.True(t, reload().Protection.Delete)
	_, err = client.LoadBalancer.Delete(ctx, lb)
	requireHcloudError(t, err, hcloud.ErrorCodeProtected)
	wait(client.LoadBalancer.ChangeProtection(ctx, lb, hcloud.LoadBalancerChangeProtectionOpts{Delete: hcloud.Ptr(false)}))

	// Metrics.
	end := time.Now().UTC().Truncate(time.Second)
	m, _, err := client.LoadBalancer.GetMetrics(ctx, lb, hcloud.LoadBalancerGetMetricsOpts{
		Types: []hcloud.LoadBalancerMetricType{hcloud.LoadBalancerMetricOpenConnections, hcloud.LoadBalancerMetricConnectionsPerSecond,
			hcloud.LoadBalancerMetricRequestsPerSecond, hcloud.LoadBalancerMetricBandwidth},
		Start: end.Add(-time.Hour), End: end, Step: 60})
	require.NoError(t, err)
	assert.Equal(t, float64(60), m.Step)
	for _, name := range []string{"open_connections", "connections_per_second", "requests_per_second", "bandwidth.in", "bandwidth.out"} {
		assert.Len(t, m.TimeSeries[name], 61, name)
	}

	// Delete decodes the 201 action (hcloud-go >= v2.52) and waits for it.
	del, _, err := client.LoadBalancer.DeleteWithResult(ctx, lb)
	require.NoError(t, err)
	assert.Equal(t, "delete_load_balancer", del.Action.Command)
	require.NoError(t, client.Action.WaitFor(ctx, del.Action))
	gone, _, err := client.LoadBalancer.GetByID(ctx, lb.ID)
	require.NoError(t, err)
	assert.Nil(t, gone)
	srvAgain, _, err = client.Server.GetByID(ctx, app.ID)
	require.NoError(t, err)
	assert.Empty(t, srvAgain.LoadBalancers)
}

func TestLoadBalancerWithPrimaryIPsAndDeleteWithHcloudGo(t *testing.T) {
	srv := testkit.New(t)
	client := hcloudClient(srv, srv.Token)
	ctx := context.Background()
	created, _, err := client.PrimaryIP.Create(ctx, hcloud.PrimaryIPCreateOpts{Name: "v4", Type: hcloud.PrimaryIPTypeIPv4,
		Location: "fsn1", AssigneeType: "server"})
	require.NoError(t, err)

	res, _, err := client.LoadBalancer.Create(ctx, hcloud.LoadBalancerCreateOpts{Name: "lb", LoadBalancerType: &hcloud.LoadBalancerType{ID: 1},
		NetworkZone: hcloud.NetworkZoneEUCentral, PublicNet: &hcloud.LoadBalancerCreateOptsPublicNet{IPv4: created.PrimaryIP}})
	require.NoError(t, err)
	require.NoError(t, client.Action.WaitFor(ctx, res.Action))
	lb := res.LoadBalancer
	assert.Equal(t, created.PrimaryIP.ID, lb.PublicNet.IPv4.ID)
	assert.Equal(t, created.PrimaryIP.IP.String(), lb.PublicNet.IPv4.IP.String())
	assert.Zero(t, lb.PublicNet.IPv6.ID, "a system managed address has no primary IP")

	pip, _, err := client.PrimaryIP.GetByID(ctx, created.PrimaryIP.ID)
	require.NoError(t, err)
	assert.Equal(t, lb.ID, pip.AssigneeID)
	_, _, err = client.LoadBalancer.Create(ctx, hcloud.LoadBalancerCreateOpts{Name: "lb2", LoadBalancerType: &hcloud.LoadBalancerType{Name: "lb11"},
		Location: &hcloud.Location{Name: "fsn1"}, PublicNet: &hcloud.LoadBalancerCreateOptsPublicNet{IPv4: created.PrimaryIP}})
	requireHcloudError(t, err, "primary_ip_assigned")

	// The deprecated Delete decodes the action too, and the primary IP is free afterwards.
	_, err = client.LoadBalancer.Delete(ctx, lb)
	require.NoError(t, err)
	srv.AdvanceClock(0)
	pip, _, err = client.PrimaryIP.GetByID(ctx, created.PrimaryIP.ID)
	require.NoError(t, err)
	assert.Zero(t, pip.AssigneeID)
}
