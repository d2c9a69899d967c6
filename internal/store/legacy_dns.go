package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// The deprecated legacy DNS API (formerly dns.hetzner.com/api/v1). Each token has zones of
// its own, apart from the Cloud zones, as the old service kept them before zones moved to the
// Cloud Console. Ids are strings; times print in Go's time.String form.

// LegacyTime is a time as the legacy API prints it: "2021-01-22 13:26:21.526 +0000 UTC", and
// "" for no time.
type LegacyTime time.Time

const legacyTimeLayout = "2006-01-02 15:04:05.999 -0700 MST"

// MarshalJSON prints the legacy text form.
func (t LegacyTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte(`""`), nil
	}
	return json.Marshal(time.Time(t).UTC().Format(legacyTimeLayout))
}

// UnmarshalJSON reads the legacy form (snapshots), RFC 3339, or "".
func (t *LegacyTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*t = LegacyTime{}
		return nil
	}
	for _, layout := range []string{legacyTimeLayout, time.RFC3339Nano} {
		if v, err := time.Parse(layout, s); err == nil {
			*t = LegacyTime(v.UTC())
			return nil
		}
	}
	return fmt.Errorf("invalid time %q", s)
}

// LegacyZone is a zone of the legacy API.
type LegacyZone struct {
	ID              string                `json:"id"`
	Name            string                `json:"name"`
	TTL             int                   `json:"ttl"`
	Registrar       string                `json:"registrar"`
	LegacyDNSHost   string                `json:"legacy_dns_host"`
	LegacyNS        []string              `json:"legacy_ns"`
	NS              []string              `json:"ns"`
	Created         LegacyTime            `json:"created"`
	Verified        LegacyTime            `json:"verified"`
	Modified        LegacyTime            `json:"modified"`
	Project         string                `json:"project"`
	Owner           string                `json:"owner"`
	Permission      string                `json:"permission"`
	ZoneType        LegacyZoneType        `json:"zone_type"`
	Status          string                `json:"status"`
	Paused          bool                  `json:"paused"`
	IsSecondaryDNS  bool                  `json:"is_secondary_dns"`
	TXTVerification LegacyTXTVerification `json:"txt_verification"`
	RecordsCount    int                   `json:"records_count"`
}

// LegacyZoneType is always empty in answers of the old service.
type LegacyZoneType struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Prices      any    `json:"prices"`
}

// LegacyTXTVerification is always empty in answers of the old service.
type LegacyTXTVerification struct {
	Name  string `json:"name"`
	Token string `json:"token"`
}

// LegacyRecord is a record of the legacy API; ttl is left out when the record has none.
type LegacyRecord struct {
	ID       string     `json:"id"`
	Type     string     `json:"type"`
	Name     string     `json:"name"`
	Value    string     `json:"value"`
	TTL      *int       `json:"ttl,omitempty"`
	ZoneID   string     `json:"zone_id"`
	Created  LegacyTime `json:"created"`
	Modified LegacyTime `json:"modified"`
}

// LegacyPrimaryServer is a primary server of a legacy secondary zone.
type LegacyPrimaryServer struct {
	ID       string     `json:"id"`
	Address  string     `json:"address"`
	Port     int        `json:"port"`
	ZoneID   string     `json:"zone_id"`
	Created  LegacyTime `json:"created"`
	Modified LegacyTime `json:"modified"`
}

// Stored forms: the answer plus a server-wide sequence number for order and collections.
type (
	legacyZoneState struct {
		Seq int64 `json:"seq"`
		LegacyZone
	}
	legacyRecordState struct {
		Seq int64 `json:"seq"`
		LegacyRecord
	}
	legacyPrimaryState struct {
		Seq int64 `json:"seq"`
		LegacyPrimaryServer
	}
)

