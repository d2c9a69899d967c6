package store

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// RRSet is a zone's set of records of one name and type, as the API shows it.
type RRSet struct {
	ID         string            `json:"id"` // "<name>/<type>"
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	TTL        *int              `json:"ttl"` // nil: the zone's TTL applies
	Labels     map[string]string `json:"labels"`
	Protection RRSetProtection   `json:"protection"`
	Records    []Record          `json:"records"`
	Zone       int64             `json:"zone"`
}

// RRSetProtection is the rrset's protection flags.
type RRSetProtection struct {
	Change bool `json:"change"`
}

// Record is one resource record of an rrset; its value identifies it within the rrset.
type Record struct {
	Value   string `json:"value"`
	Comment string `json:"comment"`
}

// rrsetState is an rrset plus its creation time, which the API sorts by but does not show.
type rrsetState struct {
	RRSet
	Created time.Time `json:"created"`
}

func (r rrsetState) clone() rrsetState {
	r.Labels = copyLabels(r.Labels)
	r.Records = append([]Record{}, r.Records...)
	if r.TTL != nil {
		t := *r.TTL
		r.TTL = &t
	}
	return r
}

// RRSetTypes are the record types the API manages.
var RRSetTypes = []string{"A", "AAAA", "CAA", "CNAME", "DS", "HINFO", "HTTPS", "MX", "NS", "PTR", "RP", "SOA", "SRV", "SVCB", "TLSA", "TXT"}

// CreateRRSet is the body of POST /zones/{id_or_name}/rrsets (and an item of a zone's rrsets).
type CreateRRSet struct {
	Name    string            `json:"name"`
	Type    string            `json:"type"`
	TTL     *int              `json:"ttl"`
	Labels  map[string]string `json:"labels"`
	Records []Record          `json:"records"`
}

// UpdateRRSet is the body of PUT …/rrsets/{name}/{type}: only labels change.
type UpdateRRSet struct {
	Labels *map[string]string `json:"labels"`
}

// RRSetFilter narrows GET /zones/{id_or_name}/rrsets.
type RRSetFilter struct {
	Name  string
	Types []string
}

// RRSetMaxPerPage is the page size limit of the rrset list (50 elsewhere).
const RRSetMaxPerPage = 100

func rrsetID(name, typ string) string { return name + "/" + typ }

func (p *Project) newRRSet(z *zoneState, name, typ string, ttl *int, records []Record) rrsetState {
	return rrsetState{RRSet: RRSet{
		ID: rrsetID(name, typ), Name: name, Type: typ, TTL: ttl, Labels: map[string]string{},
		Records: append([]Record{}, records...), Zone: z.ID,
	}, Created: p.now()}
}

func (z *zoneState) putRRSet(r rrsetState) { z.RRSets[r.ID] = r }

// addRRSet adds a new rrset, refusing duplicates and CNAMEs beside other data.
func (z *zoneState) addRRSet(r rrsetState) error {
	if _, dup := z.RRSets[r.ID]; dup {
		return Uniqueness("name", "RRSet with the same name and type already exists")
	}
	if err := z.checkCNAMEConflict(r.Name, r.Type); err != nil {
		return err
	}
	z.RRSets[r.ID] = r
	return nil
}

// checkCNAMEConflict applies RFC 1034: a name with a CNAME has no other data.
func (z *zoneState) checkCNAMEConflict(name, typ string) error {
	for _, o := range z.RRSets {
		if o.Name == name && o.Type != typ && (typ == "CNAME" || o.Type == "CNAME") {
			return InvalidField("type", fmt.Sprintf("a CNAME record cannot exist beside other records at %q", name))
		}
	}
	return nil
}

