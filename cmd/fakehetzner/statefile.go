package main

// The state file (--state-file) keeps the fake's state across restarts.
//
// Format: the JSON snapshot that GET /_fake/state answers (store.Snapshot, documented in
// internal/store/snapshot.go): {"version":1,"taken":…,"ids":{kind: last id},"projects":{key:
// {collection: [...]}}}. "version" names the format; a file of another version, or with fields
// this build does not know, is refused rather than half-read (saving it back would lose the
// rest). Project keys are hashes of tokens; no token is ever written.
//
// Load, at start: a missing file is an empty state (the file appears at the first save); a
// file that does not parse or fails the snapshot's checks stops the start with an error and
// is left untouched. Save, every --save-interval when the state changed and once more after
// the last request drained at SIGTERM/SIGINT: written to a temporary file in the same
// directory, synced, then renamed over the old one, so a crash leaves the old state or the
// new one, never a torn file.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// stateFile loads and saves one store's state.
type stateFile struct {
	path  string
	store *store.Store
	log   *slog.Logger

	mu        sync.Mutex
	lastSaved []byte // the state last written (or loaded), without its time stamp
}

// load restores the file into the store; a missing file leaves the store empty.
func (f *stateFile) load() error {
	raw, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		f.log.Info("state file does not exist yet; starting empty", "path", f.path)
		return nil
	}
	if err != nil {
		return fmt.Errorf("state file %s: %w", f.path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var snap store.Snapshot
	if err := dec.Decode(&snap); err != nil {
		return fmt.Errorf("state file %s is not a valid snapshot (left untouched): %w", f.path, err)
	}
	if dec.More() {
		return fmt.Errorf("state file %s has data after the snapshot (left untouched)", f.path)
	}
	if err := f.store.Restore(snap); err != nil {
		return fmt.Errorf("state file %s cannot be loaded (left untouched): %w", f.path, err)
	}
	f.lastSaved = withoutTime(snap)
	f.log.Info("state loaded", "path", f.path, "projects", len(snap.Projects))
	return nil
}

// withoutTime is the snapshot's JSON without the time it was taken, to see whether it changed.
func withoutTime(snap store.Snapshot) []byte {
	snap.Taken = time.Time{}
	b, _ := json.Marshal(snap)
	return b
}

// save writes the state if it changed since the last save.
func (f *stateFile) save() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	snap := f.store.Snapshot()
	cmp := withoutTime(snap)
	if f.lastSaved != nil && bytes.Equal(cmp, f.lastSaved) {
		if _, err := os.Stat(f.path); err == nil {
			return nil
		}
	}
	data, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		return fmt.Errorf("state file: encoding the snapshot: %w", err)
	}
	if err := writeAtomically(f.path, append(data, '\n')); err != nil {
		return fmt.Errorf("state file %s: %w", f.path, err)
	}
	f.lastSaved = cmp
	return nil
}

// saveEvery saves at each interval until ctx ends; failures are logged and retried next time.
func (f *stateFile) saveEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := f.save(); err != nil {
				f.log.Error("saving state", "error", err)
			}
		}
	}
}

// writeAtomically replaces path with data: temp file in the same directory, sync, rename,
// sync the directory.
func writeAtomically(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
