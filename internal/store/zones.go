package store

import (
	"encoding/base64"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/publicsuffix"
)

// Zone is a Cloud DNS zone as the API shows it.
type Zone struct {
	ID                       int64                    `json:"id"`
	Name                     string                   `json:"name"`
	Created                  time.Time                `json:"created"`
	Mode                     string                   `json:"mode"`
	TTL                      int                      `json:"ttl"`
	Labels                   map[string]string        `json:"labels"`
	Protection               ZoneProtection           `json:"protection"`
	PrimaryNameservers       []PrimaryNameserver      `json:"primary_nameservers"`
	AuthoritativeNameservers AuthoritativeNameservers `json:"authoritative_nameservers"`
	Registrar                string                   `json:"registrar"`
	Status                   string                   `json:"status"`
	RecordCount              int                      `json:"record_count"`
}

// ZoneProtection is the zone's protection flags.
type ZoneProtection struct {
	Delete bool `json:"delete"`
}

// PrimaryNameserver is a server a secondary zone transfers its records from.
type PrimaryNameserver struct {
	Address       string `json:"address"`
	Port          int    `json:"port"`
	TSIGAlgorithm string `json:"tsig_algorithm,omitempty"`
	TSIGKey       string `json:"tsig_key,omitempty"`
}

// AuthoritativeNameservers are the Hetzner nameservers serving the zone and the delegation seen
// in the parent zone.
type AuthoritativeNameservers struct {
	Assigned            []string  `json:"assigned"`
	Delegated           []string  `json:"delegated"`
	DelegationLastCheck time.Time `json:"delegation_last_check"`
	DelegationStatus    string    `json:"delegation_status"`
}

// Zone modes.
const (
	ZoneModePrimary   = "primary"
	ZoneModeSecondary = "secondary"
)

// Zone TTL bounds and default, for zones and rrsets alike.
const (
	MinTTL     = 60
	MaxTTL     = 2147483647
	DefaultTTL = 3600
)

// CodeIncorrectZoneMode answers operations that the zone's mode does not support.
const CodeIncorrectZoneMode Code = "incorrect_zone_mode"

// hetznerNameservers are the three nameservers every new primary zone is assigned.
var hetznerNameservers = []string{"hydrogen.ns.hetzner.com.", "oxygen.ns.hetzner.com.", "helium.ns.hetzner.de."}

// soaDefault is the SOA of a new zone without its serial: mname rname _ refresh retry expire minimum.
const soaMname, soaRname, soaTimers = "hydrogen.ns.hetzner.com.", "dns.hetzner.com.", "86400 10800 3600000 3600"

// zoneState is a zone with its rrsets (keyed by "<name>/<type>"); it is what snapshots hold.
type zoneState struct {
	Zone
	RRSets map[string]rrsetState `json:"rrsets"`
}

func (z zoneState) entityID() int64 { return z.ID }

func (z zoneState) clone() zoneState {
	z.Zone = z.Zone.clone()
	rr := make(map[string]rrsetState, len(z.RRSets))
	for k, v := range z.RRSets {
		rr[k] = v.clone()
	}
	z.RRSets = rr
	return z
}

func (z Zone) clone() Zone {
	z.Labels = copyLabels(z.Labels)
	z.PrimaryNameservers = append([]PrimaryNameserver{}, z.PrimaryNameservers...)
	z.AuthoritativeNameservers.Assigned = append([]string{}, z.AuthoritativeNameservers.Assigned...)
	z.AuthoritativeNameservers.Delegated = append([]string{}, z.AuthoritativeNameservers.Delegated...)
	return z
}

// view is the zone as answered, with record_count counted from its rrsets.
func (z *zoneState) view() Zone {
	out := z.Zone.clone()
	out.RecordCount = 0
	for _, r := range z.RRSets {
		out.RecordCount += len(r.Records)
	}
	return out
}

func (z *zoneState) resource() ActionResource { return ActionResource{ID: z.ID, Type: "zone"} }

// requirePrimary refuses operations on secondary zones (rrsets, zone files, TTL).
func (z *zoneState) requirePrimary() error {
	if z.Mode != ZoneModePrimary {
		return Errorf(CodeIncorrectZoneMode, "This operation is not supported for this Zone's mode.")
	}
	return nil
}

