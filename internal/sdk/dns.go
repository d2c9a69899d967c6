package sdk

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The legacy Hetzner DNS API (dns.hetzner.com/api/v1). Hetzner moved DNS into the Cloud API in
// 2025; everything here is deprecated in favour of Client.Cloud().Zones().

// DNS is the facade of the legacy DNS API. It authenticates with the client's token in the
// Auth-API-Token header and talks to the DNS endpoint (WithDNSEndpoint).
//
// Deprecated: the legacy DNS API is replaced by Cloud DNS; use Client.Cloud().Zones().
type DNS struct{ c *Client }

// DNS returns the legacy DNS API facade.
//
// Deprecated: use Client.Cloud().Zones().
func (c *Client) DNS() DNS { return DNS{c: c} }

// DNSTime is a timestamp of the legacy API, which writes Go's time.String form
// ("2021-01-22 13:26:21.526 +0000 UTC"); empty strings are the zero time.
//
// Deprecated: part of the legacy DNS API; Cloud DNS uses time.Time.
type DNSTime struct{ time.Time }

// UnmarshalJSON reads the legacy form, and RFC 3339 as some answers use it.
//
// Deprecated: part of the legacy DNS API.
func (t *DNSTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if i := strings.Index(s, " m="); i >= 0 {
		s = s[:i] // the monotonic clock reading time.String appends
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999 -0700 MST", time.RFC3339Nano} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v
			return nil
		}
	}
	return fmt.Errorf("hcloud: legacy DNS time %q", s)
}

// DNSZone is a zone of the legacy DNS API.
//
// Deprecated: use Zone.
type DNSZone struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	TTL            int      `json:"ttl"`
	NS             []string `json:"ns"`
	LegacyNS       []string `json:"legacy_ns"`
	Status         string   `json:"status"`
	Paused         bool     `json:"paused"`
	IsSecondaryDNS bool     `json:"is_secondary_dns"`
	RecordsCount   int      `json:"records_count"`
	Registrar      string   `json:"registrar"`
	Created        DNSTime  `json:"created"`
	Modified       DNSTime  `json:"modified"`
	Verified       DNSTime  `json:"verified"`
}

// DNSRecord is a record of the legacy DNS API.
//
// Deprecated: use RRSet and Record.
type DNSRecord struct {
	ID       string  `json:"id"`
	ZoneID   string  `json:"zone_id"`
	Type     string  `json:"type"`
	Name     string  `json:"name"`
	Value    string  `json:"value"`
	TTL      *int    `json:"ttl"` // nil: the zone's TTL
	Created  DNSTime `json:"created"`
	Modified DNSTime `json:"modified"`
}

// DNSRecordOpts is the body of creating or replacing a record.
//
// Deprecated: use RRSetCreateOpts.
type DNSRecordOpts struct {
	ZoneID string `json:"zone_id"`
	Type   string `json:"type"`
	Name   string `json:"name"`
	Value  string `json:"value"`
	TTL    *int   `json:"ttl,omitempty"`
}

// DNSPrimaryServer is a primary nameserver of a secondary zone.
//
// Deprecated: use ZonePrimaryNameserver.
type DNSPrimaryServer struct {
	ID       string  `json:"id"`
	ZoneID   string  `json:"zone_id"`
	Address  string  `json:"address"`
	Port     int     `json:"port"`
	Created  DNSTime `json:"created"`
	Modified DNSTime `json:"modified"`
}

// DNSPrimaryServerOpts is the body of creating or replacing a primary server.
//
// Deprecated: use ZonePrimaryNameserver.
type DNSPrimaryServerOpts struct {
	ZoneID  string `json:"zone_id"`
	Address string `json:"address"`
	Port    int    `json:"port"`
}

// DNSZoneListOpts filters the zone list.
//
// Deprecated: use ZoneListOpts.
type DNSZoneListOpts struct {
	Name          string // exact; no match is ErrNotFound, as the legacy API answers 404
	SearchName    string // substring
	Page, PerPage int    // PerPage up to 100
}

