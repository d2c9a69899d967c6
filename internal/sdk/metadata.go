package sdk

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// DefaultMetadataEndpoint is where a Hetzner Cloud server reaches its metadata service.
const DefaultMetadataEndpoint = "http://169.254.169.254/hetzner/v1/metadata"

// MetadataClient reads the metadata service from inside a server. It needs no token.
type MetadataClient struct {
	endpoint string
	http     *http.Client
}

// MetadataOption configures a MetadataClient.
type MetadataOption func(*MetadataClient)

// WithMetadataEndpoint sets the service's base URL (ending in /hetzner/v1/metadata).
func WithMetadataEndpoint(u string) MetadataOption {
	return func(m *MetadataClient) { m.endpoint = strings.TrimRight(u, "/") }
}

// WithMetadataHTTPClient sets the HTTP client.
func WithMetadataHTTPClient(h *http.Client) MetadataOption {
	return func(m *MetadataClient) { m.http = h }
}

// NewMetadata returns a metadata client.
func NewMetadata(opts ...MetadataOption) *MetadataClient {
	m := &MetadataClient{endpoint: DefaultMetadataEndpoint, http: &http.Client{}}
	for _, o := range opts {
		o(m)
	}
	return m
}

// get reads one plain-text answer; anything but 200 is an error.
func (m *MetadataClient) get(ctx context.Context, path string) (string, error) {
	u := m.endpoint + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", &TransportError{Method: http.MethodGet, URL: u, Err: err}
	}
	res, err := m.http.Do(req)
	if err != nil {
		return "", &TransportError{Method: http.MethodGet, URL: u, Err: err}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return "", &TransportError{Method: http.MethodGet, URL: u, Err: err}
	}
	if res.StatusCode != http.StatusOK {
		return "", apiError(res.StatusCode, res.Header, body)
	}
	return strings.TrimSpace(string(body)), nil
}

// Hostname is the server's name.
func (m *MetadataClient) Hostname(ctx context.Context) (string, error) {
	return m.get(ctx, "/hostname")
}

// InstanceID is the server's id.
func (m *MetadataClient) InstanceID(ctx context.Context) (int64, error) {
	s, err := m.get(ctx, "/instance-id")
	if err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("hcloud: metadata instance-id %q: %w", s, err)
	}
	return id, nil
}

// PublicIPv4 is the server's public IPv4 ("" without one).
func (m *MetadataClient) PublicIPv4(ctx context.Context) (string, error) {
	return m.get(ctx, "/public-ipv4")
}

// AvailabilityZone is the server's datacenter, e.g. hel1-dc2.
func (m *MetadataClient) AvailabilityZone(ctx context.Context) (string, error) {
	return m.get(ctx, "/availability-zone")
}

// Region is the server's network zone, e.g. eu-central.
func (m *MetadataClient) Region(ctx context.Context) (string, error) { return m.get(ctx, "/region") }

// IsHetznerServer reports whether the metadata service answers with a hostname, i.e. the
// program runs on a Hetzner Cloud server.
func (m *MetadataClient) IsHetznerServer(ctx context.Context) bool {
	h, err := m.Hostname(ctx)
	return err == nil && h != ""
}

// MetadataPrivateNetwork is one entry of /private-networks.
type MetadataPrivateNetwork struct {
	IP           string
	AliasIPs     []string
	InterfaceNum int
	MACAddress   string
	NetworkID    int64
	NetworkName  string
	Network      string // the network's range
	Subnet       string
	Gateway      string
}

// PrivateNetworks are the server's network attachments.
func (m *MetadataClient) PrivateNetworks(ctx context.Context) ([]MetadataPrivateNetwork, error) {
	s, err := m.get(ctx, "/private-networks")
	if err != nil {
		return nil, err
	}
	return parsePrivateNetworks(s)
}

// parsePrivateNetworks reads the YAML list the service answers: entries of scalar keys plus
// the alias_ips list, as the service writes it. It is no general YAML parser, so that the SDK
// stays free of dependencies.
func parsePrivateNetworks(doc string) ([]MetadataPrivateNetwork, error) {
	var out []MetadataPrivateNetwork
	var cur *MetadataPrivateNetwork
	inAliases := false
	for n, line := range strings.Split(doc, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || trimmed == "[]" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if strings.HasPrefix(line, "- ") {
			out = append(out, MetadataPrivateNetwork{})
			cur = &out[len(out)-1]
			trimmed = strings.TrimSpace(line[2:])
			inAliases = false
		} else if cur == nil {
			return nil, fmt.Errorf("hcloud: private-networks line %d: %q outside a list entry", n+1, line)
		}
		if item, ok := strings.CutPrefix(trimmed, "- "); ok && inAliases {
			cur.AliasIPs = append(cur.AliasIPs, unquote(item))
			continue
		}
		key, value, ok := strings.Cut(trimmed, ":")
		if !ok {
			return nil, fmt.Errorf("hcloud: private-networks line %d: %q", n+1, line)
		}
		value = unquote(strings.TrimSpace(value))
		inAliases = false
		switch key {
		case "ip":
			cur.IP = value
		case "alias_ips":
			inAliases = value == ""
			cur.AliasIPs = []string{}
		case "interface_num":
			cur.InterfaceNum, _ = strconv.Atoi(value)
		case "mac_address":
			cur.MACAddress = value
		case "network_id":
			cur.NetworkID, _ = strconv.ParseInt(value, 10, 64)
		case "network_name":
			cur.NetworkName = value
		case "network":
			cur.Network = value
		case "subnet":
			cur.Subnet = value
		case "gateway":
			cur.Gateway = value
		}
	}
	return out, nil
}

// unquote reads a YAML scalar: in single quotes a doubled quote stands for one (network names
// such as "it's" come that way); double quotes take backslash escapes.
func unquote(s string) string {
	if len(s) < 2 || s[len(s)-1] != s[0] {
		return s
	}
	switch s[0] {
	case '\'':
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	case '"':
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
		return s[1 : len(s)-1]
	}
	return s
}
