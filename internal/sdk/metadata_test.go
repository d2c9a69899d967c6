package sdk_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
)

func TestMetadata(t *testing.T) {
	ctx := context.Background()
	srv, client, _ := newClient(t, nil, tinyPolls)
	first := createServer(t, client, "node-1").Server
	md := srv.MetadataClient(0)

	assert.True(t, md.IsHetznerServer(ctx))
	host, err := md.Hostname(ctx)
	require.NoError(t, err)
	assert.Equal(t, "node-1", host)
	id, err := md.InstanceID(ctx)
	require.NoError(t, err)
	assert.Equal(t, first.ID, id)
	ip, err := md.PublicIPv4(ctx)
	require.NoError(t, err)
	assert.Equal(t, first.PublicNet.IPv4.IP, ip)
	zone, err := md.AvailabilityZone(ctx)
	require.NoError(t, err)
	assert.Contains(t, zone, "hel1")
	region, err := md.Region(ctx)
	require.NoError(t, err)
	assert.Equal(t, "eu-central", region)
	nets, err := md.PrivateNetworks(ctx)
	require.NoError(t, err)
	assert.Empty(t, nets, "node-1 is in no network")

	// With two servers the asking one must be named.
	second := createServer(t, client, "node-2").Server
	_, err = md.Hostname(ctx)
	assert.ErrorIs(t, err, sdk.ErrNotFound)
	assert.False(t, md.IsHetznerServer(ctx))
	host, err = srv.MetadataClient(second.ID).Hostname(ctx)
	require.NoError(t, err)
	assert.Equal(t, "node-2", host)
}

func TestMetadataUnreachableIsATransportError(t *testing.T) {
	md := sdk.NewMetadata(sdk.WithMetadataEndpoint("http://127.0.0.1:1/hetzner/v1/metadata"))
	_, err := md.Hostname(context.Background())
	var te *sdk.TransportError
	assert.ErrorAs(t, err, &te)
	assert.False(t, md.IsHetznerServer(context.Background()))
}
