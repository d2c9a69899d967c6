package handlers

import (
	"bytes"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/labstack/echo/v4"
)

// The catalog never changes while a process runs, so a catalog answer depends only on the
// host (its Link header carries absolute URLs) and the request URI: it is encoded once and
// replayed. The cache holds at most catalogCacheSize answers; past that, answers are encoded
// as usual, so arbitrary query strings cannot grow it.
const catalogCacheSize = 512

type catalogCache struct {
	answers sync.Map // host + request URI → *cachedAnswer
	size    atomic.Int64
}

type cachedAnswer struct {
	status int
	header http.Header // only what the handler set: Content-Type, Link, Deprecation, Sunset
	body   []byte
}

var cachedHeaders = []string{echo.HeaderContentType, "Link", "Deprecation", "Sunset"}

// recorder passes an answer through while keeping a copy of its body.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// cached wraps a catalog handler.
func (a *API) cached(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		key := req.Host + req.RequestURI
		res := c.Response()
		if v, ok := a.catalogCache.answers.Load(key); ok {
			ans := v.(*cachedAnswer)
			for name, values := range ans.header {
				res.Header()[name] = values
			}
			res.WriteHeader(ans.status)
			_, err := res.Write(ans.body)
			return err
		}
		rec := &recorder{ResponseWriter: res.Writer}
		res.Writer = rec
		err := h(c)
		res.Writer = rec.ResponseWriter
		if err != nil || res.Status != http.StatusOK || a.catalogCache.size.Load() >= catalogCacheSize {
			return err
		}
		ans := &cachedAnswer{status: res.Status, header: http.Header{}, body: rec.body.Bytes()}
		for _, name := range cachedHeaders {
			if values := res.Header().Values(name); len(values) > 0 {
				ans.header[name] = values
			}
		}
		if _, loaded := a.catalogCache.answers.LoadOrStore(key, ans); !loaded {
			a.catalogCache.size.Add(1)
		}
		return nil
	}
}
