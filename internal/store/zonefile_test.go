package store

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

func newZoneTestProject(t testing.TB) *Project {
	t.Helper()
	start := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	s := New(catalog.Default(), WithClock(NewClock(func() time.Time { return start })))
	return s.Project("zone-test")
}

func mustCreateZone(t testing.TB, p *Project, name string) Zone {
	t.Helper()
	z, _, err := p.CreateZone(CreateZone{Name: name, Mode: ZoneModePrimary})
	require.NoError(t, err)
	return z
}

// rrsetsOf lists every rrset of a zone, with the SOA serial blanked (it moves on every change).
func rrsetsOf(t testing.TB, p *Project, zone string) []RRSet {
	t.Helper()
	var out []RRSet
	for page := 1; ; page++ {
		pg, err := p.ListRRSets(zone, RRSetFilter{}, ListOptions{Page: page, PerPage: 100})
		require.NoError(t, err)
		out = append(out, pg.Items...)
		if pg.Pagination.NextPage == nil {
			break
		}
	}
	for i, r := range out {
		if r.Type == "SOA" {
			out[i].Records = []Record{{Value: withSOASerial(r.Records[0].Value, 0), Comment: r.Records[0].Comment}}
		}
	}
	return out
}

const specExample = "$ORIGIN\texample.com.\n$TTL\t3600\n\n" +
	"@\tIN\tSOA\thydrogen.ns.hetzner.com. dns.hetzner.com. 2024010100 86400 10800 3600000 3600\n\n" +
	"@\tIN\t10800\tNS\thydrogen.ns.hetzner.com. ; Some comment.\n" +
	"@\tIN\t10800\tNS\toxygen.ns.hetzner.com.\n" +
	"@\tIN\t10800\tNS\thelium.ns.hetzner.de.\n"

func TestParseZonefileSpecExample(t *testing.T) {
	f, err := ParseZonefile(specExample, "example.com")
	require.NoError(t, err)
	require.NotNil(t, f.TTL)
	assert.Equal(t, 3600, *f.TTL)
	require.Len(t, f.RRSets, 2)
	soa, ns := f.RRSets[0], f.RRSets[1]
	assert.Equal(t, "@", soa.Name)
	assert.Equal(t, "SOA", soa.Type)
	assert.Nil(t, soa.TTL, "the SOA line has no TTL of its own")
	assert.Equal(t, "hydrogen.ns.hetzner.com. dns.hetzner.com. 2024010100 86400 10800 3600000 3600", soa.Records[0].Value)
	assert.Equal(t, "NS", ns.Type)
	require.NotNil(t, ns.TTL)
	assert.Equal(t, 10800, *ns.TTL)
	assert.Equal(t, []Record{
		{Value: "hydrogen.ns.hetzner.com.", Comment: "Some comment."},
		{Value: "oxygen.ns.hetzner.com."}, {Value: "helium.ns.hetzner.de."},
	}, ns.Records)
}

