package store

import (
	"sync"
	"time"
)

// Clock is the time every time-dependent thing in the store reads: a time source (the wall
// clock unless one is injected) moved forward by an offset that tests and /_fake/clock add to.
// Nothing in the fake sleeps; actions finish when this clock says they are due.
type Clock struct {
	mu     sync.Mutex
	source func() time.Time
	offset time.Duration
}

// NewClock returns a clock reading source (time.Now when nil).
func NewClock(source func() time.Time) *Clock {
	if source == nil {
		source = time.Now
	}
	return &Clock{source: source}
}

// Now is the fake's current time, in UTC.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.source().Add(c.offset).UTC()
}

// Advance moves the clock forward by d (negative d is ignored: time never runs back).
func (c *Clock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Set moves the clock forward to t; a t in the past is ignored.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := t.Sub(c.source().Add(c.offset)); d > 0 {
		c.offset += d
	}
}
