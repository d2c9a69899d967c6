package store

import (
	"cmp"
	"slices"
)

// entity is what a collection holds: a resource with an id that can copy itself, so nothing
// handed out of the store aliases stored maps or slices.
type entity[T any] interface {
	entityID() int64
	clone() T
}

// collection is one project's resources of one kind, keyed by id. It has no lock of its own:
// the project's lock guards it. keys are unique keys (the name first, where the kind has
// one) that it indexes, so uniqueness checks and lookups by name cost the same however many
// resources a project holds.
type collection[T entity[T]] struct {
	items map[int64]T
	keys  []func(T) string
	index []map[string]int64
}

func newCollection[T entity[T]](keys ...func(T) string) collection[T] {
	c := collection[T]{items: map[int64]T{}, keys: keys}
	c.reindex()
	return c
}

func (c *collection[T]) reindex() {
	c.index = make([]map[string]int64, len(c.keys))
	for i, key := range c.keys {
		c.index[i] = map[string]int64{}
		for id, v := range c.items {
			if k := key(v); k != "" {
				c.index[i][k] = id
			}
		}
	}
}

// byKey returns a copy of the resource whose i-th unique key is k.
func (c *collection[T]) byKey(i int, k string) (T, bool) {
	var zero T
	id, ok := c.index[i][k]
	if !ok {
		return zero, false
	}
	v, ok := c.items[id]
	if !ok || c.keys[i](v) != k {
		return zero, false
	}
	return v.clone(), true
}

// byName returns a copy of the resource with this name (the first unique key).
func (c *collection[T]) byName(name string) (T, bool) { return c.byKey(0, name) }

// get returns a copy of the resource with this id.
func (c *collection[T]) get(id int64) (T, bool) {
	v, ok := c.items[id]
	if !ok {
		return v, false
	}
	return v.clone(), true
}

// has reports whether a resource with this id exists, without copying it.
func (c *collection[T]) has(id int64) bool {
	_, ok := c.items[id]
	return ok
}

// put stores a copy of v.
func (c *collection[T]) put(v T) {
	id := v.entityID()
	c.unindex(id)
	c.items[id] = v.clone()
	for i, key := range c.keys {
		if k := key(v); k != "" {
			c.index[i][k] = id
		}
	}
}

func (c *collection[T]) remove(id int64) {
	c.unindex(id)
	delete(c.items, id)
}

// unindex drops the keys the stored resource id holds.
func (c *collection[T]) unindex(id int64) {
	old, ok := c.items[id]
	if !ok {
		return
	}
	for i, key := range c.keys {
		if k := key(old); c.index[i][k] == id {
			delete(c.index[i], k)
		}
	}
}

func (c *collection[T]) len() int { return len(c.items) }

// find returns a copy of the first resource (by id) that matches.
func (c *collection[T]) find(match func(T) bool) (T, bool) {
	var best T
	found := false
	for _, v := range c.items {
		if match(v) && (!found || v.entityID() < best.entityID()) {
			best, found = v, true
		}
	}
	if !found {
		return best, false
	}
	return best.clone(), true
}

// values returns the stored values in id order, not copied: for reading under the lock only.
func (c *collection[T]) values() []T {
	out := make([]T, 0, len(c.items))
	for _, v := range c.items {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b T) int { return cmp.Compare(a.entityID(), b.entityID()) })
	return out
}

// snapshot returns copies of every resource in id order.
func (c *collection[T]) snapshot() []T {
	vals := c.values()
	for i, v := range vals {
		vals[i] = v.clone()
	}
	return vals
}

// page lists through the shared List path and copies the page it hands out.
func page[T entity[T]](c *collection[T], opts ListOptions, match func(T) bool,
	labels func(T) map[string]string, sorter Sorter[T]) (Page[T], error) {
	p, err := List(c.values(), opts, match, labels, sorter, T.entityID, 0)
	if err != nil {
		return p, err
	}
	for i, v := range p.Items {
		p.Items[i] = v.clone()
	}
	return p, nil
}

// clonePtr copies the value behind a pointer (nil stays nil), for clone methods.
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// renameAndRelabel applies an update's name and labels to a resource of a collection whose
// first key is the name: a new name must be free (uniqueness_error with dupMessage), and labels
// are replaced as a whole. nil means "leave as it is".
func renameAndRelabel[T entity[T]](c *collection[T], name *string, labels *map[string]string,
	curName *string, curLabels *map[string]string, dupMessage string) error {
	if name != nil && *name != *curName {
		if _, dup := c.byName(*name); dup {
			return Uniqueness("name", dupMessage)
		}
		*curName = *name
	}
	if labels != nil {
		*curLabels = copyLabels(*labels)
	}
	return nil
}