func TestParseZonefileTTLs(t *testing.T) {
	for name, tc := range map[string]struct {
		file    string
		zoneTTL *int
		want    map[string]*int
	}{
		"no $TTL, explicit TTL before a TTL-less record": {
			file: "a IN 600 A 192.0.2.1\nb IN A 192.0.2.2\nc 700 A 192.0.2.3\nd A 192.0.2.4\n",
			want: map[string]*int{"a": ptr(600), "b": nil, "c": ptr(700), "d": nil},
		},
		"$TTL equal to an explicit TTL": {
			file:    "$TTL 600\na IN 600 A 192.0.2.1\nb IN A 192.0.2.2\n$TTL 1h\nc A 192.0.2.3\n",
			zoneTTL: ptr(3600),
			want:    map[string]*int{"a": ptr(600), "b": nil, "c": nil},
		},
		"class and TTL in either order": {
			file: "a 900 IN A 192.0.2.1\nb IN 900 A 192.0.2.2\n",
			want: map[string]*int{"a": ptr(900), "b": ptr(900)},
		},
	} {
		t.Run(name, func(t *testing.T) {
			f, err := ParseZonefile(tc.file, "example.com")
			require.NoError(t, err)
			assert.Equal(t, tc.zoneTTL, f.TTL)
			got := map[string]*int{}
			for _, r := range f.RRSets {
				got[r.Name] = r.TTL
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestParseZonefileErrors(t *testing.T) {
	for name, tc := range map[string]struct{ file, want string }{
		"syntax, with its line":   {"a IN A 192.0.2.1\nb IN A 192.0.2\n", "line: 2"},
		"wrong $ORIGIN":           {"$ORIGIN example.org.\na IN A 192.0.2.1\n", "line 1: $ORIGIN must be example.com."},
		"class other than IN":     {"a CH A 192.0.2.1\n", "only class IN"},
		"name outside the zone":   {"a.example.org. IN A 192.0.2.1\n", "outside the zone"},
		"unsupported type":        {"a IN NAPTR 100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .\n", "type NAPTR is not supported"},
		"$GENERATE":               {"$GENERATE 1-100 host$ A 192.0.2.$\n", "line 1: $GENERATE is not supported"},
		"$INCLUDE":                {"$INCLUDE /etc/passwd\n", "line 1: $INCLUDE is not supported"},
		"TTL below the minimum":   {"a IN 30 A 192.0.2.1\n", "TTL must be between 60"},
		"$TTL below the minimum":  {"$TTL 10\na IN A 192.0.2.1\n", "line 1: $TTL must be between"},
		"unbalanced parenthesis":  {"a IN TXT ( \"x\"\n", "line"},
		"unknown type mnemonic":   {"a IN BOGUS x\n", "line: 1"},
		"bad value of known type": {"a IN MX ten mail\n", "line: 1"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseZonefile(tc.file, "example.com")
			require.Error(t, err)
			var se *Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, CodeInvalidInput, se.Code)
			assert.Contains(t, errorMessage(err), tc.want)
			assert.Equal(t, "zonefile", se.Details.(InvalidFields).Fields[0].Name)
		})
	}
}

func TestImportZonefileRules(t *testing.T) {
	p := newZoneTestProject(t)
	mustCreateZone(t, p, "example.com")
	before := rrsetsOf(t, p, "example.com")

	_, err := p.ImportZonefile("example.com", "www IN A 192.0.2.1\n")
	assert.Contains(t, errorMessage(err), "SOA record must be present")
	_, err = p.ImportZonefile("example.com", "@ IN SOA hydrogen.ns.hetzner.com. dns.hetzner.com. 1 86400 10800 3600000 3600\n@ IN NS ns1.example.net.\n")
	assert.Contains(t, errorMessage(err), "hydrogen.ns.hetzner.com.")
	_, err = p.ImportZonefile("example.com", specExample+"www IN CNAME web\nwww IN A 192.0.2.1\n")
	assert.Contains(t, errorMessage(err), "CNAME")
	assert.Equal(t, before, rrsetsOf(t, p, "example.com"), "failed imports change nothing")

	_, err = p.ImportZonefile("example.com", specExample+"www IN A 192.0.2.1 ; web\n")
	require.NoError(t, err)
	z, err := p.GetZone("example.com")
	require.NoError(t, err)
	assert.Equal(t, 5, z.RecordCount)
	www, err := p.GetRRSet("example.com", "www", "A")
	require.NoError(t, err)
	assert.Equal(t, []Record{{Value: "192.0.2.1", Comment: "web"}}, www.Records)
	assert.Nil(t, www.TTL)
}

// TestImportZonefileKeepsSerialCounting: the serial in the file is ignored, the zone's goes on.
func TestImportZonefileKeepsSerialCounting(t *testing.T) {
	p := newZoneTestProject(t)
	mustCreateZone(t, p, "example.com")
	soa, err := p.GetRRSet("example.com", "@", "SOA")
	require.NoError(t, err)
	assert.Equal(t, "hydrogen.ns.hetzner.com. dns.hetzner.com. 2026011000 86400 10800 3600000 3600", soa.Records[0].Value)
	_, err = p.ImportZonefile("example.com", specExample)
	require.NoError(t, err)
	soa, err = p.GetRRSet("example.com", "@", "SOA")
	require.NoError(t, err)
	assert.Equal(t, "hydrogen.ns.hetzner.com. dns.hetzner.com. 2026011001 86400 10800 3600000 3600", soa.Records[0].Value)
}

// randomZone fills a zone with random rrsets in canonical form through the store's API.
func randomZone(t testing.TB, p *Project, r *rand.Rand, name string) {
	t.Helper()
	mustCreateZone(t, p, name)
	if r.IntN(2) == 0 {
		_, err := p.ChangeZoneTTL(name, 60+r.IntN(100000))
		require.NoError(t, err)
	}
	owners := []string{"@", "www", "*", "*.sub", "_acme-challenge", "a.b.c", "mail", "x-1", "_sip._tcp"}
	values := map[string]func() string{
		"A":     func() string { return fmt.Sprintf("192.0.2.%d", r.IntN(256)) },
		"AAAA":  func() string { return netip.MustParseAddr(fmt.Sprintf("2001:db8::%x", r.IntN(65536))).String() }, // canonical: ::0 is ::
		"MX":    func() string { return fmt.Sprintf("%d mail%d.example.net.", r.IntN(100), r.IntN(5)) },
		"TXT":   func() string { return fmt.Sprintf(`"v=spf1 -all %d" "part \"two\" %d"`, r.IntN(1000), r.IntN(9)) },
		"CAA":   func() string { return fmt.Sprintf(`0 issue "ca%d.example.net"`, r.IntN(50)) },
		"SRV":   func() string { return fmt.Sprintf("%d %d %d sip.%s.", r.IntN(10), r.IntN(10), 1+r.IntN(65535), name) },
		"NS":    func() string { return fmt.Sprintf("ns%d.example.net.", r.IntN(50)) },
		"TLSA":  func() string { return fmt.Sprintf("3 1 1 %064x", r.Uint64()) },
		"DS":    func() string { return fmt.Sprintf("%d 8 2 %064X", r.IntN(65535), r.Uint64()) },
		"HINFO": func() string { return fmt.Sprintf(`"CPU%d" "OS"`, r.IntN(9)) },
		"RP":    func() string { return fmt.Sprintf("mbox%d.%s. txt.%s.", r.IntN(9), name, name) },
		"PTR":   func() string { return fmt.Sprintf("host%d.example.net.", r.IntN(99)) },
		"HTTPS": func() string { return fmt.Sprintf(`1 . alpn="h3,h2" ipv4hint="192.0.2.%d"`, r.IntN(256)) },
	}
	types := make([]string, 0, len(values))
	for typ := range values {
		types = append(types, typ)
	}
	slices.Sort(types) // map order varies: sorted, a seed gives the same zone every run
	for range 1 + r.IntN(12) {
		owner, typ := owners[r.IntN(len(owners))], types[r.IntN(len(types))]
		if typ == "NS" && owner == "@" {
			owner = "delegated"
		}
		var recs []Record
		for range 1 + r.IntN(3) {
			rec := Record{Value: values[typ]()}
			if r.IntN(2) == 0 {
				rec.Comment = fmt.Sprintf("comment %d; with = signs", r.IntN(100))
			}
			recs = append(recs, rec)
		}
		var ttl *int
		if r.IntN(2) == 0 {
			ttl = ptr(60 + r.IntN(86400))
		}
		// Errors (duplicate values, an rrset that exists, CNAME clashes) just skip the rrset.
		_, _ = p.AddRRSetRecords(name, owner, typ, recs, ttl)
	}
	if r.IntN(2) == 0 {
		_, _ = p.AddRRSetRecords(name, "alias", "CNAME", []Record{{Value: "www." + name + "."}}, nil)
	}
}

// TestZonefileRoundTrip: import(export(z)) == z for random zones (the SOA serial aside), and
// exporting again gives the same text but for the serial.
func TestZonefileRoundTrip(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 42))
		p := newZoneTestProject(t)
		randomZone(t, p, r, "example.com")
		before := rrsetsOf(t, p, "example.com")
		zBefore, err := p.GetZone("example.com")
		require.NoError(t, err)
		text, err := p.ExportZonefile("example.com")
		require.NoError(t, err)

		_, err = p.ImportZonefile("example.com", text)
		require.NoError(t, err, "seed %d, zone file:\n%s", seed, text)
		require.Equal(t, before, rrsetsOf(t, p, "example.com"), "seed %d, zone file:\n%s", seed, text)
		zAfter, err := p.GetZone("example.com")
		require.NoError(t, err)
		assert.Equal(t, zBefore.TTL, zAfter.TTL)
		assert.Equal(t, zBefore.RecordCount, zAfter.RecordCount)

		again, err := p.ExportZonefile("example.com")
		require.NoError(t, err)
		assert.Equal(t, blankSerial(text), blankSerial(again), "seed %d", seed)
	}
}

