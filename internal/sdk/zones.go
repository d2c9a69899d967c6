package sdk

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ZoneMode says whether the API hosts a zone's records (primary) or copies them from other
// nameservers (secondary).
type ZoneMode string

// Zone modes.
const (
	ZoneModePrimary   ZoneMode = "primary"
	ZoneModeSecondary ZoneMode = "secondary"
)

// Zone is a DNS zone of Cloud DNS.
type Zone struct {
	ID                       int64                        `json:"id"`
	Name                     string                       `json:"name"` // lower case, Punycode, no trailing dot
	Mode                     ZoneMode                     `json:"mode"`
	TTL                      int                          `json:"ttl"` // default TTL of the records
	Status                   string                       `json:"status"`
	Registrar                string                       `json:"registrar"`
	RecordCount              int                          `json:"record_count"` // records, not RRSets
	PrimaryNameservers       []ZonePrimaryNameserver      `json:"primary_nameservers"`
	AuthoritativeNameservers ZoneAuthoritativeNameservers `json:"authoritative_nameservers"`
	Protection               Protection                   `json:"protection"`
	Labels                   map[string]string            `json:"labels"`
	Created                  time.Time                    `json:"created"`
}

// ZonePrimaryNameserver is a server a secondary zone copies its records from.
type ZonePrimaryNameserver struct {
	Address       string `json:"address"`
	Port          int    `json:"port,omitempty"`           // 0: 53
	TSIGAlgorithm string `json:"tsig_algorithm,omitempty"` // hmac-md5, hmac-sha1, hmac-sha256
	TSIGKey       string `json:"tsig_key,omitempty"`       // base64
}

// ZoneAuthoritativeNameservers are the nameservers assigned to a zone and those the registry
// delegates it to.
type ZoneAuthoritativeNameservers struct {
	Assigned            []string   `json:"assigned"`
	Delegated           []string   `json:"delegated"`
	DelegationLastCheck *time.Time `json:"delegation_last_check"`
	DelegationStatus    string     `json:"delegation_status"`
}

// ZoneCreateOpts is the body of POST /zones. A primary zone may start with RRSets or with a
// Zonefile (not both); a secondary zone needs PrimaryNameservers.
type ZoneCreateOpts struct {
	Name               string                  `json:"name"`
	Mode               ZoneMode                `json:"mode"`
	TTL                int                     `json:"ttl,omitempty"` // 0: 3600
	Labels             map[string]string       `json:"labels,omitempty"`
	PrimaryNameservers []ZonePrimaryNameserver `json:"primary_nameservers,omitempty"`
	RRSets             []RRSetCreateOpts       `json:"rrsets,omitempty"`
	Zonefile           string                  `json:"zonefile,omitempty"`
}

// ZoneCreateResult is the answer of POST /zones. The assigned nameservers appear once Action
// has finished.
type ZoneCreateResult struct {
	Zone   Zone   `json:"zone"`
	Action Action `json:"action"`
}

// ZoneListOpts filters GET /zones.
type ZoneListOpts struct {
	Name          string
	Mode          ZoneMode
	LabelSelector string   // see Selector
	Sort          []string // id, name, created, with :asc or :desc
	Page, PerPage int
}

func (o ZoneListOpts) values() query {
	return query{}.str("name", o.Name).str("mode", string(o.Mode)).str("label_selector", o.LabelSelector).
		strs("sort", o.Sort).page(o.Page, o.PerPage)
}

// ZoneClient manages Cloud DNS zones. Every method names the zone by id ("42") or by name
// ("example.com"), as the API accepts both.
type ZoneClient struct{ c *Client }

func zonePath(zone string) string { return "/zones/" + escapeSegment(zone) }

// escapeSegment escapes a path segment but keeps @ and *, which DNS names use and the API
// expects literally (as hcloud-go sends them).
func escapeSegment(s string) string { return strings.ReplaceAll(url.PathEscape(s), "%2A", "*") }

// Get returns one zone.
func (z ZoneClient) Get(ctx context.Context, zone string) (Zone, error) {
	return getOne[Zone](ctx, z.c, zonePath(zone), "zone")
}

// List returns one page of zones.
func (z ZoneClient) List(ctx context.Context, opts ZoneListOpts) ([]Zone, Pagination, error) {
	return listPage[Zone](ctx, z.c, "/zones", "zones", opts.values().values())
}

// All iterates every zone.
func (z ZoneClient) All(ctx context.Context, opts ZoneListOpts) iter.Seq2[Zone, error] {
	return listAll[Zone](ctx, z.c, "/zones", "zones", opts.values().values())
}