func (z legacyZoneState) entityID() int64 { return z.Seq }
func (z legacyZoneState) clone() legacyZoneState {
	z.LegacyNS, z.NS = slices.Clone(z.LegacyNS), slices.Clone(z.NS)
	return z
}
func (r legacyRecordState) entityID() int64 { return r.Seq }
func (r legacyRecordState) clone() legacyRecordState {
	if r.TTL != nil {
		t := *r.TTL
		r.TTL = &t
	}
	return r
}
func (s legacyPrimaryState) entityID() int64           { return s.Seq }
func (s legacyPrimaryState) clone() legacyPrimaryState { return s }

// legacyDNS is one token's state in the legacy API.
type legacyDNS struct {
	zones     collection[legacyZoneState]
	records   collection[legacyRecordState]
	primaries collection[legacyPrimaryState]
}

func newLegacyDNS() legacyDNS {
	return legacyDNS{
		zones:     newCollection(func(z legacyZoneState) string { return z.Name }, func(z legacyZoneState) string { return z.ID }),
		records:   newCollection(func(r legacyRecordState) string { return r.ID }),
		primaries: newCollection(func(s legacyPrimaryState) string { return s.ID }),
	}
}

// LegacyDNSSnapshot is the legacy API's part of a project snapshot.
type LegacyDNSSnapshot struct {
	Zones          []legacyZoneState    `json:"zones"`
	Records        []legacyRecordState  `json:"records"`
	PrimaryServers []legacyPrimaryState `json:"primary_servers"`
}

// The legacy API's defaults and types.
const (
	LegacyDefaultZoneTTL = 86400
	LegacyMaxPerPage     = 100
)

// LegacyRecordTypes are the types the old service accepted (DANE is TLSA by another name).
var LegacyRecordTypes = []string{"A", "AAAA", "NS", "MX", "CNAME", "RP", "TXT", "SOA", "HINFO", "SRV", "DANE", "TLSA", "DS", "CAA"}

// legacyNS are the nameservers of a legacy zone, shown without trailing dots.
var legacyNS = []string{"hydrogen.ns.hetzner.com", "oxygen.ns.hetzner.com", "helium.ns.hetzner.de"}

// base57 is the alphabet of legacy zone ids: no 0, 1, I, O or l.
const base57 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// legacyZoneID makes a 22-character zone id from a sequence number (stable, unique).
func legacyZoneID(seq int64) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "legacy_zone/%d", seq))
	out := make([]byte, 22)
	for i := range out {
		out[i] = base57[int(sum[i])%len(base57)]
	}
	return string(out)
}

// legacyHexID makes a 32-hex-digit id (records, primary servers) from a sequence number.
func legacyHexID(kind string, seq int64) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d", kind, seq))
	return hex.EncodeToString(sum[:16])
}

// legacyNow is the time legacy objects are stamped with, to the millisecond.
func (p *Project) legacyNow() LegacyTime {
	return LegacyTime(p.store.clock.Now().Truncate(time.Millisecond))
}

func errLegacyZoneNotFound() error { return Errorf(CodeNotFound, "zone not found") }

// ErrLegacyRecordNotFound is the message the old service answered for unknown records.
const ErrLegacyRecordNotFound = "record does not exist"

func (p *Project) legacyZone(id string) (legacyZoneState, error) {
	z, ok := p.legacy.zones.byKey(1, id)
	if !ok {
		return z, errLegacyZoneNotFound()
	}
	return z, nil
}

// legacyView is a zone as answered, with its record count.
func (p *Project) legacyView(z legacyZoneState) LegacyZone {
	out := z.clone().LegacyZone
	out.RecordsCount = 0
	for _, r := range p.legacy.records.items {
		if r.ZoneID == z.ID {
			out.RecordsCount++
		}
	}
	out.IsSecondaryDNS = false
	for _, s := range p.legacy.primaries.items {
		if s.ZoneID == z.ID {
			out.IsSecondaryDNS = true
		}
	}
	return out
}