func (d DNS) get(ctx context.Context, path string, q url.Values, out any) error {
	res, err := d.c.do(ctx, request{api: apiDNS, method: http.MethodGet, path: path, query: q})
	if err != nil {
		return err
	}
	return decodeInto(res, out)
}

func (d DNS) send(ctx context.Context, method, path string, in, out any) error {
	req := request{api: apiDNS, method: method, path: path}
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("hcloud: encoding the body: %w", err)
		}
		req.body = data
	}
	res, err := d.c.do(ctx, req)
	if err != nil {
		return err
	}
	return decodeInto(res, out)
}

// ListZones returns one page of zones.
//
// Deprecated: use ZoneClient.List.
func (d DNS) ListZones(ctx context.Context, opts DNSZoneListOpts) ([]DNSZone, Pagination, error) {
	q := query{}.str("name", opts.Name).str("search_name", opts.SearchName).page(opts.Page, opts.PerPage)
	var res struct {
		Zones []DNSZone `json:"zones"`
		Meta  struct {
			Pagination Pagination `json:"pagination"`
		} `json:"meta"`
	}
	err := d.get(ctx, "/zones", q.values(), &res)
	return res.Zones, res.Meta.Pagination, err
}

// AllZones iterates every zone, page by page (the legacy API's pages hold up to 100).
//
// Deprecated: use ZoneClient.All.
func (d DNS) AllZones(ctx context.Context, opts DNSZoneListOpts) iter.Seq2[DNSZone, error] {
	return func(yield func(DNSZone, error) bool) {
		opts.Page = max(opts.Page, 1)
		if opts.PerPage == 0 {
			opts.PerPage = 100
		}
		for {
			zones, pg, err := d.ListZones(ctx, opts)
			if err != nil {
				yield(DNSZone{}, err)
				return
			}
			for _, z := range zones {
				if !yield(z, nil) {
					return
				}
			}
			// The legacy API may repeat the current page as next_page on the last one.
			if opts.Page >= pg.LastPage || len(zones) == 0 {
				return
			}
			opts.Page++
		}
	}
}

// GetZone returns one zone.
//
// Deprecated: use ZoneClient.Get.
func (d DNS) GetZone(ctx context.Context, id string) (DNSZone, error) {
	var res struct {
		Zone DNSZone `json:"zone"`
	}
	err := d.get(ctx, "/zones/"+escapeSegment(id), nil, &res)
	return res.Zone, err
}

// CreateZone creates a zone; ttl 0 takes the API's default.
//
// Deprecated: use ZoneClient.Create.
func (d DNS) CreateZone(ctx context.Context, name string, ttl int) (DNSZone, error) {
	body := map[string]any{"name": name}
	if ttl != 0 {
		body["ttl"] = ttl
	}
	var res struct {
		Zone DNSZone `json:"zone"`
	}
	err := d.send(ctx, http.MethodPost, "/zones", body, &res)
	return res.Zone, err
}

// UpdateZone renames a zone or changes its TTL (both are sent).
//
// Deprecated: use ZoneClient.ChangeTTL.
func (d DNS) UpdateZone(ctx context.Context, id, name string, ttl int) (DNSZone, error) {
	var res struct {
		Zone DNSZone `json:"zone"`
	}
	err := d.send(ctx, http.MethodPut, "/zones/"+escapeSegment(id), map[string]any{"name": name, "ttl": ttl}, &res)
	return res.Zone, err
}

// DeleteZone deletes a zone with its records.
//
// Deprecated: use ZoneClient.Delete.
func (d DNS) DeleteZone(ctx context.Context, id string) error {
	return d.send(ctx, http.MethodDelete, "/zones/"+escapeSegment(id), nil, nil)
}

// ImportZonefile replaces the zone's records with those of a BIND zone file.
//
// Deprecated: use ZoneClient.ImportZonefile.
func (d DNS) ImportZonefile(ctx context.Context, id, zonefile string) (DNSZone, error) {
	res, err := d.c.do(ctx, request{api: apiDNS, method: http.MethodPost, path: "/zones/" + escapeSegment(id) + "/import",
		body: []byte(zonefile), contentType: "text/plain"})
	if err != nil {
		return DNSZone{}, err
	}
	var out struct {
		Zone DNSZone `json:"zone"`
	}
	return out.Zone, decodeInto(res, &out)
}

