package store

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Limits caps how many resources of a kind one project may hold, keyed by the API's
// collection name (servers, ssh_keys, ...). A create beyond the limit fails with 403
// resource_limit_exceeded, as the real API answers an account at its limit.
type Limits map[string]int

// limitSubjects names each limited collection the way the API's message does
// ("server limit exceeded" and "Primary IP limit exceeded" are seen live; the others follow
// the same pattern, unconfirmed).
var limitSubjects = map[string]string{
	"servers":          "server",
	"primary_ips":      "Primary IP",
	"floating_ips":     "Floating IP",
	"volumes":          "volume",
	"networks":         "network",
	"load_balancers":   "load balancer",
	"certificates":     "certificate",
	"firewalls":        "firewall",
	"placement_groups": "placement group",
	"ssh_keys":         "SSH key",
	"images":           "snapshot", // snapshots and backups a project may keep
	"zones":            "zone",
}

// DefaultLimit is every kind's limit unless configured: far above what a test creates, so
// limits only get in the way when a test asks for them.
const DefaultLimit = 1000

// DefaultLimits returns the default limit of every kind.
func DefaultLimits() Limits {
	l := make(Limits, len(limitSubjects))
	for k := range limitSubjects {
		l[k] = DefaultLimit
	}
	return l
}

// LimitNames lists the collections that have a limit, sorted.
func LimitNames() []string {
	return slices.Sorted(maps.Keys(limitSubjects))
}

// ParseLimits reads "servers=5,ssh_keys=10" as given to --limits.
func ParseLimits(s string) (Limits, error) {
	l := Limits{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("limit %q: want name=number", part)
		}
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil {
			return nil, fmt.Errorf("limit %q: not a number", part)
		}
		l[strings.TrimSpace(name)] = n
	}
	return l, l.Check()
}

// Check rejects unknown names and negative numbers.
func (l Limits) Check() error {
	for _, name := range slices.Sorted(maps.Keys(l)) {
		if _, ok := limitSubjects[name]; !ok {
			return fmt.Errorf("limit %q: unknown resource; known: %s", name, strings.Join(LimitNames(), ", "))
		}
		if l[name] < 0 {
			return fmt.Errorf("limit %s=%d: must be 0 or more", name, l[name])
		}
	}
	return nil
}

// WithLimits sets limits over the defaults.
func WithLimits(l Limits) Option {
	return func(s *Store) {
		merged := DefaultLimits()
		maps.Copy(merged, l)
		s.limits.Store(&merged)
	}
}

// Limits returns a copy of the current limits.
func (s *Store) Limits() Limits {
	return maps.Clone(*s.limits.Load())
}

// SetLimits changes the named limits and keeps the others; an invalid set changes nothing.
// Resources already over a new limit stay; only creates are refused.
func (s *Store) SetLimits(l Limits) error {
	if err := l.Check(); err != nil {
		return InvalidField("limits", err.Error())
	}
	merged := s.Limits()
	maps.Copy(merged, l)
	s.limits.Store(&merged)
	return nil
}

// LimitExceeded is the API's resource_limit_exceeded error for a collection.
func LimitExceeded(collection string) *Error {
	subject := limitSubjects[collection]
	if subject == "" {
		subject = collection
	}
	return &Error{Code: CodeResourceLimitExceeded, Message: subject + " limit exceeded",
		Details: map[string]any{"limits": []map[string]string{{"name": "project_limit"}}}}
}

// checkLimit is what every create calls, under the project lock, before it adds a resource:
// current is how many the project holds now. A collection without a limit is a programming
// error, caught by the first test that creates one.
func (p *Project) checkLimit(collection string, current int) error {
	limit, ok := (*p.store.limits.Load())[collection]
	if !ok {
		panic("store: no limit for " + collection + "; add it to limitSubjects in limits.go")
	}
	if current >= limit {
		return LimitExceeded(collection)
	}
	return nil
}