// validateLegacyZoneName accepts lower-case domain names under a listed public suffix.
func validateLegacyZoneName(name string) error {
	if name == "" || name != strings.ToLower(name) || strings.HasSuffix(name, ".") || len(name) > 255 {
		return Errorf(CodeInvalidInput, "invalid zone name: %s", name)
	}
	for _, label := range strings.Split(name, ".") {
		if !isHostLabel(label) {
			return Errorf(CodeInvalidInput, "invalid zone name: %s", name)
		}
	}
	suffix, icann := publicsuffix.PublicSuffix(name)
	if (!icann && !strings.Contains(suffix, ".")) || suffix == name {
		return Errorf(CodeInvalidInput, "invalid zone name: %s", name)
	}
	return nil
}

func validateLegacyTTL(ttl *int) error {
	if ttl != nil && (*ttl < MinTTL || *ttl > MaxTTL) {
		return Errorf(CodeInvalidInput, "invalid ttl: %d", *ttl)
	}
	return nil
}

// LegacyZoneRequest is the body of POST and PUT /zones.
type LegacyZoneRequest struct {
	Name string `json:"name"`
	TTL  *int   `json:"ttl"`
}

// LegacyListZones lists zones: name exact (404 when nothing matches), search_name substring.
func (p *Project) LegacyListZones(name, searchName string, opts ListOptions) (Page[LegacyZone], error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	all := p.legacy.zones.values()
	pg, err := List(all, opts, func(z legacyZoneState) bool {
		return (name == "" || z.Name == name) && (searchName == "" || strings.Contains(z.Name, searchName))
	}, nil, Sorter[legacyZoneState]{}, legacyZoneState.entityID, LegacyMaxPerPage)
	if err != nil {
		return Page[LegacyZone]{}, err
	}
	if name != "" && pg.Pagination.TotalEntries == 0 {
		return Page[LegacyZone]{}, errLegacyZoneNotFound()
	}
	return mapPage(pg, func(z legacyZoneState) LegacyZone { return p.legacyView(z) }), nil
}