// Create creates a zone.
func (z ZoneClient) Create(ctx context.Context, opts ZoneCreateOpts) (ZoneCreateResult, error) {
	var res ZoneCreateResult
	err := z.c.sendJSON(ctx, http.MethodPost, "/zones", opts, &res)
	return res, err
}

// Update replaces a zone's labels (the only thing PUT changes).
func (z ZoneClient) Update(ctx context.Context, zone string, labels map[string]string) (Zone, error) {
	if labels == nil {
		labels = map[string]string{}
	}
	var res struct {
		Zone Zone `json:"zone"`
	}
	err := z.c.sendJSON(ctx, http.MethodPut, zonePath(zone), map[string]any{"labels": labels}, &res)
	return res.Zone, err
}

// Delete deletes a zone with its records; a delete-protected zone is ErrProtected.
func (z ZoneClient) Delete(ctx context.Context, zone string) (Action, error) {
	return z.c.actionOf(ctx, http.MethodDelete, zonePath(zone), nil)
}

// ExportZonefile returns a primary zone as a BIND zone file.
func (z ZoneClient) ExportZonefile(ctx context.Context, zone string) (string, error) {
	var res struct {
		Zonefile string `json:"zonefile"`
	}
	err := z.c.getJSON(ctx, zonePath(zone)+"/zonefile", nil, &res)
	return res.Zonefile, err
}

// ImportZonefile replaces every RRSet of a primary zone with those of a BIND zone file.
func (z ZoneClient) ImportZonefile(ctx context.Context, zone, zonefile string) (Action, error) {
	return z.action(ctx, zone, "import_zonefile", map[string]string{"zonefile": zonefile})
}

// ChangeTTL sets the default TTL of a primary zone.
func (z ZoneClient) ChangeTTL(ctx context.Context, zone string, ttl int) (Action, error) {
	return z.action(ctx, zone, "change_ttl", map[string]int{"ttl": ttl})
}

// ChangeProtection sets delete protection.
func (z ZoneClient) ChangeProtection(ctx context.Context, zone string, deleteProtected bool) (Action, error) {
	return z.action(ctx, zone, "change_protection", map[string]bool{"delete": deleteProtected})
}

// ChangePrimaryNameservers replaces the primary nameservers of a secondary zone.
func (z ZoneClient) ChangePrimaryNameservers(ctx context.Context, zone string, servers []ZonePrimaryNameserver) (Action, error) {
	return z.action(ctx, zone, "change_primary_nameservers", map[string]any{"primary_nameservers": servers})
}

// ListActions returns one page of the zone's actions.
func (z ZoneClient) ListActions(ctx context.Context, zone string, opts ActionListOpts) ([]Action, Pagination, error) {
	return listPage[Action](ctx, z.c, zonePath(zone)+"/actions", "actions", opts.values().values())
}

func (z ZoneClient) action(ctx context.Context, zone, name string, body any) (Action, error) {
	return z.c.actionOf(ctx, http.MethodPost, zonePath(zone)+"/actions/"+name, body)
}

// RRSets manages the RRSets of one zone (id or name).
func (z ZoneClient) RRSets(zone string) RRSetClient { return RRSetClient{c: z.c, zone: zone} }

// RRSet is all records of one name and type in a zone.
type RRSet struct {
	ID         string            `json:"id"`   // "<name>/<type>"
	Name       string            `json:"name"` // relative to the zone; @ for the apex
	Type       string            `json:"type"` // A, AAAA, CNAME, MX, TXT, …
	TTL        *int              `json:"ttl"`  // nil: the zone's default
	Records    []Record          `json:"records"`
	Protection RRSetProtection   `json:"protection"`
	Labels     map[string]string `json:"labels"`
	Zone       int64             `json:"zone"`
}

// Record is one value of an RRSet, in zone-file syntax ("10 mail.example.com.").
type Record struct {
	Value   string `json:"value"`
	Comment string `json:"comment,omitempty"`
}

// RRSetProtection says whether an RRSet may change.
type RRSetProtection struct {
	Change bool `json:"change"`
}

// RRSetCreateOpts is the body of POST /zones/{zone}/rrsets (and an entry of
// ZoneCreateOpts.RRSets).
type RRSetCreateOpts struct {
	Name    string            `json:"name"`
	Type    string            `json:"type"`
	TTL     *int              `json:"ttl,omitempty"` // nil: the zone's default
	Records []Record          `json:"records"`
	Labels  map[string]string `json:"labels,omitempty"`
}

// RRSetCreateResult is the answer of creating an RRSet.
type RRSetCreateResult struct {
	RRSet  RRSet  `json:"rrset"`
	Action Action `json:"action"`
}

