package store

import (
	"fmt"
	"maps"
	"regexp"
	"sort"
	"strings"
)

// The label rules of the API, as hcloud-go and terraform validate them.
var (
	labelKeyRE   = regexp.MustCompile(`^([a-z0-9A-Z]((?:[\-_.]|[a-z0-9A-Z]){0,253}[a-z0-9A-Z])?/)?[a-z0-9A-Z]((?:[\-_.]|[a-z0-9A-Z]|){0,61}[a-z0-9A-Z])?$`)
	labelValueRE = regexp.MustCompile(`^(([a-z0-9A-Z](?:[\-_.]|[a-z0-9A-Z]){0,61})?[a-z0-9A-Z]$|$)`)
)

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
		case !labelKeyRE.MatchString(k):
			msgs = append(msgs, fmt.Sprintf("label key '%s' is invalid", k))
		case !labelValueRE.MatchString(labels[k]):
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