func blankSerial(zonefile string) string {
	lines := strings.Split(zonefile, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "@\tIN\tSOA\t") {
			lines[i] = "@\tIN\tSOA\t" + withSOASerial(strings.TrimPrefix(l, "@\tIN\tSOA\t"), 0)
		}
	}
	return strings.Join(lines, "\n")
}

// FuzzZoneFileImport: importing any text never panics; a refused file changes nothing; an
// accepted one exports to a file that imports to the same rrsets.
func FuzzZoneFileImport(f *testing.F) {
	f.Add(specExample)
	f.Add(specExample + "www IN A 192.0.2.1 ; web\n*.sub 300 IN TXT \"a\" \"b\"\n")
	f.Add("$ORIGIN example.com.\n@ IN SOA a. b. 1 2 3 4 5\n@ IN NS hydrogen.ns.hetzner.com.\n")
	f.Add("a IN A 192.0.2\n")
	f.Add("$TTL 1h\n$GENERATE 1-3 h$ A 192.0.2.$\n")
	f.Fuzz(func(t *testing.T, zonefile string) {
		p := newZoneTestProject(t)
		mustCreateZone(t, p, "example.com")
		_, err := p.AddRRSetRecords("example.com", "keep", "A", []Record{{Value: "192.0.2.7", Comment: "kept"}}, nil)
		require.NoError(t, err)
		before := p.snapshot().Zones
		if _, err := p.ImportZonefile("example.com", zonefile); err != nil {
			var se *Error
			require.ErrorAs(t, err, &se)
			require.Equal(t, CodeInvalidInput, se.Code, "%v", err)
			require.Equal(t, before, p.snapshot().Zones, "a refused zone file changed the zone")
			return
		}
		imported := rrsetsOf(t, p, "example.com")
		text, err := p.ExportZonefile("example.com")
		require.NoError(t, err)
		_, err = p.ImportZonefile("example.com", text)
		require.NoError(t, err, "the export of an imported file does not import:\n%s", text)
		require.Equal(t, imported, rrsetsOf(t, p, "example.com"), "export:\n%s", text)
	})
}
