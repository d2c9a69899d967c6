package store

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// Zone files in BIND format, read and checked by github.com/miekg/dns.
//
// Import rules (as the API documents them): $ORIGIN, if present, is the zone's name with a
// dot; $TTL, if present, becomes the zone's TTL; only class IN; a record without a TTL of its
// own gets ttl null; a comment after a record becomes its comment, comment lines are dropped.
// Values are stored in the canonical presentation form miekg/dns prints (names absolute), so
// export followed by import gives the same rrsets back (the SOA serial moves on).

// MaxZonefileSize bounds an imported zone file.
const MaxZonefileSize = 1 << 20

// ParsedZonefile is what a zone file holds for a zone: its $TTL and its rrsets in file order.
type ParsedZonefile struct {
	TTL    *int
	RRSets []CreateRRSet
}

func zonefileError(msg string, args ...any) error {
	return InvalidField("zonefile", fmt.Sprintf(msg, args...))
}

// ParseZonefile reads a zone file for the zone zoneName. Errors are invalid_input on the field
// zonefile and name the line (syntax) or the record (rules) that failed.
func ParseZonefile(text, zoneName string) (ParsedZonefile, error) {
	if len(text) > MaxZonefileSize {
		return ParsedZonefile{}, zonefileError("The zone file is larger than %d bytes.", MaxZonefileSize)
	}
	origin := zoneName + "."
	lines := strings.Split(text, "\n")
	ttlLines, zoneTTL, err := scanDirectives(lines, origin)
	if err != nil {
		return ParsedZonefile{}, err
	}

	// Pass one reads the file as it is: values, comments, and syntax errors with their line.
	var rrs []dns.RR
	var comments []string
	zp := dns.NewZoneParser(strings.NewReader(text), origin, "")
	zp.SetDefaultTTL(DefaultTTL)
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
		comments = append(comments, zp.Comment())
	}
	if err := zp.Err(); err != nil {
		return ParsedZonefile{}, zonefileError("%s", strings.TrimPrefix(err.Error(), "dns: "))
	}

	// miekg/dns gives records without a TTL the default or the previous TTL, so two more
	// passes with every $TTL replaced by the sentinels 0 and 1 (both below the minimum a
	// record may have) tell which records carry their own TTL.
	ttlsA, errA := sentinelTTLs(lines, ttlLines, origin, 0)
	ttlsB, errB := sentinelTTLs(lines, ttlLines, origin, 1)
	if errA != nil || errB != nil || len(ttlsA) != len(rrs) || len(ttlsB) != len(rrs) {
		return ParsedZonefile{}, zonefileError("The zone file could not be read consistently.")
	}

	out := ParsedZonefile{TTL: zoneTTL}
	index := map[string]int{}
	for i, rr := range rrs {
		h := rr.Header()
		text := strings.TrimSuffix(rr.String(), "\n")
		if h.Class != dns.ClassINET {
			return ParsedZonefile{}, zonefileError("record %q: only class IN is supported", text)
		}
		typ := dns.TypeToString[h.Rrtype]
		if !slices.Contains(RRSetTypes, typ) {
			return ParsedZonefile{}, zonefileError("record %q: type %s is not supported", text, typ)
		}
		name, ok := relativeName(strings.ToLower(h.Name), origin)
		if !ok {
			return ParsedZonefile{}, zonefileError("record %q: the name is outside the zone %s", text, zoneName)
		}
		var ttl *int
		if !(ttlsA[i] == 0 && ttlsB[i] == 1) {
			t := int(ttlsA[i])
			if t < MinTTL || t > MaxTTL {
				return ParsedZonefile{}, zonefileError("record %q: TTL must be between %d and %d", text, MinTTL, MaxTTL)
			}
			ttl = &t
		}
		value := strings.TrimPrefix(rr.String(), h.String())
		comment := importedComment(comments[i])
		id := rrsetID(name, typ)
		j, seen := index[id]
		if !seen {
			j = len(out.RRSets)
			index[id] = j
			// The first record's TTL is the rrset's, as BIND does with differing TTLs.
			out.RRSets = append(out.RRSets, CreateRRSet{Name: name, Type: typ, TTL: ttl})
		}
		set := &out.RRSets[j]
		if !slices.ContainsFunc(set.Records, func(r Record) bool { return r.Value == value }) {
			set.Records = append(set.Records, Record{Value: value, Comment: comment})
		}
	}
	return out, nil
}

// importedComment undoes what the lexer does to a record's comment: it starts with ";", and
// every further ";" gets a space before it. Runs of white space become one space.
func importedComment(c string) string {
	c = strings.TrimPrefix(strings.TrimSpace(c), ";")
	return strings.ReplaceAll(strings.Join(strings.Fields(c), " "), " ;", ";")
}

// relativeName turns an absolute owner name into the API's form: "@" for the apex, else the
// part before the zone name.
func relativeName(name, origin string) (string, bool) {
	if name == origin {
		return "@", true
	}
	rel, ok := strings.CutSuffix(name, "."+origin)
	return rel, ok && rel != ""
}