// validateRRSetName applies the API's name rules: "@" for the apex, otherwise lower case,
// relative to the zone (no trailing dot, not ending in the zone name), "*" only as the first
// label, letters, digits, "-" and "_" elsewhere.
func validateRRSetName(zoneName, name string) error {
	if name == "@" {
		return nil
	}
	bad := func(msg string) error { return InvalidField("name", msg) }
	switch {
	case name == "":
		return bad("Name must not be empty; use @ for the zone apex.")
	case strings.HasSuffix(name, "."):
		return bad("Name must not end with a dot.")
	case name != strings.ToLower(name):
		return bad("Name must be in lower case.")
	case name == zoneName || strings.HasSuffix(name, "."+zoneName):
		return bad("Name must be relative to the zone and not end with the zone name.")
	case len(name)+1+len(zoneName) > 253:
		return bad("Name is too long.")
	}
	for i, label := range strings.Split(name, ".") {
		if label == "*" && i == 0 {
			continue
		}
		if label == "" || len(label) > 63 {
			return bad("Name is not a valid domain name.")
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return bad("Name is not a valid domain name (use Punycode for international names).")
			}
		}
	}
	return nil
}

func validateRRSetType(typ string) error {
	if !slices.Contains(RRSetTypes, typ) {
		return InvalidField("type", "Not a valid choice.")
	}
	return nil
}

// parseRecordValue parses a value in zone-file presentation format as rdata of typ in the
// zone, with github.com/miekg/dns, and returns its canonical form (names made absolute).
func parseRecordValue(zoneName, typ, value string) (string, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return "", fmt.Errorf("value must not be empty")
	}
	if strings.ContainsAny(v, "\n\r") {
		return "", fmt.Errorf("value must be on one line")
	}
	if (typ == "TXT") && !strings.HasPrefix(v, `"`) {
		return "", fmt.Errorf("TXT values must be quoted, e.g. %q", `"`+v+`"`)
	}
	zp := dns.NewZoneParser(strings.NewReader("@ 3600 IN "+typ+" "+v+"\n"), zoneName+".", "")
	rr, ok := zp.Next()
	if !ok {
		msg := "invalid value"
		if err := zp.Err(); err != nil {
			msg = strings.TrimPrefix(err.Error(), "dns: ")
		}
		return "", fmt.Errorf("invalid %s value %q: %s", typ, v, msg)
	}
	if zp.Comment() != "" {
		return "", fmt.Errorf("invalid %s value %q: comments belong in the comment field", typ, v)
	}
	if _, more := zp.Next(); more || zp.Err() != nil {
		return "", fmt.Errorf("invalid %s value %q", typ, v)
	}
	rdata := strings.TrimPrefix(rr.String(), rr.Header().String())
	if rr.Header().Rrtype != dns.StringToType[typ] || strings.TrimSpace(rdata) == "" {
		return "", fmt.Errorf("invalid %s value %q", typ, v)
	}
	// miekg/dns keeps hex fields as text; the API refuses what is not hex.
	var hexField string
	switch v := rr.(type) {
	case *dns.TLSA:
		hexField = v.Certificate
	case *dns.DS:
		hexField = v.Digest
	}
	if _, err := hex.DecodeString(hexField); err != nil {
		return "", fmt.Errorf("invalid %s value %q: not hexadecimal", typ, v)
	}
	return rdata, nil
}

// validateRRSetContent checks name, type and records of an rrset as it would be stored.
func validateRRSetContent(z *zoneState, name, typ string, records []Record) error {
	if err := validateRRSetName(z.Name, name); err != nil {
		return err
	}
	if err := validateRRSetType(typ); err != nil {
		return err
	}
	if len(records) == 0 {
		return InvalidField("records", "Records must not be empty.")
	}
	seen := map[string]bool{}
	for _, r := range records {
		if _, err := parseRecordValue(z.Name, typ, r.Value); err != nil {
			return InvalidField("records", err.Error())
		}
		if seen[r.Value] {
			return InvalidField("records", fmt.Sprintf("record value %q appears more than once", r.Value))
		}
		seen[r.Value] = true
	}
	switch typ {
	case "SOA":
		if name != "@" || len(records) != 1 {
			return InvalidField("records", "The zone has exactly one SOA record, at @.")
		}
	case "CNAME":
		if name == "@" {
			return InvalidField("type", "a CNAME record cannot be at the zone apex")
		}
		if len(records) != 1 {
			return InvalidField("records", "A CNAME RRSet holds exactly one record.")
		}
	case "NS":
		if name == "@" {
			for _, ns := range hetznerNameservers {
				if !seen[ns] {
					return InvalidField("records", fmt.Sprintf("The assigned nameserver %s must stay in the NS records at @.", ns))
				}
			}
		}
	}
	return nil
}

