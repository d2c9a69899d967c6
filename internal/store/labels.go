package store

import (
	"fmt"
	"maps"
	"sort"
	"strings"
)

// The label rules of the API, as hcloud-go and terraform validate them with these regexes
// (labels_test.go holds the checks below to them on random input):
//
//	key:   ^([a-z0-9A-Z]((?:[\-_.]|[a-z0-9A-Z]){0,253}[a-z0-9A-Z])?/)?[a-z0-9A-Z]((?:[\-_.]|[a-z0-9A-Z]|){0,61}[a-z0-9A-Z])?$
//	value: ^(([a-z0-9A-Z](?:[\-_.]|[a-z0-9A-Z]){0,61})?[a-z0-9A-Z]$|$)
//
// They are checked byte by byte: label checks sit on every write and every selector.

// validLabelKey: an optional prefix of 1-255 characters and "/", then a name of 1-63.
func validLabelKey(k string) bool {
	if prefix, name, ok := strings.Cut(k, "/"); ok {
		return labelSegment(prefix, 255) && labelSegment(name, 63)
	}
	return labelSegment(k, 63)
}

// validLabelValue: empty, or 1-63 characters.
func validLabelValue(v string) bool { return v == "" || labelSegment(v, 63) }

// labelSegment: 1 to max characters, alphanumeric at both ends, "-", "_" or "." inside.
func labelSegment(s string, max int) bool {
	if len(s) == 0 || len(s) > max || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ValidateLabels checks keys and values; the hetzner.cloud namespace is reserved.
func ValidateLabels(labels map[string]string) error {
	var msgs []string
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch {
		case strings.Contains(k, "hetzner.cloud"):
			msgs = append(msgs, "The hetzner.cloud/ prefix is reserved and cannot be used")
		case !validLabelKey(k):
			msgs = append(msgs, fmt.Sprintf("label key '%s' is invalid", k))
		case !validLabelValue(labels[k]):
			msgs = append(msgs, fmt.Sprintf("label value '%s' of key '%s' is invalid", labels[k], k))
		}
	}
	if len(msgs) > 0 {
		return InvalidInput(FieldError{Name: "labels", Messages: msgs})
	}
	return nil
}

// copyLabels returns a non-nil copy, so answers show {} and never alias stored maps.
func copyLabels(l map[string]string) map[string]string {
	if l == nil {
		return map[string]string{}
	}
	return maps.Clone(l)
}