// CreateZone is the body of POST /zones.
type CreateZone struct {
	Name               string              `json:"name"`
	Mode               string              `json:"mode"`
	TTL                *int                `json:"ttl"`
	Labels             map[string]string   `json:"labels"`
	PrimaryNameservers []PrimaryNameserver `json:"primary_nameservers"`
	RRSets             []CreateRRSet       `json:"rrsets"`
	Zonefile           string              `json:"zonefile"`
}

// UpdateZone is the body of PUT /zones/{id_or_name}: only labels change.
type UpdateZone struct {
	Labels *map[string]string `json:"labels"`
}

// ZoneFilter narrows GET /zones.
type ZoneFilter struct {
	Name string
	Mode string
}

var zoneSorter = Sorter[zoneState]{
	"name":    byString(func(z zoneState) string { return z.Name }),
	"created": func(a, b zoneState) int { return a.Created.Compare(b.Created) },
}

// ValidateZoneName applies the API's rules: lower case, no trailing dot, Punycode, and a
// registrable domain directly under a listed public suffix (no subdomains, no unknown TLDs).
func ValidateZoneName(name string) error {
	bad := func(msg string) error { return InvalidField("name", msg) }
	switch {
	case name == "":
		return bad("Name must not be empty.")
	case strings.HasSuffix(name, "."):
		return bad("Name must not end with a dot.")
	case name != strings.ToLower(name):
		return bad("Name must be in lower case.")
	case len(name) > 255:
		return bad("Longer than maximum length 255.")
	}
	for _, label := range strings.Split(name, ".") {
		if !isHostLabel(label) {
			return bad("Name is not a valid domain name (use Punycode for international names).")
		}
	}
	suffix, icann := publicsuffix.PublicSuffix(name)
	if !icann && !strings.Contains(suffix, ".") { // only the default rule matched: unknown TLD
		return bad("Name must end in a well-known public suffix.")
	}
	reg, err := publicsuffix.EffectiveTLDPlusOne(name)
	if err != nil || reg != name {
		return bad("Subdomains are not supported; use the registrable domain.")
	}
	return nil
}

