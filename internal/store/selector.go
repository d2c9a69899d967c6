package store

import (
	"slices"
	"strings"
)

// Selector is a parsed label selector: every requirement must hold (comma means AND).
type Selector []requirement

type selectorOp int

const (
	opEq selectorOp = iota
	opNotEq
	opExists
	opNotExists
	opIn
	opNotIn
)

type requirement struct {
	key    string
	op     selectorOp
	values []string
}

// ParseSelector parses k=v, k==v, k!=v, k, !k, k in (a,b), k notin (a,b), joined by commas.
// An empty selector matches everything. A malformed one is invalid_input on label_selector.
func ParseSelector(s string) (Selector, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	terms, ok := splitTerms(s)
	if !ok {
		return nil, badSelector()
	}
	sel := make(Selector, 0, len(terms))
	for _, term := range terms {
		r, ok := parseRequirement(strings.TrimSpace(term))
		if !ok {
			return nil, badSelector()
		}
		sel = append(sel, r)
	}
	return sel, nil
}

func badSelector() error {
	return InvalidField("label_selector", "Invalid label selector.")
}

// splitTerms splits at commas outside parentheses.
func splitTerms(s string) ([]string, bool) {
	var terms []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
			if depth > 1 {
				return nil, false
			}
		case ')':
			depth--
			if depth < 0 {
				return nil, false
			}
		case ',':
			if depth == 0 {
				terms = append(terms, s[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, false
	}
	return append(terms, s[start:]), true
}

func parseRequirement(t string) (requirement, bool) {
	if t == "" {
		return requirement{}, false
	}
	if rest, ok := strings.CutPrefix(t, "!"); ok {
		key := strings.TrimSpace(rest)
		return requirement{key: key, op: opNotExists}, validLabelKey(key)
	}
	if i := strings.IndexByte(t, '('); i >= 0 {
		head, list := strings.TrimSpace(t[:i]), t[i:]
		if !strings.HasSuffix(list, ")") {
			return requirement{}, false
		}
		var r requirement
		switch fields := strings.Fields(head); {
		case len(fields) == 2 && fields[1] == "in":
			r = requirement{key: fields[0], op: opIn}
		case len(fields) == 2 && fields[1] == "notin":
			r = requirement{key: fields[0], op: opNotIn}
		default:
			return requirement{}, false
		}
		for _, v := range strings.Split(list[1:len(list)-1], ",") {
			v = strings.TrimSpace(v)
			if !validLabelValue(v) {
				return requirement{}, false
			}
			r.values = append(r.values, v)
		}
		return r, validLabelKey(r.key)
	}
	var r requirement
	var key, value string
	switch {
	case strings.Contains(t, "!="):
		key, value, _ = strings.Cut(t, "!=")
		r.op = opNotEq
	case strings.Contains(t, "=="):
		key, value, _ = strings.Cut(t, "==")
		r.op = opEq
	case strings.Contains(t, "="):
		key, value, _ = strings.Cut(t, "=")
		r.op = opEq
	default:
		return requirement{key: t, op: opExists}, validLabelKey(t)
	}
	r.key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	r.values = []string{value}
	return r, validLabelKey(r.key) && validLabelValue(value)
}

// Matches reports whether labels satisfy every requirement. As in Kubernetes, != and notin
// also match resources that lack the key.
func (s Selector) Matches(labels map[string]string) bool {
	for _, r := range s {
		v, has := labels[r.key]
		var ok bool
		switch r.op {
		case opEq:
			ok = has && v == r.values[0]
		case opNotEq:
			ok = !has || v != r.values[0]
		case opExists:
			ok = has
		case opNotExists:
			ok = !has
		case opIn:
			ok = has && slices.Contains(r.values, v)
		case opNotIn:
			ok = !has || !slices.Contains(r.values, v)
		}
		if !ok {
			return false
		}
	}
	return true
}
