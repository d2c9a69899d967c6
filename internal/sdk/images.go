package sdk

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"strconv"
	"time"
)

// ImageType is the kind of an image.
type ImageType string

// Image types.
const (
	ImageTypeSystem   ImageType = "system"
	ImageTypeApp      ImageType = "app"
	ImageTypeSnapshot ImageType = "snapshot"
	ImageTypeBackup   ImageType = "backup"
)

// ImageStatus is the state of an image.
type ImageStatus string

// Image statuses.
const (
	ImageStatusAvailable   ImageStatus = "available"
	ImageStatusCreating    ImageStatus = "creating"
	ImageStatusUnavailable ImageStatus = "unavailable"
)

// Image is a system or app image, or a snapshot or backup of a server.
type Image struct {
	ID           int64             `json:"id"`
	Type         ImageType         `json:"type"`
	Status       ImageStatus       `json:"status"`
	Name         *string           `json:"name"` // nil for snapshots and backups
	Description  string            `json:"description"`
	ImageSize    *float64          `json:"image_size"` // GB; nil for system images
	DiskSize     float64           `json:"disk_size"`  // GB
	Created      time.Time         `json:"created"`
	CreatedFrom  *ImageCreatedFrom `json:"created_from"` // nil unless a snapshot or backup
	BoundTo      *int64            `json:"bound_to"`     // server id of a backup
	OSFlavor     string            `json:"os_flavor"`
	OSVersion    *string           `json:"os_version"`
	Architecture Architecture      `json:"architecture"`
	RapidDeploy  bool              `json:"rapid_deploy"`
	Protection   Protection        `json:"protection"`
	Labels       map[string]string `json:"labels"`
	Deleted      *time.Time        `json:"deleted"`
	Deprecation  *DeprecationInfo  `json:"deprecation"` // nil unless deprecated
	// Deprecated: use Deprecation.Announced.
	Deprecated *time.Time `json:"deprecated"`
}

// ImageCreatedFrom names the server a snapshot or backup was taken of.
type ImageCreatedFrom struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Protection says what a resource is protected against.
type Protection struct {
	Delete bool `json:"delete"`
}

// ImageListOpts filters GET /images. Deprecated images are left out unless IncludeDeprecated.
type ImageListOpts struct {
	Name              string
	Types             []ImageType
	Statuses          []ImageStatus
	BoundTo           []int64
	Architecture      Architecture
	IncludeDeprecated bool
	LabelSelector     string   // see Selector
	Sort              []string // id, name, created, with :asc or :desc
	Page, PerPage     int
}

func (o ImageListOpts) values() query {
	q := query{}.str("name", o.Name).str("architecture", string(o.Architecture)).
		flag("include_deprecated", o.IncludeDeprecated).str("label_selector", o.LabelSelector).
		strs("sort", o.Sort).page(o.Page, o.PerPage)
	for _, t := range o.Types {
		q.str("type", string(t))
	}
	for _, s := range o.Statuses {
		q.str("status", string(s))
	}
	for _, b := range o.BoundTo {
		q.str("bound_to", strconv.FormatInt(b, 10))
	}
	return q
}

// ImageClient reads images.
type ImageClient struct{ c *Client }

// Get returns one image.
func (i ImageClient) Get(ctx context.Context, id int64) (Image, error) {
	return getOne[Image](ctx, i.c, idPath("/images", id), "image")
}

// List returns one page of images.
func (i ImageClient) List(ctx context.Context, opts ImageListOpts) ([]Image, Pagination, error) {
	return listPage[Image](ctx, i.c, "/images", "images", opts.values().values())
}

// All iterates every image.
func (i ImageClient) All(ctx context.Context, opts ImageListOpts) iter.Seq2[Image, error] {
	return listAll[Image](ctx, i.c, "/images", "images", opts.values().values())
}

// ImageUpdateOpts changes a snapshot or backup. ConvertToSnapshot turns a backup into a
// snapshot. Empty Description keeps it; see SSHKeyUpdateOpts for Labels.
type ImageUpdateOpts struct {
	Description       string
	Labels            map[string]string
	ConvertToSnapshot bool
}

func (o ImageUpdateOpts) MarshalJSON() ([]byte, error) {
	body := map[string]any{}
	if o.Description != "" {
		body["description"] = o.Description
	}
	if o.Labels != nil {
		body["labels"] = o.Labels
	}
	if o.ConvertToSnapshot {
		body["type"] = ImageTypeSnapshot
	}
	return json.Marshal(body)
}

// Update changes a snapshot or backup.
func (i ImageClient) Update(ctx context.Context, id int64, opts ImageUpdateOpts) (Image, error) {
	var res struct {
		Image Image `json:"image"`
	}
	err := i.c.sendJSON(ctx, http.MethodPut, idPath("/images", id), opts, &res)
	return res.Image, err
}

// Delete deletes a snapshot or backup; a delete-protected one is ErrProtected.
func (i ImageClient) Delete(ctx context.Context, id int64) error {
	return i.c.sendJSON(ctx, http.MethodDelete, idPath("/images", id), nil, nil)
}

// ChangeProtection sets delete protection of a snapshot or backup.
func (i ImageClient) ChangeProtection(ctx context.Context, id int64, deleteProtected bool) (Action, error) {
	return i.c.actionOf(ctx, http.MethodPost, idPath("/images", id)+"/actions/change_protection",
		map[string]bool{"delete": deleteProtected})
}

// ListActions returns one page of the image's actions.
func (i ImageClient) ListActions(ctx context.Context, id int64, opts ActionListOpts) ([]Action, Pagination, error) {
	return listPage[Action](ctx, i.c, idPath("/images", id)+"/actions", "actions", opts.values().values())
}