// ExportZonefile returns the zone as a BIND zone file.
//
// Deprecated: use ZoneClient.ExportZonefile.
func (d DNS) ExportZonefile(ctx context.Context, id string) (string, error) {
	res, err := d.c.do(ctx, request{api: apiDNS, method: http.MethodGet, path: "/zones/" + escapeSegment(id) + "/export", accept: "text/plain"})
	if err != nil {
		return "", err
	}
	return string(res.body), nil
}

// DNSZonefileValidation is the answer of validating a zone file.
//
// Deprecated: part of the legacy DNS API.
type DNSZonefileValidation struct {
	ParsedRecords int         `json:"parsed_records"`
	ValidRecords  []DNSRecord `json:"valid_records"`
}

// ValidateZonefile parses a zone file without changing any zone.
//
// Deprecated: part of the legacy DNS API; Cloud DNS validates on import.
func (d DNS) ValidateZonefile(ctx context.Context, zonefile string) (DNSZonefileValidation, error) {
	res, err := d.c.do(ctx, request{api: apiDNS, method: http.MethodPost, path: "/zones/file/validate",
		body: []byte(zonefile), contentType: "text/plain"})
	if err != nil {
		return DNSZonefileValidation{}, err
	}
	var out DNSZonefileValidation
	return out, decodeInto(res, &out)
}

// ListRecords returns every record of a zone ("" for every zone).
//
// Deprecated: use RRSetClient.All.
func (d DNS) ListRecords(ctx context.Context, zoneID string) ([]DNSRecord, error) {
	var res struct {
		Records []DNSRecord `json:"records"`
	}
	err := d.get(ctx, "/records", query{}.str("zone_id", zoneID).values(), &res)
	return res.Records, err
}

// GetRecord returns one record.
//
// Deprecated: use RRSetClient.Get.
func (d DNS) GetRecord(ctx context.Context, id string) (DNSRecord, error) {
	var res struct {
		Record DNSRecord `json:"record"`
	}
	err := d.get(ctx, "/records/"+escapeSegment(id), nil, &res)
	return res.Record, err
}

// CreateRecord creates a record.
//
// Deprecated: use RRSetClient.AddRecords.
func (d DNS) CreateRecord(ctx context.Context, opts DNSRecordOpts) (DNSRecord, error) {
	var res struct {
		Record DNSRecord `json:"record"`
	}
	err := d.send(ctx, http.MethodPost, "/records", opts, &res)
	return res.Record, err
}

// UpdateRecord replaces a record.
//
// Deprecated: use RRSetClient.SetRecords.
func (d DNS) UpdateRecord(ctx context.Context, id string, opts DNSRecordOpts) (DNSRecord, error) {
	var res struct {
		Record DNSRecord `json:"record"`
	}
	err := d.send(ctx, http.MethodPut, "/records/"+escapeSegment(id), opts, &res)
	return res.Record, err
}

// DeleteRecord deletes a record.
//
// Deprecated: use RRSetClient.RemoveRecords.
func (d DNS) DeleteRecord(ctx context.Context, id string) error {
	return d.send(ctx, http.MethodDelete, "/records/"+escapeSegment(id), nil, nil)
}

// DNSBulkCreateResult is the answer of creating records in bulk.
//
// Deprecated: part of the legacy DNS API.
type DNSBulkCreateResult struct {
	Records        []DNSRecord     `json:"records"`
	ValidRecords   []DNSRecordOpts `json:"valid_records"`
	InvalidRecords []DNSRecordOpts `json:"invalid_records"`
}

