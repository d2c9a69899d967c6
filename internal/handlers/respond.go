package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/fakehetzner/fakehetzner/internal/store"
)

// project is the project the request's token belongs to.
func project(c echo.Context) *store.Project { return c.Get(ctxProject).(*store.Project) }

// pathID reads an integer path parameter (validation has checked its type already).
func pathID(c echo.Context, name, kind string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id < 1 {
		return 0, store.NotFound(kind)
	}
	return id, nil
}

// bind decodes the JSON body strictly: an unknown field is invalid_input, as the API answers.
func bind(c echo.Context, v any) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return store.Errorf(store.CodeJSONError, "could not read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name = strings.Trim(name, `"`)
			return &store.Error{Code: store.CodeInvalidInput, Message: unknownFieldMessage(name),
				Details: store.InvalidFields{Fields: []store.FieldError{{Name: name, Messages: []string{msgUnknownField}}}}}
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return store.InvalidField(te.Field, "Invalid type.")
		}
		return store.Errorf(store.CodeJSONError, "syntax error")
	}
	return nil
}

// listOptions reads page, per_page, sort and label_selector.
func listOptions(c echo.Context) store.ListOptions {
	q := c.QueryParams()
	page, _ := strconv.Atoi(q.Get("page"))
	perPage, _ := strconv.Atoi(q.Get("per_page"))
	return store.ListOptions{Page: page, PerPage: perPage, Sort: q["sort"], LabelSelector: q.Get("label_selector")}
}

// meta is the "meta" object of a list answer.
type meta struct {
	Pagination store.Pagination `json:"pagination"`
}

// writeList answers a list: {"<key>": [...], "meta": {"pagination": ...}} and a Link header.
func writeList[T any](c echo.Context, key string, p store.Page[T]) error {
	setLinkHeader(c, p.Pagination)
	return c.JSON(200, map[string]any{key: p.Items, "meta": meta{Pagination: p.Pagination}})
}

// setLinkHeader lists prev, next and last pages as absolute URLs, as the API does.
func setLinkHeader(c echo.Context, p store.Pagination) {
	req := c.Request()
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	link := func(page int, rel string) string {
		q := req.URL.Query()
		q.Set("page", strconv.Itoa(page))
		q.Set("per_page", strconv.Itoa(p.PerPage))
		u := url.URL{Scheme: scheme, Host: req.Host, Path: req.URL.Path, RawQuery: q.Encode()}
		return fmt.Sprintf("<%s>; rel=\"%s\"", u.String(), rel)
	}
	var links []string
	if p.PreviousPage != nil {
		links = append(links, link(*p.PreviousPage, "prev"))
	}
	if p.NextPage != nil {
		links = append(links, link(*p.NextPage, "next"))
	}
	if p.LastPage > 1 {
		links = append(links, link(p.LastPage, "last"))
	}
	if len(links) > 0 {
		c.Response().Header().Set("Link", strings.Join(links, ", "))
	}
}

// one answers a single resource under its key, e.g. {"ssh_key": {...}}.
func one(c echo.Context, status int, key string, v any) error {
	return c.JSON(status, map[string]any{key: v})
}