// RRSetListOpts filters the RRSets of a zone. PerPage may go up to 100 here.
type RRSetListOpts struct {
	Name          string
	Types         []string
	LabelSelector string   // see Selector
	Sort          []string // id, name, created, with :asc or :desc
	Page, PerPage int
}

func (o RRSetListOpts) values() query {
	return query{}.str("name", o.Name).strs("type", o.Types).str("label_selector", o.LabelSelector).
		strs("sort", o.Sort).page(o.Page, o.PerPage)
}

// RRSetClient manages the RRSets of one zone.
type RRSetClient struct {
	c    *Client
	zone string
}

func (r RRSetClient) base() string { return zonePath(r.zone) + "/rrsets" }

func (r RRSetClient) path(name, typ string) string {
	return r.base() + "/" + escapeSegment(name) + "/" + escapeSegment(typ)
}

// Get returns one RRSet.
func (r RRSetClient) Get(ctx context.Context, name, typ string) (RRSet, error) {
	return getOne[RRSet](ctx, r.c, r.path(name, typ), "rrset")
}

// List returns one page of RRSets.
func (r RRSetClient) List(ctx context.Context, opts RRSetListOpts) ([]RRSet, Pagination, error) {
	return listPage[RRSet](ctx, r.c, r.base(), "rrsets", opts.values().values())
}

// All iterates every RRSet of the zone.
func (r RRSetClient) All(ctx context.Context, opts RRSetListOpts) iter.Seq2[RRSet, error] {
	return listAll[RRSet](ctx, r.c, r.base(), "rrsets", opts.values().values())
}

// Create creates an RRSet.
func (r RRSetClient) Create(ctx context.Context, opts RRSetCreateOpts) (RRSetCreateResult, error) {
	var res RRSetCreateResult
	err := r.c.sendJSON(ctx, http.MethodPost, r.base(), opts, &res)
	return res, err
}

// Update replaces an RRSet's labels (the only thing PUT changes).
func (r RRSetClient) Update(ctx context.Context, name, typ string, labels map[string]string) (RRSet, error) {
	if labels == nil {
		labels = map[string]string{}
	}
	var res struct {
		RRSet RRSet `json:"rrset"`
	}
	err := r.c.sendJSON(ctx, http.MethodPut, r.path(name, typ), map[string]any{"labels": labels}, &res)
	return res.RRSet, err
}

// Delete deletes an RRSet; a change-protected one is ErrProtected.
func (r RRSetClient) Delete(ctx context.Context, name, typ string) (Action, error) {
	return r.c.actionOf(ctx, http.MethodDelete, r.path(name, typ), nil)
}

func (r RRSetClient) action(ctx context.Context, name, typ, action string, body any) (Action, error) {
	return r.c.actionOf(ctx, http.MethodPost, r.path(name, typ)+"/actions/"+action, body)
}

// AddRecords adds records, creating the RRSet if needed. ttl nil keeps (or, for a new RRSet,
// inherits) the TTL.
func (r RRSetClient) AddRecords(ctx context.Context, name, typ string, records []Record, ttl *int) (Action, error) {
	body := map[string]any{"records": records}
	if ttl != nil {
		body["ttl"] = *ttl
	}
	return r.action(ctx, name, typ, "add_records", body)
}

// RemoveRecords removes records (by value); an RRSet left empty is deleted.
func (r RRSetClient) RemoveRecords(ctx context.Context, name, typ string, records []Record) (Action, error) {
	return r.action(ctx, name, typ, "remove_records", map[string]any{"records": records})
}

// SetRecords replaces all records of an existing RRSet.
func (r RRSetClient) SetRecords(ctx context.Context, name, typ string, records []Record) (Action, error) {
	return r.action(ctx, name, typ, "set_records", map[string]any{"records": records})
}

// UpdateRecords changes the comments of records, matched by value.
func (r RRSetClient) UpdateRecords(ctx context.Context, name, typ string, records []Record) (Action, error) {
	return r.action(ctx, name, typ, "update_records", map[string]any{"records": records})
}

// ChangeTTL sets an RRSet's TTL; nil makes it follow the zone's default again.
func (r RRSetClient) ChangeTTL(ctx context.Context, name, typ string, ttl *int) (Action, error) {
	return r.action(ctx, name, typ, "change_ttl", map[string]*int{"ttl": ttl})
}

// ChangeProtection sets change protection.
func (r RRSetClient) ChangeProtection(ctx context.Context, name, typ string, change bool) (Action, error) {
	return r.action(ctx, name, typ, "change_protection", map[string]bool{"change": change})
}