// BulkCreateRecords creates several records; if any is invalid none is created and the error
// is ErrInvalidInput.
//
// Deprecated: use RRSetClient.AddRecords.
func (d DNS) BulkCreateRecords(ctx context.Context, records []DNSRecordOpts) (DNSBulkCreateResult, error) {
	var res DNSBulkCreateResult
	err := d.send(ctx, http.MethodPost, "/records/bulk", map[string]any{"records": records}, &res)
	return res, err
}

// DNSBulkUpdate is one record of a bulk update.
//
// Deprecated: part of the legacy DNS API.
type DNSBulkUpdate struct {
	ID string `json:"id"`
	DNSRecordOpts
}

// DNSBulkUpdateResult is the answer of updating records in bulk.
//
// Deprecated: part of the legacy DNS API.
type DNSBulkUpdateResult struct {
	Records       []DNSRecord     `json:"records"`
	FailedRecords []DNSBulkUpdate `json:"failed_records"`
}

// BulkUpdateRecords replaces several records.
//
// Deprecated: use RRSetClient.SetRecords.
func (d DNS) BulkUpdateRecords(ctx context.Context, records []DNSBulkUpdate) (DNSBulkUpdateResult, error) {
	var res DNSBulkUpdateResult
	err := d.send(ctx, http.MethodPut, "/records/bulk", map[string]any{"records": records}, &res)
	return res, err
}

// ListPrimaryServers returns the primary servers of a zone ("" for every zone).
//
// Deprecated: use Zone.PrimaryNameservers.
func (d DNS) ListPrimaryServers(ctx context.Context, zoneID string) ([]DNSPrimaryServer, error) {
	var res struct {
		PrimaryServers []DNSPrimaryServer `json:"primary_servers"`
	}
	err := d.get(ctx, "/primary_servers", query{}.str("zone_id", zoneID).values(), &res)
	return res.PrimaryServers, err
}

// GetPrimaryServer returns one primary server.
//
// Deprecated: use Zone.PrimaryNameservers.
func (d DNS) GetPrimaryServer(ctx context.Context, id string) (DNSPrimaryServer, error) {
	var res struct {
		PrimaryServer DNSPrimaryServer `json:"primary_server"`
	}
	err := d.get(ctx, "/primary_servers/"+escapeSegment(id), nil, &res)
	return res.PrimaryServer, err
}

// CreatePrimaryServer adds a primary server to a zone.
//
// Deprecated: use ZoneClient.ChangePrimaryNameservers.
func (d DNS) CreatePrimaryServer(ctx context.Context, opts DNSPrimaryServerOpts) (DNSPrimaryServer, error) {
	var res struct {
		PrimaryServer DNSPrimaryServer `json:"primary_server"`
	}
	err := d.send(ctx, http.MethodPost, "/primary_servers", opts, &res)
	return res.PrimaryServer, err
}

// UpdatePrimaryServer replaces a primary server.
//
// Deprecated: use ZoneClient.ChangePrimaryNameservers.
func (d DNS) UpdatePrimaryServer(ctx context.Context, id string, opts DNSPrimaryServerOpts) (DNSPrimaryServer, error) {
	var res struct {
		PrimaryServer DNSPrimaryServer `json:"primary_server"`
	}
	err := d.send(ctx, http.MethodPut, "/primary_servers/"+escapeSegment(id), opts, &res)
	return res.PrimaryServer, err
}

// DeletePrimaryServer removes a primary server.
//
// Deprecated: use ZoneClient.ChangePrimaryNameservers.
func (d DNS) DeletePrimaryServer(ctx context.Context, id string) error {
	return d.send(ctx, http.MethodDelete, "/primary_servers/"+escapeSegment(id), nil, nil)
}

// Call performs any operation of the legacy DNS API by its operationId; see Cloud.Call.
//
// Deprecated: use Cloud.Call with the Cloud DNS operations.
func (d DNS) Call(ctx context.Context, operationID string, params Params, body, out any) error {
	return d.c.call(ctx, apiDNS, operationID, params, body, out)
}

// Operations lists the operationIds DNS.Call knows, sorted.
//
// Deprecated: part of the legacy DNS API.
func (d DNS) Operations() []string { return dnsOperationIDs() }