// validateNewRRSet checks a create request and builds the rrset; field is the prefix of the
// request's fields in error details ("" or "rrsets.N.").
func (p *Project) validateNewRRSet(z *zoneState, req CreateRRSet, field string) (rrsetState, error) {
	if req.Type == "SOA" {
		return rrsetState{}, InvalidField(field+"type", "The SOA record is managed by the API; change it with set_records.")
	}
	if req.TTL != nil {
		if err := validateZoneTTL(field+"ttl", *req.TTL); err != nil {
			return rrsetState{}, err
		}
	}
	if err := ValidateLabels(req.Labels); err != nil {
		return rrsetState{}, err
	}
	records := normalizeRecords(req.Records)
	if err := validateRRSetContent(z, req.Name, req.Type, records); err != nil {
		return rrsetState{}, err
	}
	r := p.newRRSet(z, req.Name, req.Type, req.TTL, records)
	r.Labels = copyLabels(req.Labels)
	return r, nil
}

// normalizeRecords trims values; values are otherwise stored as given.
func normalizeRecords(in []Record) []Record {
	out := make([]Record, len(in))
	for i, r := range in {
		out[i] = Record{Value: strings.TrimSpace(r.Value), Comment: r.Comment}
	}
	return out
}

// rrsetRow is an rrset in the list path, with its position in id order as the numeric key
// the shared List uses for its default order and ties.
type rrsetRow struct {
	rrsetState
	pos int64
}

var rrsetSorter = Sorter[rrsetRow]{
	"id":      byString(func(r rrsetRow) string { return r.ID }),
	"name":    byString(func(r rrsetRow) string { return r.Name }),
	"created": func(a, b rrsetRow) int { return a.Created.Compare(b.Created) },
}

// primaryZone finds a zone for rrset operations: it must exist and be primary.
func (p *Project) primaryZone(idOrName string) (zoneState, error) {
	z, err := p.zoneByIDOrName(idOrName)
	if err != nil {
		return z, err
	}
	if err := z.requirePrimary(); err != nil {
		return z, err
	}
	return z.clone(), nil
}

// ListRRSets lists a zone's rrsets (by id unless sorted), per_page up to 100.
func (p *Project) ListRRSets(zone string, f RRSetFilter, opts ListOptions) (Page[RRSet], error) {
	defer p.lock()()
	z, err := p.primaryZone(zone)
	if err != nil {
		return Page[RRSet]{}, err
	}
	rows := make([]rrsetRow, 0, len(z.RRSets))
	for _, r := range z.RRSets {
		rows = append(rows, rrsetRow{rrsetState: r})
	}
	slices.SortFunc(rows, func(a, b rrsetRow) int { return cmp.Compare(a.ID, b.ID) })
	for i := range rows {
		rows[i].pos = int64(i)
	}
	pg, err := List(rows, opts, func(r rrsetRow) bool {
		return (f.Name == "" || r.Name == f.Name) && (len(f.Types) == 0 || slices.Contains(f.Types, r.Type))
	}, func(r rrsetRow) map[string]string { return r.Labels }, rrsetSorter,
		func(r rrsetRow) int64 { return r.pos }, RRSetMaxPerPage)
	if err != nil {
		return Page[RRSet]{}, err
	}
	return mapPage(pg, func(r rrsetRow) RRSet { return r.RRSet }), nil
}

// rrset finds an rrset of a primary zone (copied) or answers not_found.
func (p *Project) rrset(zone, name, typ string) (zoneState, rrsetState, error) {
	z, err := p.primaryZone(zone)
	if err != nil {
		return z, rrsetState{}, err
	}
	r, ok := z.RRSets[rrsetID(name, typ)]
	if !ok {
		return z, r, NotFound("rrset")
	}
	return z, r, nil
}

// GetRRSet returns one rrset.
func (p *Project) GetRRSet(zone, name, typ string) (RRSet, error) {
	defer p.lock()()
	_, r, err := p.rrset(zone, name, typ)
	return r.RRSet, err
}

