package store

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/fakehetzner/fakehetzner/internal/store/catalog"
)

// Volume statuses, formats and sizes (GB).
const (
	VolumeStatusCreating  = "creating"
	VolumeStatusAvailable = "available"

	VolumeFormatExt4 = "ext4"
	VolumeFormatXFS  = "xfs"

	MinVolumeSize = 10
	MaxVolumeSize = 10240
)

// VolumeProtection is volume.protection.
type VolumeProtection struct {
	Delete bool `json:"delete"`
}

// Volume is a block storage volume as the API shows it. Server is the server it is attached
// to (nil when detached); the server's `volumes` list is derived from it.
type Volume struct {
	ID          int64             `json:"id"`
	Name        string            `json:"name"`
	Server      *int64            `json:"server"`
	Status      string            `json:"status"`
	Location    catalog.Location  `json:"location"`
	Size        int               `json:"size"`
	Format      *string           `json:"format"`
	Protection  VolumeProtection  `json:"protection"`
	Labels      map[string]string `json:"labels"`
	LinuxDevice string            `json:"linux_device"`
	Created     time.Time         `json:"created"`
}

func (v Volume) clone() Volume {
	v.Labels = copyLabels(v.Labels)
	if v.Server != nil {
		id := *v.Server
		v.Server = &id
	}
	if v.Format != nil {
		f := *v.Format
		v.Format = &f
	}
	return v
}

// volumeState is a stored volume. ResizedFrom is the size before a running resize_volume,
// which comes back if that action fails (no other resize can start meanwhile: the volume is
// locked).
type volumeState struct {
	Volume
	ResizedFrom int `json:"resized_from,omitempty"`
}

func (v volumeState) entityID() int64 { return v.ID }

func (v volumeState) clone() volumeState {
	v.Volume = v.Volume.clone()
	return v
}

// CreateVolume is the body of POST /volumes.
type CreateVolume struct {
	Name      string            `json:"name"`
	Size      int               `json:"size"`
	Server    *int64            `json:"server"`
	Location  *IDOrName         `json:"location"`
	Labels    map[string]string `json:"labels"`
	Automount *bool             `json:"automount"`
	Format    *string           `json:"format"`
}

// CreateVolumeResult is the answer of POST /volumes.
type CreateVolumeResult struct {
	Volume      Volume   `json:"volume"`
	Action      Action   `json:"action"`
	NextActions []Action `json:"next_actions"`
}

// UpdateVolume is the body of PUT /volumes/{id}; nil fields stay as they are.
type UpdateVolume struct {
	Name   *string            `json:"name"`
	Labels *map[string]string `json:"labels"`
}

// AttachVolume is the body of attach.
type AttachVolume struct {
	Server    int64 `json:"server"`
	Automount *bool `json:"automount"`
}

// ResizeVolume is the body of resize.
type ResizeVolume struct {
	Size int `json:"size"`
}

// ChangeVolumeProtection is the body of change_protection.
type ChangeVolumeProtection struct {
	Delete *bool `json:"delete"`
}

// VolumeFilter narrows GET /volumes.
type VolumeFilter struct {
	Name     string
	Statuses []string
}

var volumeSorter = Sorter[volumeState]{
	"name":    byString(func(v volumeState) string { return v.Name }),
	"created": func(a, b volumeState) int { return a.Created.Compare(b.Created) },
}