// scanDirectives checks the directive lines ($ORIGIN must be the zone, $INCLUDE and
// $GENERATE are refused) and returns the indexes of the $TTL lines and the last $TTL's value.
// Directives only start at the beginning of a line, so looking at line starts finds them all.
func scanDirectives(lines []string, origin string) ([]int, *int, error) {
	var ttlLines []int
	var zoneTTL *int
	for i, line := range lines {
		if !strings.HasPrefix(line, "$") {
			continue
		}
		body, _, _ := strings.Cut(strings.TrimSuffix(line, "\r"), ";")
		fields := strings.Fields(body)
		switch strings.ToUpper(fields[0]) {
		case "$ORIGIN":
			if len(fields) < 2 || !strings.EqualFold(fields[1], origin) {
				return nil, nil, zonefileError("line %d: $ORIGIN must be %s", i+1, origin)
			}
		case "$TTL":
			if len(fields) < 2 {
				return nil, nil, zonefileError("line %d: $TTL needs a value", i+1)
			}
			ttl, ok := directiveTTL(fields[1])
			if !ok || ttl < MinTTL || ttl > MaxTTL {
				return nil, nil, zonefileError("line %d: $TTL must be between %d and %d", i+1, MinTTL, MaxTTL)
			}
			ttlLines = append(ttlLines, i)
			zoneTTL = &ttl
		case "$INCLUDE", "$GENERATE":
			return nil, nil, zonefileError("line %d: %s is not supported", i+1, strings.ToUpper(fields[0]))
		}
	}
	return ttlLines, zoneTTL, nil
}

// directiveTTL reads a $TTL value (seconds or BIND units such as 1h) through miekg/dns.
func directiveTTL(v string) (int, bool) {
	zp := dns.NewZoneParser(strings.NewReader("$TTL "+v+"\n@ IN A 192.0.2.1\n"), ".", "")
	rr, ok := zp.Next()
	if !ok || zp.Err() != nil {
		return 0, false
	}
	return int(rr.Header().Ttl), true
}

// sentinelTTLs parses the file with every $TTL (and one before the first line) set to
// sentinel and returns the TTL of each record in order.
func sentinelTTLs(lines []string, ttlLines []int, origin string, sentinel int) ([]uint32, error) {
	changed := slices.Clone(lines)
	for _, i := range ttlLines {
		changed[i] = "$TTL " + strconv.Itoa(sentinel)
	}
	text := "$TTL " + strconv.Itoa(sentinel) + "\n" + strings.Join(changed, "\n")
	zp := dns.NewZoneParser(strings.NewReader(text), origin, "")
	var ttls []uint32
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		ttls = append(ttls, rr.Header().Ttl)
	}
	return ttls, zp.Err()
}

// applyZonefile replaces the zone's rrsets with the file's. rrsets that stay keep their labels,
// protection and creation time. strict (import_zonefile) requires the SOA and the assigned NS
// records; otherwise (create) the automatic ones stay when the file leaves them out. The SOA
// serial given is ignored: the zone's serial moves on.
func (p *Project) applyZonefile(z *zoneState, f ParsedZonefile, strict bool) error {
	old := z.RRSets
	serial := z.soaSerial()
	next := zoneState{Zone: z.Zone, RRSets: map[string]rrsetState{}}
	for _, r := range f.RRSets {
		id := rrsetID(r.Name, r.Type)
		if err := validateRRSetContent(&next, r.Name, r.Type, r.Records); err != nil {
			return zonefileError("RRSet %s: %s", id, errorMessage(err))
		}
		rs := p.newRRSet(z, r.Name, r.Type, r.TTL, r.Records)
		if prev, ok := old[id]; ok {
			rs.Labels, rs.Protection, rs.Created = copyLabels(prev.Labels), prev.Protection, prev.Created
		}
		if err := next.addRRSet(rs); err != nil {
			return zonefileError("RRSet %s: %s", id, errorMessage(err))
		}
	}
	for _, id := range []string{"@/SOA", "@/NS"} {
		if _, ok := next.RRSets[id]; ok {
			continue
		}
		if strict {
			if id == "@/SOA" {
				return zonefileError("A SOA record must be present.")
			}
			return zonefileError("The assigned nameservers %s must be present as NS records at @.", strings.Join(hetznerNameservers, ", "))
		}
		next.RRSets[id] = old[id]
	}
	soa := next.RRSets["@/SOA"]
	soa.Records[0].Value = withSOASerial(soa.Records[0].Value, serial)
	next.RRSets["@/SOA"] = soa
	if f.TTL != nil {
		next.TTL = *f.TTL
	}
	next.bumpSerial(p.now())
	*z = next
	return nil
}

// errorMessage is the first message of a store error's details, or its message.
func errorMessage(err error) string {
	var se *Error
	if errors.As(err, &se) {
		if f, ok := se.Details.(InvalidFields); ok && len(f.Fields) > 0 && len(f.Fields[0].Messages) > 0 {
			return f.Fields[0].Messages[0]
		}
		return se.Message
	}
	return err.Error()
}

// exportZonefile writes the zone as BIND text: $ORIGIN and $TTL, then the SOA, the apex NS
// and the other rrsets by name and type, a blank line between rrsets. Records with a TTL of
// their own carry it after the class; comments follow the value after ";".
func exportZonefile(z *zoneState) string {
	rank := func(id string) int {
		switch id {
		case "@/SOA":
			return 0
		case "@/NS":
			return 1
		}
		return 2
	}
	sets := make([]rrsetState, 0, len(z.RRSets))
	for _, r := range z.RRSets {
		sets = append(sets, r)
	}
	slices.SortFunc(sets, func(a, b rrsetState) int {
		return cmp.Or(cmp.Compare(rank(a.ID), rank(b.ID)), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Type, b.Type))
	})
	var b strings.Builder
	fmt.Fprintf(&b, "$ORIGIN\t%s.\n$TTL\t%d\n", z.Name, z.TTL)
	for _, r := range sets {
		b.WriteString("\n")
		ttl := ""
		if r.TTL != nil {
			ttl = strconv.Itoa(*r.TTL) + "\t"
		}
		for _, rec := range r.Records {
			fmt.Fprintf(&b, "%s\tIN\t%s%s\t%s", r.Name, ttl, r.Type, rec.Value)
			if c := strings.Join(strings.Fields(rec.Comment), " "); c != "" {
				b.WriteString(" ; " + c)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}