// LegacyCreateZone creates a zone with the SOA and the three NS records of the old service.
func (p *Project) LegacyCreateZone(req LegacyZoneRequest) (LegacyZone, error) {
	if err := validateLegacyZoneName(req.Name); err != nil {
		return LegacyZone{}, err
	}
	if err := validateLegacyTTL(req.TTL); err != nil {
		return LegacyZone{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, dup := p.legacy.zones.byName(req.Name); dup {
		return LegacyZone{}, Errorf(CodeInvalidInput, "zone already exists")
	}
	ttl := LegacyDefaultZoneTTL
	if req.TTL != nil {
		ttl = *req.TTL
	}
	now := p.legacyNow()
	seq := p.store.nextID("legacy_zone")
	z := legacyZoneState{Seq: seq, LegacyZone: LegacyZone{
		ID: legacyZoneID(seq), Name: req.Name, TTL: ttl, LegacyNS: []string{}, NS: slices.Clone(legacyNS),
		Created: now, Modified: now, Status: "verified",
	}}
	p.legacy.zones.put(z)
	for _, r := range legacyDefaultRecords(p.now()) {
		p.putLegacyRecord(z.ID, r.Name, r.Type, r.Value, nil, now)
	}
	return p.legacyView(z), nil
}

// legacyDefaultRecords are the SOA and the NS records of a new zone, all without a TTL.
func legacyDefaultRecords(now time.Time) []LegacyRecord {
	out := []LegacyRecord{{Name: "@", Type: "SOA", Value: soaValue(initialSerial(now))}}
	for _, ns := range hetznerNameservers {
		out = append(out, LegacyRecord{Name: "@", Type: "NS", Value: ns})
	}
	return out
}

func (p *Project) putLegacyRecord(zoneID, name, typ, value string, ttl *int, now LegacyTime) LegacyRecord {
	seq := p.store.nextID("legacy_record")
	r := legacyRecordState{Seq: seq, LegacyRecord: LegacyRecord{
		ID: legacyHexID("legacy_record", seq), Type: typ, Name: name, Value: value, TTL: ttl,
		ZoneID: zoneID, Created: now, Modified: now,
	}}
	p.legacy.records.put(r)
	return r.clone().LegacyRecord
}

// LegacyGetZone returns one zone.
func (p *Project) LegacyGetZone(id string) (LegacyZone, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	z, err := p.legacyZone(id)
	if err != nil {
		return LegacyZone{}, err
	}
	return p.legacyView(z), nil
}

// LegacyUpdateZone changes the TTL; the name cannot change.
func (p *Project) LegacyUpdateZone(id string, req LegacyZoneRequest) (LegacyZone, error) {
	if err := validateLegacyTTL(req.TTL); err != nil {
		return LegacyZone{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	z, err := p.legacyZone(id)
	if err != nil {
		return LegacyZone{}, err
	}
	if req.Name != z.Name {
		return LegacyZone{}, Errorf(CodeInvalidInput, "zone name cannot be changed")
	}
	if req.TTL != nil {
		z.TTL = *req.TTL
	}
	z.Modified = p.legacyNow()
	p.legacy.zones.put(z)
	return p.legacyView(z), nil
}

// LegacyDeleteZone deletes a zone with its records and primary servers.
func (p *Project) LegacyDeleteZone(id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	z, err := p.legacyZone(id)
	if err != nil {
		return err
	}
	p.legacy.zones.remove(z.Seq)
	for _, r := range p.legacy.records.values() {
		if r.ZoneID == id {
			p.legacy.records.remove(r.Seq)
		}
	}
	for _, s := range p.legacy.primaries.values() {
		if s.ZoneID == id {
			p.legacy.primaries.remove(s.Seq)
		}
	}
	return nil
}

// LegacyRecordRequest is the body of POST and PUT /records (and an item of the bulk bodies).
type LegacyRecordRequest struct {
	ID     string `json:"id,omitempty"` // bulk update only
	ZoneID string `json:"zone_id"`
	Type   string `json:"type"`
	Name   string `json:"name"`
	Value  string `json:"value"`
	TTL    *int   `json:"ttl,omitempty"`
}

// checkLegacyRecord applies the old service's rules to a record of a zone: a known type (SOA
// is the service's own), a relative name, a value that parses (TXT may come unquoted), a TTL
// of at least a minute, and no identical record in the zone (except the one being changed).
func (p *Project) checkLegacyRecord(req LegacyRecordRequest, except string) (legacyZoneState, error) {
	z, err := p.legacyZone(req.ZoneID)
	if err != nil {
		return z, err
	}
	if !slices.Contains(LegacyRecordTypes, req.Type) {
		return z, Errorf(CodeInvalidInput, "invalid type: %s", req.Type)
	}
	if req.Type == "SOA" {
		return z, Errorf(CodeInvalidInput, "SOA records are managed by the service")
	}
	if err := validateRRSetName(z.Name, req.Name); err != nil {
		return z, Errorf(CodeInvalidInput, "invalid name: %s", req.Name)
	}
	if err := validateLegacyTTL(req.TTL); err != nil {
		return z, err
	}
	if err := checkLegacyValue(z.Name, req.Type, req.Value); err != nil {
		return z, err
	}
	taken := func(r legacyRecordState) bool {
		return r.ID != except && r.ZoneID == req.ZoneID && r.Name == req.Name && r.Type == req.Type && r.Value == req.Value
	}
	if _, dup := p.legacy.records.find(taken); dup {
		return z, Errorf(CodeInvalidInput, "taken: %s", req.Value)
	}
	return z, nil
}

func checkLegacyValue(zoneName, typ, value string) error {
	v := strings.TrimSpace(value)
	if typ == "DANE" {
		typ = "TLSA"
	}
	if typ == "TXT" && !strings.HasPrefix(v, `"`) {
		v = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
	}
	if _, err := parseRecordValue(zoneName, typ, v); err != nil {
		return Errorf(CodeInvalidInput, "invalid %s record", typ)
	}
	return nil
}

// LegacyListRecords lists records, of one zone when zoneID is set. perPage 0 returns all.
func (p *Project) LegacyListRecords(zoneID string, opts ListOptions) (Page[LegacyRecord], error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if zoneID != "" {
		if _, err := p.legacyZone(zoneID); err != nil {
			return Page[LegacyRecord]{}, err
		}
	}
	all := p.legacy.records.values()
	maxPerPage := LegacyMaxPerPage
	if opts.PerPage == 0 { // without per_page the old service answered every record
		opts.PerPage, maxPerPage = max(len(all), 1), max(len(all), 1)
	}
	pg, err := List(all, opts, func(r legacyRecordState) bool { return zoneID == "" || r.ZoneID == zoneID },
		nil, Sorter[legacyRecordState]{}, legacyRecordState.entityID, maxPerPage)
	if err != nil {
		return Page[LegacyRecord]{}, err
	}
	return mapPage(pg, func(r legacyRecordState) LegacyRecord { return r.clone().LegacyRecord }), nil
}

func (p *Project) legacyRecord(id string) (legacyRecordState, error) {
	r, ok := p.legacy.records.byKey(0, id)
	if !ok {
		return r, Errorf(CodeNotFound, ErrLegacyRecordNotFound)
	}
	return r, nil
}

// touchLegacyZone marks a zone modified.
func (p *Project) touchLegacyZone(z legacyZoneState, now LegacyTime) {
	z.Modified = now
	p.legacy.zones.put(z)
}

// LegacyCreateRecord adds a record to a zone.
func (p *Project) LegacyCreateRecord(req LegacyRecordRequest) (LegacyRecord, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	z, err := p.checkLegacyRecord(req, "")
	if err != nil {
		return LegacyRecord{}, err
	}
	now := p.legacyNow()
	p.touchLegacyZone(z, now)
	return p.putLegacyRecord(req.ZoneID, req.Name, req.Type, strings.TrimSpace(req.Value), req.TTL, now), nil
}

// LegacyGetRecord returns one record.
func (p *Project) LegacyGetRecord(id string) (LegacyRecord, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, err := p.legacyRecord(id)
	return r.clone().LegacyRecord, err
}

// LegacyUpdateRecord replaces a record with the full body given.
func (p *Project) LegacyUpdateRecord(id string, req LegacyRecordRequest) (LegacyRecord, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.legacyUpdateRecord(id, req)
}

func (p *Project) legacyUpdateRecord(id string, req LegacyRecordRequest) (LegacyRecord, error) {
	r, err := p.legacyRecord(id)
	if err != nil {
		return LegacyRecord{}, err
	}
	if r.Type == "SOA" {
		return LegacyRecord{}, Errorf(CodeInvalidInput, "SOA records are managed by the service")
	}
	z, err := p.checkLegacyRecord(req, id)
	if err != nil {
		return LegacyRecord{}, err
	}
	now := p.legacyNow()
	r.ZoneID, r.Type, r.Name, r.Value, r.TTL, r.Modified = req.ZoneID, req.Type, req.Name, strings.TrimSpace(req.Value), req.TTL, now
	p.legacy.records.put(r)
	p.touchLegacyZone(z, now)
	return r.clone().LegacyRecord, nil
}

// LegacyDeleteRecord deletes a record.
func (p *Project) LegacyDeleteRecord(id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, err := p.legacyRecord(id)
	if err != nil {
		return err
	}
	p.legacy.records.remove(r.Seq)
	if z, err := p.legacyZone(r.ZoneID); err == nil {
		p.touchLegacyZone(z, p.legacyNow())
	}
	return nil
}

// LegacyBulkResult is the answer of the bulk record endpoints.
type LegacyBulkResult struct {
	Records        []LegacyRecord        `json:"records"`
	ValidRecords   []LegacyRecordRequest `json:"valid_records,omitempty"`
	InvalidRecords []LegacyRecordRequest `json:"invalid_records,omitempty"`
	FailedRecords  []LegacyRecordRequest `json:"failed_records,omitempty"`
}

// LegacyBulkCreateRecords creates every record, or none when any is invalid (then the result
// lists the valid and the invalid ones beside the error).
func (p *Project) LegacyBulkCreateRecords(reqs []LegacyRecordRequest) (LegacyBulkResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	res := LegacyBulkResult{Records: []LegacyRecord{}, ValidRecords: []LegacyRecordRequest{}, InvalidRecords: []LegacyRecordRequest{}}
	var msgs []string
	seen := map[LegacyRecordRequest]bool{}
	for _, req := range reqs {
		_, err := p.checkLegacyRecord(req, "")
		key := LegacyRecordRequest{ZoneID: req.ZoneID, Type: req.Type, Name: req.Name, Value: req.Value}
		if err == nil && seen[key] {
			err = Errorf(CodeInvalidInput, "taken: %s", req.Value)
		}
		seen[key] = true
		if err != nil {
			res.InvalidRecords = append(res.InvalidRecords, req)
			msgs = append(msgs, errorMessage(err))
			continue
		}
		res.ValidRecords = append(res.ValidRecords, req)
	}
	if len(res.InvalidRecords) > 0 {
		return res, Errorf(CodeInvalidInput, "%s, ", strings.Join(msgs, ", "))
	}
	now := p.legacyNow()
	for _, req := range reqs {
		res.Records = append(res.Records, p.putLegacyRecord(req.ZoneID, req.Name, req.Type, strings.TrimSpace(req.Value), req.TTL, now))
		if z, err := p.legacyZone(req.ZoneID); err == nil {
			p.touchLegacyZone(z, now)
		}
	}
	return res, nil
}

// LegacyBulkUpdateRecords updates the records it can and lists the others as failed.
func (p *Project) LegacyBulkUpdateRecords(reqs []LegacyRecordRequest) LegacyBulkResult {
	p.mu.Lock()
	defer p.mu.Unlock()
	res := LegacyBulkResult{Records: []LegacyRecord{}, FailedRecords: []LegacyRecordRequest{}}
	for _, req := range reqs {
		r, err := p.legacyUpdateRecord(req.ID, req)
		if err != nil {
			res.FailedRecords = append(res.FailedRecords, req)
			continue
		}
		res.Records = append(res.Records, r)
	}
	return res
}

// legacyAsZone holds a legacy zone's records as rrsets, to share the zone file writer.
func (p *Project) legacyAsZone(z legacyZoneState) zoneState {
	out := zoneState{Zone: Zone{Name: z.Name, TTL: z.TTL}, RRSets: map[string]rrsetState{}}
	for _, r := range p.legacy.records.values() {
		if r.ZoneID != z.ID {
			continue
		}
		typ := r.Type
		if typ == "DANE" {
			typ = "TLSA"
		}
		value := r.Value
		if typ == "TXT" && !strings.HasPrefix(value, `"`) {
			value = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(value) + `"`
		}
		id := rrsetID(r.Name, typ)
		set, ok := out.RRSets[id]
		if !ok {
			set = rrsetState{RRSet: RRSet{ID: id, Name: r.Name, Type: typ, TTL: r.TTL}}
		}
		set.Records = append(set.Records, Record{Value: value})
		out.RRSets[id] = set
	}
	return out
}

// LegacyExportZonefile writes a zone as a BIND zone file.
func (p *Project) LegacyExportZonefile(id string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	z, err := p.legacyZone(id)
	if err != nil {
		return "", err
	}
	zs := p.legacyAsZone(z)
	return exportZonefile(&zs), nil
}

// legacyParse reads a zone file with the legacy types.
func legacyParse(text, zoneName string) ([]LegacyRecord, *int, error) {
	f, err := ParseZonefile(text, zoneName)
	if err != nil {
		return nil, nil, Errorf(CodeInvalidInput, "%s", errorMessage(err))
	}
	var out []LegacyRecord
	for _, set := range f.RRSets {
		if !slices.Contains(LegacyRecordTypes, set.Type) {
			return nil, nil, Errorf(CodeInvalidInput, "invalid type: %s", set.Type)
		}
		if err := validateRRSetName(zoneName, set.Name); err != nil {
			return nil, nil, Errorf(CodeInvalidInput, "invalid name: %s", set.Name)
		}
		for _, rec := range set.Records {
			out = append(out, LegacyRecord{Name: set.Name, Type: set.Type, Value: rec.Value, TTL: set.TTL})
		}
	}
	return out, f.TTL, nil
}

// LegacyImportZonefile replaces a zone's records with those of a zone file; a file without
// SOA or NS records keeps the service's own.
func (p *Project) LegacyImportZonefile(id, text string) (LegacyZone, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	z, err := p.legacyZone(id)
	if err != nil {
		return LegacyZone{}, err
	}
	records, ttl, err := legacyParse(text, z.Name)
	if err != nil {
		return LegacyZone{}, err
	}
	has := func(typ string) bool {
		return slices.ContainsFunc(records, func(r LegacyRecord) bool { return r.Name == "@" && r.Type == typ })
	}
	for _, d := range legacyDefaultRecords(p.now()) {
		if !has(d.Type) {
			records = append(records, d)
		}
	}
	for _, r := range p.legacy.records.values() {
		if r.ZoneID == id {
			p.legacy.records.remove(r.Seq)
		}
	}
	now := p.legacyNow()
	for _, r := range records {
		p.putLegacyRecord(id, r.Name, r.Type, r.Value, r.TTL, now)
	}
	if ttl != nil {
		z.TTL = *ttl
	}
	p.touchLegacyZone(z, now)
	z, _ = p.legacyZone(id)
	return p.legacyView(z), nil
}

// LegacyValidation is the answer of POST /zones/file/validate.
type LegacyValidation struct {
	ParsedRecords int            `json:"parsed_records"`
	ValidRecords  []LegacyRecord `json:"valid_records"`
}

// LegacyValidateZonefile checks a zone file without touching any zone. The zone is the one
// its $ORIGIN names.
func LegacyValidateZonefile(text string) (LegacyValidation, error) {
	origin := ""
	for _, line := range strings.Split(text, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && strings.EqualFold(f[0], "$ORIGIN") {
			origin = strings.TrimSuffix(strings.ToLower(f[1]), ".")
			break
		}
	}
	if validateLegacyZoneName(origin) != nil {
		return LegacyValidation{}, Errorf(CodeInvalidInput, "the zone file needs an $ORIGIN naming its zone")
	}
	records, _, err := legacyParse(text, origin)
	if err != nil {
		return LegacyValidation{}, err
	}
	if records == nil {
		records = []LegacyRecord{}
	}
	return LegacyValidation{ParsedRecords: len(records), ValidRecords: records}, nil
}

// LegacyPrimaryServerRequest is the body of POST and PUT /primary_servers.
type LegacyPrimaryServerRequest struct {
	ZoneID  string `json:"zone_id"`
	Address string `json:"address"`
	Port    int    `json:"port"`
}

func (p *Project) checkLegacyPrimary(req LegacyPrimaryServerRequest) error {
	if _, err := p.legacyZone(req.ZoneID); err != nil {
		return err
	}
	if _, err := validatePrimaryNameservers([]PrimaryNameserver{{Address: req.Address, Port: req.Port}}); err != nil || req.Port == 0 {
		return Errorf(CodeInvalidInput, "invalid primary server: %s:%d", req.Address, req.Port)
	}
	return nil
}

// LegacyListPrimaryServers lists primary servers, of one zone when zoneID is set.
func (p *Project) LegacyListPrimaryServers(zoneID string) ([]LegacyPrimaryServer, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if zoneID != "" {
		if _, err := p.legacyZone(zoneID); err != nil {
			return nil, err
		}
	}
	out := []LegacyPrimaryServer{}
	for _, s := range p.legacy.primaries.values() {
		if zoneID == "" || s.ZoneID == zoneID {
			out = append(out, s.LegacyPrimaryServer)
		}
	}
	return out, nil
}

func (p *Project) legacyPrimary(id string) (legacyPrimaryState, error) {
	s, ok := p.legacy.primaries.byKey(0, id)
	if !ok {
		return s, Errorf(CodeNotFound, "primary server not found")
	}
	return s, nil
}

// LegacyCreatePrimaryServer adds a primary server to a zone.
func (p *Project) LegacyCreatePrimaryServer(req LegacyPrimaryServerRequest) (LegacyPrimaryServer, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.checkLegacyPrimary(req); err != nil {
		return LegacyPrimaryServer{}, err
	}
	now := p.legacyNow()
	seq := p.store.nextID("legacy_primary_server")
	s := legacyPrimaryState{Seq: seq, LegacyPrimaryServer: LegacyPrimaryServer{
		ID: legacyHexID("legacy_primary_server", seq), Address: req.Address, Port: req.Port, ZoneID: req.ZoneID,
		Created: now, Modified: now,
	}}
	p.legacy.primaries.put(s)
	return s.LegacyPrimaryServer, nil
}

// LegacyGetPrimaryServer returns one primary server.
func (p *Project) LegacyGetPrimaryServer(id string) (LegacyPrimaryServer, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, err := p.legacyPrimary(id)
	return s.LegacyPrimaryServer, err
}

// LegacyUpdatePrimaryServer replaces a primary server with the body given.
func (p *Project) LegacyUpdatePrimaryServer(id string, req LegacyPrimaryServerRequest) (LegacyPrimaryServer, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, err := p.legacyPrimary(id)
	if err != nil {
		return LegacyPrimaryServer{}, err
	}
	if err := p.checkLegacyPrimary(req); err != nil {
		return LegacyPrimaryServer{}, err
	}
	s.ZoneID, s.Address, s.Port, s.Modified = req.ZoneID, req.Address, req.Port, p.legacyNow()
	p.legacy.primaries.put(s)
	return s.LegacyPrimaryServer, nil
}

// LegacyDeletePrimaryServer deletes a primary server.
func (p *Project) LegacyDeletePrimaryServer(id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, err := p.legacyPrimary(id)
	if err != nil {
		return err
	}
	p.legacy.primaries.remove(s.Seq)
	return nil
}

// legacySnapshot copies the legacy state (nil when there is none).
func (p *Project) legacySnapshot() *LegacyDNSSnapshot {
	if p.legacy.zones.len() == 0 && p.legacy.records.len() == 0 && p.legacy.primaries.len() == 0 {
		return nil
	}
	return &LegacyDNSSnapshot{Zones: p.legacy.zones.snapshot(), Records: p.legacy.records.snapshot(),
		PrimaryServers: p.legacy.primaries.snapshot()}
}

// restoreLegacy loads the legacy state of a snapshot, checking ids and references.
func (p *Project) restoreLegacy(s *LegacyDNSSnapshot, maxIDs map[string]int64) error {
	if s == nil {
		return nil
	}
	zones, names := map[string]string{}, map[string]bool{}
	seen := map[string]bool{}
	for _, z := range s.Zones {
		if err := checkRestored("legacy_zone", z.Seq, "", seen, maxIDs); err != nil {
			return err
		}
		if z.ID == "" || zones[z.ID] != "" || names[z.Name] || validateLegacyZoneName(z.Name) != nil {
			return fmt.Errorf("legacy zone %q (%s) is invalid or appears twice", z.ID, z.Name)
		}
		zones[z.ID], names[z.Name] = z.Name, true
		p.legacy.zones.put(z)
	}
	ids := map[string]bool{}
	for _, r := range s.Records {
		if err := checkRestored("legacy_record", r.Seq, "", seen, maxIDs); err != nil {
			return err
		}
		if r.ID == "" || ids[r.ID] || zones[r.ZoneID] == "" {
			return fmt.Errorf("legacy record %q is invalid, appears twice or has no zone", r.ID)
		}
		ids[r.ID] = true
		p.legacy.records.put(r)
	}
	for _, ps := range s.PrimaryServers {
		if err := checkRestored("legacy_primary_server", ps.Seq, "", seen, maxIDs); err != nil {
			return err
		}
		if ps.ID == "" || ids[ps.ID] || zones[ps.ZoneID] == "" {
			return fmt.Errorf("legacy primary server %q is invalid, appears twice or has no zone", ps.ID)
		}
		ids[ps.ID] = true
		p.legacy.primaries.put(ps)
	}
	return nil
}