// volumeNameRE is the API's rule for volume names: alphanumerics, dashes, underscores and dots,
// starting and ending with an alphanumeric, at most 64 characters.
var volumeNameRE = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9._-]{0,62}[a-zA-Z0-9])?$`)

func volumeRef(id int64) ActionResource { return ActionResource{ID: id, Type: "volume"} }

// linuxDevice is where a volume appears inside a server it is attached to.
func linuxDevice(id int64) string { return fmt.Sprintf("/dev/disk/by-id/scsi-0HC_Volume_%d", id) }

func checkVolumeName(name string) error {
	if !volumeNameRE.MatchString(name) {
		return InvalidField("name", "Name must consist of alphanumeric characters, dashes, underscores and dots, "+
			"start and end with an alphanumeric character and be at most 64 characters long.")
	}
	return nil
}

func checkVolumeSize(size int) error {
	if size < MinVolumeSize || size > MaxVolumeSize {
		return InvalidField("size", fmt.Sprintf("Size must be between %d and %d GB.", MinVolumeSize, MaxVolumeSize))
	}
	return nil
}

// volumesOf are the ids of the volumes attached to a server, ascending.
func (p *Project) volumesOf(serverID int64) []int64 {
	out := []int64{}
	for _, v := range p.volumes.items { // unsorted: values() would sort every volume
		if v.Server != nil && *v.Server == serverID {
			out = append(out, v.ID)
		}
	}
	slices.Sort(out)
	return out
}

// checkAttachable says whether the volume may be attached to the server now; field names the
// request field that named the server (or the volume, for POST /servers).
func (p *Project) checkAttachable(v Volume, s serverState, field string) error {
	if v.Server != nil {
		return Errorf("volume_already_attached", "volume %d is already attached to server %d", v.ID, *v.Server)
	}
	if v.Location.ID != s.Location.ID {
		return InvalidField(field, fmt.Sprintf("volume %d is in location %s, server %d in %s: both must be in the same location",
			v.ID, v.Location.Name, s.ID, s.Location.Name))
	}
	return nil
}

// CreateVolume creates a volume in a location, or attached to a server (in its location).
func (p *Project) CreateVolume(req CreateVolume) (CreateVolumeResult, error) {
	if err := checkVolumeName(req.Name); err != nil {
		return CreateVolumeResult{}, err
	}
	if err := checkVolumeSize(req.Size); err != nil {
		return CreateVolumeResult{}, err
	}
	if req.Format != nil && *req.Format != VolumeFormatExt4 && *req.Format != VolumeFormatXFS {
		return CreateVolumeResult{}, InvalidField("format", "Not a valid choice.")
	}
	if err := ValidateLabels(req.Labels); err != nil {
		return CreateVolumeResult{}, err
	}
	switch {
	case req.Server == nil && req.Location == nil:
		return CreateVolumeResult{}, InvalidField("location", "location is required when no server is given")
	case req.Automount != nil && *req.Automount && req.Server == nil:
		return CreateVolumeResult{}, InvalidField("automount", "automount requires server")
	}
	defer p.lock()()
	var loc catalog.Location
	var server serverState
	if req.Server != nil {
		s, ok := p.servers.get(*req.Server)
		if !ok {
			return CreateVolumeResult{}, InvalidField("server", fmt.Sprintf("server %d not found", *req.Server))
		}
		server, loc = s, s.Location
	}
	if req.Location != nil {
		l, err := p.resolveLocation(*req.Location, "location")
		if err != nil {
			return CreateVolumeResult{}, err
		}
		if req.Server != nil && l.ID != loc.ID {
			return CreateVolumeResult{}, InvalidField("location", fmt.Sprintf("server %d is in location %s, not %s", server.ID, loc.Name, l.Name))
		}
		loc = l
	}
	if _, dup := p.volumes.byName(req.Name); dup {
		return CreateVolumeResult{}, Uniqueness("name", "name is already used")
	}
	if err := p.checkLimit("volumes", p.volumes.len()); err != nil {
		return CreateVolumeResult{}, err
	}
	id := p.store.nextID("volume")
	v := volumeState{Volume: Volume{ID: id, Name: req.Name, Status: VolumeStatusCreating, Location: loc, Size: req.Size,
		Labels: copyLabels(req.Labels), LinuxDevice: linuxDevice(id), Created: p.now()}}
	if req.Format != nil {
		f := *req.Format
		v.Format = &f
	}
	res := CreateVolumeResult{NextActions: []Action{}}
	if req.Server != nil {
		// Attached from the start, as attach does: the API answers with the volume on its server,
		// create_volume on both (as the reference's example lists them) and attach_volume next.
		// A busy server is not refused here: terraform creates several volumes for one server at
		// once and only expects a failed attach_volume then.
		sid := server.ID
		v.Server = &sid
		p.volumes.put(v)
		res.Action = p.startAction("create_volume", volumeRef(id), serverRef(sid))
		res.NextActions = append(res.NextActions, p.startAction("attach_volume", volumeRef(id), serverRef(sid)))
	} else {
		p.volumes.put(v)
		res.Action = p.startAction("create_volume", volumeRef(id))
	}
	res.Volume = v.Volume.clone()
	return res, nil
}

// GetVolume returns one volume.
func (p *Project) GetVolume(id int64) (Volume, error) {
	defer p.lock()()
	v, ok := p.volumes.get(id)
	if !ok {
		return Volume{}, NotFound("volume")
	}
	return v.Volume, nil
}

// ListVolumes lists volumes with the name and status filters.
func (p *Project) ListVolumes(f VolumeFilter, opts ListOptions) (Page[Volume], error) {
	defer p.lock()()
	pg, err := page(&p.volumes, opts, func(v volumeState) bool {
		return (f.Name == "" || v.Name == f.Name) && (len(f.Statuses) == 0 || slices.Contains(f.Statuses, v.Status))
	}, func(v volumeState) map[string]string { return v.Labels }, volumeSorter)
	if err != nil {
		return Page[Volume]{}, err
	}
	return mapPage(pg, func(v volumeState) Volume { return v.Volume }), nil
}

// UpdateVolume renames a volume or replaces its labels.
func (p *Project) UpdateVolume(id int64, req UpdateVolume) (Volume, error) {
	if req.Name != nil {
		if err := checkVolumeName(*req.Name); err != nil {
			return Volume{}, err
		}
	}
	if req.Labels != nil {
		if err := ValidateLabels(*req.Labels); err != nil {
			return Volume{}, err
		}
	}
	defer p.lock()()
	v, ok := p.volumes.get(id)
	if !ok {
		return Volume{}, NotFound("volume")
	}
	if err := renameAndRelabel(&p.volumes, req.Name, req.Labels, &v.Name, &v.Labels, "name is already used"); err != nil {
		return Volume{}, err
	}
	p.volumes.put(v)
	return v.Volume.clone(), nil
}

// DeleteVolume deletes a detached, unprotected volume.
func (p *Project) DeleteVolume(id int64) error {
	defer p.lock()()
	v, ok := p.volumes.get(id)
	if !ok {
		return NotFound("volume")
	}
	if v.Protection.Delete {
		return Errorf(CodeProtected, "volume deletion is protected")
	}
	if p.lockedBy("volume", id) {
		return Locked("volume")
	}
	if v.Server != nil {
		// The live answer (seen by the CSI driver) is this service_error.
		return Errorf(CodeServiceError, "volume with ID '%d' is still attached to a server", id)
	}
	p.volumes.remove(id)
	return nil
}

// AttachVolume attaches a detached volume to a server of its location (action attach_volume on
// [volume, server]).
func (p *Project) AttachVolume(id int64, req AttachVolume) (Action, error) {
	defer p.lock()()
	v, ok := p.volumes.get(id)
	if !ok {
		return Action{}, NotFound("volume")
	}
	s, ok := p.servers.get(req.Server)
	if !ok {
		return Action{}, InvalidField("server", fmt.Sprintf("server %d not found", req.Server))
	}
	if p.lockedBy("volume", id) {
		return Action{}, Locked("volume")
	}
	if err := p.checkAttachable(v.Volume, s, "server"); err != nil {
		return Action{}, err
	}
	if p.lockedBy("server", s.ID) {
		return Action{}, Locked("server")
	}
	sid := s.ID
	v.Server = &sid
	p.volumes.put(v)
	return p.startAction("attach_volume", volumeRef(id), serverRef(sid)), nil
}

// DetachVolume detaches a volume from its server (action detach_volume on [volume, server]); a
// detached volume gets a detach_volume action that is done at once.
func (p *Project) DetachVolume(id int64) (Action, error) {
	defer p.lock()()
	v, ok := p.volumes.get(id)
	if !ok {
		return Action{}, NotFound("volume")
	}
	if p.lockedBy("volume", id) {
		return Action{}, Locked("volume")
	}
	if v.Server == nil {
		return p.finishedAction("detach_volume", volumeRef(id)), nil
	}
	sid := *v.Server
	if p.lockedBy("server", sid) {
		return Action{}, Locked("server")
	}
	v.Server = nil
	p.volumes.put(v)
	return p.startAction("detach_volume", volumeRef(id), serverRef(sid)), nil
}

// ResizeVolume grows a volume (action resize_volume); it cannot shrink.
func (p *Project) ResizeVolume(id int64, req ResizeVolume) (Action, error) {
	if req.Size > MaxVolumeSize {
		return Action{}, checkVolumeSize(req.Size)
	}
	defer p.lock()()
	v, ok := p.volumes.get(id)
	if !ok {
		return Action{}, NotFound("volume")
	}
	if req.Size <= v.Size {
		return Action{}, InvalidField("size", fmt.Sprintf("Size must be greater than the current size of %d GB: volumes cannot shrink.", v.Size))
	}
	if p.lockedBy("volume", id) {
		return Action{}, Locked("volume")
	}
	v.ResizedFrom, v.Size = v.Size, req.Size
	p.volumes.put(v)
	return p.startAction("resize_volume", volumeRef(id)), nil
}

// ChangeVolumeProtection sets delete protection; the action is finished at once.
func (p *Project) ChangeVolumeProtection(id int64, req ChangeVolumeProtection) (Action, error) {
	defer p.lock()()
	v, ok := p.volumes.get(id)
	if !ok {
		return Action{}, NotFound("volume")
	}
	if req.Delete != nil {
		v.Protection.Delete = *req.Delete
	}
	p.volumes.put(v)
	return p.finishedAction("change_protection", volumeRef(id)), nil
}

// volumeLocation is the location of a volume (nil: no such volume). A server created with
// volumes and without a location goes where its first volume is.
func (p *Project) volumeLocation(id int64) *catalog.Location {
	v, ok := p.volumes.items[id]
	if !ok {
		return nil
	}
	return &v.Location
}

// planCreateVolumes checks the volumes of POST /servers for a server in loc and returns them.
func (p *Project) planCreateVolumes(ids []int64, loc catalog.Location) ([]volumeState, error) {
	out := make([]volumeState, 0, len(ids))
	for _, id := range ids {
		if slices.ContainsFunc(out, func(v volumeState) bool { return v.ID == id }) {
			return nil, InvalidField("volumes", fmt.Sprintf("volume %d is given twice", id))
		}
		v, ok := p.volumes.get(id)
		if !ok {
			return nil, InvalidField("volumes", fmt.Sprintf("volume %d not found", id))
		}
		if p.lockedBy("volume", id) {
			return nil, Locked("volume")
		}
		if err := p.checkAttachable(v.Volume, serverState{Server: Server{Location: loc}}, "volumes"); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// attachAtCreate attaches the planned volumes to a new server.
func (p *Project) attachAtCreate(vols []volumeState, serverID int64) {
	for _, v := range vols {
		sid := serverID
		v.Server = &sid
		p.volumes.put(v)
	}
}

// detachVolumesOf detaches every volume from a server (when the server is deleted).
func (p *Project) detachVolumesOf(serverID int64) {
	for _, id := range p.volumesOf(serverID) {
		v, _ := p.volumes.get(id)
		v.Server = nil
		p.volumes.put(v)
	}
}

// volumeActionDone applies what a volume action changes when it ends: a created volume becomes
// available (a failed create leaves none); a failed attach, detach or resize is undone.
func volumeActionDone(p *Project, a Action) {
	v, ok := p.volumes.get(a.Resources[0].ID)
	if !ok {
		return
	}
	var server int64
	if len(a.Resources) > 1 && a.Resources[1].Type == "server" {
		server = a.Resources[1].ID
	}
	failed := a.Status != ActionStatusSuccess
	switch a.Command {
	case "create_volume":
		if failed {
			p.volumes.remove(v.ID)
			return
		}
		v.Status = VolumeStatusAvailable
	case "attach_volume":
		if failed && v.Server != nil && *v.Server == server {
			v.Server = nil
		}
	case "detach_volume":
		if s, exists := p.servers.get(server); failed && exists && v.Server == nil && s.Location.ID == v.Location.ID {
			v.Server = &server
		}
	case "resize_volume":
		if failed && v.ResizedFrom > 0 {
			v.Size = v.ResizedFrom
		}
		v.ResizedFrom = 0
	}
	p.volumes.put(v)
}

func init() { actionEffects["volume"] = volumeActionDone }

// restoreVolumes loads volumes from a snapshot (after the servers) and checks them the way
// creating and attaching them would have.
func (p *Project) restoreVolumes(vols []volumeState, seen map[string]bool, maxIDs map[string]int64) error {
	for _, v := range vols {
		if err := checkRestored("volume", v.ID, v.Name, seen, maxIDs); err != nil {
			return err
		}
		switch {
		case checkVolumeName(v.Name) != nil, checkVolumeSize(v.Size) != nil:
			return fmt.Errorf("volume %d has an invalid name or size", v.ID)
		case v.Status != VolumeStatusCreating && v.Status != VolumeStatusAvailable:
			return fmt.Errorf("volume %d has status %q", v.ID, v.Status)
		case v.Format != nil && *v.Format != VolumeFormatExt4 && *v.Format != VolumeFormatXFS:
			return fmt.Errorf("volume %d has format %q", v.ID, *v.Format)
		case v.ResizedFrom != 0 && (checkVolumeSize(v.ResizedFrom) != nil || v.ResizedFrom >= v.Size):
			return fmt.Errorf("volume %d was resized from %d to %d GB", v.ID, v.ResizedFrom, v.Size)
		}
		loc, ok := p.store.catalog.Location(fmt.Sprint(v.Location.ID))
		if !ok {
			return fmt.Errorf("volume %d has unknown location %d", v.ID, v.Location.ID)
		}
		v.Location, v.LinuxDevice = loc, linuxDevice(v.ID)
		if v.Server != nil {
			s, ok := p.servers.get(*v.Server)
			if !ok {
				return fmt.Errorf("volume %d is attached to unknown server %d", v.ID, *v.Server)
			}
			if s.Location.ID != loc.ID {
				return fmt.Errorf("volume %d is attached to server %d in another location", v.ID, s.ID)
			}
		}
		if err := ValidateLabels(v.Labels); err != nil {
			return fmt.Errorf("volume %d: %w", v.ID, err)
		}
		p.volumes.put(v)
	}
	return nil
}