// CreateRRSet adds an rrset to a primary zone.
func (p *Project) CreateRRSet(zone string, req CreateRRSet) (RRSet, Action, error) {
	defer p.lock()()
	z, err := p.primaryZone(zone)
	if err != nil {
		return RRSet{}, Action{}, err
	}
	r, err := p.validateNewRRSet(&z, req, "")
	if err != nil {
		return RRSet{}, Action{}, err
	}
	if err := z.addRRSet(r); err != nil {
		return RRSet{}, Action{}, err
	}
	z.bumpSerial(p.now())
	p.zones.put(z)
	return r.clone().RRSet, p.startAction("create_rrset", z.resource()), nil
}

// UpdateRRSet replaces an rrset's labels (allowed while change protected).
func (p *Project) UpdateRRSet(zone, name, typ string, req UpdateRRSet) (RRSet, error) {
	if req.Labels != nil {
		if err := ValidateLabels(*req.Labels); err != nil {
			return RRSet{}, err
		}
	}
	defer p.lock()()
	z, r, err := p.rrset(zone, name, typ)
	if err != nil {
		return RRSet{}, err
	}
	if req.Labels != nil {
		r.Labels = copyLabels(*req.Labels)
	}
	z.putRRSet(r)
	p.zones.put(z)
	return r.clone().RRSet, nil
}

func errRRSetProtected() error { return Errorf(CodeProtected, "RRSet(s) is/are change protected") }

// DeleteRRSet removes an rrset; the SOA and the apex NS rrset belong to the zone.
func (p *Project) DeleteRRSet(zone, name, typ string) (Action, error) {
	defer p.lock()()
	z, r, err := p.rrset(zone, name, typ)
	if err != nil {
		return Action{}, err
	}
	if r.Protection.Change {
		return Action{}, errRRSetProtected()
	}
	if r.ID == "@/SOA" || r.ID == "@/NS" {
		return Action{}, InvalidField("type", fmt.Sprintf("The %s records at @ are managed by the API and cannot be deleted.", r.Type))
	}
	delete(z.RRSets, r.ID)
	z.bumpSerial(p.now())
	p.zones.put(z)
	return p.startAction("delete_rrset", z.resource()), nil
}

// changeRecords runs a change of an existing rrset's records or TTL: protection, validation
// of the result, serial and action are the same for all of them.
func (p *Project) changeRecords(zone, name, typ, command string, change func(z *zoneState, r *rrsetState) error) (Action, error) {
	defer p.lock()()
	z, r, err := p.rrset(zone, name, typ)
	if err != nil {
		return Action{}, err
	}
	if r.Protection.Change {
		return Action{}, errRRSetProtected()
	}
	if err := change(&z, &r); err != nil {
		return Action{}, err
	}
	if len(r.Records) == 0 {
		delete(z.RRSets, r.ID)
	} else {
		if err := validateRRSetContent(&z, r.Name, r.Type, r.Records); err != nil {
			return Action{}, err
		}
		z.putRRSet(r)
	}
	z.bumpSerial(p.now())
	p.zones.put(z)
	return p.startAction(command, z.resource()), nil
}

// AddRRSetRecords appends records, creating the rrset when it does not exist. Values already
// in the rrset are left as they are. A TTL must match the rrset's own TTL when it has one.
func (p *Project) AddRRSetRecords(zone, name, typ string, records []Record, ttl *int) (Action, error) {
	if ttl != nil {
		if err := validateZoneTTL("ttl", *ttl); err != nil {
			return Action{}, err
		}
	}
	if typ == "SOA" {
		return Action{}, InvalidField("type", "The zone has exactly one SOA record; change it with set_records.")
	}
	records = normalizeRecords(records)
	defer p.lock()()
	z, err := p.primaryZone(zone)
	if err != nil {
		return Action{}, err
	}
	r, exists := z.RRSets[rrsetID(name, typ)]
	if !exists {
		if err := validateRRSetContent(&z, name, typ, records); err != nil {
			return Action{}, err
		}
		if err := z.addRRSet(p.newRRSet(&z, name, typ, ttl, records)); err != nil {
			return Action{}, err
		}
	} else {
		if r.Protection.Change {
			return Action{}, errRRSetProtected()
		}
		if ttl != nil && r.TTL != nil && *ttl != *r.TTL {
			return Action{}, InvalidField("ttl", fmt.Sprintf("The RRSet has TTL %d; records added to it cannot set %d.", *r.TTL, *ttl))
		}
		if ttl != nil && r.TTL == nil {
			t := *ttl
			r.TTL = &t
		}
		for _, rec := range records {
			if !slices.ContainsFunc(r.Records, func(o Record) bool { return o.Value == rec.Value }) {
				r.Records = append(r.Records, rec)
			}
		}
		if err := validateRRSetContent(&z, name, typ, r.Records); err != nil {
			return Action{}, err
		}
		z.putRRSet(r)
	}
	z.bumpSerial(p.now())
	p.zones.put(z)
	return p.startAction("add_rrset_records", z.resource()), nil
}

