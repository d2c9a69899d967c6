package sdk

import "context"

// Cloud is the facade of the Hetzner Cloud API.
type Cloud struct{ c *Client }

// Cloud returns the Cloud API facade.
func (c *Client) Cloud() Cloud { return Cloud{c: c} }

// Actions reads and waits for actions.
func (cl Cloud) Actions() ActionClient { return ActionClient{c: cl.c} }

// SSHKeys manages SSH keys.
func (cl Cloud) SSHKeys() SSHKeyClient { return SSHKeyClient{c: cl.c} }

// Servers manages servers.
func (cl Cloud) Servers() ServerClient { return ServerClient{c: cl.c} }

// PrimaryIPs manages Primary IPs.
func (cl Cloud) PrimaryIPs() PrimaryIPClient { return PrimaryIPClient{c: cl.c} }

// FloatingIPs manages Floating IPs.
func (cl Cloud) FloatingIPs() FloatingIPClient { return FloatingIPClient{c: cl.c} }

// Volumes manages volumes; a server shows the ids of its volumes in Server.Volumes.
func (cl Cloud) Volumes() VolumeClient { return VolumeClient{c: cl.c} }

// PlacementGroups manages placement groups.
func (cl Cloud) PlacementGroups() PlacementGroupClient { return PlacementGroupClient{c: cl.c} }

// Networks manages private networks; servers attach through Servers().AttachToNetwork.
func (cl Cloud) Networks() NetworkClient { return NetworkClient{c: cl.c} }

// Firewalls manages firewalls; a server shows those applied to it in PublicNet.Firewalls.
func (cl Cloud) Firewalls() FirewallClient { return FirewallClient{c: cl.c} }

// LoadBalancers manages load balancers; a server shows those that target it in
// Server.LoadBalancers.
func (cl Cloud) LoadBalancers() LoadBalancerClient { return LoadBalancerClient{c: cl.c} }

// Certificates manages TLS certificates, uploaded or managed (issued by the API).
func (cl Cloud) Certificates() CertificateClient { return CertificateClient{c: cl.c} }

// Zones manages Cloud DNS zones and, through Zones().RRSets(zone), their records.
func (cl Cloud) Zones() ZoneClient { return ZoneClient{c: cl.c} }

// Locations reads locations.
func (cl Cloud) Locations() LocationClient { return LocationClient{c: cl.c} }

// Datacenters reads datacenters.
//
// Deprecated: datacenters are deprecated by the API; use Locations.
func (cl Cloud) Datacenters() DatacenterClient { return DatacenterClient{c: cl.c} }

// ServerTypes reads server types.
func (cl Cloud) ServerTypes() ServerTypeClient { return ServerTypeClient{c: cl.c} }

// LoadBalancerTypes reads load balancer types.
func (cl Cloud) LoadBalancerTypes() LoadBalancerTypeClient { return LoadBalancerTypeClient{c: cl.c} }

// ISOs reads ISOs.
func (cl Cloud) ISOs() ISOClient { return ISOClient{c: cl.c} }

// Images reads images and manages snapshots and backups.
func (cl Cloud) Images() ImageClient { return ImageClient{c: cl.c} }

// Pricing reads the price list.
func (cl Cloud) Pricing() PricingClient { return PricingClient{c: cl.c} }

// Call performs any operation of the Cloud API by its operationId in openapi.json, for what
// the facades do not cover. Path placeholders are filled from params, the other params go
// into the query; body is sent as JSON (or as is, when []byte, json.RawMessage or string);
// the answer is decoded into out (or copied when out is *[]byte or *string). Errors, retries
// and rate limits work as for the facades.
//
//	var out struct{ Server sdk.Server `json:"server"` }
//	err := client.Cloud().Call(ctx, "get_server", sdk.Params{"id": 42}, nil, &out)
func (cl Cloud) Call(ctx context.Context, operationID string, params Params, body, out any) error {
	return cl.c.call(ctx, apiCloud, operationID, params, body, out)
}

// Operations lists the operationIds Call knows, sorted.
func (cl Cloud) Operations() []string { return cloudOperationIDs() }

// Operation describes one operation Call knows.
func (cl Cloud) Operation(operationID string) (Operation, bool) {
	op, ok := lookupOperation(operationID)
	if !ok || op.api != apiCloud {
		return Operation{}, false
	}
	return op.Operation, true
}
