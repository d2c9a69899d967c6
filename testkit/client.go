package testkit

import (
	"net/http"
	"strconv"

	"github.com/fakehetzner/fakehetzner/internal/sdk"
)

// Client is an SDK client wired to the server with Token. Retries keep the SDK's defaults
// unless opts change them; pass sdk.WithPollBackoff to wait for actions quickly.
func (s *Server) Client(opts ...sdk.Option) *sdk.Client {
	base := []sdk.Option{
		sdk.WithEndpoint(s.URL),
		sdk.WithDNSEndpoint(s.BaseURL + "/api/v1"),
		sdk.WithHTTPClient(s.HTTPClient()),
	}
	return sdk.New(s.Token, append(base, opts...)...)
}

// MetadataClient is an SDK metadata client that asks as the server with serverID (0: the
// only server there is). The real service knows the asking server by its address; the fake
// reads X-Server-Id, which this client adds to every request.
func (s *Server) MetadataClient(serverID int64) *sdk.MetadataClient {
	hc := s.HTTPClient()
	if serverID != 0 {
		hc = &http.Client{Transport: serverIDHeader{next: hc.Transport, id: strconv.FormatInt(serverID, 10)}}
	}
	return sdk.NewMetadata(sdk.WithMetadataEndpoint(s.BaseURL+"/hetzner/v1/metadata"), sdk.WithMetadataHTTPClient(hc))
}

type serverIDHeader struct {
	next http.RoundTripper
	id   string
}

func (h serverIDHeader) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("X-Server-Id", h.id)
	return h.next.RoundTrip(req)
}
