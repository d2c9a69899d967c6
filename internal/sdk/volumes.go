package sdk

import (
	"context"
	"iter"
	"net/http"
	"time"
)

// VolumeStatus is the state of a volume.
type VolumeStatus string

// Volume statuses: creating until create_volume is done, then available.
const (
	VolumeStatusCreating  VolumeStatus = "creating"
	VolumeStatusAvailable VolumeStatus = "available"
)

// Volume formats a volume can be created with.
const (
	VolumeFormatExt4 = "ext4"
	VolumeFormatXFS  = "xfs"
)

// ErrVolumeAlreadyAttached answers attaching a volume that is attached (detach it first).
const ErrVolumeAlreadyAttached Code = "volume_already_attached"

// Volume is block storage (10 to 10240 GB) in a location, attachable to one server there.
type Volume struct {
	ID          int64             `json:"id"`
	Name        string            `json:"name"`
	Server      *int64            `json:"server"` // the server it is attached to, nil when detached
	Status      VolumeStatus      `json:"status"`
	Location    Location          `json:"location"`
	Size        int               `json:"size"`         // GB
	Format      *string           `json:"format"`       // ext4, xfs, or nil when not formatted
	LinuxDevice string            `json:"linux_device"` // /dev/disk/by-id/scsi-0HC_Volume_<id>
	Protection  Protection        `json:"protection"`
	Labels      map[string]string `json:"labels"`
	Created     time.Time         `json:"created"`
}

// VolumeCreateOpts is the body of POST /volumes: give Location, or Server to create the
// volume attached to a server (in the server's location).
type VolumeCreateOpts struct {
	Name      string            `json:"name"`
	Size      int               `json:"size"` // GB, 10 to 10240
	Location  string            `json:"location,omitempty"`
	Server    int64             `json:"server,omitempty"`
	Automount bool              `json:"automount,omitempty"` // mount it on Server
	Format    string            `json:"format,omitempty"`    // ext4 or xfs; "": not formatted
	Labels    map[string]string `json:"labels,omitempty"`
}

// VolumeCreateResult is the answer of POST /volumes: create_volume, and attach_volume in
// NextActions when the volume was created on a server.
type VolumeCreateResult struct {
	Volume      Volume   `json:"volume"`
	Action      Action   `json:"action"`
	NextActions []Action `json:"next_actions"`
}

// AllActions is Action followed by NextActions, for ActionClient.Wait.
func (r VolumeCreateResult) AllActions() []Action {
	return append([]Action{r.Action}, r.NextActions...)
}

// VolumeUpdateOpts changes a volume. See SSHKeyUpdateOpts for Name and Labels.
type VolumeUpdateOpts struct {
	Name   string
	Labels map[string]string
}

// VolumeListOpts filters GET /volumes.
type VolumeListOpts struct {
	Name          string
	Statuses      []VolumeStatus
	LabelSelector string   // see Selector
	Sort          []string // id, name, created, with :asc or :desc
	Page, PerPage int
}

func (o VolumeListOpts) values() query {
	q := query{}.str("name", o.Name).str("label_selector", o.LabelSelector).strs("sort", o.Sort).page(o.Page, o.PerPage)
	for _, s := range o.Statuses {
		q.str("status", string(s))
	}
	return q
}

// VolumeClient manages volumes.
type VolumeClient struct{ c *Client }

func volumePath(id int64) string { return idPath("/volumes", id) }

// Get returns one volume.
func (v VolumeClient) Get(ctx context.Context, id int64) (Volume, error) {
	return getOne[Volume](ctx, v.c, volumePath(id), "volume")
}

// List returns one page of volumes.
func (v VolumeClient) List(ctx context.Context, opts VolumeListOpts) ([]Volume, Pagination, error) {
	return listPage[Volume](ctx, v.c, "/volumes", "volumes", opts.values().values())
}

// All iterates every volume.
func (v VolumeClient) All(ctx context.Context, opts VolumeListOpts) iter.Seq2[Volume, error] {
	return listAll[Volume](ctx, v.c, "/volumes", "volumes", opts.values().values())
}

// Create creates a volume; wait for res.AllActions() before using it.
func (v VolumeClient) Create(ctx context.Context, opts VolumeCreateOpts) (VolumeCreateResult, error) {
	var res VolumeCreateResult
	err := v.c.sendJSON(ctx, http.MethodPost, "/volumes", opts, &res)
	return res, err
}

// Update renames a volume or replaces its labels.
func (v VolumeClient) Update(ctx context.Context, id int64, opts VolumeUpdateOpts) (Volume, error) {
	var res struct {
		Volume Volume `json:"volume"`
	}
	err := v.c.sendJSON(ctx, http.MethodPut, volumePath(id), updateBody(opts.Name, opts.Labels), &res)
	return res.Volume, err
}

// Delete deletes a detached volume; an attached one is ErrServiceError, a protected one
// ErrProtected.
func (v VolumeClient) Delete(ctx context.Context, id int64) error {
	return v.c.sendJSON(ctx, http.MethodDelete, volumePath(id), nil, nil)
}

func (v VolumeClient) action(ctx context.Context, id int64, name string, body any) (Action, error) {
	return v.c.actionOf(ctx, http.MethodPost, volumePath(id)+"/actions/"+name, body)
}

// Attach attaches a detached volume to a server of its location and, with automount, mounts
// it there. An attached volume is ErrVolumeAlreadyAttached.
func (v VolumeClient) Attach(ctx context.Context, id, server int64, automount bool) (Action, error) {
	body := map[string]any{"server": server}
	if automount {
		body["automount"] = true
	}
	return v.action(ctx, id, "attach", body)
}

// Detach detaches a volume from its server.
func (v VolumeClient) Detach(ctx context.Context, id int64) (Action, error) {
	return v.action(ctx, id, "detach", nil)
}

// Resize grows a volume to size GB (volumes cannot shrink).
func (v VolumeClient) Resize(ctx context.Context, id int64, size int) (Action, error) {
	return v.action(ctx, id, "resize", map[string]int{"size": size})
}

// ChangeProtection sets delete protection.
func (v VolumeClient) ChangeProtection(ctx context.Context, id int64, deleteProtected bool) (Action, error) {
	return v.action(ctx, id, "change_protection", map[string]bool{"delete": deleteProtected})
}

// ListActions returns one page of the volume's actions.
func (v VolumeClient) ListActions(ctx context.Context, id int64, opts ActionListOpts) ([]Action, Pagination, error) {
	return listPage[Action](ctx, v.c, volumePath(id)+"/actions", "actions", opts.values().values())
}