// isHostLabel accepts LDH labels of 1..63 characters that do not start or end with a hyphen.
func isHostLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, c := range l {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func validateZoneTTL(field string, ttl int) error {
	if ttl < MinTTL || ttl > MaxTTL {
		return InvalidField(field, fmt.Sprintf("Must be between %d and %d.", MinTTL, MaxTTL))
	}
	return nil
}

// validatePrimaryNameservers checks addresses, ports and TSIG settings, and defaults port 53.
func validatePrimaryNameservers(list []PrimaryNameserver) ([]PrimaryNameserver, error) {
	if len(list) == 0 {
		return nil, InvalidField("primary_nameservers", "Secondary zones need at least one primary nameserver.")
	}
	out := make([]PrimaryNameserver, len(list))
	for i, ns := range list {
		field := fmt.Sprintf("primary_nameservers.%d", i)
		if net.ParseIP(ns.Address) == nil {
			return nil, InvalidField(field+".address", "Not a valid IP address.")
		}
		if ns.Port == 0 {
			ns.Port = 53
		}
		if ns.Port < 1 || ns.Port > 65535 {
			return nil, InvalidField(field+".port", "Must be between 1 and 65535.")
		}
		if (ns.TSIGAlgorithm == "") != (ns.TSIGKey == "") {
			return nil, InvalidField(field, "tsig_algorithm and tsig_key must be given together.")
		}
		if ns.TSIGKey != "" {
			if _, err := base64.StdEncoding.DecodeString(ns.TSIGKey); err != nil {
				return nil, InvalidField(field+".tsig_key", "Not valid base64.")
			}
		}
		out[i] = ns
	}
	return out, nil
}

// CreateZone creates a zone. A primary zone starts with the SOA and the three Hetzner NS
// records (plus rrsets or a zone file from the request); its create_zone action assigns the
// authoritative nameservers when it finishes.
func (p *Project) CreateZone(req CreateZone) (Zone, Action, error) {
	if err := ValidateZoneName(req.Name); err != nil {
		return Zone{}, Action{}, err
	}
	if req.Mode != ZoneModePrimary && req.Mode != ZoneModeSecondary {
		return Zone{}, Action{}, InvalidField("mode", "Not a valid choice.")
	}
	ttl := DefaultTTL
	if req.TTL != nil {
		if err := validateZoneTTL("ttl", *req.TTL); err != nil {
			return Zone{}, Action{}, err
		}
		ttl = *req.TTL
	}
	if err := ValidateLabels(req.Labels); err != nil {
		return Zone{}, Action{}, err
	}
	var primaries []PrimaryNameserver
	if req.Mode == ZoneModeSecondary {
		var err error
		if primaries, err = validatePrimaryNameservers(req.PrimaryNameservers); err != nil {
			return Zone{}, Action{}, err
		}
	} else if req.Zonefile != "" && len(req.RRSets) > 0 {
		return Zone{}, Action{}, InvalidField("rrsets", "rrsets must be empty when a zonefile is given.")
	}

	defer p.lock()()
	if err := p.checkLimit("zones", p.zones.len()); err != nil {
		return Zone{}, Action{}, err
	}
	if _, dup := p.zones.byName(req.Name); dup {
		return Zone{}, Action{}, Uniqueness("name", "zone name is already used")
	}
	now := p.now()
	z := zoneState{Zone: Zone{
		Name: req.Name, Created: now, Mode: req.Mode, TTL: ttl, Labels: copyLabels(req.Labels),
		PrimaryNameservers: primaries,
		AuthoritativeNameservers: AuthoritativeNameservers{
			Assigned: []string{}, Delegated: []string{}, DelegationLastCheck: now, DelegationStatus: "unknown",
		},
		Registrar: "other", Status: "ok",
	}, RRSets: map[string]rrsetState{}}
	if req.Mode == ZoneModePrimary {
		z.putRRSet(p.newRRSet(&z, "@", "SOA", nil, []Record{{Value: soaValue(initialSerial(now))}}))
		z.putRRSet(p.newRRSet(&z, "@", "NS", nil, nsRecords()))
		switch {
		case req.Zonefile != "":
			parsed, err := ParseZonefile(req.Zonefile, req.Name)
			if err != nil {
				return Zone{}, Action{}, err
			}
			// The create example imports a file with only an A record: SOA and NS stay
			// automatic when the file leaves them out.
			if err := p.applyZonefile(&z, parsed, false); err != nil {
				return Zone{}, Action{}, err
			}
		case len(req.RRSets) > 0:
			for i, r := range req.RRSets {
				rr, err := p.validateNewRRSet(&z, r, fmt.Sprintf("rrsets.%d.", i))
				if err != nil {
					return Zone{}, Action{}, err
				}
				if err := z.addRRSet(rr); err != nil {
					return Zone{}, Action{}, err
				}
			}
		}
	}
	z.ID = p.store.nextID("zone")
	for id, r := range z.RRSets {
		r.Zone = z.ID
		z.RRSets[id] = r
	}
	p.zones.put(z)
	// create_zone does not lock the zone: Terraform changes its protection without waiting.
	act := p.startAction("create_zone", z.resource())
	return z.view(), act, nil
}

func nsRecords() []Record {
	out := make([]Record, len(hetznerNameservers))
	for i, ns := range hetznerNameservers {
		out[i] = Record{Value: ns}
	}
	return out
}

// zoneActionDone applies what finished zone actions change: create_zone assigns the
// authoritative nameservers; a failed create leaves the zone in status error.
func zoneActionDone(p *Project, a Action) {
	if a.Command != "create_zone" {
		return
	}
	z, ok := p.zones.items[a.Resources[0].ID]
	if !ok {
		return
	}
	if a.Status == ActionStatusError {
		z.Status = "error"
	} else if z.Mode == ZoneModePrimary {
		z.AuthoritativeNameservers.Assigned = slices.Clone(hetznerNameservers)
	}
	p.zones.items[z.ID] = z
}

func init() { actionEffects["zone"] = zoneActionDone }

// zoneByIDOrName finds a zone for a {id_or_name} path parameter: digits are an id, anything
// else a name. It returns the stored value (not a copy): for use under the lock only.
func (p *Project) zoneByIDOrName(idOrName string) (zoneState, error) {
	if id, err := strconv.ParseInt(idOrName, 10, 64); err == nil {
		if z, ok := p.zones.items[id]; ok {
			return z, nil
		}
		return zoneState{}, NotFound("zone")
	}
	for _, z := range p.zones.items {
		if z.Name == idOrName {
			return z, nil
		}
	}
	return zoneState{}, NotFound("zone")
}

// GetZone returns one zone by id or name.
func (p *Project) GetZone(idOrName string) (Zone, error) {
	defer p.lock()()
	z, err := p.zoneByIDOrName(idOrName)
	if err != nil {
		return Zone{}, err
	}
	return z.view(), nil
}

// ZoneID resolves {id_or_name} to the zone's id.
func (p *Project) ZoneID(idOrName string) (int64, error) {
	defer p.lock()()
	z, err := p.zoneByIDOrName(idOrName)
	return z.ID, err
}

// ListZones lists zones with the name and mode filters.
func (p *Project) ListZones(f ZoneFilter, opts ListOptions) (Page[Zone], error) {
	defer p.lock()()
	pg, err := page(&p.zones, opts, func(z zoneState) bool {
		return (f.Name == "" || z.Name == f.Name) && (f.Mode == "" || z.Mode == f.Mode)
	}, func(z zoneState) map[string]string { return z.Labels }, zoneSorter)
	if err != nil {
		return Page[Zone]{}, err
	}
	return mapPage(pg, func(z zoneState) Zone { return z.view() }), nil
}

// UpdateZone replaces a zone's labels.
func (p *Project) UpdateZone(idOrName string, req UpdateZone) (Zone, error) {
	if req.Labels != nil {
		if err := ValidateLabels(*req.Labels); err != nil {
			return Zone{}, err
		}
	}
	defer p.lock()()
	z, err := p.zoneByIDOrName(idOrName)
	if err != nil {
		return Zone{}, err
	}
	if req.Labels != nil {
		z.Labels = copyLabels(*req.Labels)
	}
	p.zones.put(z)
	return z.view(), nil
}

// DeleteZone removes a zone at once; its delete_zone action stays pollable.
func (p *Project) DeleteZone(idOrName string) (Action, error) {
	defer p.lock()()
	z, err := p.zoneByIDOrName(idOrName)
	if err != nil {
		return Action{}, err
	}
	if z.Protection.Delete {
		return Action{}, Errorf(CodeProtected, "zone deletion is protected")
	}
	p.zones.remove(z.ID)
	return p.startAction("delete_zone", z.resource()), nil
}

// ChangeZoneProtection sets the delete protection.
func (p *Project) ChangeZoneProtection(idOrName string, del *bool) (Action, error) {
	defer p.lock()()
	z, err := p.zoneByIDOrName(idOrName)
	if err != nil {
		return Action{}, err
	}
	if del != nil {
		z.Protection.Delete = *del
	}
	p.zones.put(z)
	return p.startAction("change_protection", z.resource()), nil
}

// ChangeZoneTTL changes the default TTL of a primary zone.
func (p *Project) ChangeZoneTTL(idOrName string, ttl int) (Action, error) {
	if err := validateZoneTTL("ttl", ttl); err != nil {
		return Action{}, err
	}
	defer p.lock()()
	z, err := p.zoneByIDOrName(idOrName)
	if err != nil {
		return Action{}, err
	}
	if err := z.requirePrimary(); err != nil {
		return Action{}, err
	}
	z = z.clone()
	z.TTL = ttl
	z.bumpSerial(p.now())
	p.zones.put(z)
	return p.startAction("change_ttl", z.resource()), nil
}

// ChangeZonePrimaryNameservers replaces the primary nameservers of a secondary zone.
func (p *Project) ChangeZonePrimaryNameservers(idOrName string, list []PrimaryNameserver) (Action, error) {
	defer p.lock()()
	z, err := p.zoneByIDOrName(idOrName)
	if err != nil {
		return Action{}, err
	}
	if z.Mode != ZoneModeSecondary {
		return Action{}, Errorf(CodeIncorrectZoneMode, "This operation is not supported for this Zone's mode.")
	}
	primaries, err := validatePrimaryNameservers(list)
	if err != nil {
		return Action{}, err
	}
	z = z.clone()
	z.PrimaryNameservers = primaries
	p.zones.put(z)
	return p.startAction("change_primary_nameservers", z.resource()), nil
}

// ImportZonefile replaces every rrset of a primary zone with those of a BIND zone file. A
// file that does not parse, or breaks a rule, changes nothing.
func (p *Project) ImportZonefile(idOrName, zonefile string) (Action, error) {
	defer p.lock()()
	stored, err := p.zoneByIDOrName(idOrName)
	if err != nil {
		return Action{}, err
	}
	if err := stored.requirePrimary(); err != nil {
		return Action{}, err
	}
	for _, r := range stored.RRSets {
		if r.Protection.Change {
			return Action{}, Errorf(CodeProtected, "RRSet(s) is/are change protected")
		}
	}
	parsed, err := ParseZonefile(zonefile, stored.Name)
	if err != nil {
		return Action{}, err
	}
	z := stored.clone()
	if err := p.applyZonefile(&z, parsed, true); err != nil {
		return Action{}, err
	}
	p.zones.put(z)
	return p.startAction("import_zonefile", z.resource()), nil
}

// ExportZonefile writes a primary zone as a BIND zone file.
func (p *Project) ExportZonefile(idOrName string) (string, error) {
	defer p.lock()()
	z, err := p.zoneByIDOrName(idOrName)
	if err != nil {
		return "", err
	}
	if err := z.requirePrimary(); err != nil {
		return "", err
	}
	return exportZonefile(&z), nil
}

// initialSerial is the SOA serial of a zone created at t: YYYYMMDD00.
func initialSerial(t time.Time) uint32 {
	y, m, d := t.Date()
	return uint32(y*1000000 + int(m)*10000 + d*100)
}

func soaValue(serial uint32) string {
	return fmt.Sprintf("%s %s %d %s", soaMname, soaRname, serial, soaTimers)
}

// bumpSerial moves the SOA serial on after a change of the zone's content, in the
// YYYYMMDDnn convention: to today's first serial, or one up when that is not higher.
func (z *zoneState) bumpSerial(now time.Time) {
	soa, ok := z.RRSets["@/SOA"]
	if !ok || len(soa.Records) == 0 {
		return
	}
	fields := strings.Fields(soa.Records[0].Value)
	if len(fields) < 3 {
		return
	}
	cur, _ := strconv.ParseUint(fields[2], 10, 32)
	next := initialSerial(now)
	if uint64(next) <= cur {
		next = uint32(cur + 1)
	}
	soa.Records[0].Value = withSOASerial(soa.Records[0].Value, next)
	z.RRSets["@/SOA"] = soa
}

// withSOASerial replaces the serial (third field) of an SOA value, keeping the others as given.
func withSOASerial(value string, serial uint32) string {
	fields := strings.Fields(value)
	if len(fields) < 3 {
		return value
	}
	fields[2] = strconv.FormatUint(uint64(serial), 10)
	return strings.Join(fields, " ")
}

// soaSerial reads the serial of the zone's SOA (0 when there is none).
func (z *zoneState) soaSerial() uint32 {
	soa, ok := z.RRSets["@/SOA"]
	if !ok || len(soa.Records) == 0 {
		return 0
	}
	if rr, err := dns.NewRR(". 0 IN SOA " + soa.Records[0].Value); err == nil && rr != nil {
		return rr.(*dns.SOA).Serial
	}
	return 0
}

// restoreZone checks a zone of a snapshot.
func restoreZone(z zoneState) (zoneState, error) {
	if err := ValidateZoneName(z.Name); err != nil {
		return z, fmt.Errorf("zone %d: invalid name %q", z.ID, z.Name)
	}
	if z.Mode != ZoneModePrimary && z.Mode != ZoneModeSecondary {
		return z, fmt.Errorf("zone %d: mode %q", z.ID, z.Mode)
	}
	if err := ValidateLabels(z.Labels); err != nil {
		return z, fmt.Errorf("zone %d: %w", z.ID, err)
	}
	if z.RRSets == nil {
		z.RRSets = map[string]rrsetState{}
	}
	keys := slices.Sorted(maps.Keys(z.RRSets))
	for _, id := range keys {
		r := z.RRSets[id]
		if r.ID != id || r.ID != r.Name+"/"+r.Type {
			return z, fmt.Errorf("zone %d: rrset key %q does not match %q", z.ID, id, r.Name+"/"+r.Type)
		}
		if err := validateRRSetContent(&z, r.Name, r.Type, r.Records); err != nil {
			return z, fmt.Errorf("zone %d rrset %s: %s", z.ID, id, err)
		}
		r.Zone = z.ID
		z.RRSets[id] = r
	}
	return z.clone(), nil
}

// restoreDNS loads the zones (and the legacy DNS API's state) of a snapshot.
func (p *Project) restoreDNS(ps ProjectSnapshot, seen map[string]bool, maxIDs map[string]int64) error {
	for _, z := range ps.Zones {
		if err := checkRestored("zone", z.ID, z.Name, seen, maxIDs); err != nil {
			return err
		}
		z, err := restoreZone(z)
		if err != nil {
			return err
		}
		p.zones.put(z)
	}
	return p.restoreLegacy(ps.LegacyDNS, maxIDs)
}
