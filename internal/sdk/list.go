package sdk

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Pagination is meta.pagination of a list answer.
type Pagination struct {
	Page         int  `json:"page"`
	PerPage      int  `json:"per_page"`
	PreviousPage *int `json:"previous_page"` // nil on the first page
	NextPage     *int `json:"next_page"`     // nil on the last page
	LastPage     int  `json:"last_page"`
	TotalEntries int  `json:"total_entries"`
}

// MaxPerPage is the largest page the API serves; All asks for it unless told otherwise.
const MaxPerPage = 50

// listPage fetches one page of a list answer {"<key>": [...], "meta": {"pagination": ...}}.
func listPage[T any](ctx context.Context, c *Client, path, key string, q url.Values) ([]T, Pagination, error) {
	var raw map[string]json.RawMessage
	if err := c.getJSON(ctx, path, q, &raw); err != nil {
		return nil, Pagination{}, err
	}
	var items []T
	if err := json.Unmarshal(raw[key], &items); err != nil {
		return nil, Pagination{}, fmt.Errorf("hcloud: decoding %s: %w", key, err)
	}
	var meta struct {
		Pagination Pagination `json:"pagination"`
	}
	if m, ok := raw["meta"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, Pagination{}, fmt.Errorf("hcloud: decoding meta: %w", err)
		}
	}
	return items, meta.Pagination, nil
}

// listAll iterates every item, page by page, following next_page. It starts at the page q
// names (1 by default) and asks for MaxPerPage items per page unless q says otherwise. An
// error ends the iteration after it is yielded.
func listAll[T any](ctx context.Context, c *Client, path, key string, q url.Values) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		q := cloneValues(q)
		if q.Get("per_page") == "" {
			q.Set("per_page", strconv.Itoa(MaxPerPage))
		}
		page := max(atoi(q.Get("page")), 1)
		for {
			q.Set("page", strconv.Itoa(page))
			items, pg, err := listPage[T](ctx, c, path, key, q)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if pg.NextPage == nil || *pg.NextPage <= page {
				return
			}
			page = *pg.NextPage
		}
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func cloneValues(q url.Values) url.Values {
	out := make(url.Values, len(q))
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

// query builds the query string of list options; zero values are left out.
type query url.Values

func (q query) str(key, v string) query {
	if v != "" {
		q[key] = append(q[key], v)
	}
	return q
}

func (q query) strs(key string, vs []string) query {
	for _, v := range vs {
		q.str(key, v)
	}
	return q
}

func (q query) num(key string, v int) query {
	if v != 0 {
		q.str(key, strconv.Itoa(v))
	}
	return q
}

func (q query) flag(key string, v bool) query {
	if v {
		q.str(key, "true")
	}
	return q
}

// page adds page, per_page, sort and label_selector, shared by most lists.
func (q query) page(page, perPage int) query { return q.num("page", page).num("per_page", perPage) }

func (q query) values() url.Values { return url.Values(q) }

// SelectorBuilder builds a label selector. Every method returns a new builder, so a builder
// can be shared and extended safely:
//
//	sdk.Selector().Eq("env", "prod").NotIn("tier", "db", "cache").String()
//	// env=prod,tier notin (db,cache)
type SelectorBuilder struct{ terms []string }

// Selector starts an empty label selector (it matches everything).
func Selector() SelectorBuilder { return SelectorBuilder{} }

func (s SelectorBuilder) with(term string) SelectorBuilder {
	return SelectorBuilder{terms: append(slices.Clip(s.terms), term)}
}

// Eq requires label key to have value.
func (s SelectorBuilder) Eq(key, value string) SelectorBuilder { return s.with(key + "=" + value) }

// NotEq requires label key not to have value (resources without the key match).
func (s SelectorBuilder) NotEq(key, value string) SelectorBuilder { return s.with(key + "!=" + value) }

// Exists requires label key, with any value.
func (s SelectorBuilder) Exists(key string) SelectorBuilder { return s.with(key) }

// NotExists requires label key to be absent.
func (s SelectorBuilder) NotExists(key string) SelectorBuilder { return s.with("!" + key) }

// In requires label key to have one of values.
func (s SelectorBuilder) In(key string, values ...string) SelectorBuilder {
	return s.with(key + " in (" + strings.Join(values, ",") + ")")
}

// NotIn requires label key to have none of values (resources without the key match).
func (s SelectorBuilder) NotIn(key string, values ...string) SelectorBuilder {
	return s.with(key + " notin (" + strings.Join(values, ",") + ")")
}

// String is the selector in the API's syntax, for the LabelSelector of list options.
func (s SelectorBuilder) String() string { return strings.Join(s.terms, ",") }