// RemoveRRSetRecords removes records by value; an rrset left empty is deleted. Values not in
// the rrset are ignored.
func (p *Project) RemoveRRSetRecords(zone, name, typ string, records []Record) (Action, error) {
	return p.changeRecords(zone, name, typ, "remove_rrset_records", func(z *zoneState, r *rrsetState) error {
		if r.ID == "@/SOA" {
			return InvalidField("type", "The SOA record cannot be removed.")
		}
		remove := map[string]bool{}
		for _, rec := range records {
			remove[strings.TrimSpace(rec.Value)] = true
		}
		r.Records = slices.DeleteFunc(r.Records, func(o Record) bool { return remove[o.Value] })
		if len(r.Records) == 0 && r.ID == "@/NS" {
			return InvalidField("records", "The assigned nameservers must stay in the NS records at @.")
		}
		return nil
	})
}

// SetRRSetRecords replaces all records of an existing rrset. For the SOA the serial given is
// ignored: the API keeps counting it.
func (p *Project) SetRRSetRecords(zone, name, typ string, records []Record) (Action, error) {
	records = normalizeRecords(records)
	return p.changeRecords(zone, name, typ, "set_rrset_records", func(z *zoneState, r *rrsetState) error {
		if len(records) == 0 {
			return InvalidField("records", "Records must not be empty.")
		}
		if r.ID == "@/SOA" && len(records) == 1 {
			records[0].Value = withSOASerial(records[0].Value, z.soaSerial())
		}
		r.Records = records
		return nil
	})
}

// UpdateRRSetRecords changes the comments of records matched by value.
func (p *Project) UpdateRRSetRecords(zone, name, typ string, records []Record) (Action, error) {
	return p.changeRecords(zone, name, typ, "update_rrset_records", func(z *zoneState, r *rrsetState) error {
		for _, rec := range records {
			i := slices.IndexFunc(r.Records, func(o Record) bool { return o.Value == strings.TrimSpace(rec.Value) })
			if i < 0 {
				return InvalidField("records", fmt.Sprintf("The RRSet has no record with value %q.", rec.Value))
			}
			r.Records[i].Comment = rec.Comment
		}
		return nil
	})
}

// ChangeRRSetTTL sets the rrset's own TTL, or unsets it (nil: the zone's TTL applies).
func (p *Project) ChangeRRSetTTL(zone, name, typ string, ttl *int) (Action, error) {
	if ttl != nil {
		if err := validateZoneTTL("ttl", *ttl); err != nil {
			return Action{}, err
		}
	}
	return p.changeRecords(zone, name, typ, "change_rrset_ttl", func(z *zoneState, r *rrsetState) error {
		r.TTL = nil
		if ttl != nil {
			t := *ttl
			r.TTL = &t
		}
		return nil
	})
}

// ChangeRRSetProtection sets the change protection.
func (p *Project) ChangeRRSetProtection(zone, name, typ string, change bool) (Action, error) {
	defer p.lock()()
	z, r, err := p.rrset(zone, name, typ)
	if err != nil {
		return Action{}, err
	}
	r.Protection.Change = change
	z.putRRSet(r)
	p.zones.put(z)
	return p.startAction("change_rrset_protection", z.resource()), nil
}
