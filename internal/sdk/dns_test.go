package sdk_test

//lint:file-ignore SA1019 these tests exercise the deprecated legacy DNS facade on purpose

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
)

// Linters flag uses of identifiers whose doc has a "Deprecated:" paragraph; every exported
// identifier of the legacy facade must have one.
func TestEveryLegacyDNSIdentifierIsDeprecated(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "dns.go", nil, parser.ParseComments)
	require.NoError(t, err)
	deprecated := func(doc *ast.CommentGroup) bool {
		return doc != nil && strings.Contains(doc.Text(), "\nDeprecated: ") || doc != nil && strings.HasPrefix(doc.Text(), "Deprecated: ")
	}
	n := 0
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() {
				n++
				assert.True(t, deprecated(d.Doc), "func %s", d.Name.Name)
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				if ts, ok := spec.(*ast.TypeSpec); ok && ts.Name.IsExported() {
					n++
					doc := ts.Doc
					if doc == nil {
						doc = d.Doc
					}
					assert.True(t, deprecated(doc), "type %s", ts.Name.Name)
				}
			}
		}
	}
	assert.Greater(t, n, 20)
}

func TestLegacyDNS(t *testing.T) {
	ctx := context.Background()
	_, client, rec := newClient(t, nil)
	dns := client.DNS()

	zone, err := dns.CreateZone(ctx, "legacy.com", 86400)
	require.NoError(t, err)
	assert.Len(t, zone.ID, 22)
	assert.Equal(t, "legacy.com", zone.Name)
	assert.False(t, zone.Created.IsZero())
	sent := rec.seen("/api/v1/zones")
	require.NotEmpty(t, sent)
	assert.NotEmpty(t, sent[0].Header.Get("Auth-API-Token"), "the legacy API's header")
	assert.Empty(t, sent[0].Header.Get("Authorization"))

	got, err := dns.GetZone(ctx, zone.ID)
	require.NoError(t, err)
	assert.Equal(t, zone.ID, got.ID)
	zones, _, err := dns.ListZones(ctx, sdk.DNSZoneListOpts{Name: "legacy.com"})
	require.NoError(t, err)
	require.Len(t, zones, 1)
	_, _, err = dns.ListZones(ctx, sdk.DNSZoneListOpts{Name: "nope.com"})
	assert.ErrorIs(t, err, sdk.ErrNotFound, "the legacy API answers 404 for an unknown name")
	n := 0
	for _, err := range dns.AllZones(ctx, sdk.DNSZoneListOpts{}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 1, n)

	updated, err := dns.UpdateZone(ctx, zone.ID, "legacy.com", 600)
	require.NoError(t, err)
	assert.Equal(t, 600, updated.TTL)

	rec1, err := dns.CreateRecord(ctx, sdk.DNSRecordOpts{ZoneID: zone.ID, Type: "A", Name: "www", Value: "198.51.100.1", TTL: sdk.Ptr(60)})
	require.NoError(t, err)
	assert.Len(t, rec1.ID, 32)
	require.NotNil(t, rec1.TTL)
	records, err := dns.ListRecords(ctx, zone.ID)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(records), 5, "SOA, 3 NS and www")
	one, err := dns.GetRecord(ctx, rec1.ID)
	require.NoError(t, err)
	assert.Equal(t, "198.51.100.1", one.Value)
	changed, err := dns.UpdateRecord(ctx, rec1.ID, sdk.DNSRecordOpts{ZoneID: zone.ID, Type: "A", Name: "www", Value: "198.51.100.2"})
	require.NoError(t, err)
	assert.Equal(t, "198.51.100.2", changed.Value)

	bulk, err := dns.BulkCreateRecords(ctx, []sdk.DNSRecordOpts{
		{ZoneID: zone.ID, Type: "TXT", Name: "_acme-challenge", Value: "abc"},
		{ZoneID: zone.ID, Type: "MX", Name: "@", Value: "10 mail.legacy.com."},
	})
	require.NoError(t, err)
	assert.Len(t, bulk.Records, 2)
	upd, err := dns.BulkUpdateRecords(ctx, []sdk.DNSBulkUpdate{{ID: bulk.Records[0].ID,
		DNSRecordOpts: sdk.DNSRecordOpts{ZoneID: zone.ID, Type: "TXT", Name: "_acme-challenge", Value: "def"}}})
	require.NoError(t, err)
	require.Len(t, upd.Records, 1)
	assert.Equal(t, "def", upd.Records[0].Value)

	require.NoError(t, dns.DeleteRecord(ctx, rec1.ID))
	_, err = dns.GetRecord(ctx, rec1.ID)
	assert.ErrorIs(t, err, sdk.ErrNotFound)

	text, err := dns.ExportZonefile(ctx, zone.ID)
	require.NoError(t, err)
	assert.Contains(t, text, "_acme-challenge")
	valid, err := dns.ValidateZonefile(ctx, text)
	require.NoError(t, err)
	assert.Positive(t, valid.ParsedRecords)
	imported, err := dns.ImportZonefile(ctx, zone.ID, text+"\nextra 300 IN A 203.0.113.9\n")
	require.NoError(t, err)
	assert.Equal(t, zone.ID, imported.ID)
	records, err = dns.ListRecords(ctx, zone.ID)
	require.NoError(t, err)
	assert.True(t, strings.Contains(recordNames(records), "extra"))

	ps, err := dns.CreatePrimaryServer(ctx, sdk.DNSPrimaryServerOpts{ZoneID: zone.ID, Address: "198.51.100.7", Port: 53})
	require.NoError(t, err)
	gotPS, err := dns.GetPrimaryServer(ctx, ps.ID)
	require.NoError(t, err)
	assert.Equal(t, "198.51.100.7", gotPS.Address)
	updPS, err := dns.UpdatePrimaryServer(ctx, ps.ID, sdk.DNSPrimaryServerOpts{ZoneID: zone.ID, Address: "198.51.100.8", Port: 5353})
	require.NoError(t, err)
	assert.Equal(t, 5353, updPS.Port)
	list, err := dns.ListPrimaryServers(ctx, zone.ID)
	require.NoError(t, err)
	assert.Len(t, list, 1)
	require.NoError(t, dns.DeletePrimaryServer(ctx, ps.ID))

	var raw []byte
	require.NoError(t, dns.Call(ctx, "legacy_get_zone", sdk.Params{"ZoneID": zone.ID}, nil, &raw))
	assert.Contains(t, string(raw), zone.ID)
	assert.Contains(t, dns.Operations(), "legacy_list_zones")

	require.NoError(t, dns.DeleteZone(ctx, zone.ID))
	_, err = dns.GetZone(ctx, zone.ID)
	var apiErr *sdk.Error
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, sdk.ErrNotFound)
	assert.Equal(t, 404, apiErr.StatusCode)
	assert.NotEmpty(t, apiErr.Message)
}

func TestLegacyDNSWrongToken(t *testing.T) {
	srv, _, _ := newClient(t, nil)
	client := sdk.New("", sdk.WithDNSEndpoint(srv.BaseURL+"/api/v1"), sdk.WithHTTPClient(srv.HTTPClient()))
	_, _, err := client.DNS().ListZones(context.Background(), sdk.DNSZoneListOpts{})
	assert.ErrorIs(t, err, sdk.ErrUnauthorized)
}

func recordNames(rs []sdk.DNSRecord) string {
	var names []string
	for _, r := range rs {
		names = append(names, r.Name)
	}
	return strings.Join(names, ",")
}
